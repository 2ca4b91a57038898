"""The state-of-play report: evidence set -> report context -> Markdown (Jinja2).

:func:`report_context` is pure and holds every number and list the report
shows, so templates only lay things out. Templates run with ``StrictUndefined``
and escape every printed value (see :mod:`synthesis.markdown`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Callable

from . import markdown
from .markdown import locator, where
from .claims import anchor, claim, collect_claims
from ..common.problems import InputError, Problem
from ..analysis.cells import analyse
from ..analysis.comparison import countries_of
from .overview import overview_context
from ..inputs.protocol import theme_pairs
from ..analysis.strength import rate

TEMPLATE = "state-of-play.md.j2"
# Defaults for review.yaml's report settings; the CSV tables always hold everything.
LIMITS = {"findings_per_theme": 6, "table_rows": 12, "source_rows": 100, "snowball_rows": 25}
READING_CONTEXT = 160  # characters either side of a quote shown in the appendix


def _counted(counter: Counter) -> str:
    # Most frequent first, ties alphabetical, so the sentence is stable.
    return ", ".join(f"{name} ({n})" for name, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def evidence_base(items: list[dict], sources: dict[str, dict]) -> str:
    """One sentence: how many excerpts from how many sources, their types and countries."""
    if not items:
        return "No excerpt in the coded sources addresses this question."
    cited = sorted({i["citekey"] for i in items})
    types = Counter(sources[k]["type"] for k in cited)
    countries = Counter(c for i in items for c in countries_of(i, sources))
    where = f"; countries: {_counted(countries)}" if countries else "; no country recorded"
    return (f"{_plural(len(items), 'excerpt')} from {_plural(len(cited), 'source')} "
            f"(source types: {_counted(types)}{where}).")


def limits(protocol: dict) -> dict[str, int]:
    """How much the report lists before pointing to the full tables (review.yaml ``report``)."""
    report = protocol.get("report", {})
    return {name: int(report.get(name, default)) for name, default in LIMITS.items()}


def spread(items: list[dict], limit: int) -> list[dict]:
    """At most ``limit`` items, taken round-robin across sources so the sample covers many
    sources, returned in their original order (deterministic)."""
    if len(items) <= limit:
        return items
    queues: dict[str, list[int]] = {}
    for n, item in enumerate(items):
        queues.setdefault(item["citekey"], []).append(n)
    chosen: list[int] = []
    depth = 0
    while len(chosen) < limit:
        for positions in queues.values():
            if depth < len(positions) and len(chosen) < limit:
                chosen.append(positions[depth])
        depth += 1
    return [items[n] for n in sorted(chosen)]


def _finding(item: dict, qid: str = "", code: str = "") -> dict[str, Any]:
    evidence_id = item["evidence_id"]
    return {
        "evidence_id": evidence_id, "finding": item["finding"], "quote": item["quote"],
        "citekey": item["citekey"], "citation": markdown.citation(item["citekey"], locator(item)),
        "where": locator(item), "codes": item["codes"], "evidence_anchor": anchor("ev-", evidence_id),
        "claim": claim(f"{qid}.{code}.{evidence_id}", "finding", item["finding"], [evidence_id], qid, code) if code else None,
    }


def question_section(question: dict, protocol: dict, evidence: list[dict], sources: dict[str, dict],
                     cells: dict[tuple[str, str], dict] | None = None, commentary: list[dict] | None = None) -> dict[str, Any]:
    """Everything the report says about one question, with a claim for each statement."""
    qid = question["id"]
    items = [i for i in evidence if qid in i["questions"]]
    informs = [(i, {c for q, c in theme_pairs(i, protocol) if q == qid}) for i in items]
    mapped = [c for c in protocol["codes"] if qid in c["questions"]]
    used = set().union(*(codes for _i, codes in informs))
    # Themes: the codebook's codes for this question, then codes coders paired with it explicitly.
    theme_codes = mapped + [c for c in protocol["codes"] if c["id"] in used and c not in mapped]
    limit = limits(protocol)
    themes = []
    for code in theme_codes:
        members = [i for i, codes in informs if code["id"] in codes]
        if members:
            n_sources = len({i["citekey"] for i in members})
            summary = f"{_plural(len(members), 'excerpt')} from {_plural(n_sources, 'source')}"
            strength = (cells or {}).get((qid, code["id"]), {}).get("strength") or rate(members, sources, protocol)
            shown = spread(members, limit["findings_per_theme"])
            themes.append({"id": code["id"], "anchor": markdown.Markdown(f"q-{qid}-{code['id']}"), "label": code["label"],
                           "definition": code["definition"], "findings": [_finding(i, qid, code["id"]) for i in shown],
                           "more": len(members) - len(shown), "summary": summary, "strength": strength,
                           "claim": claim(f"{qid}.{code['id']}", "theme-summary", f"{code['label']}: {summary}; strength of evidence {strength['rating']}.",
                                          [i["evidence_id"] for i in members], qid, code["id"])})
    sentence = evidence_base(items, sources)
    table = spread(items, limit["table_rows"])
    return {
        "id": qid, "anchor": markdown.Markdown(f"q-{qid}"), "short": question["short"], "text": question["text"],
        "evidence_base": sentence,
        "evidence_claim": claim(f"{qid}.evidence-base", "evidence-base", sentence, [i["evidence_id"] for i in items], qid) if items else None,
        "themes": themes,
        "table": [{**_finding(i), "source": sources[i["citekey"]]["citation"]} for i in table],
        "table_more": len(items) - len(table),
        "missing": [{"id": c["id"], "label": c["label"], "definition": c["definition"]} for c in mapped if c["id"] not in used],
        "commentary": _commentary(qid, commentary or [], evidence),
    }


def _commentary(qid: str, paragraphs: list[dict], evidence: list[dict]) -> list[dict[str, Any]]:
    """The team's commentary on a question: headings, and paragraphs that are claims."""
    from .commentary import render_paragraph

    by_id = {i["evidence_id"]: i for i in evidence}
    out = []
    for n, paragraph in enumerate(paragraphs, start=1):
        text = markdown.Markdown(paragraph["text"] if paragraph["heading"] else render_paragraph(paragraph["text"], by_id))
        made = None if paragraph["heading"] else claim(f"{qid}.commentary.{n}", "commentary", " ".join(paragraph["text"].split()), paragraph["evidence"], qid)
        out.append({"markdown": text, "claim": made})
    return out


