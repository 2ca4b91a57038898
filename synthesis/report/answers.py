"""The report's answers: each question's short answer and its review findings, with the GRADE-CERQual
assessment and, beside each judgement, the facts the pipeline counted for it. An evidence gap (a finding of
``kind: gap``) is shown as such, without a confidence rating."""

from __future__ import annotations

from typing import Any

from ..analysis.shapes import Facts, FindingAssessment, LimitationFacts
from ..inputs.findings import COMPONENTS
from . import words
from .appraisal import limitations_sentence
from .claims import Claims, anchor
from .markdown import Markdown, citations, escape


def _documents(facts: Facts) -> Markdown:
    """The documents a finding rests on, as one pandoc citation group."""
    return citations(facts["documents"])


def component_facts(component: str, facts: Facts, scope: str, names: dict[str, str] | None = None,
                    limits: LimitationFacts | None = None) -> str:
    """What the pipeline counted for one CERQual component, in a sentence (methodological limitations:
    with the appraisals of the sources, ``limits``)."""
    roles = words.by_role(facts["roles"]) or "none"
    if component == "adequacy":
        return (f"{words.studies(facts, names)}; "
                f"{words.plural(len(facts['documents']), 'document')}, {words.plural(facts['excerpts'], 'excerpt')}.")
    if component == "relevance":
        where = words.countries(facts["countries"]) or "no country recorded"
        within = (f"; {facts['in_scope']} of {facts['excerpts']} excerpts within the question's scope" if scope else "")
        return f"Countries: {where}; {words.years(facts)}{within}."
    if component == "coherence":
        return (f"Coded stances differ: {', '.join(facts['stances'])}." if len(facts["stances"]) > 1
                else "No disagreeing stances coded." if facts["stances"] else "No stances coded.")
    designs = f"; study designs: {', '.join(words.kind(d) for d in facts['study_designs'])}" if facts["study_designs"] else ""
    appraised = limitations_sentence(limits)
    return Markdown(escape(f"Excerpts: {roles}{designs}.") + f" {appraised}") if appraised else f"Excerpts: {roles}{designs}."


def finding_context(finding: dict, assessed: FindingAssessment, scope: str, claims: Claims, names: dict[str, str] | None = None) -> dict[str, Any]:
    """One review finding (or evidence gap) as the report shows it, registered as a claim."""
    facts = assessed["facts"]
    gap = assessed["kind"] == "gap"
    cerqual = None if gap else {c: {"concern": finding["components"][c]["concern"], "explanation": finding["components"][c]["explanation"]}
                                for c in COMPONENTS}
    if cerqual is not None:
        cerqual["overall"] = {"confidence": finding["overall"]["confidence"], "explanation": finding["overall"]["explanation"]}
    made = claims.add(finding["id"], "evidence-gap" if gap else "review-finding", finding["statement"], finding["evidence"], finding["question"],
                      status=finding["status"], draft=assessed["draft"], **({"cerqual": cerqual} if cerqual else {}),
                      facts={k: facts[k] for k in ("documents", "studies", "excerpts", "primary", "in_scope", "countries")},
                      checks=[{"code": c["code"], "addressed": c["addressed"]} for c in assessed["checks"]])
    return {
        "id": finding["id"], "anchor": made["anchor"], "claim": made, "statement": finding["statement"], "gap": gap,
        "draft": assessed["draft"], "status": finding["status"],
        "confidence": "evidence gap" if gap else words.cerqual(finding["overall"]["confidence"]),
        "explanation": "A statement of what the documents lack: not rated." if gap else finding["overall"]["explanation"],
        "documents": _documents(facts),
        "facts": f"{words.plural(facts['excerpts'], 'excerpt')} from {words.plural(len(facts['documents']), 'document')}; "
                 f"{words.years(facts)}." if gap else "",
        "components": [] if gap else [{"name": words.cerqual(c), "concern": words.cerqual(finding["components"][c]["concern"]),
                                       "explanation": finding["components"][c]["explanation"], "facts": component_facts(c, facts, scope, names, assessed.get("limitations"))}
                                      for c in COMPONENTS],
        "evidence": [{"id": e, "anchor": anchor("ev-", e)} for e in finding["evidence"]],
        "addressed": [c for c in assessed["checks"] if c["addressed"]],
    }


def answers(data: dict[str, Any], analysis: dict[str, Any], claims: Claims) -> dict[str, dict[str, Any]]:
    """Per question id: its answer (a claim resting on its findings' evidence) and its findings."""
    assessed = {a["id"]: a for a in analysis["findings"]}
    questions = {q["id"]: q for q in data["protocol"]["questions"]}
    names = {k: e["citation"] for k, e in data.get("bibliography", {}).items()}
    out = {}
    for record in data.get("findings", []):
        question = questions[record["question"]]
        scope = question["scope"]["description"] if question.get("scope") else ""
        evidence = sorted({e for f in record["findings"] for e in f["evidence"]})
        answer = claims.add(f"{record['question']}.answer", "answer", record["answer"], evidence, record["question"])
        shown = [finding_context(f, assessed[f["id"]], scope, claims, names) for f in record["findings"]]
        out[record["question"]] = {"answer": record["answer"], "claim": answer, "findings": shown,
                                   "draft": any(f["draft"] for f in shown)}
    return out


__all__ = ["answers", "component_facts", "finding_context"]
