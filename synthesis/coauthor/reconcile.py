"""``review reconcile KEY``: the reconciliation sheet of one independently coded source.

One row per independent excerpt, grouped by unit (see :mod:`synthesis.analysis.agreement`), and a row
"(nothing coded)" for a coder who coded the source but marked nothing in that unit. Every row of a unit
says where its coders differ: who did not mark it, which codes only some gave, whether the quoted ranges or
the findings differ. From it the coders agree the consensus sheet ``extraction/KEY.csv``, which this never
writes or overwrites.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..analysis.agreement import units_of
from ..common.problems import InputError, Problem, suggest
from ..common.textio import csv_text, write_atomic
from ..inputs import layout
from ..inputs.writes import permit

COLUMNS = ("unit", "start", "end", "coder", "row", "quote", "codes", "finding", "differs")
NOTHING = "(nothing coded)"


def differences(unit: dict[str, Any], codes: list[str]) -> list[str]:
    """Where the coders of one unit differ, in words; empty when they agree on everything."""
    raters = unit["raters"]
    marked = set(unit["coders"])
    out = []
    if len(raters) > 1 and marked != set(raters):
        out.append(f"marked by {', '.join(c for c in raters if c in marked)}, not by {', '.join(c for c in raters if c not in marked)}")
    for code in codes:
        given = {e["coder"] for e in unit["excerpts"] if code in e["codes"]}
        if given and given != set(raters):
            out.append(f"code {code}: given by {', '.join(c for c in raters if c in given)}, not by {', '.join(c for c in raters if c not in given)}")
    spans = {(e["start"], e["end"]) for e in unit["excerpts"]}
    if len(marked) > 1 and len(spans) > 1:
        out.append("quoted ranges differ")
    findings = {" ".join(e["finding"].split()).casefold() for e in unit["excerpts"]}
    if len(marked) > 1 and len(findings) > 1:
        out.append("findings differ")
    return out


def reconciliation_rows(coded: dict[str, Any], protocol: dict[str, Any], citekey: str) -> list[dict[str, Any]]:
    """The reconciliation sheet's rows for ``citekey``."""
    codes = [c["id"] for c in protocol["codes"]]
    rows = []
    for unit in (u for u in units_of(coded) if u["citekey"] == citekey):
        differs = "; ".join(differences(unit, codes))
        common = {"unit": unit["id"], "start": unit["start"], "end": unit["end"], "differs": differs}
        for coder in unit["raters"]:
            mine = [e for e in unit["excerpts"] if e["coder"] == coder]
            for e in mine:
                rows.append(common | {"coder": coder, "row": e["id"], "quote": e["quote"], "codes": "; ".join(e["codes"]), "finding": e["finding"]})
            if not mine:
                rows.append(common | {"coder": coder, "row": "", "quote": NOTHING, "codes": "", "finding": ""})
    return rows


def output_problem(output: str, citekey: str, extraction: str = layout.EXTRACTION) -> Problem | None:
    """Why ``output`` may not be written when it is a consensus sheet (other inputs and existing files: :func:`permit`)."""
    target = Path(output).resolve()
    consensus = {(Path(extraction) / f"{citekey}{suffix}").resolve() for suffix in layout.SHEET_SUFFIXES}
    if target in consensus or (target.parent == Path(extraction).resolve() and target.suffix.lower() in layout.SHEET_SUFFIXES):
        return Problem(output, 1, f"this would be a consensus sheet: the reconciliation sheet goes elsewhere (default reconcile/{citekey}.csv); "
                                  "write the consensus sheet yourself from it")
    return None


def write_reconciliation(rows: list[dict[str, Any]], output: str) -> None:
    # Quotes and findings come from coders' sheets: a spreadsheet shows each as text, never runs it.
    write_atomic(output, csv_text([COLUMNS] + [[row[c] for c in COLUMNS] for row in rows]))


def reconcile(coded: dict[str, Any], protocol: dict[str, Any], citekey: str, output: str, extraction: str = layout.EXTRACTION,
              force: bool = False) -> list[dict[str, Any]]:
    """Write the reconciliation sheet of ``citekey`` to ``output``; return its rows."""
    if citekey not in {s["citekey"] for s in coded["sheets"]}:
        coded_keys = sorted({Path(p).stem for p in layout.coder_sheet_files(extraction)})
        raise InputError([Problem(str(Path(extraction) / layout.CODERS), 1, f"no independent sheet for '{citekey}' "
                                  f"(expected {extraction}/{layout.CODERS}/<coder>/{citekey}.csv or .xlsx): {suggest(citekey, coded_keys)}")])
    problem = output_problem(output, citekey, extraction)
    if problem:
        raise InputError([problem])
    permit("reconcile", output, force=force)
    rows = reconciliation_rows(coded, protocol, citekey)
    write_reconciliation(rows, output)
    return rows


__all__ = ["COLUMNS", "NOTHING", "differences", "output_problem", "reconcile", "reconciliation_rows", "write_reconciliation"]
