"""A question's evidence by theme: each theme's rating and its excerpts' one-line findings, each excerpt
shown once per question (under its first theme), linked to its quote in the appendix."""

from __future__ import annotations

from typing import Any

from ..analysis.shapes import Cell
from . import words
from .claims import Claims, anchor
from .markdown import Markdown, citation, locator


def spread(items: list[dict], limit: int) -> list[dict]:
    """At most ``limit`` items, taken round-robin across sources so the sample covers many
    sources, returned in their original order (deterministic)."""
    if len(items) <= limit:
        return items
    queues: dict[str, list[int]] = {}
    for n, item in enumerate(items):
        queues.setdefault(item["citekey"], []).append(n)
    chosen: list[int] = []
    depth = 0
    while len(chosen) < limit:
        for positions in queues.values():
            if depth < len(positions) and len(chosen) < limit:
                chosen.append(positions[depth])
        depth += 1
    return [items[n] for n in sorted(chosen)]


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
        members = [by_id[e] for e in cell["facts"]["evidence"]]
        fresh, earlier = [], []  # not listed under an earlier theme, and listed there
        for item in members:
            (earlier if item["evidence_id"] in shown_in else fresh).append(item)
        for item in fresh:
            shown_in[item["evidence_id"]] = cell["label"]
        listed = spread(fresh, limit)
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
            "elsewhere": sorted({shown_in[i["evidence_id"]] for i in earlier}), "elsewhere_count": len(earlier),
        })
    return themes


__all__ = ["rating_words", "spread", "strength_words", "theme_sections"]
