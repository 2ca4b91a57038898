"""Claims: every report statement that rests on evidence, with a stable id.

A claim id is built from what the claim is about, never from its position,
so it survives adding sources: ``Q1.work_first.green2023:12`` (a finding),
``Q1.work_first`` (a theme's summary), ``Q1.evidence-base`` (a question's
evidence-base sentence). Anchors in the report are the id prefixed with
``claim-``; evidence entries in the appendix are ``ev-`` plus the evidence id.
"""

from __future__ import annotations

import re
from typing import Any

from .markdown import Markdown
from ..common.problems import InputError, Problem

_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")


def anchor(prefix: str, ident: str) -> Markdown:
    """An HTML/pandoc identifier for ``ident``; unsafe characters are hex-escaped."""
    return Markdown(prefix + _UNSAFE.sub(lambda m: f"_{ord(m.group()):x}_", ident))


def claim(claim_id: str, kind: str, text: str, evidence: list[str], question: str, code: str = "") -> dict:
    """One claim record (also what provenance.json stores)."""
    return {"id": claim_id, "kind": kind, "text": text, "question": question, "code": code,
            "evidence": evidence, "anchor": anchor("claim-", claim_id)}


def collect_claims(context: dict) -> list[dict]:
    """Every claim in a report context, in report order; fail on an unsupported or duplicate claim."""
    found = []
    for section in context["sections"]:
        if section["evidence_claim"] is not None:
            found.append(section["evidence_claim"])
        for theme in section["themes"]:
            found.append(theme["claim"])
            found += [f["claim"] for f in theme["findings"]]
        found += [c["claim"] for c in section.get("commentary", []) if c["claim"]]
    if "comparison" in context:
        found += overview_claims(context)
    problems, seen = [], set()
    for item in found:
        if not item["evidence"]:
            problems.append(Problem("output/report/state-of-play.md", 1, f"claim {item['id']} has no evidence: {item['text']}"))
        if item["id"] in seen:
            problems.append(Problem("output/report/state-of-play.md", 1, f"claim id {item['id']} is used twice; make the sheet row ids distinct"))
        seen.add(item["id"])
    if problems:
        raise InputError(problems)
    return found


def overview_claims(context: dict[str, Any]) -> list[dict]:
    """The claims made in the cross-question sections."""
    comparison = context["comparison"]
    found = [s["claim"] for s in comparison["statements"] if s["claim"]]
    return found + [f["claim"] for c in comparison["countries"] for f in c["findings"]]


__all__ = ["anchor", "claim", "collect_claims", "overview_claims"]
