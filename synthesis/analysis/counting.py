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
from typing import NamedTuple

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


def _lowered(item: dict) -> dict[str, object]:
    """An excerpt's extra sheet columns by lower-cased name (of names alike but for case, the last wins)."""
    return {key.lower(): value for key, value in item.get("extra", {}).items()}


def _values(item: dict, column: str, lowered: dict[str, object] | None = None) -> list[str]:
    """A column's values: the item's own, else its extra sheet column of that name (the header's spelling
    kept; names match without regard to case). ``lowered``: :func:`_lowered` of the item, made once by a
    caller reading several columns."""
    if column in item:
        raw = item[column]
    else:
        raw = (lowered if lowered is not None else _lowered(item)).get(column.lower(), "")
    if isinstance(raw, list):
        return [v for v in raw if v]
    if not raw:  # most excerpts leave most columns empty
        return []
    return [v.strip() for v in str(raw).split(";") if v.strip()]


def period_of(item: dict, study_years: dict[str, str] | None = None,
              lowered: dict[str, object] | None = None) -> tuple[int, int] | None:
    """The years an excerpt's evidence covers: its ``period`` column (``2011`` or ``1999-2003``), else the
    year of the study it names (``study_years``: bibliography key -> year), else None."""
    raw = _values(item, "period", lowered)
    if raw:
        first, _, last = raw[0].partition("-")
        return int(first), int(last or first)
    year = (study_years or {}).get(item.get("study") or "", "")
    return (int(year), int(year)) if year.isdigit() else None


def periods(items: list[dict], study_years: dict[str, str] | None = None) -> list[str]:
    """The distinct periods of some excerpts, earliest first, as written (``1999-2003``)."""
    found = {p for i in items if (p := period_of(i, study_years))}
    return [f"{a}" if a == b else f"{a}-{b}" for a, b in sorted(found)]


class Counted(NamedTuple):
    """What :func:`facts` reads of one excerpt, computed once per analysis (see :func:`counted_values`)."""

    evidence: bool  # not an excerpt of the protocol document
    role: str
    citekey: str
    countries: list[str]
    study: str | None
    year: str  # its document's publication year ("" when none)
    period: tuple[int, int] | None
    evidence_types: list[str]  # its own, else its source's type
    study_designs: list[str]
    stances: list[str]


def counted_values(items: list[dict], sources: dict[str, dict], stance_column: str = "stance",
                   study_years: dict[str, str] | None = None) -> dict[int, Counted]:
    """Each excerpt's :class:`Counted` values, by ``id(item)``: computed once, then every cell, question
    and finding that counts the excerpt reads them (the analysis calls :func:`facts` dozens of times)."""
    out = {}
    for item in items:
        source = sources[item["citekey"]]
        role = source["role"]
        study = item.get("study") or (item["citekey"] if role == "primary" else None)
        year = source.get("year")
        lowered = _lowered(item)  # once for the four columns read below
        out[id(item)] = Counted(role != "protocol", role, item["citekey"], item["countries"] or source["countries"], study,
                                str(year) if year else "", period_of(item, study_years, lowered),
                                _values(item, "evidence_type", lowered) or [source["type"]],
                                _values(item, "study_design", lowered), _values(item, stance_column, lowered))
    return out


def facts(items: list[dict], sources: dict[str, dict], scope: list[str] | None, stance_column: str = "stance",
          study_years: dict[str, str] | None = None, values: dict[int, Counted] | None = None) -> Facts:
    """Counts behind a cell, a theme or a review finding. Protocol excerpts are dropped here, so no caller
    can count them by mistake. ``values``: :func:`counted_values` of (at least) these items, with the same
    stance column and study years; computed here when not given."""
    if values is None:
        values = counted_values(items, sources, stance_column, study_years)
    counted = [(i, v) for i in items if (v := values[id(i)]).evidence]
    items = [i for i, _v in counted]
    rows = [v for _i, v in counted]
    if scope is None:
        direct = rows
    else:
        inside = set(scope)
        direct = [v for v in rows if v.countries and all(c in inside for c in v.countries)]
    studies = sorted({v.study for v in rows if v.study})
    first_hand = sorted({v.study for v in rows if v.study and v.role == "primary"})
    known = set(first_hand)
    return {
        "excerpts": len(rows),
        "documents": sorted({v.citekey for v in rows}),
        "studies": studies,
        "first_hand_studies": first_hand,
        "second_hand_studies": [s for s in studies if s not in known],
        "primary": sum(1 for v in rows if v.role == "primary"),
        "roles": dict(sorted(Counter(v.role for v in rows).items())),
        "countries": sorted({c for v in rows for c in v.countries}),
        "years": sorted({v.year for v in rows if v.year}),
        "periods": [f"{a}" if a == b else f"{a}-{b}" for a, b in sorted({v.period for v in rows if v.period})],
        "in_scope": len(direct),
        "out_of_scope": len(rows) - len(direct),
        "direct_primary": sum(1 for v in direct if v.role == "primary"),
        "in_scope_documents": sorted({v.citekey for v in direct}),
        "in_scope_studies": sorted({v.study for v in direct if v.study}),
        # An excerpt's evidence type, else (when uncoded) its source's type.
        "evidence_types": sorted({t for v in direct for t in v.evidence_types}),
        "study_designs": sorted({d for v in direct for d in v.study_designs}),
        "stances": sorted({t for v in rows for t in v.stances}),
        "evidence": [i["evidence_id"] for i in items],
    }


__all__ = ["Counted", "counted_values", "countries_of", "facts", "in_scope", "is_evidence", "period_of", "periods", "scope_of", "study_of"]
