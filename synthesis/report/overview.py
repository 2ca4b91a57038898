"""The report's cross-question sections, built from :func:`analysis.analyse`.

Gap map, sources x questions, country comparison, avenues for further
research and snowball candidates. Statements resting on evidence are claims.
"""

from __future__ import annotations

from typing import Any

from . import markdown
from .claims import anchor, claim
from .markdown import locator
from ..analysis.comparison import settings

COUNTRY_FINDINGS_SHOWN = 12  # per comparator country; countries.csv lists every evidence id


def _finding_line(item: dict, claim_id: str, kind: str, question: str) -> dict[str, Any]:
    return {"finding": item["finding"], "citation": markdown.citation(item["citekey"], locator(item)),
            "evidence_id": item["evidence_id"], "evidence_anchor": anchor("ev-", item["evidence_id"]),
            "claim": claim(claim_id, kind, item["finding"], [item["evidence_id"]], question)}


def comparison_context(protocol: dict, analysis: dict[str, Any]) -> dict[str, Any]:
    """Country coverage by question, comparator findings and group statements."""
    home = settings(protocol)["home"]
    statements = []
    for group in analysis["groups"]:
        claim_id = f"compare.{group['group']}"
        statements.append({"text": group["text"], "claim": claim(claim_id, "comparison", group["text"], group["evidence"], "") if group["evidence"] else None})
    countries = []
    for entry in analysis["comparators"]:
        items = entry["items"]
        shown = [_finding_line(i, f"compare.{entry['country']}.{i['evidence_id']}", "comparison", "; ".join(i["questions"])) for i in items[:COUNTRY_FINDINGS_SHOWN]]
        countries.append({"country": entry["country"], "findings": shown, "more": len(items) - len(shown)})
    return {"home": home, "rows": analysis["countries"], "statements": statements, "countries": countries,
            "questions": [q["id"] for q in protocol["questions"]]}


def overview_context(protocol: dict, analysis: dict[str, Any], limit: dict[str, int]) -> dict[str, Any]:
    """Context for the gap map, matrix, comparison, avenues and snowball sections."""
    snowball = analysis["snowball"]
    return {
        "gap_map": {"png": markdown.Markdown("gap-map.png"), "cells": analysis["cells"]},
        "source_matrix": analysis["source_matrix"][:limit["source_rows"]],
        "source_matrix_more": max(0, len(analysis["source_matrix"]) - limit["source_rows"]),
        "comparison": comparison_context(protocol, analysis),
        "avenues": analysis["avenues"],
        "snowball": {"rows": [r | {"cite": markdown.narrative_citation(r["key"])} for r in snowball[:limit["snowball_rows"]] if r["cited_by"]],
                     "cited": sum(1 for r in snowball if r["cited_by"]), "uncited": sum(1 for r in snowball if not r["cited_by"])},
    }


__all__ = ["comparison_context", "overview_context"]
