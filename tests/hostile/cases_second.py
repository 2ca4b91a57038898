"""Hostile inputs, second round: the commands and inputs that came with findings, records, screening, double
coding and exports, and the pipeline steps. Same rows as cases.py (id, setup, argv, exit code, exact lines);
a setup may also say what the case feeds on standard input (``stdin``), which files the command may change
(``writes``, its documented job: the runner checks them for live formula cells) and what must not appear in
the output (``absent``: the content of a file the door must not read)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pdfbombs
import pdfkit
import recordskit
import reviewkit
from cases import BIB, CHECK, SHEET, SMITH, both, edit, put

from test_agreement import declare_coders, write_coders

FINDINGS = "findings/RQa.yaml"
SECRET = "secret: the door never reads me\n"
ONLY_S1 = "record,stage,decision,reason,screener,date,source,notes\nscopus:S1,title_abstract,include,,AT,2024-06-01,,\n"
EVIDENCE = "output/build/evidence.json"
BODY = "output/build/provenance-body.json"
SUMMARY = "output/build/summary.json"
NOT_BODY = "not a provenance body (what the report step writes to output/build/provenance-body.json): build the review again"
SHARD = "output/build/shards/0.jsonl"
NOT_SHARD = "not a shard the locate step writes (cut short or another file): build the review again"
MERGE = ["merge", "--inputs", "output/build/inputs.json", "--output", EVIDENCE, SHARD]
CRATE = ["crate", "--summary", SUMMARY, "--provenance-body", BODY, "--provenance", "output/provenance.json",
         "--output", "output/ro-crate-metadata.json"]


def SUMMARY_OF(rest: str) -> str:
    return '{"title": "T", "subtitle": "", "authors": [], "sources": 1, ' + rest + "}"
WAY = 'write to a file outside the review\'s inputs (docs/formats.md, "What each command may write")'


def may_not(command: str, path: str, what: str, force: bool = False) -> str:
    refusal = " (--force never replaces an input)" if force else ""
    return f"{path}:1: review {command} may not write here: {path} is {what}, an input of the review{refusal}; {WAY}"


def feeding(setup, stdin: bytes = b"", writes: tuple[str, ...] = (), absent: tuple[str, ...] = ()):
    """``setup``, run with ``stdin`` on standard input, allowed to change ``writes`` (paths under the review)."""
    def wrapped(root: Path):
        setup(root)
    wrapped.stdin, wrapped.writes, wrapped.absent = stdin, writes, absent
    return wrapped


def in_folder(setup, folder: str):
    """``setup``, with the command run from ``folder`` of the review (handled by the runner)."""
    def wrapped(root: Path):
        setup(root)
    wrapped.cwd = folder
    return wrapped


def nothing(root: Path) -> None:
    pass


def records(screening: str = recordskit.SCREENING, files: dict[str, str] | None = None):
    return lambda root: recordskit.add_records(root, recordskit.FILES | {"screening.csv": screening} | (files or {}))


def coders(finding: str = ""):
    """Two independent coders (ann, bee), declared; ``finding`` replaces ann's first finding."""
    def setup(root: Path):
        declare_coders(root)
        write_coders(root, ["ann", "bee"])
        if finding:
            sheet = root / "extraction/coders/ann/smith2020.csv"
            sheet.write_text(sheet.read_text(encoding="utf-8").replace("Bills fell by 12%.", finding), encoding="utf-8")
    return setup


def built(root: Path) -> None:
    """The build's evidence set, made in-process as the evidence step makes it."""
    from synthesis.cli.main import main

    with contextlib.chdir(root):
        assert main(["evidence", "--output", EVIDENCE]) == 0


def linked(path: str, text: str = SECRET, folder: bool = False):
    """``path`` replaced by a link to a file (or a folder holding ``x.csv``) outside the review."""
    def setup(root: Path):
        outside = root.parent / ("outside-folder" if folder else "outside-secret.txt")
        if folder:
            outside.mkdir(exist_ok=True)
            (outside / "smith2020.csv").write_text("id,quote,codes,finding\n", encoding="utf-8")
        else:
            outside.write_text(text, encoding="utf-8")
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir() and not target.is_symlink():
            import shutil

            shutil.rmtree(target)
        target.unlink(missing_ok=True)
        target.symlink_to(outside)
    return setup


def folder(path: str):
    """``path`` (a file of the layout) made a folder instead."""
    def setup(root: Path):
        target = root / path
        target.unlink(missing_ok=True)
        target.mkdir(parents=True)
    return setup


def file_for_folder(path: str):
    def setup(root: Path):
        import shutil

        target = root / path
        if target.is_dir():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("not a folder\n", encoding="utf-8")
    return setup


def sparse(path: str, size: int):
    def setup(root: Path):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        with open(root / path, "wb") as handle:
            handle.truncate(size)
    return setup


PDF = "sources/trust2024.pdf"
PDF_ADVICE = ("a real report is far smaller, so this is a damaged or hostile PDF (a PDF bomb): if it opens in a viewer, "
              "print it to a new PDF and add that")
