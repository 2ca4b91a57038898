"""Agreement between independent coders, on located spans.

**Units.** Within one source, two excerpts of different coders are linked when their located character
ranges overlap with a Jaccard index (intersection over union) of at least 0.5; an elided quote's range runs
from its first to its last character. A unit is a connected group of linked excerpts; an excerpt linked to
none is a unit of its own. So two coders who quoted slightly different words of one passage code the same
unit.

**Values.** For each unit, a coder's value is the set of codes their excerpts in the unit carry (empty
when the coder coded that source, i.e. has an independent sheet for it, but marked nothing in the unit); a
coder who did not code the source has no value there (missing). A unit only one coder marked stays in.

**Statistics**, over the units that at least two coders rated. Codes count only where coders used them: a
code neither coder applied to a unit is no agreement (rating every code on every unit, as this module did
before, let two coders who disagree on the only code they used agree on all the others).

- *Per code*: percent agreement over the units where at least one coder applied the code (coder pairs who
  both applied it, over all coder pairs there); Cohen's kappa and Krippendorff's alpha of the code's presence
  (1) or absence (0) on every rated unit, where chance correction needs both values.
- *Overall*: percent agreement over every unit-and-code pair at least one coder applied, pooled; kappa and
  alpha of the units, each coder's value the set of codes they applied (a nominal category: two coders agree
  on a unit when they gave it the same codes).

Kappa is Cohen's for two coders; with more, one row per pair and their mean (Light's kappa) on the
all-coders row. Alpha is Krippendorff's, nominal, any number of coders, missing values allowed, computed here
from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability"). A statistic
that is undefined (no item rated by two coders, or only one value ever given) is None.
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any, Iterable

LINK = 0.5  # minimum Jaccard index of two excerpts' ranges for them to code the same unit
OVERALL = "overall"
Matrix = list[list]  # one row per coder, one column per item, None where the coder gave no value


def jaccard(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Intersection over union of two half-open character ranges."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def _overlapping_pairs(excerpts: list[dict]) -> Iterable[tuple[int, int]]:
    # A sweep over ranges sorted by start: only ranges that overlap are compared.
    order = sorted(range(len(excerpts)), key=lambda i: (excerpts[i]["start"], excerpts[i]["end"]))
    active: list[int] = []
    for i in order:
        active = [j for j in active if excerpts[j]["end"] > excerpts[i]["start"]]
        for j in active:
            yield j, i
        active.append(i)


def form_units(excerpts: list[dict]) -> list[dict[str, Any]]:
    """The units of one source's independent excerpts (each has ``coder``, ``start``, ``end``,
    ``sheet_line``, ``independent_id``), ordered by where they start."""
    parent = list(range(len(excerpts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in _overlapping_pairs(excerpts):
        a, b = excerpts[i], excerpts[j]
        if a["coder"] != b["coder"] and jaccard((a["start"], a["end"]), (b["start"], b["end"])) >= LINK:
            parent[root(i)] = root(j)
    groups: dict[int, list[dict]] = {}
    for i, item in enumerate(excerpts):
        groups.setdefault(root(i), []).append(item)
    # Units in source order; a unit's excerpts by coder, then sheet line.
    members = sorted((sorted(g, key=lambda e: (e["coder"], e["sheet_line"], e["start"])) for g in groups.values()),
                     key=lambda g: (min(e["start"] for e in g), max(e["end"] for e in g), g[0]["coder"]))
    return [{"start": min(e["start"] for e in g), "end": max(e["end"] for e in g), "excerpts": g,
             "coders": sorted({e["coder"] for e in g})} for g in members]


def units_of(coded: dict[str, Any]) -> list[dict[str, Any]]:
    """Every source's units, ids ``<citekey>#<n>``, each with the coders who coded its source."""
    by_source: dict[str, list[dict]] = {}
    for item in coded["excerpts"]:
        by_source.setdefault(item["citekey"], []).append(item)
    raters: dict[str, list[str]] = {}
    for sheet in coded["sheets"]:
        raters.setdefault(sheet["citekey"], []).append(sheet["coder"])
    units = []
    for citekey in sorted(by_source):
        for n, unit in enumerate(form_units(by_source[citekey]), start=1):
            units.append(unit | {"id": f"{citekey}#{n}", "citekey": citekey, "raters": sorted(raters[citekey])})
    return units


