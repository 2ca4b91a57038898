"""``review export``: the built review for qualitative-analysis software (REFI-QDA: NVivo, ATLAS.ti, MAXQDA,
QualCoder)."""

from __future__ import annotations

import sys

from .shared import add_command, read_build, shape_guard

EVIDENCE = "output/build/evidence.json"


def _origin() -> str:
    from .. import __version__

    return f"synthesis {__version__}"


def cmd_export(args) -> int:
    from ..common.textio import write_atomic
    from ..exchange.refiqda import codebook_xml, qdpx_bytes
    from ..inputs.writes import permit
    from ..report.render import source_date_epoch

    if not (args.qdpx or args.qdc):
        print("review export: name what to write: --qdpx FILE (the whole project) and/or --qdc FILE (the codebook)", file=sys.stderr)
        return 2
    permit("export", *[p for p in (args.qdpx, args.qdc) if p], force=args.force)  # both checked before either is written
    data = read_build(args.evidence)
    project = shape_guard(args.evidence, lambda: qdpx_bytes(data, _origin(), source_date_epoch())) if args.qdpx else b""
    codebook = shape_guard(args.evidence, lambda: codebook_xml(data["protocol"], _origin())) if args.qdc else ""
    if args.qdpx:
        write_atomic(args.qdpx, project)
        codings = sum(len(i["codes"]) for i in data["evidence"])
        print(f"wrote {args.qdpx}: {len(data['sources'])} sources, {len(data['protocol']['codes'])} codes, "
              f"{len(data['evidence'])} coded selections ({codings} codings)")
    if args.qdc:
        write_atomic(args.qdc, codebook)
        print(f"wrote {args.qdc}: {len(data['protocol']['codes'])} codes in {len(data['protocol']['questions'])} question sets")
    return 0


def register(sub) -> None:
    p = add_command(sub, "export", "Export the built review for qualitative-analysis software: a REFI-QDA project (.qdpx) or codebook (.qdc).",
                    "review export --qdpx review.qdpx\n  review export --qdc codebook.qdc")
    p.add_argument("--qdpx", metavar="FILE", help="write a REFI-QDA project: sources, codebook, coders and every excerpt as a coded selection")
    p.add_argument("--qdc", metavar="FILE", help="write the codebook alone (REFI-QDA codebook exchange)")
    p.add_argument("--evidence", default=EVIDENCE, help="the build's evidence set (default: %(default)s)")
    p.add_argument("--force", action="store_true", help="replace an existing file (never an input of the review)")
    p.set_defaults(func=cmd_export)


__all__ = ["register"]