def in_context(before: str, exact: str, after: str) -> markdown.Markdown:
    """The quote in bold inside its context, as one line of escaped Markdown."""
    left = markdown.escape(before) + (" " if before[-1:].isspace() else "")
    right = (" " if after[:1].isspace() else "") + markdown.escape(after)
    return markdown.Markdown(f"...{left}**{markdown.escape(exact)}**{right}...")


def _reading_context(text: str, start: int, end: int, body_start: int = 0) -> tuple[str, str]:
    before = text[max(body_start, start - READING_CONTEXT):start]
    after = text[end:end + READING_CONTEXT]
    # Begin and end on whole words.
    if len(before) == READING_CONTEXT and " " in before:
        before = before[before.index(" ") + 1:]
    if len(after) == READING_CONTEXT and " " in after:
        after = after[:after.rindex(" ")]
    return before, after


def appendix_entry(item: dict, source: dict, text: str) -> dict[str, Any]:
    """An evidence item as the report's appendix shows it: the quote in its context (from the
    source's ``text``), and where it is."""
    before, after = _reading_context(text, item["start"], item["end"], source.get("body_start", 0))
    return {
        "evidence_id": item["evidence_id"], "anchor": anchor("ev-", item["evidence_id"]), "finding": item["finding"],
        "in_context": in_context(before, item["exact"], after),
        "cite": markdown.narrative_citation(item["citekey"]), "title": source["title"],
        "where": where(item, source),
        "sha256": source["sha256"], "sheet": f"{item['sheet']}, line {item['sheet_line']}", "coder": item["coder"] or "not recorded",
        "codes": item["codes"], "questions": item["questions"],
    }