def _columns(matrix: Matrix) -> list[list]:
    """A reliability data matrix (one row per coder, one column per item; None for missing) by item."""
    return [list(column) for column in zip(*matrix)] if matrix else []


def _given(column: list) -> list:
    return [v for v in column if v is not None]


def percent_agreement(matrix: Matrix) -> float | None:
    """Agreeing coder pairs over all coder pairs, over the items two or more coders rated."""
    same = pairs = 0
    for column in _columns(matrix):
        given = _given(column)
        pairs += len(given) * (len(given) - 1) // 2
        same += sum(n * (n - 1) // 2 for n in Counter(given).values())
    return same / pairs if pairs else None


def cohen_kappa(first: list, second: list) -> float | None:
    """Cohen's kappa of two coders over the items both rated: (p_o - p_e) / (1 - p_e)."""
    both = [(a, b) for a, b in zip(first, second) if a is not None and b is not None]
    if not both:
        return None
    n = len(both)
    observed = sum(a == b for a, b in both) / n
    left, right = Counter(a for a, _ in both), Counter(b for _, b in both)
    expected = sum(left[v] * right[v] for v in left) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def krippendorff_alpha(matrix: Matrix) -> float | None:
    """Krippendorff's alpha (nominal) of a reliability data matrix, missing values allowed:
    1 - (n - 1) * (disagreeing coincidences) / (sum over value pairs c != k of n_c * n_k)."""
    totals: Counter = Counter()  # n_c: values in pairable items
    disagreeing = 0.0
    for column in _columns(matrix):
        counts = Counter(_given(column))
        m = sum(counts.values())
        if m < 2:
            continue  # a value no other coder can be paired with is not pairable
        totals.update(counts)
        disagreeing += (m * m - sum(n * n for n in counts.values())) / (m - 1)
    n = sum(totals.values())
    expected = n * n - sum(v * v for v in totals.values())
    if len(totals) < 2 or not expected:
        return None  # no item two coders rated, or one value only: alpha is undefined
    return 1 - (n - 1) * disagreeing / expected


def kappa_of(matrix: Matrix, coders: list[str]) -> float | None:
    """Cohen's kappa of two coders; the mean of the pairwise kappas (Light's) of more."""
    kappas = [cohen_kappa(matrix[i], matrix[j]) for i, j in combinations(range(len(coders)), 2)]
    defined = [k for k in kappas if k is not None]
    if len(coders) == 2:
        return kappas[0]
    return sum(defined) / len(defined) if defined else None


def statistics(matrix: Matrix, coders: list[str]) -> dict[str, Any]:
    """Percent agreement, kappa (pairwise mean with more than two coders) and alpha of one matrix."""
    rated = sum(1 for column in _columns(matrix) if len(_given(column)) >= 2)
    return {"items": rated, "percent_agreement": percent_agreement(matrix), "kappa": kappa_of(matrix, coders),
            "alpha": krippendorff_alpha(matrix)}


def _used(matrix: Matrix) -> Matrix:
    """The items of a presence (1) / absence (0) matrix at least one coder marked present."""
    kept = [column for column in _columns(matrix) if 1 in column]
    return [list(row) for row in zip(*kept)] if kept else [[] for _ in matrix]


def code_statistics(presence: Matrix, coders: list[str]) -> dict[str, Any]:
    """One code: percent agreement where a coder applied it; kappa and alpha of presence on every unit."""
    used = _used(presence)
    return {"items": len(used[0]) if used else 0, "percent_agreement": percent_agreement(used),
            "kappa": kappa_of(presence, coders), "alpha": krippendorff_alpha(presence)}


def overall_statistics(sets: Matrix, presences: list[Matrix], coders: list[str]) -> dict[str, Any]:
    """All codes: percent agreement over the unit-and-code pairs a coder applied; kappa and alpha of the
    units, a coder's value being the set of codes they applied there."""
    used = [_used(m) for m in presences]
    pooled = [[v for m in used for v in m[i]] for i in range(len(coders))]
    labels = [[None if v is None else "; ".join(sorted(v)) for v in row] for row in sets]
    return {"items": len(pooled[0]) if pooled else 0, "percent_agreement": percent_agreement(pooled),
            "kappa": kappa_of(labels, coders), "alpha": krippendorff_alpha(labels)}


def _values(units: list[dict], coders: list[str]) -> list[list[frozenset | None]]:
    """Per coder, per unit: the set of codes the coder applied there, None where they did not code the source."""
    values: list[list[frozenset | None]] = [[None] * len(units) for _ in coders]
    for u, unit in enumerate(units):
        for coder in unit["raters"]:
            applied = {code for item in unit["excerpts"] if item["coder"] == coder for code in item["codes"]}
            values[coders.index(coder)][u] = frozenset(applied)
    return values


def agreement(coded: dict[str, Any], protocol: dict[str, Any]) -> dict[str, Any]:
    """The agreement summary of a review's independent coding (``coders.json``): its units and one row
    per code and overall, for all coders and, with more than two, for each pair."""
    coders, units = coded["coders"], units_of(coded)
    codes = [c["id"] for c in protocol["codes"]]
    labels = {c["id"]: c["label"] for c in protocol["codes"]}
    sets = [coders] + ([list(pair) for pair in combinations(coders, 2)] if len(coders) > 2 else [])
    values = _values(units, coders)
    rows = []
    for subset in sets if len(coders) >= 2 else []:
        rated = [n for n, u in enumerate(units) if sum(c in u["raters"] for c in subset) >= 2]
        one = sum(1 for n in rated if len(set(units[n]["coders"]) & set(subset)) == 1)
        mine = [[values[coders.index(c)][n] for n in rated] for c in subset]
        presence = {code: [[None if v is None else int(code in v) for v in row] for row in mine] for code in codes}
        made = [(OVERALL, overall_statistics(mine, list(presence.values()), subset))]
        made += [(code, code_statistics(presence[code], subset)) for code in codes]
        for code, stats in made:
            rows.append({"code": code, "label": labels.get(code, "all codes"), "coders": subset, "units": len(rated),
                         "one_coder_units": one} | stats)
    return {
        "coders": coders,
        "sources": sorted({s["citekey"] for s in coded["sheets"]}),
        "double_coded": sorted({u["citekey"] for u in units if len(u["raters"]) >= 2}),
        "units": [{"id": u["id"], "citekey": u["citekey"], "start": u["start"], "end": u["end"], "coders": u["coders"],
                   "excerpts": [e["independent_id"] for e in u["excerpts"]]} for u in units],
        "rows": rows,
    }


def consensus_matches(evidence: list[dict], coded: dict[str, Any]) -> dict[str, list[str]]:
    """For each consensus excerpt of an independently coded source, the independent excerpts whose range
    it overlaps with a Jaccard index of at least 0.5 (possibly none)."""
    by_source: dict[str, list[dict]] = {}
    for item in coded["excerpts"]:
        by_source.setdefault(item["citekey"], []).append(item)
    coded_sources = {s["citekey"] for s in coded["sheets"]}
    matches = {}
    for item in evidence:
        if item["citekey"] in coded_sources:
            span = (item["start"], item["end"])
            matches[item["evidence_id"]] = [e["independent_id"] for e in by_source.get(item["citekey"], [])
                                            if jaccard(span, (e["start"], e["end"])) >= LINK]
    return matches


__all__ = ["LINK", "OVERALL", "agreement", "cohen_kappa", "consensus_matches", "form_units", "jaccard", "krippendorff_alpha",
           "percent_agreement", "statistics", "units_of", "code_statistics", "overall_statistics"]
