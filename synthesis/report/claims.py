"""Claims: every report statement that rests on evidence, with a stable id.

A claim id is built from what the claim is about, never from its position, so it survives adding
sources: ``Q1-F2`` (a review finding, the team's own id), ``Q1.answer`` (a question's answer),
``Q1.work_first.green2023:12`` (an excerpt's one-line finding under a theme), ``Q1.work_first`` (a
theme's summary), ``Q1.evidence-base`` (a question's evidence-base sentence), ``compare.European`` (a
comparison statement). Anchors in the report are the id prefixed with ``claim-``; evidence entries in
the appendix are ``ev-`` plus the evidence id.
"""

from __future__ import annotations

import re
from typing import Any

from ..common.problems import InputError, Problem
from .markdown import Markdown

_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")
REPORT = "output/report/state-of-play.md"


def anchor(prefix: str, ident: str) -> Markdown:
    """An HTML/pandoc identifier for ``ident``; unsafe characters are hex-escaped."""
    return Markdown(prefix + _UNSAFE.sub(lambda m: f"_{ord(m.group()):x}_", ident))


class Claims:
    """The claims of one report, in report order, as the context is built."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, claim_id: str, kind: str, text: str, evidence: list[str], question: str, code: str = "", **extra: Any) -> dict[str, Any]:
        """Record a claim and return it (templates print its anchor and id)."""
        made = {"id": claim_id, "kind": kind, "text": text, "question": question, "code": code,
                "evidence": list(evidence), "anchor": anchor("claim-", claim_id), **extra}
        self.items.append(made)
        return made

    def citing(self, kinds: tuple[str, ...] | None = None) -> dict[str, list[dict[str, Any]]]:
        """Evidence id -> the claims that cite it, in report order (for the appendix's back-links); only claims
        of ``kinds`` when given (a theme's summary cites each of its excerpts: most of the pairs)."""
        found: dict[str, list[dict[str, Any]]] = {}
        for item in self.items:
            if kinds is None or item["kind"] in kinds:
                for evidence_id in item["evidence"]:
                    found.setdefault(evidence_id, []).append(item)
        return found

    def checked(self) -> list[dict[str, Any]]:
        """Every claim; fail on one without evidence or an id used twice."""
        problems, seen = [], set()
        for item in self.items:
            if not item["evidence"]:
                problems.append(Problem(REPORT, 1, f"claim {item['id']} has no evidence: {item['text']}"))
            if item["id"] in seen:
                problems.append(Problem(REPORT, 1, f"claim id {item['id']} is used twice; make the sheet row ids distinct"))
            seen.add(item["id"])
        if problems:
            raise InputError(problems)
        return self.items


__all__ = ["Claims", "anchor"]
