"""Country comparison: which countries each question's evidence covers, and what is missing.

review.yaml's ``comparison`` names the review's home country and groups of
comparator countries (e.g. European). An excerpt's countries are its own,
else its source's. Missing comparator evidence is stated, never glossed over.
"""

from __future__ import annotations

from typing import Any

from ..common.names import countries, country
from .counting import countries_of


def settings(protocol: dict) -> dict[str, Any]:
    """The comparison settings: home country (may be empty) and comparator groups."""
    comparison = protocol.get("comparison", {})
    return {"home": comparison.get("home", ""), "groups": comparison.get("groups", {})}


def country_rows(protocol: dict, evidence: list[dict], sources: dict[str, dict]) -> list[dict[str, Any]]:
    """Country x question: excerpts and distinct sources, home country first, then by excerpts."""
    # One pass: each country's excerpts (id -> its source, the last of an id winning) and counts per question.
    cells: dict[str, tuple[dict[str, str], dict[str, int]]] = {}
    for item in evidence:
        for country in countries_of(item, sources):
            for q in item["questions"]:
                cell = cells.get(country)
                if cell is None:
                    cell = cells[country] = ({}, {})
                cell[0][item["evidence_id"]] = item["citekey"]
                cell[1][q] = cell[1].get(q, 0) + 1
    return rows_of(protocol, cells)


def rows_of(protocol: dict, cells: dict[str, tuple[dict[str, str], dict[str, int]]]) -> list[dict[str, Any]]:
    """The country rows from each country's excerpts (evidence id -> source) and counts by question."""
    home = settings(protocol)["home"]
    questions = [q["id"] for q in protocol["questions"]]
    rows = []
    for country, (everything, by_q) in cells.items():
        rows.append({"country": country, "home": country == home,
                     "excerpts": len(everything), "sources": len(set(everything.values())),
                     "by_question": {q: by_q.get(q, 0) for q in questions},
                     "evidence": sorted(everything)})
    return sorted(rows, key=lambda r: (not r["home"], -r["excerpts"], r["country"]))


def group_statements(protocol: dict, rows: list[dict]) -> list[dict[str, Any]]:
    """For each comparator group: the countries covered, or an explicit statement that none is."""
    covered = {r["country"]: r for r in rows if not r["home"]}
    statements = []
    for name, members in settings(protocol)["groups"].items():
        present = [covered[c] for c in members if c in covered]
        if present:
            listed = ", ".join(f"{country(r['country'])} ({r['excerpts']} excerpt{'s' if r['excerpts'] != 1 else ''})" for r in present)
            text = f"{name} comparators covered: {listed}."
        else:
            others = sorted(c for c in covered if c not in members)
            also = f" The only comparator evidence is from {countries(others)}, outside this group." if others else " No comparator country is covered at all."
            text = f"No excerpt concerns a {name} comparator country ({countries(members)}).{also}"
        statements.append({"group": name, "covered": [r["country"] for r in present], "text": text,
                           "evidence": sorted({e for r in present for e in r["evidence"]})})
    return statements


__all__ = ["country_rows", "group_statements", "rows_of", "settings"]
