"""Double coding: ``review agree`` and ``review reconcile`` (people), the ``coders`` and ``agreement`` steps (Snakefile)."""

from __future__ import annotations

from types import SimpleNamespace

from ..inputs import layout
from .shared import add_command, add_inputs, read_json, write_json

TABLE = "output/tables/agreement.csv"


def _coded(args, only: set[str] | None = None) -> tuple[dict, dict]:
    from ..evidence.build import prepare
    from ..evidence.coders import locate_coders

    prepared = prepare(args.protocol, args.bibliography)
    return locate_coders(prepared, args.sources, args.extraction, only), prepared["protocol"]


def _no_coders(extraction: str):
    from ..common.problems import InputError, Problem

    return InputError([Problem(f"{extraction}/{layout.CODERS}", 1, "no independent sheets: each coder codes a source in "
                               f"{extraction}/{layout.CODERS}/<coder>/<citekey>.csv (see CONTRIBUTING.md, 'Coding a source twice')")])


def cmd_agree(args) -> int:
    from ..analysis.agreement import agreement
    from ..report.agreement import COLUMNS, table_rows, write_agreement_table

    from ..inputs.writes import permit

    permit("agree", args.output, force=args.force)
    coded, protocol = _coded(args)
    if not coded["sheets"]:
        raise _no_coders(args.extraction)
    summary = agreement(coded, protocol)
    write_agreement_table(summary, args.output)
    shown = [("code", "coders", "units", "one coder", "agree %", "kappa", "alpha")]
    shown += [(r[0], r[2], r[3], r[4], r[6] or "-", r[7] or "-", r[8] or "-") for r in table_rows(summary)]
    widths = [max(len(row[i]) for row in shown) for i in range(len(shown[0]))]
    for row in shown:
        print("  ".join(cell.ljust(w) if i < 2 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
    n = len(summary["double_coded"])
    print(f"{len(summary['units'])} units in {n} double-coded source{'' if n == 1 else 's'}; wrote {args.output} ({', '.join(COLUMNS)})")
    return 0


def cmd_reconcile(args) -> int:
    from ..coauthor.reconcile import reconcile

    coded, protocol = _coded(args, {args.citekey})
    output = args.output or f"reconcile/{args.citekey}.csv"
    rows = reconcile(coded, protocol, args.citekey, output, args.extraction, args.force)
    units = {r["unit"] for r in rows}
    differing = {r["unit"] for r in rows if r["differs"]}
    print(f"Wrote {output}: {len(units)} units, {len(differing)} where the coders differ. Agree each one, then write the consensus sheet "
          f"{args.extraction}/{args.citekey}.csv (the report uses it).")
    return 0


def cmd_coders(args) -> int:
    from ..evidence.coders import locate_coders

    write_json(args.output, locate_coders(read_json(args.inputs), args.sources, args.extraction))
    return 0


def cmd_agreement(args) -> int:
    from ..analysis.agreement import agreement
    from ..report.agreement import write_agreement_table

    summary = agreement(read_json(args.coders), read_json(args.inputs)["protocol"])
    write_json(args.output, summary)
    write_agreement_table(summary, args.table)
    return 0


def register(sub) -> None:
    """People's commands."""
    p = add_command(sub, "agree", "Agreement between independent coders (extraction/coders/<coder>/): percent agreement, Cohen's kappa and Krippendorff's alpha per code and overall.",
                    "review agree")
    add_inputs(p)
    p.add_argument("--output", default=TABLE, help="CSV table to write (default: %(default)s, replaced)")
    p.add_argument("--force", action="store_true", help="replace another existing file (never an input of the review)")
    p.set_defaults(func=cmd_agree)
    p = add_command(sub, "reconcile", "Write the reconciliation sheet of an independently coded source: each unit with each coder's quote, codes and finding, and where they differ.",
                    "review reconcile smith2020")
    p.add_argument("citekey", help="the source to reconcile")
    p.add_argument("--output", help="CSV file to write (default: reconcile/CITEKEY.csv; never the consensus sheet)")
    p.add_argument("--force", action="store_true", help="replace an existing reconciliation sheet")
    add_inputs(p)
    p.set_defaults(func=cmd_reconcile)


def register_steps(sub) -> None:
    """The double-coding steps of the Snakefile (only for a review with independent sheets)."""
    p = add_command(sub, "coders", "Check the independent coders' sheets and locate their quotes; write coders.json.",
                    "python -m synthesis coders --inputs output/build/inputs.json --output output/build/coders.json")
    p.add_argument("--inputs", required=True, help="JSON written by the prepare step")
    add_inputs(p, "sources", "extraction")
    p.add_argument("--output", required=True, help="JSON file to write")
    p.set_defaults(func=cmd_coders)
    p = add_command(sub, "agreement", "Form units from the independent excerpts and compute agreement; write agreement.json and agreement.csv.",
                    "python -m synthesis agreement --inputs output/build/inputs.json --coders output/build/coders.json --output output/build/agreement.json --table output/tables/agreement.csv")
    p.add_argument("--inputs", required=True, help="JSON written by the prepare step (for the codebook)")
    p.add_argument("--coders", required=True, help="JSON written by the coders step")
    p.add_argument("--output", required=True, help="JSON file to write (for the report's method section)")
    p.add_argument("--table", required=True, help="CSV table to write")
    p.set_defaults(func=cmd_agreement)


STEPS = SimpleNamespace(register=register_steps)  # listed with the pipeline steps in cli/main.py
