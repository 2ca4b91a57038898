"""People's commands for the records stage: ``review screen`` and ``review snowball-records``."""

from __future__ import annotations

from pathlib import Path

from ..inputs import layout
from .shared import add_command, add_inputs, date_argument, id_argument, name_argument, read_build, shape_guard


def _today() -> str:
    from datetime import date

    return date.today().isoformat()


def _records_folder(folder: str) -> None:
    """``--records`` names the records folder: never another input folder (its files are written there)."""
    from ..common.problems import InputError, Problem

    here = Path(folder).resolve()
    others = [Path(p).resolve() for p in (".", layout.SOURCES, layout.EXTRACTION, layout.FINDINGS, layout.COMMENTARY, ".git")]
    if any(here == other or (other != Path(".").resolve() and here.is_relative_to(other)) for other in others):
        raise InputError([Problem(folder, 1, f"not a records folder: {folder} is the review's folder or another input folder; "
                                             f"records live in {layout.RECORDS}/")])


def _loaded(args) -> tuple[dict, dict]:
    from ..common.problems import InputError, Problem
    from ..inputs.protocol import load_protocol
    from ..inputs.records import load_records

    _records_folder(args.records)
    loaded = load_records(args.records)
    if loaded is None:
        raise InputError([Problem(args.records, 1, "no records folder: add records/searches.csv and the records of each search (docs/formats.md)")])
    return loaded, load_protocol(args.protocol)


def cmd_screen(args) -> int:
    import sys

    from ..coauthor.screen import Stopped, export_sheet, screen
    from ..inputs.writes import permit

    loaded, protocol = _loaded(args)
    if args.export:
        n = export_sheet(loaded, protocol, args.stage, args.export)
        print(f"Wrote {n} unscreened records to {args.export}; fill in decision, reason, screener and date, then save it as {args.records}/screening.xlsx.")
        return 0
    if not args.screener:
        from ..common.problems import InputError, Problem

        raise InputError([Problem(args.records, 1, "--screener is required: who makes these decisions")])
    out = Path(args.records) / "screening.csv"
    permit("screen", out, records=args.records)
    try:
        screen(loaded, protocol, args.stage, args.screener, args.date or _today(), out)
    except Stopped as err:  # decisions made before it are kept, each written whole
        print(err, file=sys.stderr)
        return 1
    return 0


def cmd_snowball_records(args) -> int:
    from ..coauthor.citations import add_citation_records

    from ..inputs.writes import permit

    _records_folder(args.records)
    if not Path(args.evidence).is_file():
        from ..common.problems import InputError, Problem

        raise InputError([Problem(args.evidence, 1, "not found: build the review first (snakemake --cores 2)")])
    permit("snowball-records", Path(args.records) / f"{args.search}.csv", Path(args.records) / "searches.csv", records=args.records, search=args.search)
    data = read_build(args.evidence)
    added, total = shape_guard(args.evidence, lambda: add_citation_records(data, args.bibliography, args.records, args.search, args.date or _today()))
    print(f"Added {added} citation-searching records to {args.records}/{args.search}.csv ({total} in all); screen them with: review screen --screener NAME")
    return 0


def register(sub) -> None:
    p = add_command(sub, "screen", "Screen records one at a time with single keys (include, exclude, maybe, not retrieved; a reason for exclusions), or export the unscreened records as a spreadsheet.",
                    "review screen --screener kj --stage title_abstract")
    p.add_argument("--stage", default="title_abstract", choices=("title_abstract", "full_text"), help="screening stage (default: %(default)s)")
    p.add_argument("--screener", type=name_argument, help="who makes the decisions (recorded with each)")
    p.add_argument("--date", type=date_argument, help="date recorded with each decision, YYYY-MM-DD (default: today)")
    p.add_argument("--export", metavar="FILE", help="instead: write the unscreened records to FILE (.xlsx or .csv) to screen in a spreadsheet")
    p.add_argument("--records", default=layout.RECORDS, help="the records folder (default: %(default)s)")
    add_inputs(p, "protocol")
    p.set_defaults(func=cmd_screen)
    p = add_command(sub, "snowball-records", "Add the snowball candidates (works the sources cite that are not sources) as citation-searching records, ready to screen.",
                    "review snowball-records --evidence output/build/evidence.json")
    p.add_argument("--evidence", default="output/build/evidence.json", help="evidence set of the last build (default: %(default)s)")
    p.add_argument("--search", type=id_argument, default="citations", help="id of the citation-searching search (default: %(default)s)")
    p.add_argument("--date", type=date_argument, help="date of the search, YYYY-MM-DD (default: today)")
    p.add_argument("--records", default=layout.RECORDS, help="the records folder (default: %(default)s)")
    add_inputs(p, "bibliography")
    p.set_defaults(func=cmd_snowball_records)
