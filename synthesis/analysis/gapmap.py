"""The evidence gap map: themes (codes) by country, so a reader sees where evidence is and is not.

Each cell counts the documents and independent studies on a theme for a country, and says how direct the
best of it is (a primary study, a secondary report, or commentary). Comparator groups with no evidence at
all get a column of their own, so the gap is drawn rather than left out.
"""

from __future__ import annotations

from collections import defaultdict

from .comparison import settings
from .counting import countries_of, is_evidence
from .shapes import GapCell

DIRECTNESS = ("primary", "secondary", "commentary")  # most direct first


def gap_columns(protocol: dict, evidence: list[dict], sources: dict[str, dict]) -> list[str]:
    """Countries with evidence (home first, then by documents), then each comparator group with none."""
    documents: dict[str, set[str]] = defaultdict(set)
    for item in evidence:
        if is_evidence(item, sources):
            for country in countries_of(item, sources):
                documents[country].add(item["citekey"])
    return columns_of(protocol, documents)


def columns_of(protocol: dict, documents: dict[str, set[str]]) -> list[str]:
    """The columns of countries with these documents (by country), then the comparator groups with none."""
    home = settings(protocol)["home"]
    columns = sorted(documents, key=lambda c: (c != home, -len(documents[c]), c))
    for name, members in settings(protocol)["groups"].items():
        if not any(c in documents for c in members):
            columns.append(f"group:{name}")
    return columns


def gap_map(protocol: dict, evidence: list[dict], sources: dict[str, dict], columns: list[str]) -> list[GapCell]:
    """One cell per code and column, in codebook and column order (empty cells included)."""
    # One pass, each cell's documents, studies, roles and excerpts gathered as the excerpts are met (100,000
    # excerpts at 5,000 sources); tests/test_fast_paths.py checks it against the passes per cell it replaced.
    cells: dict[tuple[str, str], tuple[set, set, set, list]] = {}
    for item in evidence:
        source = sources[item["citekey"]]
        role = source["role"]
        if role == "protocol":  # is_evidence
            continue
        study = item.get("study") or (item["citekey"] if role == "primary" else None)  # study_of
        for country in item["countries"] or source["countries"]:  # countries_of
            for code in item["codes"]:
                cell = cells.get((code, country))
                if cell is None:
                    cell = cells[(code, country)] = (set(), set(), set(), [])
                cell[0].add(item["citekey"])
                if study:
                    cell[1].add(study)
                cell[2].add(role)
                cell[3].append(item["evidence_id"])
    return cells_of(protocol, cells, columns)


def cells_of(protocol: dict, cells: dict[tuple[str, str], tuple[set, set, set, list]],
             columns: list[str]) -> list[GapCell]:
    """The gap map's cells from each (code, country)'s documents, studies, roles and evidence ids."""
    out: list[GapCell] = []
    empty: tuple[set, set, set, list] = (set(), set(), set(), [])
    for code in protocol["codes"]:
        for column in columns:
            documents, studies, roles, ids = cells.get((code["id"], column), empty)
            out.append({"code": code["id"], "label": code["label"], "country": column,
                        "documents": len(documents), "studies": len(studies),
                        "directness": next((d for d in DIRECTNESS if d in roles), "none"),
                        "evidence": list(ids)})
    return out


__all__ = ["DIRECTNESS", "cells_of", "columns_of", "gap_columns", "gap_map"]
