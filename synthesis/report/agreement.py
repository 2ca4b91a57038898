"""Agreement between independent coders: ``output/tables/agreement.csv`` and the report's method section.

Both come from the summary :func:`synthesis.analysis.agreement.agreement` computes (``output/build/agreement.json``).
A review without independent sheets has neither (the context is None and the template prints nothing).
"""

from __future__ import annotations

from typing import Any

from ..analysis.agreement import OVERALL
from ..common.textio import csv_text, write_atomic
from . import words

COLUMNS = ("code", "label", "coders", "units", "one_coder_units", "items", "percent_agreement", "kappa", "alpha")


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def table_rows(summary: dict[str, Any]) -> list[list[str]]:
    """The table's rows: percent agreement in per cent (one decimal), kappa and alpha to three decimals;
    an undefined statistic is an empty cell."""
    return [[r["code"], r["label"], "; ".join(r["coders"]), str(r["units"]), str(r["one_coder_units"]), str(r["items"]),
             _number(None if r["percent_agreement"] is None else 100 * r["percent_agreement"], 1),
             _number(r["kappa"], 3), _number(r["alpha"], 3)] for r in summary["rows"]]


def write_agreement_table(summary: dict[str, Any], path: str) -> None:
    write_atomic(path, csv_text([COLUMNS] + table_rows(summary)))  # labels come from review.yaml: never a live formula


def _shown(value: float | None, digits: int = 2) -> str:
    return "undefined" if value is None else f"{value:.{digits}f}"


def agreement_context(summary: dict[str, Any] | None, protocol: dict[str, Any]) -> dict[str, Any] | None:
    """The method section's content; None without independent sheets."""
    if summary is None:
        return None
    names = {c["id"]: c["name"] for c in protocol.get("coders") or []}
    coders = summary["coders"]
    main = [r for r in summary["rows"] if r["coders"] == coders]
    overall = next((r for r in main if r["code"] == OVERALL), None)
    who = "; ".join(names.get(c, c) for c in coders)
    if overall is None:
        return {"lines": [f"{words.plural(len(summary['sources']), 'source')} {'has' if len(summary['sources']) == 1 else 'have'} independent sheets ({who}), "
                          "but none has been coded by two coders yet, so no agreement can be computed."], "rows": [], "kappa": ""}
    lines = [f"{words.plural(len(summary['double_coded']), 'source')} of this review "
             f"{'was' if len(summary['double_coded']) == 1 else 'were'} coded independently by {words.plural(len(coders), 'coder')} ({who})."]
    kappa = "mean pairwise Cohen's kappa" if len(coders) > 2 else "Cohen's kappa"
    lines.append(f"Their excerpts form {words.plural(overall['units'], 'unit')}, {overall['one_coder_units']} of them marked by one coder only. "
                 f"Over the codes a coder applied to a unit, percent agreement is {_shown(None if overall['percent_agreement'] is None else 100 * overall['percent_agreement'], 1)}%; "
                 f"comparing the set of codes each coder gave each unit, {kappa} is {_shown(overall['kappa'])} "
                 f"and Krippendorff's alpha {_shown(overall['alpha'])}.")
    rows = [{"label": r["label"], "units": r["units"], "one": r["one_coder_units"],
             "percent": _shown(None if r["percent_agreement"] is None else 100 * r["percent_agreement"], 1),
             "kappa": _shown(r["kappa"]), "alpha": _shown(r["alpha"])} for r in main if r["code"] != OVERALL]
    return {"lines": lines, "rows": rows, "kappa": kappa}


__all__ = ["COLUMNS", "agreement_context", "table_rows", "write_agreement_table"]
