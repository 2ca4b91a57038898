"""Facts beside judgements: each review finding's evidence counted, and its CERQual judgements checked.

For every finding the pipeline counts what a team needs to judge each GRADE-CERQual component (adequacy:
studies, documents, excerpts; relevance: countries and years against the question's scope; coherence:
coded stances; methodological limitations: the roles of the documents and, in a review that appraises
its sources, their appraisals, see :mod:`.appraisal`) and warns where a judgement
contradicts those facts. A finding may name, in ``addresses``, the warnings its explanation answers; those
are shown as addressed instead of warned about.

Two checks compare a finding's overall confidence with its concerns. **The level table**: starting from
high, each serious concern takes the ceiling down one level (high, moderate, low, very low), as the
GRADE-CERQual guidance starts every finding at high confidence and downgrades for concerns (Lewin et al.
2018, Implementation Science 13(Suppl 1):10, paper 2 of the series); moderate and minor concerns are left to
judgement, which the guidance asks for. **Evenness**: a finding whose concerns are each at least as serious
as another finding's should not be rated higher than it. Evidence gaps (``kind: gap``) have no assessment,
so no check.
"""

from __future__ import annotations

from ..common.problems import Problem, warning
from ..inputs.findings import WORDS
from ..inputs.appraisals import declared_tools
from ..inputs.protocol import draft_coders
from . import appraisal
from .counting import agreement_column, facts, scope_of
from .shapes import Check, FindingAssessment

LOW_CONCERN = ("no_or_very_minor", "minor")
ABOVE_LOW = ("high", "moderate")
# Every check's code, with what it means (docs/formats.md lists them too).
CODES = {
    "RELEVANCE_OUT_OF_SCOPE": "relevance concern below moderate while none of the evidence is in the question's scope",
    "RELEVANCE_PARTLY_OUT_OF_SCOPE": "no relevance concern while some evidence is outside the question's scope",
    "ADEQUACY_ONE_STUDY": "high or moderate confidence resting on at most one independent study",
    "ADEQUACY_ONE_DOCUMENT": "adequacy concern below moderate while the evidence comes from one document",
    "LIMITATIONS_NO_PRIMARY": "methodological-limitations concern below moderate with no primary evidence",
    "COHERENCE_CONFLICT": "no coherence concern while coded stances disagree",
    "CONFIDENCE_DRAFT": "high confidence resting on draft-coded evidence",
    "CONFIDENCE_ABOVE_TABLE": "overall confidence above the level table's ceiling for its serious concerns (one level down from high for each)",
    "CONFIDENCE_UNEVEN": "overall confidence above that of another finding whose concerns are each at least as serious",
    **appraisal.CODES,
    "ADDRESSES_UNUSED": "the finding names a warning in 'addresses' that its judgements do not raise",
}
SEVERITY = {"no_or_very_minor": 0, "minor": 1, "moderate": 2, "serious": 3}
LEVELS = ("high", "moderate", "low", "very_low")  # best first
LEVEL_WORDS = {"high": "high", "moderate": "moderate", "low": "low", "very_low": "very low"}


def ceiling(components: dict) -> str:
    """The highest overall confidence the level table allows: high, one level down per serious concern."""
    serious = sum(1 for c in components.values() if c["concern"] == "serious")
    return LEVELS[min(serious, len(LEVELS) - 1)]


def _concerns(finding: dict) -> tuple[int, ...]:
    return tuple(SEVERITY[finding["components"][c]["concern"]] for c in sorted(finding["components"]))


def uneven(findings: list[dict]) -> dict[str, list[str]]:
    """For each finding, the findings rated lower although each of their concerns is at most as serious:
    its confidence is then uneven with theirs."""
    rated = [f for f in findings if f.get("kind", "finding") == "finding"]
    out: dict[str, list[str]] = {}
    for a in rated:
        worse_or_same = [b["id"] for b in rated if b is not a
                         and all(x >= y for x, y in zip(_concerns(a), _concerns(b)))
                         and LEVELS.index(a["overall"]["confidence"]) < LEVELS.index(b["overall"]["confidence"])]
        if worse_or_same:
            out[a["id"]] = worse_or_same
    return out


def _level_checks(finding: dict, lower: list[str], by_id: dict[str, dict]) -> list[tuple[str, int, str]]:
    conf, who = finding["overall"], f"finding {finding['id']}"
    found = []
    top = ceiling(finding["components"])
    if LEVELS.index(conf["confidence"]) < LEVELS.index(top):
        serious = sum(1 for c in finding["components"].values() if c["concern"] == "serious")
        found.append(("CONFIDENCE_ABOVE_TABLE", conf["line"],
                      f"{who}: {LEVEL_WORDS[conf['confidence']]} confidence with {serious} serious concern{'s' if serious != 1 else ''}; "
                      f"the level table allows at most {LEVEL_WORDS[top]} (one level down from high for each serious concern)"))
    if lower:
        shown = ", ".join(f"{i} ({LEVEL_WORDS[by_id[i]['overall']['confidence']]})" for i in lower)
        found.append(("CONFIDENCE_UNEVEN", conf["line"],
                      f"{who}: {LEVEL_WORDS[conf['confidence']]} confidence, above {shown}, whose concerns are each at most as serious as its own"))
    return found


def _studies(n: int) -> str:
    return f"{n} independent study" if n == 1 else f"{n} independent studies"


