"""Where the evidence is, in one pass over the excerpts: the gap map's columns and cells, the country rows,
the snowball of works cited and the sources-by-questions matrix, as :func:`~.gapmap.gap_columns`,
:func:`~.gapmap.gap_map`, :func:`~.comparison.country_rows` (of the excerpts that are evidence),
:func:`~.gaps.snowball` and :func:`~.cells.source_matrix` give them one pass each (five passes over 100,000
excerpts at 5,000 sources, each looking up the excerpt's source again). tests/test_fast_paths.py checks that
they are the same.
"""

from __future__ import annotations

from typing import Any, TypedDict

from .comparison import rows_of
from .gapmap import cells_of, columns_of
from .gaps import snowball_rows
from .shapes import GapCell


class Coverage(TypedDict):
    gap_columns: list[str]
    gap_map: list[GapCell]
    countries: list[dict[str, Any]]
    snowball: list[dict[str, Any]]
    source_matrix: list[dict[str, Any]]


def matrix_rows(data: dict[str, Any], counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """The sources-by-questions rows from each source's excerpts by question."""
    return [{"citekey": s["citekey"], "citation": s["citation"], "role": s["role"], "by_question": counts[s["citekey"]]}
            for s in data["sources"]]


def coverage(data: dict[str, Any]) -> Coverage:
    """The five of the evidence set ``data`` (see the module's docstring)."""
    protocol = data["protocol"]
    sources = {s["citekey"]: s for s in data["sources"]}
    questions = [q["id"] for q in protocol["questions"]]
    counts: dict[str, dict[str, int]] = {key: dict.fromkeys(questions, 0) for key in sources}
    documents: dict[str, set[str]] = {}
    cells: dict[tuple[str, str], tuple[set, set, set, list]] = {}
    by_country: dict[str, tuple[dict[str, str], dict[str, int]]] = {}
    cited_by: dict[str, set[str]] = {}
    excerpts: dict[str, list[str]] = {}
    for item in data["evidence"]:
        citekey, evidence_id, asked = item["citekey"], item["evidence_id"], item["questions"]
        source = sources[citekey]
        counted = counts[citekey]
        for q in asked:
            counted[q] += 1
        for key in item["cites"]:
            if key not in sources:  # a work that is not itself a source
                cited_by.setdefault(key, set()).add(citekey)
                excerpts.setdefault(key, []).append(evidence_id)
        role = source["role"]
        if role == "protocol":  # not evidence: only the matrix and the snowball count it
            continue
        study = item.get("study") or (citekey if role == "primary" else None)  # study_of
        codes = item["codes"]
        for country in item["countries"] or source["countries"]:  # countries_of
            found = documents.get(country)
            if found is None:
                found = documents[country] = set()
            found.add(citekey)
            for code in codes:
                cell = cells.get((code, country))
                if cell is None:
                    cell = cells[(code, country)] = (set(), set(), set(), [])
                cell[0].add(citekey)
                if study:
                    cell[1].add(study)
                cell[2].add(role)
                cell[3].append(evidence_id)
            if asked:
                row = by_country.get(country)
                if row is None:
                    row = by_country[country] = ({}, {})
                for q in asked:
                    row[0][evidence_id] = citekey
                    row[1][q] = row[1].get(q, 0) + 1
    columns = columns_of(protocol, documents)
    return {"gap_columns": columns, "gap_map": cells_of(protocol, cells, columns),
            "countries": rows_of(protocol, by_country), "snowball": snowball_rows(data, cited_by, excerpts),
            "source_matrix": matrix_rows(data, counts)}


__all__ = ["Coverage", "coverage", "matrix_rows"]
