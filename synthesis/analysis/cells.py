"""The analysis, computed once: theme cells with their facts and ratings, the gap map, the country
comparison, review findings checked against their facts, research avenues and snowball candidates.

:func:`analyse` is pure: evidence set in, an :class:`~synthesis.analysis.shapes.Analysis` out. The tables,
the figure, the report and provenance all read the same analysis, so they always agree.
"""

from __future__ import annotations

from typing import Any

from ..common.problems import InputError, split
from ..inputs.protocol import theme_pairs
from .comparison import group_statements
from .coverage import coverage, matrix_rows
from .counting import Counted, agreement_column, counted_values, facts, is_evidence, scope_of
from .findings import assess_findings
from .gaps import avenues, gaps
from .shapes import Analysis, Cell, Facts
from .strength import rate
from .tallies import Tally, cell_of, facts_of, question_name


def scope_text(question: dict) -> str:
    return question["scope"]["description"] if question.get("scope") else ""


def study_years(data: dict[str, Any]) -> dict[str, str]:
    """Each bibliography entry's year, for the years of the evidence when no period is coded."""
    return {k: e.get("year", "") for k, e in data.get("bibliography", {}).items()}


def cells(protocol: dict, evidence: list[dict], sources: dict[str, dict], years: dict[str, str] | None = None,
          values: dict[int, Counted] | None = None) -> list[Cell]:
    """Question x code cells: every codebook pairing (gaps included) and every pairing coders made,
    each with its facts and rating. Excerpts of the protocol document are not evidence and count nowhere.
    ``values``: the excerpts' :func:`~.counting.counted_values` (computed here when not given)."""
    found: dict[tuple[str, str], list[dict]] = {pair: [] for pair in _codebook_pairs(protocol)}
    for item in evidence:
        if is_evidence(item, sources):
            for pair in theme_pairs(item, protocol):
                found.setdefault(pair, []).append(item)
    questions = {q["id"]: q for q in protocol["questions"]}
    column = agreement_column(protocol)
    values = values if values is not None else counted_values(evidence, sources, column, years)
    return _laid_out(protocol, {(q, c): facts(items, sources, scope_of(questions[q]), column, years, values)
                                for (q, c), items in found.items()})


def tallied_cells(protocol: dict, tallies: dict[str, Tally], order: list[str]) -> list[Cell]:
    """:func:`cells` read off the review's tallies (:mod:`.tallies`); ``order``: the sources' citekeys in the
    evidence set's order."""
    names = {pair: name for name in tallies if (pair := cell_of(name))}
    pairs = set(_codebook_pairs(protocol)) | set(names)
    return _laid_out(protocol, {pair: facts_of(tallies.get(names.get(pair)), order) for pair in pairs})


def _codebook_pairs(protocol: dict) -> list[tuple[str, str]]:
    """Every pairing of a question and a code the codebook maps to it (a cell even without evidence)."""
    return [(q["id"], c["id"]) for q in protocol["questions"] for c in protocol["codes"]
            if q["id"] in c["questions"]]


def _laid_out(protocol: dict, counted: dict[tuple[str, str], Facts]) -> list[Cell]:
    """The cells of these facts by (question, code), in the protocol's order, each rated."""
    questions = {q["id"]: q for q in protocol["questions"]}
    q_order = {q["id"]: i for i, q in enumerate(protocol["questions"])}
    c_order = {c["id"]: i for i, c in enumerate(protocol["codes"])}
    labels = {c["id"]: c["label"] for c in protocol["codes"]}
    return [{"question": q, "code": c, "label": labels[c], "facts": counted[(q, c)],
             "strength": rate(counted[(q, c)], protocol, scope_text(questions[q]))}
            for q, c in sorted(counted, key=lambda pair: (q_order[pair[0]], c_order[pair[1]]))]


def source_matrix(protocol: dict, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Sources x questions: excerpts of each source answering each question."""
    questions = [q["id"] for q in protocol["questions"]]
    counts: dict[str, dict[str, int]] = {s["citekey"]: dict.fromkeys(questions, 0) for s in data["sources"]}
    for item in data["evidence"]:
        for q in item["questions"]:
            counts[item["citekey"]][q] += 1
    return matrix_rows(data, counts)


def analyse(data: dict[str, Any], tallied: tuple[dict[str, Tally], list[str]] | None = None) -> Analysis:
    """Everything the outputs show that is computed rather than coded. Raises :class:`InputError` when a
    review finding's judgement breaks a rule no explanation can answer; warnings are kept in the result.
    ``tallied``: the evidence set's tallies (:mod:`.kept_tallies`) and its sources' order, which give the
    cells' and questions' facts without counting every excerpt again."""
    protocol, evidence = data["protocol"], data["evidence"]
    sources = {s["citekey"]: s for s in data["sources"]}
    column = agreement_column(protocol)
    years = study_years(data)
    if tallied is not None:
        tallies, order = tallied
        values = None  # the findings count their own excerpts
        grid = tallied_cells(protocol, tallies, order)
        per_question = {q["id"]: facts_of(tallies.get(question_name(q["id"])), order)
                        for q in protocol["questions"]}
    else:
        values = counted_values(evidence, sources, column, years)  # once: every count below reads them
        grid = cells(protocol, evidence, sources, years, values)
        per_question = {q["id"]: facts([i for i in evidence if q["id"] in i["questions"]], sources, scope_of(q),
                                       column, years, values)
                        for q in protocol["questions"]}
    covered = coverage(data)  # the gap map, countries, snowball and matrix in one pass
    countries = covered["countries"]
    groups = group_statements(protocol, countries)
    columns = covered["gap_columns"]
    assessed, problems = assess_findings(data.get("findings", []), evidence, sources, protocol, years,
                                         data.get("appraisals", []), values)
    errors, warnings = split(problems)
    if errors:
        raise InputError(errors, warnings)
    found = gaps(protocol, grid, assessed, per_question)
    return {
        "cells": grid,
        "questions": per_question,
        "gap_map": covered["gap_map"],
        "gap_columns": columns,
        "countries": countries,
        "groups": groups,
        "gaps": found,
        "avenues": avenues(protocol, found, groups),
        "snowball": covered["snowball"],
        "source_matrix": covered["source_matrix"],
        "findings": assessed,
        "warnings": [w.as_dict() for w in warnings],
    }


__all__ = ["analyse", "cells", "scope_text", "source_matrix", "study_years", "tallied_cells"]