def _checks(finding: dict, counted: dict, scope: str | None, draft_evidence: list[str]) -> list[tuple[str, int, str]]:
    c = finding["components"]
    conf = finding["overall"]
    who = f"finding {finding['id']}"
    n = counted["excerpts"]
    found = []
    if scope is not None and not counted["in_scope"] and c["relevance"]["concern"] in LOW_CONCERN:
        found.append(("RELEVANCE_OUT_OF_SCOPE", c["relevance"]["line"],
                      f"{who}: relevance has {WORDS[c['relevance']['concern']]} but none of its {n} excerpts lies within the question's scope ({scope})"))
    if scope is not None and counted["in_scope"] and counted["out_of_scope"] and c["relevance"]["concern"] == "no_or_very_minor":
        found.append(("RELEVANCE_PARTLY_OUT_OF_SCOPE", c["relevance"]["line"],
                      f"{who}: relevance has no or very minor concerns but {counted['out_of_scope']} of its {n} excerpts lie outside the question's scope ({scope})"))
    if conf["confidence"] in ABOVE_LOW and len(counted["studies"]) <= 1:
        found.append(("ADEQUACY_ONE_STUDY", conf["line"], f"{who}: {LEVEL_WORDS[conf['confidence']]} confidence rests on {_studies(len(counted['studies']))}"))
    if c["adequacy"]["concern"] in LOW_CONCERN and len(counted["documents"]) == 1:
        found.append(("ADEQUACY_ONE_DOCUMENT", c["adequacy"]["line"],
                      f"{who}: adequacy has {WORDS[c['adequacy']['concern']]} but all its evidence comes from one document ({counted['documents'][0]})"))
    if c["methodological_limitations"]["concern"] in LOW_CONCERN and not counted["primary"]:
        found.append(("LIMITATIONS_NO_PRIMARY", c["methodological_limitations"]["line"],
                      f"{who}: methodological limitations have {WORDS[c['methodological_limitations']['concern']]} but none of its evidence comes from a primary source"))
    if c["coherence"]["concern"] == "no_or_very_minor" and len(counted["stances"]) > 1:
        found.append(("COHERENCE_CONFLICT", c["coherence"]["line"],
                      f"{who}: coherence has no or very minor concerns but its excerpts' stances differ ({', '.join(counted['stances'])})"))
    if conf["confidence"] == "high" and draft_evidence:
        found.append(("CONFIDENCE_DRAFT", conf["line"], f"{who}: high confidence rests on draft-coded evidence ({len(draft_evidence)} of {n} excerpts)"))
    return found


def assess_findings(records: list[dict], evidence: list[dict], sources: dict[str, dict], protocol: dict,
                    study_years: dict[str, str] | None = None, appraisals: list[dict] | None = None,
                    values: dict | None = None) -> tuple[list[FindingAssessment], list[Problem]]:
    """Each finding's facts and checks; the problems are the unaddressed checks (warnings) and the
    errors no explanation can answer (confidence above low on indirect evidence only). ``appraisals`` are
    the evidence set's appraisals of its sources; ``values``: the excerpts'
    :func:`~.counting.counted_values`, when the caller has them."""
    by_id = {i["evidence_id"]: i for i in evidence}
    appraised = {a["citekey"]: a for a in appraisals or []}
    appraising = bool(declared_tools(protocol))
    questions = {q["id"]: q for q in protocol["questions"]}
    drafts = draft_coders(protocol)
    everything = [f for r in records for f in r["findings"]]
    lower = uneven(everything)
    finding_by_id = {f["id"]: f for f in everything}
    assessed: list[FindingAssessment] = []
    problems: list[Problem] = []
    for record in records:
        question = questions[record["question"]]
        scope = question["scope"]["description"] if question.get("scope") else None
        for finding in record["findings"]:
            items = [by_id[e] for e in finding["evidence"]]
            counted = facts(items, sources, scope_of(question), agreement_column(protocol), study_years, values)
            draft_evidence = [i["evidence_id"] for i in items if i["coder"] in drafts]
            kind = finding.get("kind", "finding")
            limits = appraisal.limitation_facts(items, appraised, sources, drafts)
            checks: list[Check] = []
            raised_here = [] if kind == "gap" else \
                _checks(finding, counted, scope, draft_evidence) + appraisal.limitation_checks(finding, limits, appraising) \
                + _level_checks(finding, lower.get(finding["id"], []), finding_by_id)
            for code, line, message in raised_here:
                addressed = code in finding["addresses"]
                checks.append({"code": code, "line": line, "message": message, "addressed": addressed})
                if not addressed:
                    problems.append(warning(record["path"], line, code, message))
            raised = {c["code"] for c in checks}
            for code in finding["addresses"]:
                if code not in raised:
                    problems.append(warning(record["path"], finding["addresses_line"], "ADDRESSES_UNUSED",
                                            f"finding {finding['id']}: addresses {code}, which its judgements do not raise"
                                            + ("" if code in CODES else f" (known codes: {', '.join(CODES)})")))
            if kind == "finding" and scope is not None and not counted["in_scope"] and finding["overall"]["confidence"] in ABOVE_LOW:
                problems.append(Problem(record["path"], finding["overall"]["line"],
                                        f"finding {finding['id']}: {finding['overall']['confidence']} confidence, but all its evidence lies outside the question's scope "
                                        f"({scope}): indirect evidence supports at most low confidence"))
            assessed.append({"id": finding["id"], "kind": kind, "question": record["question"], "facts": counted, "limitations": limits, "checks": checks,
                             "draft": finding["status"] == "draft" or bool(draft_evidence), "draft_evidence": draft_evidence})
    return assessed, problems


__all__ = ["CODES", "LEVELS", "assess_findings", "ceiling", "uneven"]
