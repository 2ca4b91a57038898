"""The pipeline's steps, which the Snakefile calls as ``python -m synthesis STEP``."""

from __future__ import annotations

from pathlib import Path

from ..inputs import layout
from .shared import add_command, add_inputs, print_warnings, read_json, write_json, write_provenance

TALLIES = "tallies.blocks"  # in the pieces' folder: the analysis's tallies (synthesis.analysis.kept_tallies)


def _load_evidence(args) -> dict:
    from ..evidence.build import build_evidence

    return build_evidence(args.protocol, args.bibliography, args.sources, args.extraction, write_cache=True)


def cmd_evidence(args) -> int:
    write_json(args.output, _load_evidence(args))
    return 0


def cmd_prepare(args) -> int:
    from ..evidence.build import prepare_cached

    # Also kept beside the checked sources, for `review check` to reuse while the two files are unchanged.
    write_json(args.output, prepare_cached(args.protocol, args.bibliography, args.located_cache, write=True))
    return 0


def cmd_locate(args) -> int:
    from ..common.textio import write_atomic
    from ..evidence.build import check_sources
    from ..evidence.located import LocatedCache
    from ..evidence.shard_file import shard_lines

    import gc

    # A shard keeps every checked row until it writes them: the cycle collector scanned them again and again
    # (a twentieth of the job). What few cycles there are (about 190 objects a PDF) go with the process; a
    # shard holds at most about 20 MB of sources.
    gc.disable()
    sources, sheets = layout.shard_files(args.shard, args.shards, args.sources, args.extraction)
    # PDF text extractions are cached by SHA-256 + extractor version: an unchanged PDF is extracted once.
    # Each source is checked with its sheet once for the same bytes: an edited sheet re-checks one source.
    shard = check_sources(read_json(args.inputs), sources, sheets, args.sources, args.text_cache, write_cache=True,
                          located=LocatedCache(args.located_cache, True, f"{args.shard}-of-{args.shards}"))
    write_atomic(args.output, shard_lines(shard))  # JSON Lines: the merge splices each source's evidence in
    return 0


def cmd_merge(args) -> int:
    from ..common.textio import write_atomic
    from ..evidence.build import merge
    from ..evidence.shard_file import evidence_set_pieces, read_shards

    shards = read_shards(args.shards)  # every shard that is not one reported together, before anything is read
    data = merge(read_json(args.inputs), shards, layout.findings_files(args.findings), args.sources,
                 layout.commentary_files(Path(args.findings).parent / layout.COMMENTARY), layout.appraisal_files(args.appraisals),
                 args.appraisals)
    write_atomic(args.output, evidence_set_pieces(data))
    for shard in map(Path, args.shards):  # a build's shard as builds before wrote it (JSON), beside it
        if shard.suffix == ".jsonl" and shard.parent.name == "shards":
            shard.with_suffix(".json").unlink(missing_ok=True)
    print_warnings(data["warnings"])
    from ..evidence.located import prune

    prune(args.located_cache, len(args.shards))  # the shards of another count, and the entries of builds before
    return 0


def cmd_tables(args) -> int:
    from ..report.tables import write_tables

    write_tables(read_json(args.evidence), args.output_dir)
    return 0


