"""Review findings: the team's answers to a question, in ``findings/<question id>.yaml``.

A file holds the question's short answer and its review findings; each finding names the evidence ids it
rests on and carries a GRADE-CERQual assessment (a concern for each of four components, then the overall
confidence, each with its explanation). A statement of absence is an evidence gap (``kind: gap``): CERQual
assesses what the evidence shows, not what it lacks, so a gap has no assessment. Format: docs/formats.md,
"Review findings".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..common.problems import InputError, Problem, suggest
from .door import read_input
from . import yamlio
from .schemacheck import schema_problems, shipped_schema

COMPONENTS = ("methodological_limitations", "coherence", "adequacy", "relevance")
CONCERNS = ("no_or_very_minor", "minor", "moderate", "serious")
CONFIDENCE = ("high", "moderate", "low", "very_low")
KINDS = ("finding", "gap")
# Words for people (the report never shows the ids above).
WORDS = {
    "methodological_limitations": "Methodological limitations", "coherence": "Coherence", "adequacy": "Adequacy",
    "relevance": "Relevance", "no_or_very_minor": "no or very minor concerns", "minor": "minor concerns",
    "moderate": "moderate concerns", "serious": "serious concerns", "high": "high", "low": "low", "very_low": "very low",
}
LEGACY_COMMENTARY = ("team commentary is now written as review findings: move each paragraph of {path} into a finding "
                     "of findings/{stem}.yaml, with the evidence ids it cites as the finding's evidence (docs/formats.md, \"Review findings\")")


def parse_findings(text: str, path: str, question_ids: list[str], coders: list[str] | None) -> dict[str, Any]:
    """One findings file, checked on its own; raise :class:`InputError` with every problem."""
    data, node = yamlio.load(text, path)
    problems = schema_problems(shipped_schema("findings.schema.json"), data, node, path)
    stem = Path(path).stem
    if stem not in question_ids:
        problems.append(Problem(path, 1, f"no question '{stem}': name the file after a question id ({suggest(stem, question_ids)})"))
    if problems:
        raise InputError(problems)
    line = lambda *keys: yamlio.line_of(node, list(keys))  # noqa: E731
    if data["question"] != stem:
        problems.append(Problem(path, line("question"), f"question: '{data['question']}' differs from the file name; this file answers {stem}"))
    seen: dict[str, int] = {}
    findings = []
    for n, item in enumerate(data["findings"]):
        if item["id"] in seen:
            problems.append(Problem(path, line("findings", n, "id"), f"finding id '{item['id']}' is used twice (first on line {seen[item['id']]})"))
        seen.setdefault(item["id"], line("findings", n, "id"))
        for k, author in enumerate(item["authors"]):
            if coders is not None and author not in coders:
                problems.append(Problem(path, line("findings", n, "authors", k), f"finding {item['id']}: unknown author '{author}' (authors are coders declared in review.yaml): {suggest(author, coders)}"))
        listed: dict[str, int] = {}
        for k, evidence_id in enumerate(item.get("evidence", [])):  # a repeat would inflate the counts beside the judgements
            at = line("findings", n, "evidence", k)
            if evidence_id in listed:
                problems.append(Problem(path, at, f"finding {item['id']}: evidence id '{evidence_id}' is listed more than once (first on line {listed[evidence_id]}): list each excerpt once"))
            listed.setdefault(evidence_id, at)
        kind = item.get("kind", "finding")
        cerqual = item.get("cerqual")
        if kind == "finding" and cerqual is None:
            problems.append(Problem(path, line("findings", n, "id"), f"finding {item['id']}: no cerqual assessment: a review finding needs one "
                                    "(a statement that evidence is absent is an evidence gap: write kind: gap and no cerqual)"))
            continue
        if kind == "gap" and cerqual is not None:
            problems.append(Problem(path, line("findings", n, "cerqual"), f"finding {item['id']} is an evidence gap (kind: gap), which has no confidence "
                                    "rating: CERQual assesses what evidence shows, not its absence; remove cerqual"))
            continue
        findings.append({
            "id": item["id"], "kind": kind, "question": stem, "line": line("findings", n, "id"), "statement": " ".join(item["statement"].split()),
            "evidence": list(item["evidence"]), "evidence_lines": [line("findings", n, "evidence", k) for k in range(len(item["evidence"]))],
            "authors": list(item["authors"]), "status": item["status"],
            "components": {c: {"concern": cerqual[c]["concern"], "explanation": " ".join(cerqual[c]["explanation"].split()),
                               "line": line("findings", n, "cerqual", c, "concern")} for c in COMPONENTS} if cerqual else None,
            "overall": {"confidence": cerqual["overall"]["confidence"], "explanation": " ".join(cerqual["overall"]["explanation"].split()),
                        "line": line("findings", n, "cerqual", "overall", "confidence")} if cerqual else None,
            "addresses": list(item.get("addresses", [])), "addresses_line": line("findings", n, "addresses"),
        })
    if problems:
        raise InputError(problems)
    return {"question": stem, "path": path, "answer": " ".join(data["answer"].split()), "answer_line": line("answer"), "findings": findings}


def load_findings(paths: list[str], question_ids: list[str], coders: list[str] | None) -> tuple[dict[str, dict], list[Problem]]:
    """Every findings file by question id, with their SHA-256, and every problem in them."""
    found, problems = {}, []
    for path in paths:
        try:
            text, sha = read_input(path)
            found[Path(path).stem] = parse_findings(text, path, question_ids, coders) | {"sha256": sha}
        except InputError as err:
            problems += err.problems
    return found, problems


def reference_problems(findings: dict[str, dict], evidence_ids: set[str], protocol_keys: set[str]) -> list[Problem]:
    """Findings must rest on evidence that exists and is evidence (not the review's own framing document),
    and finding ids must be unique across the review."""
    problems, first = [], {}
    for record in findings.values():
        for finding in record["findings"]:
            other = first.setdefault(finding["id"], f"{record['path']}:{finding['line']}")
            if other != f"{record['path']}:{finding['line']}":
                problems.append(Problem(record["path"], finding["line"], f"finding id '{finding['id']}' is also used at {other}"))
            for evidence_id, line in zip(finding["evidence"], finding["evidence_lines"]):
                citekey = evidence_id.rpartition(":")[0]
                if evidence_id not in evidence_ids:
                    problems.append(Problem(record["path"], line, f"finding {finding['id']}: unknown evidence id '{evidence_id}': {suggest(evidence_id, sorted(evidence_ids))}"))
                elif citekey in protocol_keys:
                    problems.append(Problem(record["path"], line, f"finding {finding['id']}: {evidence_id} is from {citekey}, the review's protocol document: it frames the questions but is not evidence"))
    return problems


def legacy_commentary_problems(paths: list[str]) -> list[Problem]:
    """Commentary files from before review findings: say how to move them."""
    return [Problem(p, 1, LEGACY_COMMENTARY.format(path=p, stem=Path(p).stem)) for p in paths]


__all__ = ["COMPONENTS", "CONCERNS", "CONFIDENCE", "KINDS", "WORDS", "legacy_commentary_problems", "load_findings", "parse_findings", "reference_problems"]
