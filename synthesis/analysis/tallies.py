"""The facts of every theme cell and question, kept as tallies between builds: an edited sheet re-counts its
own source's excerpts, not every excerpt of the review.

:func:`~.counting.facts` gathers sets (the documents, studies, countries ... of some excerpts). A tally keeps
each set as a multiset instead (each value with the number of excerpts giving it), so that one source's
excerpts can be taken off it again. A source's *share* (:func:`shares`) says what each of its excerpts adds
to which groups (the theme cells and questions it counts for); the review's tallies (a :class:`Tally` by
group) are the sum of every source's share, and :func:`facts_of` reads the facts off a group's tally: the
values counted at least once, in the order :func:`~.counting.facts` gives them (tests/test_tallies.py
checks that they are the same facts, on random edits). Kept between builds by :mod:`.kept_tallies`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..inputs.protocol import theme_pairs
from .counting import counted_values
from .shapes import Facts

# The multisets of a tally, each counted from the excerpts (an excerpt's value once per time it gives it).
ALL = ("documents", "studies", "first_hand", "countries", "years", "periods", "stances")
DIRECT = ("direct_documents", "direct_studies", "types", "designs")  # of the excerpts in the question's scope
FIELDS = ALL + DIRECT


# What one excerpt adds to tallies (see :func:`~.counting.facts`), and to which groups: a plain tuple (it is
# kept as JSON) of its evidence id, its source's role and citekey, its study (or None), its document's year
# ("" when none), its period ("a-b", "" when none), its countries, stances, evidence types and study designs,
# and its groups: each group's name with whether the excerpt is in that group's question's scope.
Excerpt = tuple[str, str, str, "str | None", str, str, list, list, list, list, list]


def cell_name(question: str, code: str) -> str:
    """A theme cell's group name (ids cannot hold the separator, a control character)."""
    return f"c\x1f{question}\x1f{code}"


def question_name(question: str) -> str:
    return f"q\x1f{question}"


def cell_of(name: str) -> tuple[str, str] | None:
    """The (question, code) of a cell's group name; None for a question's."""
    kind, _, rest = name.partition("\x1f")
    return tuple(rest.split("\x1f", 1)) if kind == "c" else None


def shares(items: list[dict], sources: dict[str, dict], protocol: dict, column: str,
           years: dict[str, str]) -> list[Excerpt]:
    """What each excerpt of ``items`` adds, in their order; excerpts of the protocol document add nothing.
    The groups are those :func:`~.cells.analyse` counts the excerpt in: each theme pair it informs (once
    per time it is given, as the cells count it) and each of the protocol's questions it answers."""
    scopes = {q["id"]: (set(q["scope"]["countries"]) if q.get("scope") else None)
              for q in protocol["questions"]}
    values = counted_values(items, sources, column, years)
    out = []
    for item in items:
        v = values[id(item)]
        if not v.evidence:
            continue
        countries = v.countries
        direct = {q: inside is None or bool(countries) and all(c in inside for c in countries)
                  for q, inside in scopes.items()}
        # The pairs the evidence stage gave (as lists), else as theme_pairs makes them.
        pairs = item["pairs"] if "pairs" in item else theme_pairs(item, protocol)
        groups = [(cell_name(q, c), direct[q]) for q, c in pairs]
        asked = item["questions"]
        groups += [(question_name(q), direct[q]) for q in scopes if q in asked]
        period = f"{v.period[0]}-{v.period[1]}" if v.period else ""
        out.append((item["evidence_id"], v.role, v.citekey, v.study, v.year, period, v.countries,
                    v.stances, v.evidence_types, v.study_designs, groups))
    return out


class Tally:
    """One group's multisets, its counts and its evidence ids by source (each source's in its order)."""

    __slots__ = ("excerpts", "direct", "direct_primary", "roles", "ids") + FIELDS

    def __init__(self) -> None:
        self.excerpts = self.direct = self.direct_primary = 0
        self.roles: Counter = Counter()
        self.ids: dict[str, list[str]] = {}
        for field in FIELDS:
            setattr(self, field, Counter())

    def as_json(self) -> dict[str, Any]:
        return {"excerpts": self.excerpts, "direct": self.direct, "direct_primary": self.direct_primary,
                "roles": self.roles, "ids": self.ids} | {f: getattr(self, f) for f in FIELDS}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Tally:
        tally = cls.__new__(cls)
        tally.excerpts, tally.direct = value["excerpts"], value["direct"]
        tally.direct_primary = value["direct_primary"]
        tally.roles, tally.ids = Counter(value["roles"]), value["ids"]
        for field in FIELDS:
            setattr(tally, field, Counter(value[field]))
        return tally


