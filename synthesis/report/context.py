"""The state-of-play report: evidence set -> analysis (once) -> report context -> Markdown (Jinja2).

:func:`report_context` is pure and holds every number and sentence the report shows, so templates only
lay things out. The report leads with its answers: a summary (each question's answer and its Summary of
Qualitative Findings table), then per question the answer, the review findings with their GRADE-CERQual
assessment, the evidence by theme and what is missing; method sections, avenues and the appendix follow.
Templates run with ``StrictUndefined`` and escape every printed value (see :mod:`synthesis.report.markdown`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..analysis.cells import analyse
from ..analysis.shapes import Analysis, Facts
from ..common.problems import InputError, Problem
from ..inputs.protocol import draft_coders
from . import markdown, words
from .answers import answers
from .appendix import appendix, read_source_text
from .claims import Claims, anchor
from .overview import comparison_context, gap_map_context, snowball_context, sources_context
from .themes import theme_sections
from .method import method_context
from .agreement import agreement_context
from .appraisal import appraisal_context

TEMPLATE = "state-of-play.md.j2"
# Defaults for review.yaml's report settings; the CSV tables always hold everything.
# excerpt_rows: past it, the table of every excerpt would make a document nobody reads (and pandoc costs
# tens of CPU seconds at 20,000 rows); the explorer and evidence.csv hold every excerpt at any size.
LIMITS = {"findings_per_theme": 6, "source_rows": 100, "snowball_rows": 25, "excerpt_rows": 2000}
VISIBLE = ("finding", "review-finding", "evidence-gap")  # claims that link to each of their quotes


def limits(protocol: dict) -> dict[str, int]:
    """How much the report lists before pointing to the full tables (review.yaml ``report``)."""
    report = protocol.get("report", {})
    return {name: int(report.get(name, default)) for name, default in LIMITS.items()}


def evidence_base(facts: Facts) -> str:
    """One sentence: excerpts, documents by role, independent studies, countries, years."""
    if not facts["excerpts"]:
        return "No excerpt in the coded sources addresses this question."
    where = f"; countries: {words.countries(facts['countries'])}" if facts["countries"] else "; no country recorded"
    return (f"{words.plural(facts['excerpts'], 'excerpt')} from {words.plural(len(facts['documents']), 'document')} "
            f"({words.by_role(facts['roles'])}); {words.studies(facts)}{where}; {words.years(facts)}.")


def question_section(question: dict, data: dict, analysis: Analysis, answered: dict, limit: dict,
                     claims: Claims, by_id: dict[str, dict] | None = None) -> dict[str, Any]:
    """Everything the report says about one question (``by_id``: the evidence by id, made here when not
    given)."""
    qid = question["id"]
    facts = analysis["questions"][qid]
    answer = answered.get(qid)
    sentence = evidence_base(facts)
    scope = question["scope"]["description"] if question.get("scope") else ""
    codes = {c["id"]: c for c in data["protocol"]["codes"]}
    by_id = by_id if by_id is not None else {i["evidence_id"]: i for i in data["evidence"]}
    return {
        "id": qid, "anchor": markdown.Markdown(f"q-{qid}"), "short": question["short"], "text": question["text"], "scope": scope,
        "answer": answer,
        "evidence_base": sentence,
        "evidence_claim": claims.add(f"{qid}.evidence-base", "evidence-base", sentence, facts["evidence"], qid) if facts["excerpts"] else None,
        "themes": theme_sections(question, analysis["cells"], by_id, codes, limit["findings_per_theme"],
                                 claims),
        # What is missing: the computed gaps, each once (analysis.gaps), and the team's own evidence gaps.
        "gaps": [g | {"anchor": anchor("gap-", g["id"])} for g in analysis["gaps"] if g["question"] == qid],
        "gap_findings": [f for f in (answer or {}).get("findings", []) if f["gap"]],
    }


def banner(data: dict, analysis: Analysis) -> str:
    """What is unverified, while any finding or any evidence is draft-coded; empty otherwise."""
    drafts = draft_coders(data["protocol"])
    draft_findings = [f for f in analysis["findings"] if f["draft"]]
    if not drafts and not draft_findings:  # no draft coder: no excerpt of one (100,000 not looked through)
        return ""
    sources = {s["citekey"]: s for s in data["sources"]}
    evidence = [i for i in data["evidence"] if sources[i["citekey"]]["role"] != "protocol"]
    draft_items = [i for i in evidence if i["coder"] in drafts]
    if not draft_items and not draft_findings:
        return ""
    names = [c["name"] for c in data["protocol"].get("coders", []) if c["id"] in drafts]
    parts = []
    if draft_findings:
        parts.append(f"{len(draft_findings)} of the {words.plural(len(analysis['findings']), 'review finding')} below are drafts or rest on draft-coded evidence")
    if draft_items:
        parts.append(f"{len(draft_items)} of the {words.plural(len(evidence), 'excerpt')} were coded by a draft coder ({'; '.join(names)})")
    return ", and ".join(parts) + ". Read every answer, finding and confidence rating as unverified until the team has checked them against the quotes."


def coders_line(protocol: dict) -> str:
    """Who coded, each named once; a draft coder's work is said to be unverified."""
    coders = protocol.get("coders") or []
    return "; ".join(f"{c['name']}" + (" (draft, unverified)" if c.get("draft") else "") for c in coders)


