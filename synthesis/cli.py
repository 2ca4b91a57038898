"""Command-line interface: one subcommand per pipeline step, plus tools for people.

Snakemake rules call ``python -m synthesis STEP``; people call ``review STEP``.
Input problems are printed as ``path:line: message`` and exit with status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import layout
from .problems import InputError

EXAMPLES = {
    "check": "review check\n  review check extraction/green2023.csv sources/green2023.md\n  review check --format json",
    "evidence": "python -m synthesis evidence --output output/build/evidence.json",
    "prepare": "python -m synthesis prepare --output output/build/inputs.json",
    "locate": "python -m synthesis locate --inputs output/build/inputs.json --shard 3 --shards 8 --output output/build/shards/3.json",
    "merge": "python -m synthesis merge --inputs output/build/inputs.json --output output/build/evidence.json output/build/shards/*.json",
    "tables": "python -m synthesis tables --evidence output/build/evidence.json --output-dir output/tables",
    "report": "python -m synthesis report --evidence output/build/evidence.json --templates templates --output output/report/state-of-play.md",
    "render": "python -m synthesis render --to html --input output/report/state-of-play.md --output output/report/state-of-play.html",
    "figures": "python -m synthesis figures --evidence output/build/evidence.json --svg output/report/gap-map.svg --png output/report/gap-map.png",
    "provenance": "python -m synthesis provenance --evidence output/build/evidence.json --output output/provenance.json",
    "trace": "review trace Q1.work_first.green2023:12      # a claim\n  review trace green2023:12                    # an evidence item",
    "audit": "review audit",
    "add-source": "review add-source entry.bib\n  review add-source --xlsx < entry.bib",
    "sheet": "review sheet green2023 --xlsx\n  review sheet green2023 --xlsx --output green2023.xlsx   # an Excel copy of an existing CSV sheet",
}


INPUT_OPTIONS = {
    "protocol": (layout.PROTOCOL, "the review protocol"),
    "bibliography": (layout.BIBLIOGRAPHY, "BibTeX file"),
    "sources": (layout.SOURCES, "folder of tagged sources"),
    "extraction": (layout.EXTRACTION, "folder of extraction sheets"),
    "commentary": (layout.COMMENTARY, "folder of team commentary"),
}


def _inputs(parser: argparse.ArgumentParser, *names: str) -> None:
    """Options naming the review's input files, with the layout's defaults."""
    for name in names or ("protocol", "bibliography", "sources", "extraction"):
        default, what = INPUT_OPTIONS[name]
        parser.add_argument(f"--{name}", default=default, help=f"{what} (default: %(default)s)")


def _load_evidence(args) -> dict:
    from .evidence import build_evidence

    return build_evidence(args.protocol, args.bibliography, args.sources, args.extraction)


def cmd_check(args) -> int:
    from .check import as_json, run_check

    problems, summary = run_check(args.paths, args.protocol, args.bibliography, args.sources, args.extraction)
    if args.format == "json":
        sys.stdout.write(as_json(problems, summary))
    else:
        for problem in problems:
            print(problem)
        print(summary)
    return 1 if problems else 0


def cmd_evidence(args) -> int:
    _write_json(args.output, _load_evidence(args))
    return 0


def cmd_prepare(args) -> int:
    from .evidence import prepare

    _write_json(args.output, prepare(args.protocol, args.bibliography))
    return 0


def cmd_locate(args) -> int:
    from .evidence import check_sources

    sources, sheets = layout.shard_files(args.shard, args.shards, args.sources, args.extraction)
    _write_json(args.output, check_sources(_read_json(args.inputs), sources, sheets, args.sources))
    return 0


def cmd_merge(args) -> int:
    from .evidence import merge

    _write_json(args.output, merge(_read_json(args.inputs), [_read_json(p) for p in args.shards], layout.commentary_files(args.commentary), args.sources))
    return 0


def _read_json(path: str) -> dict:
    import orjson

    return orjson.loads(Path(path).read_bytes())


def _write_json(path: str, data: dict) -> None:
    # The build's intermediate files: orjson is several times faster than json on
    # the tens of MB a large review produces, and its output is just as deterministic.
    import orjson

    from .textio import write_atomic

    write_atomic(path, orjson.dumps(data) + b"\n")


def cmd_tables(args) -> int:
    from .tables import write_tables

    write_tables(_read_json(args.evidence), args.output_dir)
    return 0


def cmd_report(args) -> int:
    from .report import render_markdown, report_context
    from .textio import write_atomic

    data = _read_json(args.evidence)
    context = report_context(data)
    write_atomic(args.output, render_markdown(data, args.templates, context=context))
    if args.claims:
        from .provenance import report_claims

        _write_json(args.claims, report_claims(context))
    return 0


def cmd_render(args) -> int:
    from . import yamlio
    from .render import render
    from .styles import resolve_csl
    from .textio import read_text

    protocol, _node = yamlio.load(read_text(args.protocol)[0], args.protocol)
    name = (protocol.get("report") or {}).get("csl")
    csl = resolve_csl(name, Path(args.protocol).parent) if name else None
    render(args.to, args.input, args.output, args.bibliography, str(csl) if csl else None, args.css)
    return 0


def cmd_figures(args) -> int:
    from .analysis import cells
    from .figures import write_gap_map

    data = _read_json(args.evidence)
    sources = {s["citekey"]: s for s in data["sources"]}
    write_gap_map(data["protocol"], cells(data["protocol"], data["evidence"], sources), args.svg, args.png)
    return 0


def cmd_provenance(args) -> int:
    from .provenance import build_metadata, build_provenance, json_chunks
    from .textio import write_atomic

    claims = _read_json(args.claims) if args.claims else None
    record = build_provenance(_read_json(args.evidence), build_metadata("."), claims)
    write_atomic(args.output, json_chunks(record))
    return 0


def _read_provenance(path: str) -> dict:
    if not Path(path).is_file():
        from .problems import Problem

        raise InputError([Problem(path, 1, "no provenance record: build the review first (snakemake --cores 2)")])
    return _read_json(path)


def cmd_trace(args) -> int:
    from .bibliography import load_bibliography
    from .trace import trace

    provenance = _read_provenance(args.provenance)
    bibliography, _sha = load_bibliography(provenance["inputs"]["bibliography"]["path"])
    sys.stdout.write(trace(provenance, args.id, bibliography))
    return 0


def cmd_audit(args) -> int:
    from .audit import audit

    report = audit(_read_provenance(args.provenance))
    for problem in sorted(report.problems):
        print(problem)
    for note in report.notes:
        print(f"note: {note}")
    print(report.summary())
    return 1 if report.problems else 0


def _protocol_or_none(path: str) -> dict | None:
    from .protocol import load_protocol

    return load_protocol(path) if Path(path).is_file() else None


def cmd_add_source(args) -> int:
    from .scaffold import add_source
    from .textio import decode

    if args.entry in (None, "-"):
        text, name = sys.stdin.buffer.read().decode("utf-8-sig"), "<stdin>"
    else:
        text, name = decode(Path(args.entry).read_bytes(), args.entry), args.entry
    written, warnings = add_source(text, name, xlsx=args.xlsx, protocol=_protocol_or_none(args.protocol) if args.xlsx else None)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for path in written:
        print(f"wrote {path}")
    source, _bib, sheet = written
    print(f"next: paste the document's text into {source}, fill in its tags, code excerpts in {sheet}, then run `review check {source} {sheet}`")
    return 0


def cmd_sheet(args) -> int:
    from .scaffold import create_sheet

    print(create_sheet(args.citekey, args.xlsx, args.output, _protocol_or_none(args.protocol) if args.xlsx or (args.output or "").endswith(".xlsx") else None))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed so tests can check every subcommand's help)."""
    parser = argparse.ArgumentParser(prog="review", description="Build and check a literature review: tagged sources + coded sheets -> evidence tables and a cited report.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str):
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=f"example:\n  {EXAMPLES[name]}", formatter_class=argparse.RawDescriptionHelpFormatter)
        return p

    p = add("check", "Validate protocol, bibliography, sources and sheets (every quote located) without building.")
    p.add_argument("paths", nargs="*", help="only these sources/sheets (default: the whole review; a changed review.yaml or references.bib checks everything)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: %(default)s)")
    _inputs(p)
    p.set_defaults(func=cmd_check)
    p = add("evidence", "Validate all inputs, locate every quote, write the evidence set (JSON) in one process (the workflow uses prepare, locate and merge).")
    _inputs(p)
    p.add_argument("--output", required=True, help="JSON file to write")
    p.set_defaults(func=cmd_evidence)
    p = add("prepare", "Check the protocol and bibliography once, for the shards of a large build.")
    _inputs(p, "protocol", "bibliography")
    p.add_argument("--output", required=True, help="JSON file to write")
    p.set_defaults(func=cmd_prepare)
    p = add("locate", "Check one shard of the sources and sheets and locate its quotes (problems are recorded, not raised).")
    p.add_argument("--inputs", required=True, help="JSON written by the prepare step")
    p.add_argument("--shard", type=int, required=True, help="which shard, 0-based")
    p.add_argument("--shards", type=int, required=True, help="how many shards the review is cut into")
    _inputs(p, "sources", "extraction")
    p.add_argument("--output", required=True, help="JSON file to write")
    p.set_defaults(func=cmd_locate)
    p = add("merge", "Join the shards into the evidence set; report every problem of every shard and fail on any.")
    p.add_argument("shards", nargs="+", help="shard JSON files written by the locate step")
    p.add_argument("--inputs", required=True, help="JSON written by the prepare step")
    _inputs(p, "commentary", "sources")
    p.add_argument("--output", required=True, help="JSON file to write")
    p.set_defaults(func=cmd_merge)
    p = add("tables", "Write evidence.csv, one CSV per question, and the coverage, gap-map, countries, avenues and snowball tables.")
    p.add_argument("--evidence", required=True, help="evidence set written by the evidence step")
    p.add_argument("--output-dir", required=True, help="folder for the CSV tables")
    p.set_defaults(func=cmd_tables)
    p = add("report", "Write the state-of-play report as pandoc Markdown.")
    p.add_argument("--evidence", required=True, help="evidence set written by the evidence step")
    p.add_argument("--templates", required=True, help="folder holding state-of-play.md.j2")
    p.add_argument("--output", required=True, help="Markdown file to write")
    p.add_argument("--claims", help="also write the report's claims and research avenues (JSON) for the provenance step")
    p.set_defaults(func=cmd_report)
    p = add("render", "Render the Markdown report to HTML or DOCX with pandoc and citeproc.")
    p.add_argument("--to", required=True, choices=("html", "docx"), help="output format")
    p.add_argument("--input", required=True, help="the Markdown report")
    p.add_argument("--output", required=True, help="file to write")
    p.add_argument("--protocol", default=layout.PROTOCOL, help="review protocol, for its report.csl (default: %(default)s)")
    p.add_argument("--bibliography", default=layout.BIBLIOGRAPHY, help="BibTeX file (default: %(default)s)")
    p.add_argument("--css", help="stylesheet embedded in the HTML")
    p.set_defaults(func=cmd_render)
    p = add("figures", "Draw the evidence gap map (question x theme, sources per cell, shaded by strength) as SVG and PNG.")
    p.add_argument("--evidence", required=True, help="evidence set written by the evidence step")
    p.add_argument("--svg", required=True, help="SVG file to write")
    p.add_argument("--png", required=True, help="PNG file to write (embedded in the HTML and DOCX reports)")
    p.set_defaults(func=cmd_figures)
    p = add("provenance", "Write provenance.json: claims, their evidence, W3C selectors, file hashes, build metadata.")
    p.add_argument("--evidence", required=True, help="evidence set written by the evidence step")
    p.add_argument("--claims", help="claims written by the report step (default: computed again)")
    p.add_argument("--output", required=True, help="JSON file to write")
    p.set_defaults(func=cmd_provenance)
    p = add("trace", "Print the chain behind a claim or evidence id: report sentence, findings, quotes in context, file hash, bibliography.")
    p.add_argument("id", help="a claim id (e.g. Q1.work_first.green2023:12) or an evidence id (e.g. green2023:12)")
    p.add_argument("--provenance", default="output/provenance.json", help="provenance record of the build (default: %(default)s)")
    p.set_defaults(func=cmd_trace)
    p = add("audit", "Re-check a built review against its inputs without rebuilding; exit 1 on any drift.")
    p.add_argument("--provenance", default="output/provenance.json", help="provenance record of the build (default: %(default)s)")
    p.set_defaults(func=cmd_audit)
    p = add("add-source", "Add a source from a BibTeX entry: sources/<key>.md, its references.bib entry and an empty sheet.")
    p.add_argument("entry", nargs="?", help="file holding one BibTeX entry (default or '-': standard input)")
    p.add_argument("--xlsx", action="store_true", help="create an Excel sheet with drop-down lists instead of a CSV")
    p.add_argument("--protocol", default=layout.PROTOCOL, help="review protocol, for the drop-down lists (default: %(default)s)")
    p.set_defaults(func=cmd_add_source)
    p = add("sheet", "Create an extraction sheet for a source; with --xlsx an Excel workbook with drop-downs and the codebook.")
    p.add_argument("citekey", help="the source's citekey")
    p.add_argument("--xlsx", action="store_true", help="Excel workbook instead of CSV")
    p.add_argument("--output", help="where to write (default: extraction/<citekey>.csv or .xlsx)")
    p.add_argument("--protocol", default=layout.PROTOCOL, help="review protocol, for the drop-down lists (default: %(default)s)")
    p.set_defaults(func=cmd_sheet)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        files = len({p.path for p in err.problems})
        n = len(err.problems)
        print(f"{n} problem{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}; nothing was written.", file=sys.stderr)
        return 1
