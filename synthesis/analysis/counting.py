"""Honest counting: what a set of excerpts amounts to as evidence for one question.

The rules (docs/formats.md, "Honest counting", gives each with its reason):

- excerpts from a ``protocol`` source (the review's own framing document) are never evidence;
- independence is counted in studies: an excerpt's study is the one it names (``study``), else its own
  source when that source is ``primary``; one study reported by three documents counts once; a study is
  known first-hand when a primary source reports it, else only second-hand (through other documents);
- primary evidence means excerpts from sources whose role is ``primary``;
- an excerpt is in a question's scope when every country it concerns is in the scope (a question without
  scope covers every country); evidence outside the scope is indirect;
- the years of the evidence are the period coders record (an excerpt's ``period``: a year or a span of
  years that the study or the practice it reports covers), else the year of the study it names (its
  bibliography entry's), kept apart from the documents' publication years.
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


def period_of(item: dict, study_years: dict[str, str] | None = None) -> tuple[int, int] | None:
    """The years an excerpt's evidence covers: its ``period`` column (``2011`` or ``1999-2003``), else the
    year of the study it names (``study_years``: bibliography key -> year), else None."""
    raw = _values(item, "period")
    if raw:
        first, _, last = raw[0].partition("-")
        return int(first), int(last or first)
    year = (study_years or {}).get(item.get("study") or "", "")
    return (int(year), int(year)) if year.isdigit() else None


def periods(items: list[dict], study_years: dict[str, str] | None = None) -> list[str]:
    """The distinct periods of some excerpts, earliest first, as written (``1999-2003``)."""
    found = {p for i in items if (p := period_of(i, study_years))}
    return [f"{a}" if a == b else f"{a}-{b}" for a, b in sorted(found)]


def facts(items: list[dict], sources: dict[str, dict], scope: list[str] | None, stance_column: str = "stance",
          study_years: dict[str, str] | None = None) -> Facts:
    """Counts behind a cell, a theme or a review finding. Protocol excerpts are dropped here, so no caller
    can count them by mistake."""
    items = [i for i in items if is_evidence(i, sources)]
    direct = [i for i in items if in_scope(i, sources, scope)]
    years = sorted({str(sources[i["citekey"]]["year"]) for i in items if sources[i["citekey"]].get("year")})
    studies = sorted({s for i in items if (s := study_of(i, sources))})
    first_hand = sorted({s for i in items if (s := study_of(i, sources)) and sources[i["citekey"]]["role"] == "primary"})
    return {
        "excerpts": len(items),
        "documents": sorted({i["citekey"] for i in items}),
        "studies": studies,
        "first_hand_studies": first_hand,
        "second_hand_studies": [s for s in studies if s not in first_hand],
        "primary": sum(1 for i in items if sources[i["citekey"]]["role"] == "primary"),
        "roles": dict(sorted(Counter(sources[i["citekey"]]["role"] for i in items).items())),
        "countries": sorted({c for i in items for c in countries_of(i, sources)}),
        "years": years,
        "periods": periods(items, study_years),
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


__all__ = ["countries_of", "facts", "in_scope", "is_evidence", "period_of", "periods", "scope_of", "study_of"]