def short_titles(data: dict) -> dict[str, str]:
    """Works without author or editor that the report cites, with the short title they are cited by in
    text."""
    cited = {s["citekey"] for s in data["sources"]}
    return {k: e["short_title"] for k, e in sorted(data.get("bibliography", {}).items()) if k in cited and e.get("short_title")}


def rating_method(protocol: dict) -> dict[str, Any]:
    """The rating rules, stated once for the method section: the review's strength rules and the cap."""
    from ..analysis.strength import rules_of

    settings = rules_of(protocol)
    labels = {"min_studies": ("independent study", "independent studies"), "min_sources": ("document", "documents"),
              "min_evidence_types": ("evidence type", "evidence types")}
    rules = []
    for rule in settings["ratings"]:
        needs = ["at least " + words.plural(rule[k], *labels[k]) for k in labels if k in rule]
        if rule.get("requires_evaluation"):
            needs.append("evaluation evidence (" + " or ".join(settings["evaluation_designs"] + settings["evaluation_types"]) + ")")
        if rule.get("agreement"):
            needs.append("no disagreeing stances")
        rules.append(f"{rule['rating']}: " + ", ".join(needs))
    return {"rules": rules, "lowest": settings["ratings"][-1]["rating"]}


def report_context(data: dict[str, Any], source_text: Callable[[str], str] = read_source_text, analysis: Analysis | None = None) -> dict[str, Any]:
    """The report's content. ``source_text`` reads a source file for the appendix's quotes in context
    (only for the evidence the report cites); ``analysis`` is computed when not given."""
    protocol = data["protocol"]
    analysis = analysis if analysis is not None else analyse(data)
    limit = limits(protocol)
    claims = Claims()
    answered = answers(data, analysis, claims)
    by_id = {i["evidence_id"]: i for i in data["evidence"]}
    sections = [question_section(q, data, analysis, answered, limit, claims, by_id)
                for q in protocol["questions"]]
    comparison = comparison_context(protocol, analysis, claims)
    labels = {c["id"]: c["label"] for c in protocol["codes"]}
    sources = {s["citekey"]: s for s in data["sources"]}
    context = {
        "title": protocol["title"], "subtitle": protocol.get("subtitle", ""),
        "authors": [{"name": a["name"], "affiliation": a.get("affiliation", "")} for a in protocol.get("authors", [])],
        "coders": coders_line(protocol),
        "banner": banner(data, analysis),
        "questions": protocol["questions"],
        "sections": sections,
        "method": method_context(data.get("records")),  # None without records/: no method section
        "agreement": agreement_context(data.get("agreement"), protocol),  # None without independent sheets
        "sources": sources_context(data, limit["source_rows"]),
        "appraisal": appraisal_context(data),  # None for a review that does not appraise its sources
        "scope": coverage(data),
        "rating": rating_method(protocol),
        "short_titles": short_titles(data),
        "gap_map": gap_map_context(analysis),
        "comparison": comparison,
        "avenues": [a | {"links": [{"id": g, "anchor": anchor("gap-", g)} for g in a["gaps"]]} for a in analysis["avenues"]],
        "snowball": snowball_context(analysis["snowball"], limit["snowball_rows"]),
        "claims": claims,
    }
    # The appendix holds what a reader can follow a link from: excerpt lines, review findings, comparisons.
    context["appendix"] = appendix(data["evidence"], sources, claims.citing(VISIBLE), labels, source_text)
    context["appendix_more"] = len(data["evidence"]) - len(context["appendix"])
    listed = len(data["evidence"]) <= limit["excerpt_rows"]
    context["every_excerpt"] = every_excerpt(data["evidence"], {e["evidence_id"] for e in context["appendix"]}, protocol) if listed else []
    context["excerpts"] = {"count": len(data["evidence"]), "listed": listed, "limit": limit["excerpt_rows"]}
    return context