def cmd_report(args) -> int:
    """The report's Markdown and claims; in the build also the tables, the gap map, provenance's body and
    the crate's summary: the evidence set is read once and analysed once for all of them."""
    from ..report.appendix import source_reader
    from ..report.context import render_markdown, report_context
    from ..common.textio import write_atomic

    from ..analysis.cells import analyse
    from ..common.job_process import outlive

    import gc

    # A short job making millions of plain objects (rows, records, contexts) without reference cycles:
    # the cycle collector would only scan them again and again.
    gc.disable()
    data = read_json(args.evidence)
    records = [p for p in args.records if p]  # Snakemake passes an empty input as ""
    data["records"] = read_json(records[0]) if records else None
    agreement = [p for p in args.agreement if p]
    data["agreement"] = read_json(agreement[0]) if agreement else None
    from ..report.pieces import source_pieces

    # Each source's share of the tables and explorer, kept between builds (none with --pieces-cache '').
    pieces = source_pieces(data, args.pieces_cache) if args.pieces_cache else None
    tallied = None
    if pieces:  # the cells' and questions' tallies kept too, under the same digests: one source re-counted
        from ..analysis.kept_tallies import kept_tallies
        from ..common.kept import KeptBlocks

        tallies = kept_tallies(KeptBlocks(Path(args.pieces_cache) / TALLIES), data, pieces.groups, pieces.digests)
        tallied = (tallies, list(pieces.groups)) if tallies is not None else None
    analysis = analyse(data, tallied)
    print_warnings(analysis["warnings"])  # the review findings' unaddressed contradiction warnings
    if args.tables:
        from ..report.tables import write_tables

        write_tables(data, args.tables, analysis, pieces)
    if args.svg:
        from ..report.figures import write_gap_map_cached

        write_gap_map_cached(data["protocol"], analysis["gap_map"], analysis["gap_columns"], args.svg, args.png, args.figure_cache)
    source_text = source_reader(data["sources"])  # the appendix and the explorer read the same source files
    context = report_context(data, source_text, analysis=analysis)
    if args.changes:  # "Changes since NAME" and changes.csv (report.changes): none without a release
        from ..report.changes import section, since_release, write_table

        release, changes = since_release(data, args.releases, Path(args.releases).parent / layout.PROTOCOL)
        context["changes"] = section(release, changes)
        write_table(args.changes, changes)
    write_atomic(args.output, render_markdown(data, args.templates, context=context, cache=args.template_cache))
    if args.claims or args.provenance_body:
        from ..audit.provenance import body_pieces, build_provenance, report_claims

        claims = report_claims(context)
        if args.claims:
            write_json(args.claims, claims)
        if args.provenance_body:
            coders = [p for p in args.coders if p]
            record = build_provenance(data, {}, claims, read_json(coders[0]) if coders else None,
                                      _kept_evidence(data, pieces, args.pieces_cache) if not coders else None)
            write_atomic(args.provenance_body, body_pieces(record))
            outlive(record)
    if args.summary:
        from ..exchange.crate import crate_summary

        write_json(args.summary, crate_summary(data))
    if args.explorer:
        from ..report.explorer_page import write_explorer

        # In pieces, each source's text let go after its excerpts: the page is not held whole (85 MB at 5,000
        # sources).
        write_explorer(args.explorer, data, analysis, context["claims"].checked(), source_text, pieces)
    if pieces and args.explorer:  # the explorer's pieces it used: those of sources gone are left out
        pieces.keep_explorer()
    if pieces and args.tables and args.explorer:  # every source's pieces made or used: the rest are gone
        pieces.prune()
    outlive(data, analysis, context, pieces, source_text)  # dropped with the process, not freed one by one
    return 0


def cmd_render(args) -> int:
    from ..report.render import render_formats

    csl = None
    if not args.input.endswith(".json"):  # citations are resolved where the Markdown is read: not again from its AST
        from ..common.textio import read_text
        from ..inputs import yamlio
        from ..inputs.styles import resolve_csl

        protocol, _node = yamlio.load(read_text(args.protocol)[0], args.protocol)
        name = (protocol.get("report") or {}).get("csl")
        csl = resolve_csl(name, Path(args.protocol).parent) if name else None
    formats, outputs = args.to, args.output
    if len(formats) != len(outputs) or len(set(formats)) != len(formats) or ("ast" in formats and len(formats) > 1):
        raise SystemExit(f"render: --to {' '.join(formats)} --output {' '.join(outputs)}: give each format once, "
                         "with one file for each in the same order (ast on its own)")
    targets = dict(zip(formats, outputs))
    key = None
    if args.kept:  # the renderings kept: pandoc runs only when something it reads has changed
        import os

        from ..report.kept_renderings import keep, rendering_key, reuse
        from ..report.render import ghcrts, source_date_epoch

        key = rendering_key(targets, args.input, args.bibliography, str(csl) if csl else None, args.css,
                            args.resource_path or str(Path(args.input).parent), args.depends, source_date_epoch(),
                            ghcrts(os.environ.get("GHCRTS", "")))
        if reuse(args.kept, key, targets):
            return 0
    render_formats(targets, args.input, args.bibliography, str(csl) if csl else None, args.css, args.resource_path)
    if key is not None:
        keep(args.kept, key, targets)
    return 0


