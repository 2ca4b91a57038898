"""Team commentary: ``commentary/<question id>.md``, short Markdown the team writes.

Each paragraph is a claim and must cite evidence ids as ``[ev:green2023:12]``
(several: ``[ev:green2023:12; ev:ray2017:3]``). Unknown ids and paragraphs
without evidence are errors, like any other unsupported claim.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..common.problems import InputError, Problem, suggest
from ..common.textio import read_text

REFERENCE = re.compile(r"\[ev:([^\]]+)\]")
_BREAK = re.compile(r"\n[ \t]*\n")


def references(text: str) -> list[str]:
    """Evidence ids cited in ``text``, in order."""
    ids = []
    for group in REFERENCE.findall(text):
        ids += [part.strip().removeprefix("ev:").strip() for part in group.split(";") if part.strip()]
    return ids


def parse_commentary(text: str, path: str, question_ids: list[str], evidence_ids: set[str]) -> list[dict[str, Any]]:
    """Paragraphs of one commentary file with their evidence; raise on any problem."""
    problems = []
    stem = Path(path).stem
    if stem not in question_ids:
        problems.append(Problem(path, 1, f"no question '{stem}': name the file after a question id ({suggest(stem, question_ids)})"))
    paragraphs, pos = [], 0
    text = text.replace("\r\n", "\n")
    for match in list(_BREAK.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        block = text[pos:end]
        line = text.count("\n", 0, pos + len(block) - len(block.lstrip("\n"))) + 1
        pos = match.end() if match else len(text)
        if not block.strip():
            continue
        if block.lstrip().startswith("#"):
            paragraphs.append({"line": line, "text": block.strip(), "heading": True, "evidence": []})
            continue
        cited = references(block)
        for evidence_id in cited:
            if evidence_id not in evidence_ids:
                problems.append(Problem(path, line, f"unknown evidence id '{evidence_id}': {suggest(evidence_id, sorted(evidence_ids))}"))
        if not cited:
            problems.append(Problem(path, line, "this paragraph cites no evidence: add the evidence ids it rests on, e.g. [ev:citekey:1]"))
        paragraphs.append({"line": line, "text": block.strip(), "heading": False, "evidence": cited})
    if problems:
        raise InputError(problems)
    return paragraphs


def load_commentary(paths: list[str], question_ids: list[str], evidence_ids: set[str]) -> tuple[dict[str, list[dict]], list[Problem]]:
    """All commentary files by question id, and every problem in them."""
    found, problems = {}, []
    for path in paths:
        try:
            found[Path(path).stem] = parse_commentary(read_text(path)[0], path, question_ids, evidence_ids)
        except InputError as err:
            problems += err.problems
    return found, problems



__all__ = ["load_commentary", "parse_commentary", "references"]
