"""The shapes that cross from the analysis stage into the report, the tables and provenance.

The analysis is computed once per process (:func:`synthesis.analysis.cells.analyse`); later stages lay it
out and never recompute a count or a rating. Build files are JSON, so these are TypedDicts over plain data.
"""

from __future__ import annotations

from typing import TypedDict


class Facts(TypedDict):
    """What a set of excerpts amounts to for one question (see :mod:`synthesis.analysis.counting`)."""

    excerpts: int
    documents: list[str]          # citekeys, protocol documents never included
    studies: list[str]            # independent studies (named study, or a primary source itself)
    primary: int                  # excerpts from primary sources
    roles: dict[str, int]         # excerpts by source role
    countries: list[str]
    years: list[str]              # publication years of the documents
    in_scope: int                 # excerpts whose countries all lie in the question's scope
    out_of_scope: int             # indirect excerpts
    direct_primary: int           # primary excerpts within the scope
    in_scope_documents: list[str]
    in_scope_studies: list[str]
    evidence_types: list[str]     # of the in-scope excerpts
    study_designs: list[str]      # of the in-scope excerpts
    stances: list[str]            # coded stances (disagreement when more than one)
    evidence: list[str]           # evidence ids


class Rating(TypedDict):
    rating: str                   # a rating the protocol declares, "unrated", or "none" (no evidence)
    reasons: list[str]            # each condition of the rule that gave it
    not_higher: list[str]         # what each stronger rule lacked
    capped: bool                  # lowered by the cap (no direct primary evidence)


class Cell(TypedDict):
    """One question x code pairing (a theme of that question)."""

    question: str
    code: str
    label: str
    facts: Facts
    strength: Rating


class GapCell(TypedDict):
    """One theme x country cell of the gap map."""

    code: str
    label: str
    country: str                  # an ISO code, or "group:<name>" for a comparator group with no evidence
    documents: int
    studies: int
    directness: str               # "primary", "secondary", "commentary" or "none"
    evidence: list[str]


class CountryRow(TypedDict):
    country: str
    home: bool
    excerpts: int
    sources: int
    by_question: dict[str, int]
    evidence: list[str]


class GroupStatement(TypedDict):
    group: str
    covered: list[str]
    text: str
    evidence: list[str]


class Avenue(TypedDict):
    id: str
    kind: str
    question: str
    code: str
    text: str
    basis: str
    evidence: list[str]


class Check(TypedDict):
    """A contradiction between a CERQual judgement and the computed facts."""

    code: str
    line: int
    message: str
    addressed: bool               # the finding names the code in ``addresses``


class FindingAssessment(TypedDict):
    """A review finding with the facts beside each of its judgements."""

    id: str
    question: str
    facts: Facts
    draft: bool                   # the finding is a draft, or rests on draft-coded evidence
    draft_evidence: list[str]     # evidence ids coded by a draft coder
    checks: list[Check]


class Analysis(TypedDict):
    cells: list[Cell]
    questions: dict[str, Facts]   # each question's whole evidence
    gap_map: list[GapCell]
    gap_columns: list[str]
    countries: list[CountryRow]
    groups: list[GroupStatement]
    avenues: list[Avenue]
    snowball: list[dict]
    source_matrix: list[dict]
    findings: list[FindingAssessment]
    warnings: list[dict]          # contradiction warnings not addressed by their finding


__all__ = ["Analysis", "Avenue", "Cell", "Check", "CountryRow", "Facts", "FindingAssessment", "GapCell", "GroupStatement", "Rating"]
