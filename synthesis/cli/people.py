"""The commands people use: check, trace, audit, add-source, sheet."""

from __future__ import annotations

import sys
from pathlib import Path

from ..common.problems import InputError, Problem
from ..inputs import layout
from .shared import add_command, add_inputs, id_argument, read_json


def cmd_check(args) -> int:
    from ..coauthor.check import as_json, run_check

    problems, summary = run_check(args.paths, args.protocol, args.bibliography, args.sources, args.extraction)
    if args.format == "json":
        sys.stdout.write(as_json(problems, summary))
    else:
        from ..common.textio import visible

        for problem in problems:
            print(visible(str(problem)))
        print(summary)
    failing = [p for p in problems if args.strict or not p.is_warning]
    return 1 if failing else 0


def _read_provenance(path: str) -> dict:
    from ..audit.status import stale_problem

    if not Path(path).is_file():
        raise InputError([Problem(path, 1, "no provenance record: build the review first (snakemake --cores 2)")])
    stale = stale_problem(str(Path(path).parent))
    if stale:
        raise InputError([stale])
    try:
        data = read_json(path)
    except ValueError as err:
        raise InputError([Problem(path, 1, f"not a valid provenance record ({err}): build the review again")]) from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), t) for k, t in (("claims", list), ("evidence", list), ("inputs", dict))):
        raise InputError([Problem(path, 1, "not a provenance record (it needs claims, evidence and inputs): build the review again")])
    return data


def _shape_guard(path: str, step):
    """Run ``step`` on a provenance record; a record of the wrong shape is a clear problem, not a traceback."""
    try:
        return step()
    except (KeyError, TypeError, IndexError, AttributeError, ValueError) as err:
        raise InputError([Problem(path, 1, f"the provenance record is damaged ({type(err).__name__}: {err}): build the review again")]) from None


def cmd_trace(args) -> int:
    from ..inputs.bibliography import load_bibliography
    from ..audit.trace import trace

    from ..common.textio import visible

    provenance = _read_provenance(args.provenance)
    bib_path = _shape_guard(args.provenance, lambda: provenance["inputs"]["bibliography"]["path"])
    if not Path(bib_path).is_file():
        raise InputError([Problem(bib_path, 1, "the bibliography is missing since the build: restore it (git checkout) or build again")])
    bibliography, _sha = load_bibliography(bib_path)
    sys.stdout.write(visible(_shape_guard(args.provenance, lambda: trace(provenance, args.id, bibliography))))
    return 0


def cmd_audit(args) -> int:
    from ..audit.audit import audit

    from ..common.textio import visible

    provenance = _read_provenance(args.provenance)
    report = _shape_guard(args.provenance, lambda: audit(provenance))
    for problem in sorted(report.problems):
        print(visible(str(problem)))
    for note in report.notes:
        print(visible(f"note: {note}"))
    print(report.summary())
    return 1 if report.problems else 0


def _protocol_or_none(path: str) -> dict | None:
    from ..inputs.protocol import load_protocol

    return load_protocol(path) if Path(path).is_file() else None


def cmd_add_source(args) -> int:
    from ..coauthor.intake import DEFAULT_SCREENER, Intake
    from ..coauthor.scaffold import add_source
    from ..common.textio import decode

    if args.entry in (None, "-"):
        text, name = decode(sys.stdin.buffer.read(), "<stdin>"), "<stdin>"
    else:
        text, name = decode(Path(args.entry).read_bytes(), args.entry), args.entry
    if sum(bool(x) for x in (args.search, args.record, args.added_otherwise)) > 1:
        raise InputError([Problem(layout.RECORDS, 1, "give one of --search, --record and --added-otherwise: they are three ways a document comes in")])
    if args.coder_name and not args.add_coder:
        raise InputError([Problem(layout.PROTOCOL, 1, "--coder-name names the coder that --add-coder adds: give --add-coder ID too")])
    intake = Intake(args.search, args.record, args.added_otherwise, args.add_coder or DEFAULT_SCREENER, _today())
    written, warnings, advice = add_source(text, name, xlsx=args.xlsx, protocol=_protocol_or_none(args.protocol),
                                           role=args.role or "", pdf=args.pdf, intake=intake,
                                           coder=(args.add_coder, args.coder_name or "") if args.add_coder else None)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for path, note in written:
        print(f"wrote {path}" + (f": {note}" if note else ""))
    for line in advice:
        print(line)
    source, sheet = written[0][0], next(p for p, _note in written if Path(p).parent == Path(layout.EXTRACTION))
    appraisal = next((p for p, _note in written if Path(p).parent.name == layout.APPRAISAL), "")
    appraise = f", appraise it in {appraisal}" if appraisal else ""
    if args.pdf:
        key = Path(source).stem
        print(f"next: fill in the tags in {written[1][0]}, read the text quotes are matched against with `review text {key}`, "
              f"code excerpts in {sheet}{appraise}, then run `review check {source} {sheet}`")
    else:
        print(f"next: paste the document's text into {source}, fill in its tags, code excerpts in {sheet}{appraise}, "
              f"then run `review check {source} {sheet}`")
    print(f"commit, once the source is coded: {' '.join(p for p, _note in written)}")
    return 0