PDF_DAMAGED = (f"{PDF}:1: cannot read this PDF (PdfiumError: Failed to load document (PDFium: Data format error)); check that "
               "it opens, or save it again as PDF")
PDF_PAGES = (f"{PDF}:1: too many pages: 10,001; at most 10,000 are accepted: add the part the review cites as a PDF of its own "
             "(e.g. qpdf big.pdf --pages . 1-500 -- part.pdf)")


def bomb(byte: int) -> str:
    return (f"{PDF}:1: too large once decompressed: the stream at byte {byte:,} holds more than 100,000,000 bytes (at most "
            f"100,000,000 are accepted in one stream); {PDF_ADVICE}")


def pdf_source(make):
    """The PDF source trust2024 (sidecar, bibliography entry, sheet), its PDF replaced by ``make()``."""
    def setup(root: Path):
        pdfkit.add_pdf_source(root)
        (root / PDF).write_bytes(make())
    return setup


def truncated_pdf() -> bytes:
    real = (reviewkit.ROOT / "tests/pdfs/pagelabels.pdf").read_bytes()
    return real[:len(real) // 2]


FINDING = """\
question: RQa
answer: Bills fell in one scheme.
findings:
  - id: RQa-1
    statement: Bills fell for members.
    evidence: [{evidence}]
    authors: [AT]
    status: final
    cerqual:
      methodological_limitations: {{concern: moderate, explanation: One survey.}}
      coherence: {{concern: minor, explanation: They agree.}}
      adequacy: {{concern: serious, explanation: One study.}}
      relevance: {{concern: minor, explanation: One country.}}
      overall: {{confidence: low, explanation: One primary study.}}
"""


def findings(evidence: str = "smith2020:1"):
    declared = edit("review.yaml", "vocabularies:", "coders:\n  - {id: AT, name: Ada Tester}\nvocabularies:")
    return both(declared, put(FINDINGS, FINDING.format(evidence=evidence)))


STEPS_OVER_INPUTS = [
    ("evidence", ["evidence", "--output", "review.yaml"], "review.yaml", "the review's protocol"),
    ("prepare", ["prepare", "--output", SHEET], SHEET, "in the review's extraction/ folder"),
    ("locate", ["locate", "--inputs", "x.json", "--shard", "0", "--shards", "1", "--output", SMITH], SMITH, "in the review's sources/ folder"),
    ("merge", ["merge", "--inputs", "x.json", "--output", BIB, "x.json"], BIB, "in the review's sources/ folder"),
    ("tables", ["tables", "--evidence", EVIDENCE, "--output-dir", "extraction"], "extraction", "the review's extraction/ folder"),
    ("report", ["report", "--evidence", EVIDENCE, "--templates", "t", "--output", FINDINGS], FINDINGS, "in the review's findings/ folder"),
    ("render", ["render", "--to", "html", "--input", "x.md", "--output", "sources/smith2020.html"], "sources/smith2020.html", "in the review's sources/ folder"),
    ("figures", ["figures", "--evidence", EVIDENCE, "--svg", "x.svg", "--png", "records/x.png"], "records/x.png", "in the review's records/ folder"),
    ("records", ["records", "--evidence", EVIDENCE, "--output", "x.json", "--output-dir", "x", "--svg", "x.svg", "--png", "review.yaml"], "review.yaml", "the review's protocol"),
    ("provenance", ["provenance", "--evidence", EVIDENCE, "--output", ".git/config"], ".git/config", "in the review's .git/ folder"),
    ("status", ["status", "ok", "--output-dir", "sources"], "sources", "the review's sources/ folder"),
    ("coders", ["coders", "--inputs", "x.json", "--output", "commentary/x.md"], "commentary/x.md", "in the review's commentary/ folder"),
    ("agreement", ["agreement", "--inputs", "x.json", "--coders", "c.json", "--output", "x.json", "--table", SHEET], SHEET, "in the review's extraction/ folder"),
    ("crate", ["crate", "--provenance", "p.json", "--output", "review.yaml"], "review.yaml", "the review's protocol"),
]

CASES = [
    # --- review export: never over an input, an existing file only with --force, no traceback on a bad build ---
    ("export-qdpx-over-protocol", built, ["export", "--qdpx", "review.yaml"], 1, [may_not("export", "review.yaml", "the review's protocol")]),
    ("export-qdpx-over-source-with-force", built, ["export", "--qdpx", SMITH, "--force"], 1,
     [may_not("export", SMITH, "in the review's sources/ folder", force=True)]),
    ("export-qdc-over-bibliography", built, ["export", "--qdc", BIB], 1, [may_not("export", BIB, "in the review's sources/ folder")]),
    ("export-qdc-into-findings", built, ["export", "--qdc", "findings/new.qdc"], 1, [may_not("export", "findings/new.qdc", "in the review's findings/ folder")]),
    ("export-existing-file-needs-force", both(built, put("../old.qdc", "old")), ["export", "--qdc", "../old.qdc"], 1,
     ["../old.qdc:1: exists already: pass --force to replace it"]),
    ("export-existing-file-with-force", feeding(both(built, put("../old.qdc", "old")), writes=("../old.qdc",)), ["export", "--qdc", "../old.qdc", "--force"], 0,
     ["wrote ../old.qdc: 4 codes in 2 question sets"]),
    ("export-link-to-protocol", both(built, lambda root: (root / "link.qdc").symlink_to(root / "review.yaml")), ["export", "--qdc", "link.qdc", "--force"], 1,
     ["link.qdc:1: review export may not write here: link.qdc links to {root}/review.yaml, which is the review's protocol, an input of the review "
      f"(--force never replaces an input); {WAY}"]),
    ("export-checks-both-before-writing", built, ["export", "--qdpx", "../new.qdpx", "--qdc", "review.yaml"], 1,
     [may_not("export", "review.yaml", "the review's protocol")]),
    ("export-from-a-sub-folder-over-protocol", in_folder(built, "sources"), ["export", "--qdc", "../review.yaml", "--force", "--evidence", f"../{EVIDENCE}"], 1,
     [may_not("export", "../review.yaml", "the review's protocol", force=True)]),
    ("export-into-another-review", both(built, lambda root: reviewkit.make_review(root.parent / "other")), ["export", "--qdc", "../other/review.yaml", "--force"], 1,
     [may_not("export", "../other/review.yaml", "the review's protocol", force=True)]),
    ("export-evidence-wrong-shape", put(EVIDENCE, '{"sources": []}'), ["export", "--qdpx", "../x.qdpx"], 1,
     [f"{EVIDENCE}:1: not an evidence set of this version (it needs protocol, sources, evidence): build the review again"]),
    ("export-evidence-damaged", put(EVIDENCE, '{"protocol": {"codes": 3}, "sources": [], "evidence": []}'), ["export", "--qdc", "../x.qdc"], 1,
     [f"{EVIDENCE}:1: the evidence set is damaged (TypeError: 'int' object is not iterable): build the review again"]),
    ("export-evidence-truncated", put(EVIDENCE, '{"protocol'), ["export", "--qdc", "../x.qdc"], 1,
     [f"{EVIDENCE}:1: not a valid evidence set (unexpected end of data: line 1 column 11 (char 10)): build the review again"]),
    ("export-evidence-a-list", put(EVIDENCE, "[1]"), ["export", "--qdc", "../x.qdc"], 1,
     [f"{EVIDENCE}:1: not an evidence set of this version (it needs protocol, sources, evidence): build the review again"]),
    ("export-no-build", nothing, ["export", "--qdc", "../x.qdc"], 1, [f"{EVIDENCE}:1: no built review here: build it first (snakemake --cores 2)"]),
    ("step-render-kept-renderings-in-an-input-folder", nothing,
     ["render", "--to", "html", "--input", "x.md", "--output", "x.html", "--kept", "extraction"], 1,
     [may_not("render", "extraction", "the review's extraction/ folder")]),
    # --- the build's last steps given a wrong or damaged intermediate file: a message, nothing written ---
    ("provenance-body-not-a-body", put(BODY, "[1, 2]"), ["provenance", "--body", BODY, "--output", "output/provenance.json"], 1,
     [f"{BODY}:1: {NOT_BODY}"]),
    ("provenance-body-cut-short", put(BODY, '{\n "inputs": {"protocol": '), ["provenance", "--body", BODY, "--output", "output/p.json"], 1,
     [f"{BODY}:1: {NOT_BODY}"]),
    ("provenance-body-missing", nothing, ["provenance", "--body", BODY, "--output", "output/p.json"], 1,
     [f"{BODY}:1: no such file or folder"]),
    ("crate-summary-a-list", both(put(SUMMARY, "[1]"), put(BODY, "{\n}\n")), CRATE, 1,
     [f"{SUMMARY}:1: not an evidence summary of this version (it needs title, subtitle, authors, sources, excerpts, inputs): "
      "build the review again"]),
    ("crate-summary-damaged", both(put(SUMMARY, SUMMARY_OF('"excerpts": "many", "inputs": [3]')), put(BODY, "{\n}\n")), CRATE, 1,
     [f"{SUMMARY}:1: the evidence summary is damaged (excerpts): build the review again"]),
    ("crate-summary-inputs-damaged", both(put(SUMMARY, SUMMARY_OF('"excerpts": 2, "inputs": [3]')), put(BODY, "{\n}\n")), CRATE, 1,
     [f"{SUMMARY}:1: the evidence summary is damaged (inputs): build the review again"]),
    ("crate-summary-authors-damaged", both(put(SUMMARY, '{"title": "T", "subtitle": "", "authors": ["Ada"], "sources": 1, '
                                                        '"excerpts": 2, "inputs": []}'), put(BODY, "{\n}\n")), CRATE, 1,
     [f"{SUMMARY}:1: the evidence summary is damaged (authors): build the review again"]),
    ("crate-summary-truncated", both(put(SUMMARY, '{"title": "T'), put(BODY, "{\n}\n")), CRATE, 1,
     [f"{SUMMARY}:1: not a valid evidence summary (unexpected end of data: line 1 column 13 (char 12)): build the review again"]),
    ("crate-body-not-a-body", both(put(SUMMARY, SUMMARY_OF('"excerpts": 2, "inputs": []')), put(BODY, '{"evidence": []}')), CRATE, 1,
     [f"{BODY}:1: {NOT_BODY}"]),
    ("crate-evidence-a-list", put(EVIDENCE, "[1]"), ["crate", "--provenance", "output/p.json", "--output", "output/c.json"], 1,
     [f"{EVIDENCE}:1: not an evidence set of this version (it needs protocol, sources, evidence): build the review again"]),
    ("merge-shard-a-json-file", put(SHARD, '{"sources": [], "evidence": [], "problems": []}\n'), MERGE, 1,
     [f"{SHARD}:1: {NOT_SHARD}"]),
    ("merge-shard-cut-short", put(SHARD, '{"sources": [], "row_ids": [], "problems": [], "source_count": 1, '
                                          '"blocks": [["smith2020", 2]], "studies": []}\n[{"id": 1}'), MERGE, 1,
     [f"{SHARD}:1: {NOT_SHARD}"]),
    ("merge-shard-missing", nothing, MERGE, 1, [f"{SHARD}:1: no such file or folder"]),
    # --- review reconcile and review agree ---
    ("reconcile-over-protocol-with-force", coders(), ["reconcile", "smith2020", "--output", "review.yaml", "--force"], 1,
     [may_not("reconcile", "review.yaml", "the review's protocol", force=True)]),
    ("reconcile-into-records", coders(), ["reconcile", "smith2020", "--output", "records/x.csv"], 1,
     [may_not("reconcile", "records/x.csv", "in the review's records/ folder")]),
    ("reconcile-formula-finding-is-inert", feeding(coders('=HYPERLINK("http://evil.example")'), writes=("reconcile/smith2020.csv",)),
     ["reconcile", "smith2020"], 0, ["Wrote reconcile/smith2020.csv: 4 units, 3 where the coders differ. Agree each one, then write the consensus sheet "
                                     "extraction/smith2020.csv (the report uses it)."]),
    ("reconcile-existing-needs-force", both(coders(), put("reconcile/smith2020.csv", "x\n")), ["reconcile", "smith2020"], 1,
     ["reconcile/smith2020.csv:1: exists already: pass --force to replace this reconciliation sheet"]),
    ("agree-over-protocol", coders(), ["agree", "--output", "review.yaml"], 1, [may_not("agree", "review.yaml", "the review's protocol")]),
    ("agree-existing-elsewhere-needs-force", both(coders(), put("../table.csv", "x\n")), ["agree", "--output", "../table.csv"], 1,
     ["../table.csv:1: exists already: pass --force to replace it"]),
    ("agree-formula-label-is-inert", both(coders(), edit("review.yaml", "label: Uptake", "label: \"=1+1\"")), ["agree"], 0,
     ["7 units in 2 double-coded sources; wrote output/tables/agreement.csv (code, label, coders, units, one_coder_units, items, percent_agreement, "
      "kappa, alpha)"]),
    ("agree-replaces-its-own-table", both(coders(), put("output/tables/agreement.csv", "an earlier table\n")), ["agree"], 0,
     ["7 units in 2 double-coded sources; wrote output/tables/agreement.csv (code, label, coders, units, one_coder_units, items, percent_agreement, "
      "kappa, alpha)"]),
    ("agree-coder-folder-is-a-file", both(coders(), file_for_folder("extraction/coders/bee")), ["agree"], 1,
     ["extraction/coders/bee:1: is a file, but must be a folder (coder bee's sheets): rename or move it"]),
    # --- review sheet and add-source ---
    ("sheet-output-into-findings", nothing, ["sheet", "smith2020", "--output", "findings/x.csv"], 1,
     [may_not("sheet", "findings/x.csv", "in the review's findings/ folder")]),
    ("sheet-output-into-sources", nothing, ["sheet", "smith2020", "--xlsx", "--output", "sources/smith2020.xlsx"], 1,
     [may_not("sheet", "sources/smith2020.xlsx", "in the review's sources/ folder")]),
    ("sheet-output-another-keys-sheet", nothing, ["sheet", "smith2020", "--output", "extraction/other.csv"], 1,
     [may_not("sheet", "extraction/other.csv", "in the review's extraction/ folder")]),
    ("sheet-coder-a-path", nothing, ["sheet", "smith2020", "--coder", "../../x"], 2,
     ["review sheet: error: argument --coder: '../../x' is not an id: use letters, digits, '_', '.' and '-', starting with a letter or digit"]),
    ("sheet-coder-formula", nothing, ["sheet", "smith2020", "--coder", "=1+1"], 2,
     ["review sheet: error: argument --coder: '=1+1' starts with '=', which a spreadsheet would run as a formula: give an id"]),
    ("add-source-bibliography-link-out", feeding(linked(BIB), absent=("never reads me",)), ["add-source", "../entry.bib"], 1,
     ["sources/references.bib:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    # --- review screen: prompts that end, arguments checked like cells, nothing half-written ---
    ("screen-input-ends-at-the-reason", feeding(records(ONLY_S1), b"e\n"), ["screen", "--screener", "kj"], 1,
     ["<stdin>:2: the input ended before the reason for scopus:S2 (exclude): nothing recorded for it; recorded 0 before it, 5 left; "
      "run review screen again to go on"]),
    ("screen-random-bytes", feeding(records(ONLY_S1), b"m\xff\xfe\x00\x9b\n\xc3("), ["screen", "--screener", "kj"], 1,
     ["<stdin>:1: not valid UTF-8 (byte 0xff): screening input is one key per line; recorded 0 before it, 5 left; run review screen again to go on"]),
    ("screen-a-line-that-is-no-key", feeding(records(ONLY_S1), b"i\nmaybe\n", writes=("records/screening.csv",)), ["screen", "--screener", "kj"], 1,
     ["<stdin>:2: 'maybe' is not a key offered here (i, e, m, s, q): nothing recorded for scopus:S3; recorded 1 before it, 4 left; "
      "run review screen again to go on"]),
    ("screen-scripted", feeding(records(ONLY_S1), b"i\ne\n1\ns\nm\nq\n", writes=("records/screening.csv",)), ["screen", "--screener", "kj", "--date", "2024-07-01"], 0,
     ["Recorded: include", "Recorded: exclude (wrong_topic)", "Recorded: maybe", "Recorded 3; 1 left."]),
    ("screen-scripted-full-text", feeding(records(ONLY_S1 + "scopus:S2,title_abstract,include,,AT,2024-06-01,,\n"), b"n\n\ne\n", writes=("records/screening.csv",)),
     ["screen", "--screener", "kj", "--stage", "full_text"], 1,
     ["Recorded: not_retrieved", "<stdin>:4: the input ended before the reason for scopus:S2 (exclude): nothing recorded for it; recorded 1 before it, "
      "1 left; run review screen again to go on"]),
    ("screen-empty-input", feeding(records(ONLY_S1), b""), ["screen", "--screener", "kj"], 0,
     ["End of input: recorded 0; 5 left. Run review screen again to go on."]),
    ("screen-screener-formula", records(ONLY_S1), ["screen", "--screener", "=1+1"], 2,
     ["review screen: error: argument --screener: '=1+1' starts with '=', which a spreadsheet would run as a formula: give a name or initials"]),
    ("screen-screener-escape", records(ONLY_S1), ["screen", "--screener", "k\x1b[2Jj"], 2,
     ["review screen: error: argument --screener: 'k\\x1b[2Jj' holds a control character: a name or initials is plain text"]),
    ("screen-screener-blank", records(ONLY_S1), ["screen", "--screener", "  "], 2, ["review screen: error: argument --screener: empty: give a name or initials"]),
    ("screen-date-not-real", records(ONLY_S1), ["screen", "--screener", "kj", "--date", "2024-13-45"], 2,
     ["review screen: error: argument --date: '2024-13-45' is not a real date (month must be in 1..12); write YYYY-MM-DD"]),
    ("screen-date-not-a-date", records(ONLY_S1), ["screen", "--screener", "kj", "--date", "not-a-date"], 2,
     ["review screen: error: argument --date: 'not-a-date' must be YYYY-MM-DD"]),
    ("screen-date-february-30", records(ONLY_S1), ["screen", "--screener", "kj", "--date", "2024-02-30"], 2,
     ["review screen: error: argument --date: '2024-02-30' is not a real date (day is out of range for month); write YYYY-MM-DD"]),
    ("screen-export-into-records", records(ONLY_S1), ["screen", "--export", "records/screening.xlsx"], 1,
     [may_not("screen", "records/screening.xlsx", "in the review's records/ folder")]),
    ("screen-export-over-protocol", records(ONLY_S1), ["screen", "--export", "review.yaml"], 1, [may_not("screen", "review.yaml", "the review's protocol")]),
    ("screen-export-formula-title-is-inert", feeding(records(ONLY_S1, {"scopus.ris": recordskit.SCOPUS.replace("TI  - Owning the grid", "TI  - =HYPERLINK(\"http://evil.example\")")}),
                                                      writes=("../todo.csv",)), ["screen", "--export", "../todo.csv"], 0,
     ["Wrote 6 unscreened records to ../todo.csv; fill in decision, reason, screener and date, then save it as records/screening.xlsx."]),
    ("screen-records-folder-is-sources", records(ONLY_S1), ["screen", "--screener", "kj", "--records", "sources"], 1,
     ["sources:1: not a records folder: sources is the review's folder or another input folder; records live in records/"]),
    ("screen-screening-link-out", both(records(ONLY_S1), linked("records/screening.csv", ONLY_S1)), ["screen", "--screener", "kj"], 1,
     ["records/screening.csv:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    # --- review snowball-records ---
    ("snowball-search-a-path", both(built, records()), ["snowball-records", "--search", "../review"], 2,
     ["review snowball-records: error: argument --search: '../review' is not an id: use letters, digits, '_', '.' and '-', starting with a letter or digit"]),
    ("snowball-date-not-real", both(built, records()), ["snowball-records", "--date", "2024-02-30"], 2,
     ["review snowball-records: error: argument --date: '2024-02-30' is not a real date (day is out of range for month); write YYYY-MM-DD"]),
    ("snowball-records-folder-is-extraction", built, ["snowball-records", "--records", "extraction"], 1,
     ["extraction:1: not a records folder: extraction is the review's folder or another input folder; records live in records/"]),
    ("snowball-evidence-wrong-shape", both(put(EVIDENCE, '{"protocol": {}, "sources": [], "evidence": [1]}'), records()), ["snowball-records"], 1,
     [f"{EVIDENCE}:1: the evidence set is damaged (TypeError: 'int' object is not subscriptable): build the review again"]),
    ("snowball-formula-title-is-inert", feeding(both(edit(BIB, "title = {Feed-in tariffs}", "title = {=HYPERLINK(\"http://evil.example\")}"), built, records()),
                                                writes=("records/citations.csv", "records/searches.csv")), ["snowball-records", "--date", "2024-08-01"], 0,
     ["Added 1 citation-searching records to records/citations.csv (1 in all); screen them with: review screen --screener NAME"]),
    # --- the door: findings, records, coders' folders, protocol, bibliography, sources ---
    ("findings-link-out-is-never-read", feeding(both(findings(), linked(FINDINGS)), absent=("never reads me",)), CHECK, 1,
     ["findings/RQa.yaml:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("findings-file-is-a-folder", folder(FINDINGS), CHECK, 1,
     ["findings/RQa.yaml:1: is a folder, but must be a file (one of the review findings): rename or move it"]),
    ("findings-folder-is-a-file", file_for_folder("findings"), CHECK, 1, ["findings:1: is a file, but must be a folder (review findings): rename or move it"]),
    ("findings-link-to-nothing", lambda root: ((root / "findings").mkdir(), (root / FINDINGS).symlink_to(root / "gone.yaml")), CHECK, 1,
     ["findings/RQa.yaml:1: a link to {root}/gone.yaml, which does not exist: remove the link or restore the file"]),
    ("findings-too-large", sparse(FINDINGS, 4_000_001), CHECK, 1, ["findings/RQa.yaml:1: too large: 4,000,001 bytes; at most 4,000,000 are accepted"]),
    ("findings-evidence-id-repeated", findings("smith2020:1, smith2020:2, smith2020:1, smith2020:1"), CHECK, 1,
     ["findings/RQa.yaml:6: finding RQa-1: evidence id 'smith2020:1' is listed more than once (first on line 6): list each excerpt once"]),
    ("check-findings-file", findings(), CHECK + [FINDINGS], 0, ["ok: 2 sources, 6 excerpts, every quote located"]),
    ("records-screening-link-out", feeding(both(records(), linked("records/screening.csv")), absent=("never reads me",)), CHECK, 1,
     ["records/screening.csv:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("records-search-file-link-out", feeding(both(records(), linked("records/scopus.ris")), absent=("never reads me",)), CHECK, 1,
     ["records/scopus.ris:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("records-searches-is-a-folder", both(records(), folder("records/searches.csv")), CHECK, 1,
     ["records/searches.csv:1: is a folder, but must be a file (one of the searches, records and screening): rename or move it"]),
    ("records-screening-is-a-folder", both(records(), folder("records/screening.csv")), ["screen", "--screener", "kj"], 1,
     ["records/screening.csv:1: is a folder, but must be a file (one of the searches, records and screening): rename or move it"]),
    ("records-folder-is-a-file", file_for_folder("records"), CHECK, 1,
     ["records:1: is a file, but must be a folder (searches, records and screening): rename or move it"]),
    ("records-duplicate-column", records(files={"searches.csv": recordskit.SEARCHES.replace("results,notes", "results,date")}), CHECK, 1,
     ["records/searches.csv:1: column 'date' appears twice (columns 4 and 7)"]),
    ("records-search-date-not-real", records(files={"searches.csv": recordskit.SEARCHES.replace("2024-05-02", "2024-02-30")}), CHECK, 1,
     ["records/searches.csv:3: date '2024-02-30' is not a real date (day is out of range for month); write YYYY-MM-DD"]),
    ("records-screening-date-not-real", records(recordskit.SCREENING.replace("2024-06-02", "2024-13-45")), CHECK, 1,
     ["records/screening.csv:7: date '2024-13-45' is not a real date (month must be in 1..12); write YYYY-MM-DD"]),
    ("check-records-file", records(), CHECK + ["records/screening.csv"], 0, ["ok: 2 sources, 6 excerpts, every quote located"]),
    ("coders-folder-is-a-file", both(coders(), file_for_folder("extraction/coders/ann")), CHECK, 1,
     ["extraction/coders/ann:1: is a file, but must be a folder (coder ann's sheets): rename or move it"]),
    ("coders-is-a-file", file_for_folder("extraction/coders"), CHECK, 1,
     ["extraction/coders:1: is a file, but must be a folder (a folder per independent coder): rename or move it"]),
    ("coders-sheet-link-out", feeding(both(coders(), linked("extraction/coders/ann/smith2020.csv")), absent=("never reads me",)), CHECK, 1,
     ["extraction/coders/ann/smith2020.csv:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("coders-folder-link-out", both(coders(), linked("extraction/coders/ann", folder=True)), CHECK, 1,
     ["extraction/coders/ann:1: a link to {outside}/outside-folder, outside the review folder {root}: copy the file into the review instead"]),
    ("coders-sheet-is-a-folder", both(coders(), folder("extraction/coders/ann/okafor2021.csv")), CHECK, 1,
     ["extraction/coders/ann/okafor2021.csv:1: is a folder, but must be a file (one of the coder ann's sheets): rename or move it"]),
    ("protocol-is-a-folder", folder("review.yaml"), CHECK, 1, ["review.yaml:1: is a folder, but must be a file (the review protocol): rename or move it"]),
    ("protocol-link-out", feeding(linked("review.yaml"), absent=("never reads me",)), CHECK, 1,
     ["review.yaml:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("bib-link-out", feeding(linked(BIB), absent=("never reads me",)), CHECK, 1,
     ["sources/references.bib:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("bib-is-a-folder", folder(BIB), CHECK, 1, ["sources/references.bib:1: is a folder, but must be a file (the bibliography): rename or move it"]),
    ("source-is-a-folder", folder("sources/lee2019.md"), CHECK, 1,
     ["sources/lee2019.md:1: is a folder, but must be a file (one of the sources): rename or move it"]),
    ("source-sidecar-link-out", feeding(linked("sources/okafor2021.yaml"), absent=("never reads me",)), CHECK, 1,
     ["sources/okafor2021.yaml:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("source-pdf-link-out", feeding(linked("sources/trust2024.pdf"), absent=("never reads me",)), CHECK, 1,
     ["sources/trust2024.pdf:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("commentary-link-out", feeding(linked("commentary/RQa.md"), absent=("never reads me",)), CHECK, 1,
     ["commentary/RQa.md:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("source-too-large", sparse("sources/lee2019.txt", 200_000_001), CHECK, 1,
     ["sources/lee2019.txt:1: too large: 200,000,001 bytes; at most 200,000,000 are accepted"]),
    ("sources-folder-is-a-file", file_for_folder("sources"), CHECK, 1, ["sources:1: is a file, but must be a folder (sources): rename or move it"]),
    ("sheet-is-a-folder", folder("extraction/lee2019.csv"), CHECK, 1,
     ["extraction/lee2019.csv:1: is a folder, but must be a file (one of the extraction sheets): rename or move it"]),
    ("sheet-link-to-nothing", lambda root: (root / "extraction/lee2019.csv").symlink_to(root / "gone.csv"), CHECK, 1,
     ["extraction/lee2019.csv:1: a link to {root}/gone.csv, which does not exist: remove the link or restore the file"]),
    ("check-file-link-out", feeding(linked(SMITH), absent=("never reads me",)), CHECK + [SMITH], 1,
     ["sources/smith2020.md:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("text-source-link-out", feeding(linked(SMITH), absent=("never reads me",)), ["text", "smith2020"], 1,
     ["sources/smith2020.md:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("text-pdf-link-out", feeding(linked("sources/trust2024.pdf"), absent=("never reads me",)), ["text", "trust2024"], 1,
     ["sources/trust2024.pdf:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("agree-source-link-out", feeding(both(coders(), linked(SMITH)), absent=("never reads me",)), ["agree"], 1,
     ["sources/smith2020.md:1: a link to {outside}/outside-secret.txt, outside the review folder {root}: copy the file into the review instead"]),
    ("text-unknown-source", nothing, ["text", "smith2021"], 1, ["sources:1: no source 'smith2021': did you mean 'smith2020'? allowed: okafor2021, smith2020"]),
    # --- PDF sources: the limits on pages and on what streams decompress to, and damaged files ---
    ("source-pdf-bomb", pdf_source(pdfbombs.bomb_pdf), CHECK, 1, [bomb(362)]),
    ("source-pdf-bomb-in-an-inline-image", pdf_source(pdfbombs.inline_bomb_pdf), CHECK, 1, [bomb(342)]),
    ("source-pdf-bomb-behind-a-filter-reference", pdf_source(pdfbombs.referenced_filter_bomb_pdf), CHECK, 1, [bomb(355)]),
    ("source-pdf-bomb-encrypted", pdf_source(pdfbombs.encrypted_bomb_pdf), CHECK, 1, [bomb(353)]),
    ("source-pdf-streams-too-large-in-all", pdf_source(pdfbombs.many_streams_pdf), CHECK, 1,
     [f"{PDF}:1: too large once decompressed: its streams hold more than 200,000,000 bytes (at most 200,000,000 are accepted, "
      f"or 20,000,000 a page for a document of more than 10 pages); {PDF_ADVICE}"]),
    ("source-pdf-too-many-pages", pdf_source(lambda: pdfbombs.pages_pdf(10_001)), CHECK, 1, [PDF_PAGES]),
    ("source-pdf-damaged", pdf_source(truncated_pdf), CHECK, 1, [PDF_DAMAGED]),
    ("source-pdf-empty", pdf_source(lambda: b""), CHECK, 1, [PDF_DAMAGED]),
    ("source-pdf-not-a-pdf", pdf_source(lambda: b"<html><body>Community energy review</body></html>"), CHECK, 1, [PDF_DAMAGED]),
    ("check-pdf-bomb-file", pdf_source(pdfbombs.bomb_pdf), CHECK + [PDF], 1, [bomb(362)]),
    ("check-pdf-too-many-pages-file", pdf_source(lambda: pdfbombs.pages_pdf(10_001)), CHECK + [PDF], 1, [PDF_PAGES]),
    ("text-pdf-bomb", pdf_source(pdfbombs.bomb_pdf), ["text", "trust2024"], 1, [bomb(362)]),
    ("text-pdf-damaged", pdf_source(truncated_pdf), ["text", "trust2024"], 1, [PDF_DAMAGED]),
    # --- dates in files ---
    ("source-accessed-not-real", edit(SMITH, "type: report\n", "type: report\naccessed: \"2024-13-45\"\n"), CHECK, 1,
     ["sources/smith2020.md:4: accessed: '2024-13-45' is not a real date (month must be in 1..12); write YYYY-MM-DD (the day the document was retrieved)"]),
    ("source-accessed-not-a-date", edit(SMITH, "type: report\n", "type: report\naccessed: \"last May\"\n"), CHECK, 1,
     ["sources/smith2020.md:4: accessed: 'last May' must be YYYY-MM-DD (the day the document was retrieved)"]),
    ("bib-date-not-real", edit(BIB, "  year = {2020},\n", "  year = {2020},\n  date = {2020-02-30},\n"), CHECK, 1,
     ["sources/references.bib:5: smith2020: date = {2020-02-30} is not a real date: write YYYY-MM-DD (or YYYY-MM, or YYYY; a range as 2020-01/2020-03)"]),
    ("bib-urldate-not-a-date", edit(BIB, "  year = {2020},\n", "  year = {2020},\n  urldate = {yesterday},\n"), CHECK, 1,
     ["sources/references.bib:5: smith2020: urldate = {yesterday} is not a real date: write YYYY-MM-DD (or YYYY-MM, or YYYY; a range as 2020-01/2020-03)"]),
    ("bib-date-range-is-fine", edit(BIB, "  year = {2020},\n", "  year = {2020},\n  date = {2020-01/2020-03},\n"), CHECK, 0,
     ["ok: 2 sources, 6 excerpts, every quote located"]),
    # --- @string macros that bibtexparser and pandoc would read differently ---
    ("bib-string-empty-name", edit(BIB, "@report{smith2020,", "@string{ = {Energy Trust}}\n@report{smith2020,"), CHECK, 1,
     ["sources/references.bib:1: @string macro not understood: @string{ = {Energy Trust}}: write one macro per @string, as @string{name = {text}}, "
      "the name a letter followed by letters, digits, _ or -"]),
    ("bib-string-shadows-a-month", both(edit(BIB, "@report{smith2020,", "@string{may = {Energy Trust}}\n@report{smith2020,"), edit(BIB, "institution = {Energy Trust}", "institution = may")), CHECK, 1,
     ["sources/references.bib:1: @string{may = ...} redefines the month abbreviation 'may': choose another name"]),
    ("bib-string-defined-twice", edit(BIB, "@report{smith2020,", "@string{et = {Energy Trust}}\n@string{ET = {Other}}\n@report{smith2020,"), CHECK, 1,
     ["sources/references.bib:2: @string macro 'ET' is defined twice (first on line 1; names ignore case): keep one"]),
    ("bib-string-two-in-one", edit(BIB, "@report{smith2020,", "@string{et = {Energy Trust}, eu = {Union}}\n@report{smith2020,"), CHECK, 1,
     ["sources/references.bib:1: @string macro not understood: @string{et = {Energy Trust}, eu = {Union}}: write one macro per @string, "
      "as @string{name = {text}}, the name a letter followed by letters, digits, _ or -"]),
    ("bib-string-concatenated", edit(BIB, "@report{smith2020,", "@string{et = {Energy} # { Trust}}\n@report{smith2020,"), CHECK, 1,
     ["sources/references.bib:1: @string macro not understood: @string{et = {Energy} # { Trust}}: write one macro per @string, "
      "as @string{name = {text}}, the name a letter followed by letters, digits, _ or -"]),
    ("bib-string-in-parentheses", edit(BIB, "@report{smith2020,", "@string(et = {Energy Trust})\n@report{smith2020,"), CHECK, 1,
     ["sources/references.bib:1: @string macro not understood: @string(et = {Energy Trust}): write one macro per @string, "
      "as @string{name = {text}}, the name a letter followed by letters, digits, _ or -"]),
    ("bib-string-name-with-dot", edit(BIB, "@report{smith2020,", "@string{e.t = {Energy Trust}}\n@report{smith2020,"), CHECK, 1,
     ["sources/references.bib:1: @string macro not understood: @string{e.t = {Energy Trust}}: write one macro per @string, "
      "as @string{name = {text}}, the name a letter followed by letters, digits, _ or -"]),
] + [
    # --- every pipeline step: never writes over an input ---
    (f"step-{name}-over-an-input", nothing, argv, 1, [may_not(name, path, what)]) for name, argv, path, what in STEPS_OVER_INPUTS
]
