"""The report's answers: each question's short answer and its review findings, with the GRADE-CERQual
assessment and, beside each judgement, the facts the pipeline counted for it."""

from __future__ import annotations

from typing import Any

from ..analysis.shapes import Facts, FindingAssessment
from ..inputs.findings import COMPONENTS
from . import words
from .claims import Claims, anchor
from .markdown import Markdown, citations


def _documents(facts: Facts) -> Markdown:
    """The documents a finding rests on, as one pandoc citation group."""
    return citations(facts["documents"])


def component_facts(component: str, facts: Facts, scope: str) -> str:
    """What the pipeline counted for one CERQual component, in a sentence."""
    roles = words.by_role(facts["roles"]) or "none"
    if component == "adequacy":
        return (f"{words.plural(len(facts['studies']), 'independent study', 'independent studies')}, "
                f"{words.plural(len(facts['documents']), 'document')}, {words.plural(facts['excerpts'], 'excerpt')}.")
    if component == "relevance":
        where = words.countries(facts["countries"]) or "no country recorded"
        when = ", ".join(facts["years"]) or "no year recorded"
        within = (f"; {facts['in_scope']} of {facts['excerpts']} excerpts within the question's scope ({scope})" if scope else "")
        return f"Countries: {where}; years: {when}{within}."
    if component == "coherence":
        return (f"Coded stances differ: {', '.join(facts['stances'])}." if len(facts["stances"]) > 1
                else "No disagreeing stances coded." if facts["stances"] else "No stances coded.")
    designs = f"; study designs: {', '.join(words.kind(d) for d in facts['study_designs'])}" if facts["study_designs"] else ""
    return f"Excerpts: {roles}{designs}."


def finding_context(finding: dict, assessed: FindingAssessment, scope: str, claims: Claims) -> dict[str, Any]:
    """One review finding as the report shows it, registered as a claim."""
    facts = assessed["facts"]
    cerqual = {c: {"concern": finding["components"][c]["concern"], "explanation": finding["components"][c]["explanation"]} for c in COMPONENTS}
    cerqual["overall"] = {"confidence": finding["overall"]["confidence"], "explanation": finding["overall"]["explanation"]}
    made = claims.add(finding["id"], "review-finding", finding["statement"], finding["evidence"], finding["question"],
                      status=finding["status"], draft=assessed["draft"], cerqual=cerqual,
                      facts={k: facts[k] for k in ("documents", "studies", "excerpts", "primary", "in_scope", "countries")},
                      checks=[{"code": c["code"], "addressed": c["addressed"]} for c in assessed["checks"]])
    return {
        "id": finding["id"], "anchor": made["anchor"], "claim": made, "statement": finding["statement"],
        "draft": assessed["draft"], "status": finding["status"],
        "confidence": words.cerqual(finding["overall"]["confidence"]), "explanation": finding["overall"]["explanation"],
        "documents": _documents(facts),
        "components": [{"name": words.cerqual(c), "concern": words.cerqual(finding["components"][c]["concern"]),
                        "explanation": finding["components"][c]["explanation"], "facts": component_facts(c, facts, scope)}
                       for c in COMPONENTS],
        "evidence": [{"id": e, "anchor": anchor("ev-", e)} for e in finding["evidence"]],
        "addressed": [c for c in assessed["checks"] if c["addressed"]],
    }


def answers(data: dict[str, Any], analysis: dict[str, Any], claims: Claims) -> dict[str, dict[str, Any]]:
    """Per question id: its answer (a claim resting on its findings' evidence) and its findings."""
    assessed = {a["id"]: a for a in analysis["findings"]}
    questions = {q["id"]: q for q in data["protocol"]["questions"]}
    out = {}
    for record in data.get("findings", []):
        question = questions[record["question"]]
        scope = question["scope"]["description"] if question.get("scope") else ""
        evidence = sorted({e for f in record["findings"] for e in f["evidence"]})
        answer = claims.add(f"{record['question']}.answer", "answer", record["answer"], evidence, record["question"])
        shown = [finding_context(f, assessed[f["id"]], scope, claims) for f in record["findings"]]
        out[record["question"]] = {"answer": record["answer"], "claim": answer, "findings": shown,
                                   "draft": any(f["draft"] for f in shown)}
    return out


__all__ = ["answers", "component_facts", "finding_context"]
