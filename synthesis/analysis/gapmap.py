"""The evidence gap map: themes (codes) by country, so a reader sees where evidence is and is not.

Each cell counts the documents and independent studies on a theme for a country, and says how direct the
best of it is (a primary study, a secondary report, or commentary). Comparator groups with no evidence at
all get a column of their own, so the gap is drawn rather than left out.
"""

from __future__ import annotations

from collections import defaultdict

from .comparison import settings
from .counting import countries_of, is_evidence, study_of
from .shapes import GapCell

DIRECTNESS = ("primary", "secondary", "commentary")  # most direct first


def gap_columns(protocol: dict, evidence: list[dict], sources: dict[str, dict]) -> list[str]:
    """Countries with evidence (home first, then by documents), then each comparator group with none."""
    documents: dict[str, set[str]] = defaultdict(set)
    for item in evidence:
        if is_evidence(item, sources):
            for country in countries_of(item, sources):
                documents[country].add(item["citekey"])
    home = settings(protocol)["home"]
    columns = sorted(documents, key=lambda c: (c != home, -len(documents[c]), c))
    for name, members in settings(protocol)["groups"].items():
        if not any(c in documents for c in members):
            columns.append(f"group:{name}")
    return columns


def gap_map(protocol: dict, evidence: list[dict], sources: dict[str, dict], columns: list[str]) -> list[GapCell]:
    """One cell per code and column, in codebook and column order (empty cells included)."""
    cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for item in evidence:
        if not is_evidence(item, sources):
            continue
        for country in countries_of(item, sources):
            for code in item["codes"]:
                cells[(code, country)].append(item)
    out: list[GapCell] = []
    for code in protocol["codes"]:
        for column in columns:
            items = cells.get((code["id"], column), [])
            roles = {sources[i["citekey"]]["role"] for i in items}
            out.append({"code": code["id"], "label": code["label"], "country": column,
                        "documents": len({i["citekey"] for i in items}),
                        "studies": len({s for i in items if (s := study_of(i, sources))}),
                        "directness": next((d for d in DIRECTNESS if d in roles), "none"),
                        "evidence": [i["evidence_id"] for i in items]})
    return out


__all__ = ["DIRECTNESS", "gap_columns", "gap_map"]
