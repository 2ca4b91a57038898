"""Facts beside judgements: each review finding's evidence counted, and its CERQual judgements checked.

For every finding the pipeline counts what a team needs to judge each GRADE-CERQual component (adequacy:
studies, documents, excerpts; relevance: countries and years against the question's scope; coherence:
coded stances; methodological limitations: the roles of the documents) and warns where a judgement
contradicts those facts. A finding may name, in ``addresses``, the warnings its explanation answers; those
are shown as addressed instead of warned about.
"""

from __future__ import annotations

from ..common.problems import Problem, warning
from ..inputs.findings import WORDS
from ..inputs.protocol import draft_coders
from .counting import facts, scope_of
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
    "ADDRESSES_UNUSED": "the finding names a warning in 'addresses' that its judgements do not raise",
}


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
        found.append(("ADEQUACY_ONE_STUDY", conf["line"], f"{who}: {WORDS.get(conf['confidence'], conf['confidence'])} confidence rests on {_studies(len(counted['studies']))}"))
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


def assess_findings(records: list[dict], evidence: list[dict], sources: dict[str, dict], protocol: dict) -> tuple[list[FindingAssessment], list[Problem]]:
    """Each finding's facts and checks; the problems are the unaddressed checks (warnings) and the
    errors no explanation can answer (confidence above low on indirect evidence only)."""
    by_id = {i["evidence_id"]: i for i in evidence}
    questions = {q["id"]: q for q in protocol["questions"]}
    drafts = draft_coders(protocol)
    assessed: list[FindingAssessment] = []
    problems: list[Problem] = []
    for record in records:
        question = questions[record["question"]]
        scope = question["scope"]["description"] if question.get("scope") else None
        for finding in record["findings"]:
            items = [by_id[e] for e in finding["evidence"]]
            counted = facts(items, sources, scope_of(question), protocol.get("strength", {}).get("agreement_column", "stance"))
            draft_evidence = [i["evidence_id"] for i in items if i["coder"] in drafts]
            checks: list[Check] = []
            for code, line, message in _checks(finding, counted, scope, draft_evidence):
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
            if scope is not None and not counted["in_scope"] and finding["overall"]["confidence"] in ABOVE_LOW:
                problems.append(Problem(record["path"], finding["overall"]["line"],
                                        f"finding {finding['id']}: {finding['overall']['confidence']} confidence, but all its evidence lies outside the question's scope "
                                        f"({scope}): indirect evidence supports at most low confidence"))
            assessed.append({"id": finding["id"], "question": record["question"], "facts": counted, "checks": checks,
                             "draft": finding["status"] == "draft" or bool(draft_evidence), "draft_evidence": draft_evidence})
    return assessed, problems


__all__ = ["CODES", "assess_findings"]
