"""Hostile inputs: appraisals (``appraisal/<citekey>.yaml``) through the door, through `review check`, through
`review add-source` (which scaffolds one) and through the write rule. Same rows as cases.py (id, setup, argv,
exit code, exact lines)."""

from __future__ import annotations

from cases import CHECK, both, edit, put
from cases_second import EVIDENCE, SECRET, WAY, built, feeding, file_for_folder, folder, linked, may_not, nothing, sparse

APPRAISAL = "appraisal/smith2020.yaml"
GUIDE = 'docs/formats.md, "Appraisals"'
ITEMS = "".join(f"  {k}: {{answer: 'yes', note: Seen.}}\n" for k in ("authority", "accuracy", "coverage", "objectivity", "date", "significance"))
GOOD = f"tool: aacods\nappraiser: AT\nitems:\n{ITEMS}overall: {{concern: minor, explanation: One sentence.}}\n"
DECLARE = edit("review.yaml", "vocabularies:", "coders:\n  - {id: AT, name: Ada Tester}\nappraisal:\n  tools: [aacods]\nvocabularies:")
ADDED = ("sources/new2024.md", "sources/references.bib", "appraisal/new2024.yaml", "extraction/new2024.csv")


def appraised(text: str = GOOD, path: str = APPRAISAL):
    """The review declares AT and AACODS, and ``path`` holds ``text``."""
    return both(DECLARE, put(path, text))