def _today() -> str:
    from datetime import date

    return date.today().isoformat()


def cmd_sheet(args) -> int:
    from ..coauthor.sheetfile import create_sheet

    wants_protocol = args.xlsx or (args.output or "").endswith(".xlsx") or args.coder
    print(create_sheet(args.citekey, args.xlsx, args.output, _protocol_or_none(args.protocol) if wants_protocol else None, args.coder, args.replace, args.coder_name))
    return 0


def register(sub) -> None:
    """Add the commands people use, in the order a co-author meets them."""
    p = add_command(sub, "check", "Validate protocol, bibliography, sources and sheets (every quote located) without building.", "review check\n  review check extraction/green2023.csv sources/green2023.md\n  review check --format json")
    p.add_argument("paths", nargs="*", help="only these sources/sheets (default: the whole review; a changed review.yaml or references.bib checks everything)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: %(default)s)")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    add_inputs(p)
    p.set_defaults(func=cmd_check)
    p = add_command(sub, "trace", "Print the chain behind a claim or evidence id: report sentence, findings, quotes in context, file hash, bibliography.", "review trace Q1.work_first.green2023:12      # a claim\n  review trace green2023:12                    # an evidence item")
    p.add_argument("id", help="a claim id (e.g. Q1.work_first.green2023:12) or an evidence id (e.g. green2023:12)")
    p.add_argument("--provenance", default="output/provenance.json", help="provenance record of the build (default: %(default)s)")
    p.set_defaults(func=cmd_trace)
    p = add_command(sub, "audit", "Re-check a built review against its inputs without rebuilding; exit 1 on any drift.", "review audit")
    p.add_argument("--provenance", default="output/provenance.json", help="provenance record of the build (default: %(default)s)")
    p.set_defaults(func=cmd_audit)
    p = add_command(sub, "add-source", "Add a source from a BibTeX entry: sources/<key>.md (or a PDF with --pdf), its references.bib entry and an empty sheet.", "review add-source entry.bib\n  review add-source --xlsx < entry.bib\n  review add-source --pdf ~/Downloads/report.pdf entry.bib")
    p.add_argument("entry", nargs="?", help="file holding one BibTeX entry (default or '-': standard input)")
    p.add_argument("--xlsx", action="store_true", help="create an Excel sheet with drop-down lists instead of a CSV")
    p.add_argument("--pdf", metavar="FILE", help="the source is this PDF: copied to sources/<key>.pdf, its front matter in sources/<key>.yaml")
    p.add_argument("--role", choices=("primary", "secondary", "commentary", "protocol"),
                   help="what the document is to the review (default: left for you to fill in the source's front matter)")
    p.add_argument("--add-coder", metavar="ID", help="declare yourself as a coder: adds {id: ID, name: NAME} to review.yaml's coders "
                   "unless ID is declared; ID also screens the new record (default screener: %s)" % "review-team")
    p.add_argument("--coder-name", metavar="NAME", help="your name, for --add-coder (default: the ID)")
    how = p.add_argument_group("how the document came in (a review with records/; default: a record of the review's 'provided' search)")
    how.add_argument("--search", metavar="ID", help="a new record of this search (its records file .csv or .bib), included at title/abstract and full text")
    how.add_argument("--record", metavar="ID", help="the document is this record already in records/ (e.g. citations:taylor2017): its full text is recorded as retrieved")
    how.add_argument("--added-otherwise", action="store_true", help="no record: list the source in review.yaml screening.added_otherwise")
    p.add_argument("--protocol", default=layout.PROTOCOL, help="review protocol, for the drop-down lists (default: %(default)s)")
    p.set_defaults(func=cmd_add_source)
    p = add_command(sub, "sheet", "Create an extraction sheet for a source; with --xlsx an Excel workbook with drop-downs and the codebook.", "review sheet green2023 --xlsx\n  review sheet green2023 --xlsx --replace   # its CSV sheet becomes an Excel sheet, every row kept\n  review sheet green2023 --xlsx --output green2023.xlsx   # an Excel copy elsewhere")
    p.add_argument("citekey", help="the source's citekey")
    p.add_argument("--xlsx", action="store_true", help="Excel workbook instead of CSV")
    p.add_argument("--output", help="where to write (default: extraction/<citekey>.csv or .xlsx)")
    p.add_argument("--coder", type=id_argument, help="an empty independent sheet for this coder: extraction/coders/CODER/<citekey>.csv or .xlsx (double coding)")
    p.add_argument("--coder-name", metavar="NAME", help="with --coder: declare that coder in review.yaml's coders, with this name, when it is not declared")
    p.add_argument("--replace", action="store_true", help="turn the source's sheet into this format with every row (e.g. its CSV into an Excel sheet with --xlsx) and remove the old one")
    p.add_argument("--protocol", default=layout.PROTOCOL, help="review protocol, for the drop-down lists (default: %(default)s)")
    p.set_defaults(func=cmd_sheet)