def cmd_figures(args) -> int:
    from ..analysis.gapmap import gap_columns, gap_map
    from ..report.figures import write_gap_map

    # Only the gap map's cells: the rest of the analysis is not needed for the figure.
    data = read_json(args.evidence)
    sources = {s["citekey"]: s for s in data["sources"]}
    columns = gap_columns(data["protocol"], data["evidence"], sources)
    write_gap_map(data["protocol"], gap_map(data["protocol"], data["evidence"], sources, columns), columns, args.svg, args.png)
    return 0


def cmd_records(args) -> int:
    from ..analysis.prisma import build_records
    from ..common.textio import read_text
    from ..inputs.records import load_records
    from ..report.prisma import write_outputs

    data = read_json(args.evidence)
    loaded = load_records(args.records)
    if loaded is None:
        from ..common.problems import InputError, Problem

        raise InputError([Problem(args.records, 1, "no records folder")])
    text = read_text(args.protocol)[0] if Path(args.protocol).is_file() else ""
    summary = build_records(loaded, data["protocol"], data["sources"], args.protocol, text)
    print_warnings(_first_of_each(summary["warnings"]))
    write_json(args.output, summary)
    write_outputs(summary, args.output_dir, args.svg, args.png, args.figure_cache)
    return 0


def _first_of_each(warnings: list[dict], shown: int = 20) -> list[dict]:
    """The first ``shown`` warnings of each code, then one line per code saying how many more there are:
    an export of 100,000 records without years would otherwise fill the terminal (records.json has all)."""
    counts: dict[str, int] = {}
    out = []
    for item in warnings:
        counts[item["code"]] = counts.get(item["code"], 0) + 1
        if counts[item["code"]] <= shown:
            out.append(item)
    for code, n in counts.items():
        if n > shown:
            out.append({"path": "output/build/records.json", "line": 1, "message": f"{n - shown} more {code} warnings are listed here",
                        "severity": "warning", "code": code})
    return out


def cmd_provenance(args) -> int:
    from ..audit.provenance import build_metadata, build_provenance, json_chunks
    from ..common.textio import write_atomic

    if args.body:  # the report step wrote everything but the build metadata
        write_provenance(args.body, args.output, build_metadata("."))
        return 0
    if not args.evidence:
        raise SystemExit("provenance: give --evidence (or --body)")
    claims = read_json(args.claims) if args.claims else None
    coders = [p for p in args.coders if p]  # Snakemake passes an empty input as ""
    record = build_provenance(read_json(args.evidence), build_metadata("."), claims, read_json(coders[0]) if coders else None)
    write_atomic(args.output, json_chunks(record))
    return 0


def cmd_status(args) -> int:
    from ..audit.status import write_status

    write_status(args.output_dir, args.state, args.builder)
    return 0


def _kept_evidence(data: dict, pieces, folder: str):
    """Provenance's evidence records kept per source with the report's pieces (None without them, or when a
    source's excerpts are not together in the evidence set: made one by one)."""
    from ..analysis.kept_tallies import in_runs
    from ..audit.kept_provenance import PROVENANCE, evidence_blocks
    from ..common.kept import KeptBlocks

    if not pieces or not in_runs(data["evidence"], pieces.groups):
        return None
    return evidence_blocks(data, pieces.groups, pieces.digests, KeptBlocks(Path(folder) / PROVENANCE))