CASES = [
    # --- the door ---
    ("appraisal-link-out-is-never-read", feeding(both(DECLARE, linked(APPRAISAL)), absent=("never reads me",)), CHECK, 1,
     [f"{APPRAISAL}:1: a link to {{outside}}/outside-secret.txt, outside the review folder {{root}}: copy the file into the review instead"]),
    ("appraisal-link-to-nothing", both(DECLARE, lambda root: ((root / "appraisal").mkdir(), (root / APPRAISAL).symlink_to(root / "gone.yaml"))),
     CHECK, 1, [f"{APPRAISAL}:1: a link to {{root}}/gone.yaml, which does not exist: remove the link or restore the file"]),
    ("appraisal-file-is-a-folder", both(DECLARE, folder(APPRAISAL)), CHECK, 1,
     [f"{APPRAISAL}:1: is a folder, but must be a file (one of the appraisals): rename or move it"]),
    ("appraisal-folder-is-a-file", file_for_folder("appraisal"), CHECK, 1,
     ["appraisal:1: is a file, but must be a folder (appraisals): rename or move it"]),
    ("appraisal-folder-link-out", linked("appraisal", folder=True), CHECK, 1,
     ["appraisal:1: a link to {outside}/outside-folder, outside the review folder {root}: copy the file into the review instead"]),
    ("appraisal-too-large", both(DECLARE, sparse(APPRAISAL, 4_000_001)), CHECK, 1,
     [f"{APPRAISAL}:1: too large: 4,000,001 bytes; at most 4,000,000 are accepted"]),
    ("appraisal-control-character", appraised(GOOD.replace("One sentence.", "One\x1b[2J sentence.")), CHECK, 1,
     [f"{APPRAISAL}:10: control character U+001B (ESC) at column 43: remove it; only tab and line breaks are accepted"]),
    ("appraisal-not-utf8", appraised(GOOD.encode("utf-8").replace(b"One sentence.", b"Caf\xe9.")), CHECK, 1,
     [f"{APPRAISAL}:10: not valid UTF-8: byte 0xe9 at byte offset 326; save the file as UTF-8"]),
    ("appraisal-alias", appraised(GOOD.replace("appraiser: AT", "appraiser: &a AT\ntool_reason: *a")), CHECK, 1,
     [f"{APPRAISAL}:3: YAML aliases (*name) are not accepted: write the value out"]),
    ("appraisal-invalid-yaml", appraised("tool: [aacods\n"), CHECK, 1,
     [f"{APPRAISAL}:2: invalid YAML: expected ',' or ']', but got '<stream end>'"]),
    ("appraisal-duplicate-key", appraised(GOOD + "tool: mmat\n"), CHECK, 1,
     [f"{APPRAISAL}:11: duplicate key 'tool' (first on line 1): YAML would keep only the last"]),
    ("appraisal-a-list", appraised("- aacods\n"), CHECK, 1, [f"{APPRAISAL}:1: top level: expected a mapping, got [\"aacods\"]"]),
    # --- what it says ---
    ("appraisal-unknown-tool", appraised(GOOD.replace("tool: aacods", "tool: acods")), CHECK, 1,
     [f"{APPRAISAL}:1: tool: 'acods' is not an appraisal tool: did you mean 'aacods'? allowed: aacods"]),
    ("appraisal-tool-not-declared", put(APPRAISAL, GOOD), CHECK, 1,
     [f"{APPRAISAL}:1: tool: 'aacods' is not among review.yaml's appraisal.tools (none): add it there to appraise with it ({GUIDE})"]),
    ("appraisal-answer-not-allowed", appraised(GOOD.replace("date: {answer: 'yes'", "date: {answer: 'maybe'")), CHECK, 1,
     [f"{APPRAISAL}:8: items.date.answer: 'maybe' is not an answer AACODS allows: allowed: yes, no, unclear"]),
    ("appraisal-answer-a-formula", appraised(GOOD.replace("date: {answer: 'yes'", "date: {answer: '=1+1'")), CHECK, 1,
     [f"{APPRAISAL}:8: items.date.answer: '=1+1' is not an answer AACODS allows: allowed: yes, no, unclear"]),
    ("appraisal-unknown-appraiser", appraised(GOOD.replace("appraiser: AT", "appraiser: ZZ")), CHECK, 1,
     [f"{APPRAISAL}:2: appraiser: unknown coder 'ZZ' (appraisers are coders declared in review.yaml): allowed: AT"]),
    ("appraisal-no-source", appraised(GOOD, "appraisal/lee2019.yaml"), CHECK, 1,
     ["appraisal/lee2019.yaml:1: no source 'lee2019': name the file after the citekey of the source it appraises (allowed: okafor2021, smith2020)"]),
    ("appraisal-of-the-protocol-document", both(appraised(GOOD, "appraisal/okafor2021.yaml"),
                                                edit("sources/okafor2021.txt", "role: secondary", "role: protocol")), CHECK, 1,
     ["appraisal/okafor2021.yaml:1: okafor2021 is the review's protocol document: it frames the questions and is never appraised; remove this file"]),
    ("appraisal-missing-is-a-warning", DECLARE, CHECK, 0,
     [f"sources/smith2020.md:1: warning [NOT_APPRAISED]: smith2020 is not appraised: write appraisal/smith2020.yaml with one of review.yaml's "
      f"appraisal.tools (aacods) ({GUIDE})", "ok: 2 sources, 6 excerpts, every quote located; 2 warnings"]),
    ("appraisal-missing-fails-strict", DECLARE, CHECK + ["--strict"], 1, ["ok: 2 sources, 6 excerpts, every quote located; 2 warnings"]),
    ("check-appraisal-file", appraised(), CHECK + [APPRAISAL], 0, ["ok: checked 1 of 2 sources (4 excerpts), every quote located"]),
    ("check-appraisal-file-link-out", feeding(both(DECLARE, linked(APPRAISAL)), absent=("never reads me",)), CHECK + [APPRAISAL], 1,
     [f"{APPRAISAL}:1: a link to {{outside}}/outside-secret.txt, outside the review folder {{root}}: copy the file into the review instead"]),
    # --- review add-source scaffolds one, and never over anything ---
    ("add-source-scaffolds-an-appraisal", feeding(DECLARE, writes=ADDED), ["add-source", "--role", "primary", "../entry.bib"], 0,
     ["wrote appraisal/new2024.yaml"]),
    ("add-source-over-an-appraisal", put("appraisal/new2024.yaml", SECRET), ["add-source", "../entry.bib"], 1,
     ["appraisal/new2024.yaml:1: already exists; add-source never overwrites a file (key 'new2024')"]),
    ("add-source-appraisal-folder-is-a-file", file_for_folder("appraisal"), ["add-source", "../entry.bib"], 1,
     ["appraisal:1: is a file, but must be a folder: rename it and run again"]),
    ("add-source-appraisal-is-a-link-out", linked("appraisal/new2024.yaml"), ["add-source", "../entry.bib"], 1,
     ["appraisal/new2024.yaml:1: already exists; add-source never overwrites a file (key 'new2024')"]),
    # --- the write rule: appraisal/ is an input ---
    ("appraisal-step-tables-into-it", nothing, ["tables", "--evidence", EVIDENCE, "--output-dir", "appraisal"], 1,
     [may_not("tables", "appraisal", "the review's appraisal/ folder")]),
    ("appraisal-step-report-over-one", appraised(), ["report", "--evidence", EVIDENCE, "--templates", "t", "--output", APPRAISAL], 1,
     [may_not("report", APPRAISAL, "in the review's appraisal/ folder")]),
    ("appraisal-export-into-it", built, ["export", "--qdc", "appraisal/x.qdc"], 1,
     [may_not("export", "appraisal/x.qdc", "in the review's appraisal/ folder")]),
]

__all__ = ["CASES", "WAY"]
