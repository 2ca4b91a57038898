"""Honest counting: what a set of excerpts amounts to as evidence for one question.

The rules (docs/formats.md, "Honest counting", gives each with its reason):

- excerpts from a ``protocol`` source (the review's own framing document) are never evidence;
- independence is counted in studies: an excerpt's study is the one it names (``study``), else its own
  source when that source is ``primary``; one study reported by three documents counts once;
- primary evidence means excerpts from sources whose role is ``primary``;
- an excerpt is in a question's scope when every country it concerns is in the scope (a question without
  scope covers every country); evidence outside the scope is indirect.
"""

from __future__ import annotations

from collections import Counter

from .shapes import Facts


def is_evidence(item: dict, sources: dict[str, dict]) -> bool:
    """Excerpts of the review's framing document frame the questions; they are never evidence."""
    return sources[item["citekey"]]["role"] != "protocol"


def countries_of(item: dict, sources: dict[str, dict]) -> list[str]:
    """Countries an excerpt speaks about: its own, else its source's."""
    return item["countries"] or sources[item["citekey"]]["countries"]


def scope_of(question: dict) -> list[str] | None:
    """The countries a question covers, or None for every country."""
    scope = question.get("scope")
    return list(scope["countries"]) if scope else None


def in_scope(item: dict, sources: dict[str, dict], scope: list[str] | None) -> bool:
    """All of the excerpt's countries lie in the scope (an excerpt with no country is not known to)."""
    if scope is None:
        return True
    countries = countries_of(item, sources)
    return bool(countries) and all(c in scope for c in countries)


def study_of(item: dict, sources: dict[str, dict]) -> str | None:
    """The independent study an excerpt reports: the one it names, else its source if primary."""
    if item.get("study"):
        return item["study"]
    return item["citekey"] if sources[item["citekey"]]["role"] == "primary" else None


def _values(item: dict, column: str) -> list[str]:
    # Extra sheet columns keep the header's spelling; column names match without regard to case.
    extra = {k.lower(): v for k, v in item.get("extra", {}).items()}
    raw = item.get(column) if column in item else extra.get(column.lower(), "")
    if isinstance(raw, list):
        return [v for v in raw if v]
    return [v.strip() for v in str(raw or "").split(";") if v.strip()]


def facts(items: list[dict], sources: dict[str, dict], scope: list[str] | None, stance_column: str = "stance") -> Facts:
    """Counts behind a cell, a theme or a review finding. Protocol excerpts are dropped here, so no caller
    can count them by mistake."""
    items = [i for i in items if is_evidence(i, sources)]
    direct = [i for i in items if in_scope(i, sources, scope)]
    years = sorted({str(sources[i["citekey"]]["year"]) for i in items if sources[i["citekey"]].get("year")})
    return {
        "excerpts": len(items),
        "documents": sorted({i["citekey"] for i in items}),
        "studies": sorted({s for i in items if (s := study_of(i, sources))}),
        "primary": sum(1 for i in items if sources[i["citekey"]]["role"] == "primary"),
        "roles": dict(sorted(Counter(sources[i["citekey"]]["role"] for i in items).items())),
        "countries": sorted({c for i in items for c in countries_of(i, sources)}),
        "years": years,
        "in_scope": len(direct),
        "out_of_scope": len(items) - len(direct),
        "direct_primary": sum(1 for i in direct if sources[i["citekey"]]["role"] == "primary"),
        "in_scope_documents": sorted({i["citekey"] for i in direct}),
        "in_scope_studies": sorted({s for i in direct if (s := study_of(i, sources))}),
        # An excerpt's evidence type, else (when uncoded) its source's type.
        "evidence_types": sorted({v for i in direct for v in _values(i, "evidence_type") or [sources[i["citekey"]]["type"]]}),
        "study_designs": sorted({v for i in direct for v in _values(i, "study_design")}),
        "stances": sorted({v for i in items for v in _values(i, stance_column)}),
        "evidence": [i["evidence_id"] for i in items],
    }


__all__ = ["countries_of", "facts", "in_scope", "is_evidence", "scope_of", "study_of"]
