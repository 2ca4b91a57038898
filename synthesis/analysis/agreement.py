"""Agreement between independent coders, on located spans.

**Units.** Within one source, two excerpts of different coders are linked when their located character
ranges overlap with a Jaccard index (intersection over union) of at least 0.5; an elided quote's range runs
from its first to its last character. A unit is a connected group of linked excerpts; an excerpt linked to
none is a unit of its own. So two coders who quoted slightly different words of one passage code the same
unit.

**Values.** For each unit and code, a coder's value is 1 when one of their excerpts in the unit carries the
code, else 0, when the coder coded that source (has an independent sheet for it, even an empty one); a
coder who did not code the source has no value there (missing). A unit only one coder marked stays in: the
other coders' values there are 0.

**Statistics.** Per code and overall (every unit-and-code pair pooled): the number of units rated by at
least two coders, percent agreement (agreeing coder pairs over all coder pairs, per rated item), Cohen's
kappa (two coders; with more, one row per pair and their mean, Light's kappa, on the all-coders row) and
Krippendorff's alpha (nominal, any number of coders, missing values allowed; the ``krippendorff``
package). A statistic that is undefined (no item rated by two coders, or only one value ever given) is None.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any, Iterable

LINK = 0.5  # minimum Jaccard index of two excerpts' ranges for them to code the same unit
OVERALL = "overall"
Matrix = Any  # one row per coder, one column per item: lists with None, or a float array with NaN, for missing


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


def _array(matrix):
    """A reliability data matrix as floats, missing values NaN (lists with None are accepted)."""
    import numpy as np

    if isinstance(matrix, np.ndarray):
        return matrix.astype(float)
    if all(isinstance(row, np.ndarray) for row in matrix):
        return np.vstack(matrix).astype(float)
    return np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float).reshape(len(matrix), -1)


def _rated(data):
    """Which items (columns) two or more coders rated."""
    import numpy as np

    return (~np.isnan(data)).sum(axis=0) >= 2


def percent_agreement(matrix: Matrix) -> float | None:
    """Agreeing coder pairs over all coder pairs, over the items two or more coders rated."""
    import numpy as np

    data = _array(matrix)
    given = (~np.isnan(data)).sum(axis=0)
    pairs = (given * (given - 1) / 2).sum()
    if not pairs:
        return None
    same = sum((n * (n - 1) / 2).sum() for n in ((data == v).sum(axis=0) for v in np.unique(data[~np.isnan(data)])))
    return float(same / pairs)


def cohen_kappa(first, second) -> float | None:
    """Cohen's kappa of two coders over the items both rated: (p_o - p_e) / (1 - p_e)."""
    import numpy as np

    data = _array([first, second])
    both = data[:, ~np.isnan(data).any(axis=0)]
    if not both.shape[1]:
        return None
    observed = float((both[0] == both[1]).mean())
    expected = float(sum((both[0] == v).mean() * (both[1] == v).mean() for v in np.unique(both)))
    return None if expected == 1 else (observed - expected) / (1 - expected)


def krippendorff_alpha(matrix: Matrix) -> float | None:
    """Krippendorff's alpha (nominal) of a reliability data matrix, missing values allowed."""
    import krippendorff
    import numpy as np

    data = _array(matrix)
    rated = data[:, _rated(data)]
    if len(np.unique(rated[~np.isnan(rated)])) < 2:
        return None  # no item two coders rated, or one value only: alpha is undefined
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def statistics(matrix: Matrix, coders: list[str]) -> dict[str, Any]:
    """Percent agreement, kappa (pairwise mean with more than two coders) and alpha of one matrix."""
    data = _array(matrix)
    kappas = [cohen_kappa(data[i], data[j]) for i, j in combinations(range(len(coders)), 2)]
    defined = [k for k in kappas if k is not None]
    return {"items": int(_rated(data).sum()), "percent_agreement": percent_agreement(data),
            "kappa": (sum(defined) / len(defined) if defined else None) if len(coders) > 2 else kappas[0],
            "alpha": krippendorff_alpha(data)}


def _cube(units: list[dict], coders: list[str], codes: list[str]):
    """Values as an array coders x units x codes (1, 0, NaN where the coder did not code the source)."""
    import numpy as np

    coder_at = {c: i for i, c in enumerate(coders)}
    code_at = {c: i for i, c in enumerate(codes)}
    cube = np.full((len(coders), len(units), len(codes)), np.nan)
    for u, unit in enumerate(units):
        for coder in unit["raters"]:
            cube[coder_at[coder], u, :] = 0
        for item in unit["excerpts"]:
            for code in item["codes"]:
                if code in code_at:
                    cube[coder_at[item["coder"]], u, code_at[code]] = 1
    return cube


def agreement(coded: dict[str, Any], protocol: dict[str, Any]) -> dict[str, Any]:
    """The agreement summary of a review's independent coding (``coders.json``): its units and one row
    per code and overall, for all coders and, with more than two, for each pair."""
    coders, units = coded["coders"], units_of(coded)
    codes = [c["id"] for c in protocol["codes"]]
    labels = {c["id"]: c["label"] for c in protocol["codes"]}
    sets = [coders] + ([list(pair) for pair in combinations(coders, 2)] if len(coders) > 2 else [])
    cube = _cube(units, coders, codes)
    rows = []
    for subset in sets if len(coders) >= 2 else []:
        index = [coders.index(c) for c in subset]
        rated = [n for n, u in enumerate(units) if sum(c in u["raters"] for c in subset) >= 2]
        one = sum(1 for n in rated if len(set(units[n]["coders"]) & set(subset)) == 1)
        sub = cube[index][:, rated, :]
        matrices = [(OVERALL, sub.reshape(len(subset), -1))] + [(code, sub[:, :, k]) for k, code in enumerate(codes)]
        for code, matrix in matrices:
            rows.append({"code": code, "label": labels.get(code, "all codes"), "coders": subset, "units": len(rated),
                         "one_coder_units": one} | statistics(matrix, subset))
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
           "percent_agreement", "statistics", "units_of"]
