"""The review protocol (``review.yaml``): schema check plus cross-references."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import yamlio
from ..common.problems import COUNTRY_ALIASES, InputError, Problem, raise_if_any, suggest
from .schemacheck import where_of, schema_problems, shipped_schema
from .styles import csl_problems
from .door import read_input

# Question ids name output tables (output/tables/<id>.csv); these names are taken.
RESERVED_QUESTION_IDS = ("evidence", "cells", "gap-map", "findings", "sources-questions", "countries", "gaps", "avenues", "snowball")


def schema() -> dict[str, Any]:
    """The JSON Schema that ``review.yaml`` must satisfy (shipped in the package)."""
    return shipped_schema("review.schema.json")


def load_protocol(path: str) -> dict[str, Any]:
    """Read and validate ``review.yaml``; raise :class:`InputError` listing every problem."""
    text, _sha = read_input(path)
    data, node = yamlio.load(text, path)
    return validate_protocol(data, node, path)


def validate_protocol(data: Any, node, path: str) -> dict[str, Any]:
    """Validate parsed protocol data (``node`` gives line numbers)."""
    problems = schema_problems(schema(), data, node, path)
    if isinstance(data, dict):
        problems += _cross_reference_problems(data, node, path)
    raise_if_any(problems)
    return data


def _items(data: dict, key: str) -> list[dict]:
    # Cross-checks run even when the schema check failed, so read defensively.
    value = data.get(key)
    return [item if isinstance(item, dict) else {} for item in value] if isinstance(value, list) else []


def _cross_reference_problems(data: dict, node, path: str) -> list[Problem]:
    problems = []
    for kind in ("questions", "codes"):
        seen: dict[str, int] = {}
        for i, item in enumerate(_items(data, kind)):
            if not isinstance(item.get("id"), str):
                continue
            # Ids that differ only in case would share a table file on macOS and Windows.
            folded = item["id"].lower()
            if folded in seen:
                problems.append(Problem(path, yamlio.line_of(node, [kind, i, "id"]), f"{kind}[{i}].id: duplicate id '{item['id']}' (first used in {kind}[{seen[folded]}]; ids must differ in more than case)"))
            seen.setdefault(folded, i)
            if kind == "questions" and folded in RESERVED_QUESTION_IDS:
                problems.append(Problem(path, yamlio.line_of(node, [kind, i, "id"]), f"{kind}[{i}].id: '{item['id']}' is reserved for an output table; choose another id"))
    question_ids = [q.get("id") for q in _items(data, "questions")]
    for i, code in enumerate(_items(data, "codes")):
        listed = code.get("questions")
        for j, qid in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(qid, str) and qid not in question_ids:
                problems.append(Problem(path, yamlio.line_of(node, ["codes", i, "questions", j]), f"codes[{i}].questions: unknown question '{qid}': {suggest(qid, [q for q in question_ids if isinstance(q, str)])}"))
    vocabularies = data.get("vocabularies")
    for column, values in (vocabularies.items() if isinstance(vocabularies, dict) else []):
        if not isinstance(values, list):
            continue
        for value in sorted({str(v) for v in values if values.count(v) > 1}):
            problems.append(Problem(path, yamlio.line_of(node, ["vocabularies", column]), f"vocabularies.{column}: '{value}' is listed twice"))
    problems += _synthesis_problems(data, node, path)
    report = data.get("report")
    if isinstance(report, dict) and isinstance(report.get("csl"), str) and report["csl"]:
        problems += csl_problems(report["csl"], path, yamlio.line_of(node, ["report", "csl"]), Path(path).parent)
    return problems


def _synthesis_problems(data: dict, node, path: str) -> list[Problem]:
    # Values used by the strength rules and the comparison must exist in the vocabularies.
    problems = []
    vocabularies = data.get("vocabularies") if isinstance(data.get("vocabularies"), dict) else {}
    strength = data.get("strength") if isinstance(data.get("strength"), dict) else {}
    checks = [(["strength", "evaluation_types"], strength.get("evaluation_types"), "evidence_type"),
              (["strength", "evaluation_designs"], strength.get("evaluation_designs"), "study_design")]
    for i, question in enumerate(_items(data, "questions")):
        scope = question.get("scope") if isinstance(question.get("scope"), dict) else {}
        checks.append((["questions", i, "scope", "countries"], scope.get("countries"), "countries"))
    comparison = data.get("comparison") if isinstance(data.get("comparison"), dict) else {}
    checks.append((["comparison", "home"], [comparison.get("home")] if isinstance(comparison.get("home"), str) else [], "countries"))
    for name, members in (comparison.get("groups") or {}).items() if isinstance(comparison.get("groups"), dict) else []:
        checks.append((["comparison", "groups", name], members, "countries"))
    for keys, values, vocabulary in checks:
        allowed = vocabularies.get(vocabulary)
        if not isinstance(values, list) or not isinstance(allowed, list):
            continue
        for i, value in enumerate(values):
            if isinstance(value, str) and value not in allowed:
                where = where_of(keys)
                problems.append(Problem(path, yamlio.line_of(node, keys), f"{where}: '{value}' is not in vocabularies.{vocabulary}: {suggest(value, [str(a) for a in allowed], aliases=COUNTRY_ALIASES)}"))
    ratings = strength.get("ratings")
    if isinstance(ratings, list) and any(isinstance(r, dict) and r.get("requires_evaluation") for r in ratings) \
            and not strength.get("evaluation_types") and not strength.get("evaluation_designs"):
        problems.append(Problem(path, yamlio.line_of(node, ["strength", "ratings"]), "strength.ratings: a rule requires_evaluation, but neither strength.evaluation_designs nor strength.evaluation_types lists what counts as an evaluation"))
    seen: dict[str, int] = {}
    for i, coder in enumerate(_items(data, "coders")):
        ident = coder.get("id")
        if isinstance(ident, str):
            if ident in seen:
                problems.append(Problem(path, yamlio.line_of(node, ["coders", i, "id"]), f"coders[{i}].id: duplicate id '{ident}' (first used in coders[{seen[ident]}])"))
            seen.setdefault(ident, i)
    return problems


def theme_pairs(item: dict, protocol: dict, mapped: dict[str, list[str]] | None = None) -> list[tuple[str, str]]:
    """The (question, code) pairs an excerpt informs.

    A code informs the excerpt's questions that the codebook maps it to. A
    question the coder named explicitly that none of the excerpt's codes maps
    to is paired with all of them: the coder's judgement wins over the codebook.
    ``mapped``: each code's questions, when the caller made it once for many excerpts.
    """
    if "pairs" in item:  # computed once by the evidence stage
        return [tuple(pair) for pair in item["pairs"]]
    if mapped is None:
        mapped = {c["id"]: c["questions"] for c in protocol["codes"]}
    pairs = []
    for q in item["questions"]:
        codes = [c for c in item["codes"] if q in mapped.get(c, [])] or item["codes"]
        pairs += [(q, c) for c in codes]
    return pairs


def coder_ids(protocol: dict) -> list[str] | None:
    """Declared coder ids, or None when the protocol declares no coders (then any name is accepted)."""
    coders = protocol.get("coders")
    return [c["id"] for c in coders] if coders else None


def draft_coders(protocol: dict) -> set[str]:
    """Ids of coders declared as draft (e.g. automated first-pass coding)."""
    return {c["id"] for c in protocol.get("coders") or [] if c.get("draft")}


def question_ids(protocol: dict) -> list[str]:
    """Question ids in protocol order."""
    return [q["id"] for q in protocol["questions"]]


def code_ids(protocol: dict) -> list[str]:
    """Code ids in codebook order."""
    return [c["id"] for c in protocol["codes"]]


__all__ = ["InputError", "code_ids", "coder_ids", "draft_coders", "theme_pairs", "load_protocol", "question_ids", "schema", "validate_protocol"]
