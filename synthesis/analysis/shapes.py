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
    first_hand_studies: list[str] # of those, reported by a primary source of the review
    second_hand_studies: list[str]  # of those, known only through other documents' reports
    primary: int                  # excerpts from primary sources
    roles: dict[str, int]         # excerpts by source role
    countries: list[str]
    years: list[str]              # publication years of the documents
    periods: list[str]            # years the evidence covers, as coded (an excerpt's ``period``)
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
    uncapped: str                 # what the rules alone would give, when the cap lowered it; else ""


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


class Gap(TypedDict):
    """What one question's evidence lacks (see :func:`synthesis.analysis.gaps.question_gaps`)."""

    id: str                       # "<question>-G<n>"
    question: str
    kind: str                     # one of synthesis.analysis.gaps.KINDS
    text: str
    target: str                   # what it concerns, briefly
    codes: list[str]              # the themes it concerns, if any
    findings: list[str]           # the review findings it concerns, if any
    basis: str                    # the table rows that show it
    evidence: list[str]


class Avenue(TypedDict):
    id: str
    kind: str                     # a gap kind, or "missing-comparator"
    question: str                 # the questions it concerns, "; "-separated
    code: str                     # the themes it concerns, "; "-separated
    text: str
    basis: str
    gaps: list[str]               # the gaps it would fill
    evidence: list[str]


class Check(TypedDict):
    """A contradiction between a CERQual judgement and the computed facts."""

    code: str
    line: int
    message: str
    addressed: bool               # the finding names the code in ``addresses``


class ItemConcern(TypedDict):
    item: str                     # the tool's item id
    label: str
    answer: str
    note: str


class SourceAppraisal(TypedDict):
    """One source of a finding's evidence, with its appraisal (see :mod:`synthesis.analysis.appraisal`)."""

    citekey: str
    excerpts: int                 # the finding's excerpts from this source
    share: float                  # of the finding's excerpts (0-1, four decimals)
    appraised: bool
    tool: str                     # the tool's id; "" when not appraised
    tool_name: str
    concern: str                  # the appraisal's overall concern (CERQual's scale); "" when not appraised
    appraiser: str
    draft: bool                   # appraised by a draft coder
    concerns: list[ItemConcern]   # the items whose answers raise concern


class LimitationFacts(TypedDict):
    """The appraisals beside a finding's methodological-limitations judgement."""

    excerpts: int                 # the finding's excerpts that count as evidence
    sources: list[SourceAppraisal]  # largest share first
    by_concern: dict[str, int]    # excerpts by their source's overall concern
    weak_excerpts: int            # from sources appraised with moderate or serious concerns
    unappraised_excerpts: int


class FindingAssessment(TypedDict):
    """A review finding with the facts beside each of its judgements."""

    id: str
    kind: str                     # "finding" (with a CERQual assessment) or "gap" (a statement of absence)
    question: str
    facts: Facts
    limitations: LimitationFacts  # its sources' appraisals, weighted by the share of its evidence each supplies
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
    gaps: list[Gap]
    avenues: list[Avenue]
    snowball: list[dict]
    source_matrix: list[dict]
    findings: list[FindingAssessment]
    warnings: list[dict]          # contradiction warnings not addressed by their finding


__all__ = ["Analysis", "Avenue", "Gap", "Cell", "Check", "CountryRow", "Facts", "FindingAssessment", "GapCell", "GroupStatement",
           "ItemConcern", "LimitationFacts", "Rating", "SourceAppraisal"]
