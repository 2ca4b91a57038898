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

from typing import NamedTuple

from .shapes import Facts


def is_evidence(item: dict, sources: dict[str, dict]) -> bool:
    """Excerpts of the review's framing document frame the questions; they are never evidence."""
    return sources[item["citekey"]]["role"] != "protocol"


def countries_of(item: dict, sources: dict[str, dict]) -> list[str]:
    """Countries an excerpt speaks about: its own, else its source's."""
    return item["countries"] or sources[item["citekey"]]["countries"]


def agreement_column(protocol: dict) -> str:
    """The column whose values are the excerpts' stances (``strength.agreement_column``, else ``stance``)."""
    return protocol.get("strength", {}).get("agreement_column", "stance")


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
    # One pass over the excerpts (35 calls of up to 20,000 excerpts for 1,000 sources), every count and set
    # gathered at once; tests/test_fast_paths.py checks it against the comprehensions it replaced.
    inside = None if scope is None else set(scope)
    documents, studies, first_hand, countries, years, found_periods = set(), set(), set(), set(), set(), set()
    stances, direct_documents, direct_studies, types, designs = set(), set(), set(), set(), set()
    roles: dict[str, int] = {}
    evidence: list[str] = []
    direct = direct_primary = 0
    for item in items:
        v = values[id(item)]
        if not v.evidence:
            continue
        evidence.append(item["evidence_id"])
        role, study = v.role, v.study
        roles[role] = roles.get(role, 0) + 1
        documents.add(v.citekey)
        if study:
            studies.add(study)
            if role == "primary":
                first_hand.add(study)
        countries.update(v.countries)
        if v.year:
            years.add(v.year)
        if v.period:
            found_periods.add(v.period)
        stances.update(v.stances)
        if inside is None or (v.countries and all(c in inside for c in v.countries)):
            direct += 1
            direct_primary += role == "primary"
            direct_documents.add(v.citekey)
            if study:
                direct_studies.add(study)
            types.update(v.evidence_types)
            designs.update(v.study_designs)
    ordered = sorted(studies)
    return {
        "excerpts": len(evidence),
        "documents": sorted(documents),
        "studies": ordered,
        "first_hand_studies": sorted(first_hand),
        "second_hand_studies": [s for s in ordered if s not in first_hand],
        "primary": roles.get("primary", 0),
        "roles": dict(sorted(roles.items())),
        "countries": sorted(countries),
        "years": sorted(years),
        "periods": [f"{a}" if a == b else f"{a}-{b}" for a, b in sorted(found_periods)],
        "in_scope": direct,
        "out_of_scope": len(evidence) - direct,
        "direct_primary": direct_primary,
        "in_scope_documents": sorted(direct_documents),
        "in_scope_studies": sorted(direct_studies),
        # An excerpt's evidence type, else (when uncoded) its source's type.
        "evidence_types": sorted(types),
        "study_designs": sorted(designs),
        "stances": sorted(stances),
        "evidence": evidence,
    }


__all__ = ["Counted", "agreement_column", "counted_values", "countries_of", "facts", "in_scope", "is_evidence", "period_of", "periods", "scope_of", "study_of"]
