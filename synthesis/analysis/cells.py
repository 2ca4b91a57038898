"""Synthesis beyond listing: the numbers behind the gap map, ratings, comparison and gaps.

:func:`analyse` is pure: evidence set in, plain data out. The tables, the
figures and the report all read it, so they always agree.
"""

from __future__ import annotations

from typing import Any

from .comparison import comparator_findings, country_rows, group_statements
from .gaps import avenues, snowball
from ..inputs.protocol import theme_pairs
from .strength import rate


def cells(protocol: dict, evidence: list[dict], sources: dict[str, dict]) -> list[dict[str, Any]]:
    """Question x code cells: every codebook pairing (gaps included) and every pairing coders made,
    each with its evidence, distinct sources and strength rating."""
    found: dict[tuple[str, str], list[dict]] = {(q["id"], c["id"]): [] for q in protocol["questions"] for c in protocol["codes"] if q["id"] in c["questions"]}
    for item in evidence:
        for pair in theme_pairs(item, protocol):
            found.setdefault(pair, []).append(item)
    q_order = {q["id"]: i for i, q in enumerate(protocol["questions"])}
    c_order = {c["id"]: i for i, c in enumerate(protocol["codes"])}
    labels = {c["id"]: c["label"] for c in protocol["codes"]}
    out = []
    for (q, c), items in sorted(found.items(), key=lambda kv: (q_order[kv[0][0]], c_order[kv[0][1]])):
        out.append({"question": q, "code": c, "label": labels[c], "excerpts": len(items),
                    "sources": len({i["citekey"] for i in items}), "evidence": [i["evidence_id"] for i in items],
                    "strength": rate(items, sources, protocol) if items else {"rating": "none", "reasons": ["no evidence"], "not_higher": [], "sources": 0, "types": []}})
    return out


def source_matrix(protocol: dict, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Sources x questions: excerpts of each source answering each question."""
    questions = [q["id"] for q in protocol["questions"]]
    counts: dict[str, dict[str, int]] = {s["citekey"]: dict.fromkeys(questions, 0) for s in data["sources"]}
    for item in data["evidence"]:
        for q in item["questions"]:
            counts[item["citekey"]][q] += 1
    return [{"citekey": s["citekey"], "citation": s["citation"], "by_question": counts[s["citekey"]]} for s in data["sources"]]


def analyse(data: dict[str, Any]) -> dict[str, Any]:
    """Gap-map cells, country coverage, comparator statements, research avenues and snowball candidates."""
    protocol, evidence = data["protocol"], data["evidence"]
    sources = {s["citekey"]: s for s in data["sources"]}
    grid = cells(protocol, evidence, sources)
    countries = country_rows(protocol, evidence, sources)
    groups = group_statements(protocol, countries)
    return {
        "cells": grid,
        "countries": countries,
        "groups": groups,
        "comparators": comparator_findings(countries, evidence),
        "avenues": avenues(protocol, grid, groups, evidence, sources),
        "snowball": snowball(data),
        "source_matrix": source_matrix(protocol, data),
    }


__all__ = ["analyse", "cells", "source_matrix"]