def _take(counter: Counter, values: list) -> None:
    """Take ``values`` off a multiset; a value counted no more is gone from it."""
    for value in values:
        left = counter[value] - 1
        if left < 0:  # not counted: tallies that do not add up (the caller counts again)
            raise ValueError(f"{value!r} taken off a tally that does not count it")
        if left:
            counter[value] = left
        else:
            del counter[value]


def _collect(lists: dict[str, dict[str, Any]], excerpts: list[Excerpt]) -> None:
    """Append what ``excerpts`` add to each group's lists (``lists``: by group name), ids by source."""
    for excerpt in excerpts:
        evidence_id, role, citekey, study, year, period, countries, stances, types, designs, groups = excerpt
        studies = [study] if study else []
        for name, direct in groups:
            found = lists.get(name)
            if found is None:
                found = lists[name] = {f: [] for f in FIELDS + ("roles", "direct_roles")} | {"ids": {}}
            ids = found["ids"].get(citekey)
            if ids is None:
                ids = found["ids"][citekey] = []
            ids.append(evidence_id)
            found["roles"].append(role)
            found["documents"].append(citekey)
            found["studies"] += studies
            if role == "primary":
                found["first_hand"] += studies
            found["countries"] += countries
            if year:
                found["years"].append(year)
            if period:
                found["periods"].append(period)
            found["stances"] += stances
            if direct:
                found["direct_roles"].append(role)
                found["direct_documents"].append(citekey)
                found["direct_studies"] += studies
                found["types"] += types
                found["designs"] += designs


def total(shares_by_source: dict[str, list[Excerpt]]) -> dict[str, Tally]:
    """The tallies of every source's share, by group name (each multiset counted once, in C)."""
    lists: dict[str, dict[str, Any]] = {}
    for excerpts in shares_by_source.values():
        _collect(lists, excerpts)
    tallies = {}
    for name, found in lists.items():
        tally = tallies[name] = Tally()
        _apply(tally, found, 1)
    return tallies


def _apply(tally: Tally, found: dict[str, Any], sign: int) -> None:
    direct_roles = found["direct_roles"]
    tally.excerpts += sign * len(found["roles"])
    tally.direct += sign * len(direct_roles)
    tally.direct_primary += sign * direct_roles.count("primary")
    if sign > 0:
        tally.ids.update(found["ids"])
    else:
        for citekey in found["ids"]:
            tally.ids.pop(citekey, None)
    for field in FIELDS + ("roles",):
        if sign > 0:
            getattr(tally, field).update(found[field])  # Counter.update counts a list in C
        else:
            _take(getattr(tally, field), found[field])


def change(tallies: dict[str, Tally], excerpts: list[Excerpt], sign: int) -> None:
    """Add one source's share to the tallies (``sign`` 1), or take it off (-1): a group left with no
    excerpt is gone."""
    lists: dict[str, dict[str, Any]] = {}
    _collect(lists, excerpts)
    for name, found in lists.items():
        tally = tallies.get(name)
        if tally is None:
            tally = tallies[name] = Tally()
        _apply(tally, found, sign)
        if not tally.excerpts:
            del tallies[name]


def facts_of(tally: Tally | None, order: list[str]) -> Facts:
    """The facts of a group's tally (none: no excerpt), as :func:`~.counting.facts` gives them for the
    group's excerpts; ``order``: the sources' citekeys in the evidence set's order."""
    tally = tally or Tally()
    studies, first_hand = sorted(tally.studies), tally.first_hand
    periods = sorted(tuple(int(y) for y in p.split("-")) for p in tally.periods)
    ids = tally.ids
    return {
        "excerpts": tally.excerpts,
        "documents": sorted(tally.documents),
        "studies": studies,
        "first_hand_studies": sorted(first_hand),
        "second_hand_studies": [s for s in studies if s not in first_hand],
        "primary": tally.roles.get("primary", 0),
        "roles": dict(sorted(tally.roles.items())),
        "countries": sorted(tally.countries),
        "years": sorted(tally.years),
        "periods": [f"{a}" if a == b else f"{a}-{b}" for a, b in periods],
        "in_scope": tally.direct,
        "out_of_scope": tally.excerpts - tally.direct,
        "direct_primary": tally.direct_primary,
        "in_scope_documents": sorted(tally.direct_documents),
        "in_scope_studies": sorted(tally.direct_studies),
        "evidence_types": sorted(tally.types),
        "study_designs": sorted(tally.designs),
        "stances": sorted(tally.stances),
        "evidence": [i for citekey in order if citekey in ids for i in ids[citekey]],
    }


__all__ = ["Excerpt", "Tally", "cell_name", "cell_of", "change", "facts_of", "question_name", "shares",
           "total"]
