"""The report's appraisals: the method section's table of each source's appraisal, and the sentence beside
each finding's methodological-limitations judgement (laid out from the evidence set and the analysis)."""

from __future__ import annotations

from typing import Any

from ..analysis.shapes import LimitationFacts
from . import words
from .markdown import Markdown, escape


def limitations_sentence(limits: LimitationFacts | None) -> Markdown:
    """The appraisals a finding's evidence rests on, largest share first, linked to the method section's table
    (which gives each tool and the items of concern), e.g. "Appraisals: green2023 5/6 moderate; ray2017 1/6
    serious." (5 of the finding's 6 excerpts come from green2023, appraised with moderate concerns); empty when none of its sources is appraised."""
    if not limits or not limits["excerpts"] or not any(r["appraised"] for r in limits["sources"]):
        return Markdown("")
    shown = [f"{r['citekey']} {r['excerpts']}/{limits['excerpts']} " + (r["concern"].replace("_", " ") if r["appraised"] else "not appraised")
             for r in limits["sources"]]
    return Markdown("[Appraisals](#appraisal): " + escape("; ".join(shown) + "."))


def appraisal_context(data: dict[str, Any]) -> dict[str, Any] | None:
    """The method section's appraisal table; None for a review that neither declares tools nor has appraisals."""
    tools = data.get("appraisal_tools") or {}
    appraisals = data.get("appraisals") or []
    if not tools and not appraisals:
        return None
    coders = {c["id"]: c for c in data["protocol"].get("coders") or []}
    rows = []
    for a in appraisals:
        coder = coders.get(a["appraiser"], {"name": a["appraiser"]})
        rows.append({"cite": Markdown(f"@{{{a['citekey']}}} ({escape(a['citekey'])})"), "tool": a["tool_name"], "concern": words.cerqual(a["overall"]["concern"]),
                     "concerns": ", ".join(i["label"] for i in a["items"] if i["concern"]) or "none",
                     "appraiser": coder["name"] + (" (draft)" if coder.get("draft") else "")})
    appraised = {a["citekey"] for a in appraisals}
    missing = [s["citekey"] for s in data["sources"] if s["role"] != "protocol" and s["citekey"] not in appraised]
    used = {a["tool"] for a in appraisals}
    return {"tools": [f"{t['name']}, {t['short']}" for k, t in tools.items() if k in used], "rows": rows, "missing": missing}


__all__ = ["appraisal_context", "limitations_sentence"]
