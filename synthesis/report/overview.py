"""The report's cross-question sections, laid out from the analysis: sources reviewed, the gap map, the
country comparison, avenues for further research and snowball candidates."""

from __future__ import annotations

from typing import Any

from ..analysis.comparison import settings
from . import words
from .claims import Claims
from .markdown import Markdown

def sources_context(data: dict[str, Any], limit: int) -> dict[str, Any]:
    rows = [{"cite": Markdown(f"@{{{s['citekey']}}}"), "title": s["title"], "type": words.kind(s["type"]), "role": words.role(s["role"]),
             "countries": words.countries(s["countries"]), "excerpts": s["excerpts"]} for s in data["sources"][:limit]]
    return {"rows": rows, "more": max(0, len(data["sources"]) - limit)}


def comparison_context(protocol: dict, analysis: dict[str, Any], claims: Claims) -> dict[str, Any]:
    """Country coverage by question, comparator findings and group statements."""
    home = settings(protocol)["home"]
    statements = []
    for group in analysis["groups"]:
        made = claims.add(f"compare.{group['group']}", "comparison", group["text"], group["evidence"], "") if group["evidence"] else None
        statements.append({"text": group["text"], "claim": made})
    rows = [r | {"name": words.country(r["country"])} for r in analysis["countries"]]
    return {"home": words.country(home) if home else "", "rows": rows, "statements": statements,
            "questions": [q["id"] for q in protocol["questions"]]}


def gap_map_context(analysis: dict[str, Any]) -> dict[str, Any]:
    columns = [words.country(c) for c in analysis["gap_columns"]]
    empty = [words.country(c) for c in analysis["gap_columns"] if c.startswith("group:")]
    return {"png": Markdown("gap-map.png"), "columns": columns, "empty_groups": empty}


def snowball_context(snowball: list[dict], limit: int) -> dict[str, Any]:
    # Plain text, not citations: a work to read next is not a work this review cites.
    rows = [{"citation": r["citation"], "title": r["title"], "cited_by": r["cited_by"], "excerpts": len(r["excerpts"])}
            for r in snowball[:limit] if r["cited_by"]]
    return {"rows": rows, "cited": sum(1 for r in snowball if r["cited_by"]), "uncited": sum(1 for r in snowball if not r["cited_by"])}


__all__ = ["comparison_context", "gap_map_context", "snowball_context", "sources_context"]