def register(sub) -> None:
    """Add the pipeline steps, in the order data flows."""
    p = add_command(sub, "evidence", "Validate all inputs, locate every quote, write the evidence set (JSON) in one process (the workflow uses prepare, locate and merge).", "python -m synthesis evidence --output output/build/evidence.json")
    add_inputs(p)
    p.add_argument("--output", required=True, help="JSON file to write")
    p.set_defaults(func=cmd_evidence)
    p = add_command(sub, "prepare", "Check the protocol and bibliography once, for the shards of a large build.", "python -m synthesis prepare --output output/build/inputs.json")
    add_inputs(p, "protocol", "bibliography")
    p.add_argument("--output", required=True, help="JSON file to write")
    p.add_argument("--located-cache", default=layout.LOCATED_CACHE,
                   help="folder keeping the checked protocol and bibliography for `review check` (default: %(default)s)")
    p.set_defaults(func=cmd_prepare)
    p = add_command(sub, "locate", "Check one shard of the sources and sheets and locate its quotes (problems are recorded, not raised).", "python -m synthesis locate --inputs output/build/inputs.json --shard 3 --shards 8 --output output/build/shards/3.jsonl")
    p.add_argument("--inputs", required=True, help="JSON written by the prepare step")
    p.add_argument("--shard", type=int, required=True, help="which shard, 0-based")
    p.add_argument("--shards", type=int, required=True, help="how many shards the review is cut into")
    add_inputs(p, "sources", "extraction")
    p.add_argument("--text-cache", default=layout.TEXT_CACHE, help="folder caching PDF sources' extracted text (default: %(default)s)")
    p.add_argument("--located-cache", default=layout.LOCATED_CACHE,
                   help="folder keeping each source checked with its sheet, reused while their bytes are unchanged (default: %(default)s)")
    p.add_argument("--output", required=True, help="the shard file (JSON Lines) to write")
    p.set_defaults(func=cmd_locate)
    p = add_command(sub, "merge", "Join the shards into the evidence set; report every problem of every shard and fail on any.", "python -m synthesis merge --inputs output/build/inputs.json --output output/build/evidence.json output/build/shards/*.jsonl")
    p.add_argument("shards", nargs="+", help="shard files (JSON Lines) written by the locate step")
    p.add_argument("--inputs", required=True, help="JSON written by the prepare step")
    add_inputs(p, "findings", "sources", "appraisals")
    p.add_argument("--output", required=True, help="JSON file to write")
    p.add_argument("--located-cache", default=layout.LOCATED_CACHE,
                   help="where the locate jobs keep each source checked; the files of another shard count go "
                   "(default: %(default)s)")
    p.set_defaults(func=cmd_merge)
    p = add_command(sub, "tables", "Write evidence.csv, one CSV per question, and the coverage, gap-map, countries, avenues and snowball tables.", "python -m synthesis tables --evidence output/build/evidence.json --output-dir output/tables")
    p.add_argument("--evidence", required=True, help="evidence set written by the evidence step")
    p.add_argument("--output-dir", required=True, help="folder for the CSV tables")
    p.set_defaults(func=cmd_tables)
    p = add_command(sub, "report", "Write the state-of-play report as pandoc Markdown.", "python -m synthesis report --evidence output/build/evidence.json --templates templates --output output/report/state-of-play.md")
    p.add_argument("--evidence", required=True, help="evidence set written by the evidence step")
    p.add_argument("--templates", required=True, help="folder holding state-of-play.md.j2")
    p.add_argument("--output", required=True, help="Markdown file to write")
    p.add_argument("--records", nargs="*", default=[], help="records.json written by the records step (none: no method section)")
    p.add_argument("--agreement", nargs="*", default=[], help="agreement.json written by the agreement step (none: no double-coding section)")
    p.add_argument("--claims", help="also write the report's claims and research avenues (JSON) for the provenance step")
    # The build's report job also writes these, so the evidence set is read and analysed once for all of them.
    p.add_argument("--tables", metavar="DIR", help="also write the CSV tables (as the tables step does) into DIR")
    p.add_argument("--svg", help="also draw the gap map (as the figures step does): SVG file to write")
    p.add_argument("--png", help="with --svg: PNG file to write")
    p.add_argument("--figure-cache", default="output/build/figures", help="with --svg: where the last drawing is kept (default: %(default)s)")
    p.add_argument("--pieces-cache", default="output/build/pieces",
                   help="where each source's share of the tables and explorer is kept "
                        "(default: %(default)s; '' for none)")
    p.add_argument("--template-cache", default="output/build/templates",
                   help="where compiled templates are kept (default: %(default)s)")
    p.add_argument("--provenance-body", help="also write provenance.json without its build metadata (the provenance step's --body)")
    p.add_argument("--coders", nargs="*", default=[], help="with --provenance-body: coders.json written by the coders step")
    p.add_argument("--summary", help="also write what the crate step reads of the evidence set (its --summary)")
    p.add_argument("--releases", default=layout.RELEASES, help="folder of the review's releases (default: %(default)s)")
    p.add_argument("--changes", help="also write changes.csv and the report's \"Changes since\" section (the latest release's, "
                   "or review.yaml's report.changes_since)")
    p.add_argument("--explorer", help="also write the evidence explorer (a self-contained HTML page, e.g. output/report/explorer.html)")
    p.set_defaults(func=cmd_report)
    p = add_command(sub, "render", "Render the Markdown report to HTML and/or DOCX with pandoc and citeproc (both from one reading: the build's --to html docx).", "python -m synthesis render --to html docx --input output/report/state-of-play.md --output output/report/state-of-play.html output/report/state-of-play.docx")
    p.add_argument("--to", required=True, nargs="+", choices=("html", "docx", "ast"), help="output formats (ast, on its own: pandoc's JSON with citations resolved, which --input also reads)")
    p.add_argument("--input", required=True, help="the Markdown report, or the JSON that --to ast wrote")
    p.add_argument("--resource-path", help="folder of the report's figures (default: the input's folder)")
    p.add_argument("--output", required=True, nargs="+", help="file to write for each format of --to, in its order")
    p.add_argument("--protocol", default=layout.PROTOCOL, help="review protocol, for its report.csl (default: %(default)s)")
    p.add_argument("--bibliography", default=layout.BIBLIOGRAPHY, help="BibTeX file (default: %(default)s)")
    p.add_argument("--css", help="stylesheet embedded in the HTML")
    p.add_argument("--kept", help="a folder keeping the renderings written (the build's output/build/renderings): when "
                   "nothing pandoc reads has changed since, they are written again without running pandoc")
    p.add_argument("--depends", nargs="*", default=[], help="with --kept, other files the renderings depend on")
    p.set_defaults(func=cmd_render)
    p = add_command(sub, "figures", "Draw the evidence gap map (question x theme, sources per cell, shaded by strength) as SVG and PNG.", "python -m synthesis figures --evidence output/build/evidence.json --svg output/report/gap-map.svg --png output/report/gap-map.png")
    p.add_argument("--evidence", required=True, help="evidence set written by the evidence step")
    p.add_argument("--svg", required=True, help="SVG file to write")
    p.add_argument("--png", required=True, help="PNG file to write (embedded in the HTML and DOCX reports)")
    p.set_defaults(func=cmd_figures)
    p = add_command(sub, "records", "De-duplicate and check the records, count the PRISMA 2020 flow; write records.json, the records tables and the flow diagram.", "python -m synthesis records --evidence output/build/evidence.json --output output/build/records.json --output-dir output/tables --svg output/report/prisma.svg --png output/report/prisma.png")
    p.add_argument("--evidence", required=True, help="evidence set written by the evidence step (for the sources)")
    p.add_argument("--records", default=layout.RECORDS, help="the records folder (default: %(default)s)")
    add_inputs(p, "protocol")
    p.add_argument("--output", required=True, help="JSON file to write")
    p.add_argument("--output-dir", required=True, help="folder for records.csv, duplicates.csv and prisma.csv (PRISMA2020 template)")
    p.add_argument("--svg", required=True, help="flow diagram SVG to write")
    p.add_argument("--png", required=True, help="flow diagram PNG to write (embedded in the HTML and DOCX reports)")
    p.add_argument("--figure-cache", default="output/build/flow-figures",
                   help="where the last drawing is kept (default: %(default)s)")
    p.set_defaults(func=cmd_records)
    p = add_command(sub, "provenance", "Write provenance.json: claims, their evidence, W3C selectors, file hashes, build metadata.", "python -m synthesis provenance --evidence output/build/evidence.json --output output/provenance.json")
    p.add_argument("--evidence", help="evidence set written by the evidence step")
    p.add_argument("--body", help="instead of --evidence and --claims: the body the report step wrote (--provenance-body)")
    p.add_argument("--claims", help="claims written by the report step (default: computed again)")
    p.add_argument("--coders", nargs="*", default=[], help="coders.json written by the coders step (double coding: each consensus excerpt records the independent excerpts it matches)")
    p.add_argument("--output", required=True, help="JSON file to write")
    p.set_defaults(func=cmd_provenance)
    p = add_command(sub, "status", "Record whether the outputs are current (what the Snakefile's onstart, onsuccess and onerror handlers write).", "python -m synthesis status failed")
    p.add_argument("state", choices=("building", "ok", "failed"), help="the build's state")
    p.add_argument("--output-dir", default="output", help="the build's output folder (default: %(default)s)")
    p.add_argument("--builder", default="", help="with building: the Snakemake process, <pid>@<host> (so the next build can tell a killed build's lock)")
    p.set_defaults(func=cmd_status)
