"""The ``crate`` step: the build's RO-Crate (``output/ro-crate-metadata.json``), which the Snakefile writes last."""

from __future__ import annotations

from pathlib import Path

from .exchange import EVIDENCE
from .shared import add_command, read_build, shape_guard, write_provenance


def cmd_crate(args) -> int:
    from ..audit.provenance import build_metadata
    from ..common.textio import write_atomic
    from ..exchange.crate import crate_json, crate_metadata, crate_summary
    from ..report.render import source_date_epoch

    crate_dir = Path(args.output).parent
    # The intermediate files are checked before anything is written: a wrong or damaged one is a problem asking
    # to build again, not a traceback (nor a provenance.json written before one).
    summary = (_summary(args.summary) if args.summary
               else shape_guard(args.evidence, lambda: crate_summary(read_build(args.evidence))))
    build = build_metadata(".")
    if args.provenance_body:  # the build's provenance first: the crate describes it (what `provenance --body` writes)
        write_provenance(args.provenance_body, args.provenance, build)
    metadata = crate_metadata(summary, args.outputs, args.provenance, crate_dir, Path("."), build, source_date_epoch(), args.inputs)
    write_atomic(args.output, crate_json(metadata))
    return 0


# What crate_summary gives, as the report step writes it to output/build/summary.json.
SUMMARY = {"title": str, "subtitle": str, "authors": list, "sources": int, "excerpts": int, "inputs": list}


def _summary(path: str) -> dict:
    from ..common.problems import InputError, Problem

    summary = read_build(path, "evidence summary", tuple(SUMMARY))
    wrong = [k for k, kind in SUMMARY.items() if not isinstance(summary[k], kind)]
    if not wrong:  # and the lists' items as the crate reads them
        wrong = [k for k, fields in (("authors", ("name",)), ("inputs", ("path", "sha256")))
                 if not all(isinstance(i, dict) and all(isinstance(i.get(f), str) for f in fields) for i in summary[k])]
    if wrong:
        raise InputError([Problem(path, 1, f"the evidence summary is damaged ({', '.join(wrong)}): build the review again")])
    return summary


def register(sub) -> None:
    p = add_command(sub, "crate", "Write the build's RO-Crate: inputs and outputs with SHA-256, software versions, commit, provenance.",
                    "python -m synthesis crate --evidence output/build/evidence.json --provenance output/provenance.json --output output/ro-crate-metadata.json output/tables/evidence.csv")
    p.add_argument("--evidence", default=EVIDENCE, help="the build's evidence set (default: %(default)s)")
    p.add_argument("--summary", help="instead of the evidence set, the summary of it that the report step wrote (output/build/summary.json)")
    p.add_argument("--provenance", required=True, help="the build's provenance file (written first with --provenance-body)")
    p.add_argument("--provenance-body", help="the provenance body the report step wrote (output/build/provenance-body.json): "
                   "write --provenance from it with the build metadata, as `provenance --body` does, then the crate")
    p.add_argument("--output", required=True, help="where to write ro-crate-metadata.json (its folder is the crate's root)")
    p.add_argument("--inputs", nargs="*", default=[], help="inputs the evidence set does not record (the records/ folder's files), hashed now")
    p.add_argument("outputs", nargs="*", help="the build's output files to describe (after --, when --inputs is given)")
    p.set_defaults(func=cmd_crate)


__all__ = ["register"]
