"""A question's evidence by theme: each theme's rating and its excerpts' one-line findings, each excerpt
shown once per question (under its first theme), linked to its quote in the appendix."""

from __future__ import annotations

from typing import Any

from ..analysis.shapes import Cell
from . import words
from .claims import Claims, anchor
from .markdown import Markdown, citation, locator


def spread(ids: list[str], by_id: dict[str, dict], limit: int) -> list[dict]:
    """At most ``limit`` of the items of ``ids`` (``by_id``: the evidence by id), taken round-robin across
    sources so the sample covers many sources, returned in their original order (deterministic)."""
    if len(ids) <= limit:
        return [by_id[e] for e in ids]
    queues: dict[str, list[int]] = {}
    for n, item_id in enumerate(ids):
        citekey = by_id[item_id]["citekey"]
        positions = queues.get(citekey)
        if positions is not None:
            positions.append(n)
            continue
        queues[citekey] = [n]
        # The first round alone fills the sample once ``limit`` sources have items: each one's first, in order
        # (a theme at 5,000 sources lists thousands of items, and shows a few).
        if len(queues) == limit:
            return [by_id[ids[found[0]]] for found in queues.values()]
    chosen: list[int] = []
    depth = 0
    while len(chosen) < limit:
        for positions in queues.values():
            if depth < len(positions) and len(chosen) < limit:
                chosen.append(positions[depth])
        depth += 1
    return [by_id[ids[n]] for n in sorted(chosen)]


def strength_words(cell: Cell) -> str:
    """The rating and, briefly, why; the rules themselves are explained once, in the method section."""
    rating = cell["strength"]
    if rating["capped"] and rating["uncapped"]:
        return f"{rating['rating']}, capped: no primary evidence (the rules alone would give {rating['uncapped']})"
    if rating["capped"]:
        return f"{rating['rating']}, capped: no evidence from the question's scope"
    return f"{rating['rating']}: {'; '.join(rating['reasons'])}"


def rating_words(cell: Cell) -> str:
    facts = cell["facts"]
    primary = words.plural(facts["primary"], "primary excerpt") if facts["primary"] else "no primary excerpt"
    counted = f"{words.plural(len(facts['documents']), 'document')}; {words.studies(facts)}; {primary}"
    return f"{counted}; strength of evidence {strength_words(cell)}"


def theme_sections(question: dict, cells: list[Cell], by_id: dict[str, dict], codes: dict[str, dict],
                   limit: int, claims: Claims) -> list[dict[str, Any]]:
    """The themes of one question with evidence, in codebook order; ``by_id``: the evidence by id (made once
    for every question: 100,000 excerpts at 5,000 sources)."""
    qid = question["id"]
    shown_in: dict[str, str] = {}  # evidence id -> the theme that lists it
    themes = []
    for cell in cells:
        if cell["question"] != qid or not cell["facts"]["excerpts"]:
            continue
        ids = cell["facts"]["evidence"]
        fresh = [e for e in ids if e not in shown_in]  # not listed under an earlier theme
        elsewhere = sorted({shown_in[e] for e in ids if e in shown_in}) if len(fresh) < len(ids) else []
        shown_in.update(dict.fromkeys(fresh, cell["label"]))
        listed = spread(fresh, by_id, limit)
        summary = rating_words(cell)
        made = claims.add(f"{qid}.{cell['code']}", "theme-summary", f"{cell['label']}: {summary}.", cell["facts"]["evidence"], qid, cell["code"])
        lines = []
        for item in listed:
            line_claim = claims.add(f"{qid}.{cell['code']}.{item['evidence_id']}", "finding", item["finding"], [item["evidence_id"]], qid, cell["code"])
            lines.append({"finding": item["finding"], "citation": citation(item["citekey"], locator(item)), "claim": line_claim,
                          "evidence_id": item["evidence_id"], "evidence_anchor": anchor("ev-", item["evidence_id"])})
        themes.append({
            "code": cell["code"], "label": cell["label"], "definition": codes[cell["code"]]["definition"],
            "anchor": Markdown(f"q-{qid}-{cell['code']}"), "summary": summary, "claim": made, "strength": cell["strength"],
            "lines": lines, "more": len(fresh) - len(listed),
            "elsewhere": elsewhere, "elsewhere_count": len(ids) - len(fresh),
        })
    return themes


__all__ = ["rating_words", "spread", "strength_words", "theme_sections"]