def coverage(data: dict) -> str:
    """How much the review codes: one count of documents, the framing document named apart."""
    framing = [s["citekey"] for s in data["sources"] if s["role"] == "protocol"]
    framed = set(framing)
    quoted = sum(1 for i in data["evidence"] if i["citekey"] in framed) if framing else 0
    counted = len(data["evidence"]) - quoted
    documents = len(data["sources"]) - len(framing)
    said = (f"This review codes {words.plural(counted, 'excerpt')} from {words.plural(documents, 'document')} "
            f"against {words.plural(len(data['protocol']['codes']), 'code')}.")
    if framing:
        said += (f" It also quotes {words.plural(quoted, 'excerpt')} of {', '.join(framing)}, the review's framing document, "
                 "which frame the questions and count nowhere.")
    return said


def every_excerpt(evidence: list[dict], in_appendix: set[str], protocol: dict) -> list[dict[str, Any]]:
    """Every excerpt of the review, for the report's own full table (so the HTML and DOCX need no CSV):
    the quote is shown here unless the appendix already shows it in context."""
    labels = {c["id"]: c["label"] for c in protocol["codes"]}
    rows = []
    for item in evidence:
        shown = item["evidence_id"] in in_appendix
        rows.append({"id": item["evidence_id"], "anchor": anchor("ev-", item["evidence_id"]) if shown else None,
                     "questions": ", ".join(item["questions"]), "themes": "; ".join(labels.get(c, c) for c in item["codes"]),
                     "finding": item["finding"], "quote": "" if shown else item["quote"],
                     "citation": markdown.citation(item["citekey"], markdown.locator(item))})
    return rows


OPTIONS = dict(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
               autoescape=False,  # escaping is Markdown's, done by finalize
               # pandoc attributes such as {#q-Q1} would otherwise open a Jinja comment.
               comment_start_string="{##", comment_end_string="##}")


def template_cache(directory: str | Path):
    """A Jinja2 bytecode cache in a sub-folder of ``directory`` named by what the compiled code depends on
    besides a template's own text and path (Jinja2 keys its entries by those and checks its own format and
    Python's version): Jinja2's version, :data:`OPTIONS` and markdown.py, which holds finalize and the
    filters. Compiling the report's templates costs ~0.06 CPU s a run; loading them, ~0.002."""
    import hashlib

    import jinja2

    made = hashlib.sha256(repr((jinja2.__version__, sorted(OPTIONS.items()))).encode())
    made.update(Path(markdown.__file__).read_bytes())
    folder = Path(directory) / made.hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    return jinja2.FileSystemBytecodeCache(str(folder))  # writes each entry to a temporary file, then renames


def environment(templates: str | Path, cache: str | Path | None = None):
    """A Jinja2 environment that fails on undefined names and escapes all output; ``cache``: a folder where
    compiled templates are kept (:func:`template_cache`)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)), undefined=jinja2.StrictUndefined,
        finalize=markdown.finalize, bytecode_cache=template_cache(cache) if cache else None, **OPTIONS)
    env.filters["yaml"] = markdown.yaml_string
    return env


def render_markdown(data: dict[str, Any], templates: str | Path, template: str = TEMPLATE, context: dict[str, Any] | None = None,
                    cache: str | Path | None = None) -> str:
    """The report as pandoc Markdown; a template error is an :class:`InputError` at its line. ``cache``: a
    folder for compiled templates (none: compiled every time)."""
    import jinja2

    path = str(Path(templates) / template)
    context = context if context is not None else report_context(data)
    context["claims"].checked()  # fails on a claim without evidence
    try:
        return environment(templates, cache).get_template(template).render(**context)
    except jinja2.TemplateNotFound:
        raise InputError([Problem(path, 1, "template not found")]) from None
    except jinja2.TemplateSyntaxError as err:
        raise InputError([Problem(path, err.lineno or 1, f"template syntax error: {err.message}")]) from None
    except jinja2.UndefinedError as err:
        raise InputError([Problem(path, _template_line(err, path), f"template uses an undefined value: {err.message}")]) from None


def _template_line(err: BaseException, path: str) -> int:
    # Jinja2 rewrites tracebacks so the template's own line appears in them.
    import traceback

    lines = [f.lineno for f in traceback.extract_tb(err.__traceback__) if f.filename.endswith(Path(path).name)]
    return lines[-1] if lines and lines[-1] else 1


__all__ = ["LIMITS", "banner", "coverage", "every_excerpt", "evidence_base", "rating_method", "short_titles", "limits", "question_section", "render_markdown", "report_context"]