def read_source_text(path: str) -> str:
    """A source file's decoded text (the text offsets refer to); a PDF's cached extracted text."""
    from ..common.textio import read_text
    from ..inputs.pdf_text import read_extracted_text, text_of_pdf

    if path.endswith(".json"):
        return read_extracted_text(path)
    return text_of_pdf(Path(path).read_bytes(), path) if path.lower().endswith(".pdf") else read_text(path)[0]


def _shown_evidence(context: dict[str, Any]) -> set[str]:
    shown = {f["evidence_id"] for s in context["sections"] for t in s["themes"] for f in t["findings"]}
    shown |= {r["evidence_id"] for s in context["sections"] for r in s["table"]}
    shown |= {f["evidence_id"] for c in context["comparison"]["countries"] for f in c["findings"]}
    shown |= {e for s in context["sections"] for c in s["commentary"] if c["claim"] for e in c["claim"]["evidence"]}
    return shown


def report_context(data: dict[str, Any], source_text: Callable[[str], str] = read_source_text) -> dict[str, Any]:
    """The report's content, computed from the evidence set. ``source_text`` reads a source
    file for the appendix's quotes in context (only for the evidence the report shows)."""
    protocol = data["protocol"]
    sources = {s["citekey"]: s for s in data["sources"]}
    evidence = data["evidence"]
    analysis = analyse(data)
    cells = {(c["question"], c["code"]): c for c in analysis["cells"]}
    commentary = data.get("commentary", {})
    limit = limits(protocol)
    context = overview_context(protocol, analysis, limit) | {
        "title": protocol["title"],
        "subtitle": protocol.get("subtitle", ""),
        "authors": [{"name": a["name"], "affiliation": a.get("affiliation", "")} for a in protocol.get("authors", [])],
        "questions": protocol["questions"],
        "sources": [{**s, "cite": markdown.narrative_citation(s["citekey"])} for s in data["sources"][:limit["source_rows"]]],
        "sources_more": max(0, len(data["sources"]) - limit["source_rows"]),
        "scope": f"This review codes {_plural(len(evidence), 'excerpt')} from {_plural(len(sources), 'source')} against {_plural(len(protocol['codes']), 'code')}.",
        "sections": [question_section(q, protocol, evidence, sources, cells, commentary.get(q["id"])) for q in protocol["questions"]],
    }
    shown = _shown_evidence(context)
    texts: dict[str, str] = {}
    appendix = []
    for item in evidence:
        if item["evidence_id"] in shown:
            path = sources[item["citekey"]].get("text_path") or sources[item["citekey"]]["path"]
            if path not in texts:
                texts[path] = source_text(path)
            appendix.append(appendix_entry(item, sources[item["citekey"]], texts[path]))
    context["appendix"] = appendix
    context["appendix_more"] = len(evidence) - len(appendix)
    return context


def environment(templates: str | Path):
    """A Jinja2 environment that fails on undefined names and escapes all output."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)), undefined=jinja2.StrictUndefined,
        finalize=markdown.finalize, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        autoescape=False,  # escaping is Markdown's, done by finalize
        # pandoc attributes such as {#q-Q1} would otherwise open a Jinja comment.
        comment_start_string="{##", comment_end_string="##}",
    )
    env.filters["yaml"] = markdown.yaml_string
    return env


def render_markdown(data: dict[str, Any], templates: str | Path, template: str = TEMPLATE, context: dict[str, Any] | None = None) -> str:
    """The report as pandoc Markdown; a template error is an :class:`InputError` at its line."""
    import jinja2

    path = str(Path(templates) / template)
    context = context if context is not None else report_context(data)
    collect_claims(context)  # fails on a claim without evidence
    try:
        return environment(templates).get_template(template).render(**context)
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


__all__ = ["LIMITS", "appendix_entry", "evidence_base", "limits", "locator", "question_section", "read_source_text", "render_markdown", "report_context", "spread"]
