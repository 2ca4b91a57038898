"""``review trace ID``: the chain a reviewer checks by eye, for a claim or an evidence id.

claim sentence -> findings -> each quote in its source (lines around it, the
quote marked) -> the file, its hash and line -> the bibliographic entry.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..common.problems import InputError, Problem, suggest
from ..common.textio import decode
from ..inputs.pdf_text import extraction_of_pdf, page_place

CONTEXT_LINES = 2
LINE_WIDTH = 200  # context lines are clipped; the quoted lines are shown whole
MARK_OPEN, MARK_CLOSE = "\u00bb", "\u00ab"  # » quote «


def _clip(line: str) -> str:
    return line if len(line) <= LINE_WIDTH else line[:LINE_WIDTH - 1] + "\u2026"


def quote_in_context(text: str, start: int, end: int, context: int = CONTEXT_LINES) -> list[str]:
    """Numbered lines around ``text[start:end]``, the quote marked with » «."""
    marked = text[:start] + MARK_OPEN + text[start:end] + MARK_CLOSE + text[end:]
    lines = marked.splitlines()
    first = text.count("\n", 0, start)
    last = text.count("\n", 0, end)
    out = []
    for n in range(max(0, first - context), min(len(lines), last + context + 1)):
        inside = first <= n <= last
        out.append(f"  {'>' if inside else ' '} {n + 1:5d} | {lines[n] if inside else _clip(lines[n])}")
    return out


def _cuts(quote: str, text: str, start: int, end: int, breaks: list[int] | None = None) -> list[str]:
    """What each [...] of the quote left out of the source, shown whole (``breaks``: a PDF's line-end hyphens)."""
    from ..evidence.normalise import ELISION, matchable
    from ..evidence.quotes import find_matches

    if ELISION not in quote and "[\u2026]" not in quote:
        return []
    found = find_matches(matchable(text, breaks), quote, start, end, text=text, limit=1)
    return [f"  Cut by [...]: \"{' '.join(text[a:b].split())}\"" for a, b in (found[0].cuts if found else ())]


def _bib_lines(key: str, bibliography: dict[str, Any], bib_path: str) -> list[str]:
    entry = bibliography.get(key)
    if entry is None:
        return [f"    {key}: NOT IN {bib_path}"]
    lines = [f"    @{entry.entry_type}{{{key}}} at {bib_path}:{entry.line} -> {entry.citation()}"]
    lines += [f"      {name} = {{{value}}}" for name, value in entry.fields.items()]
    return lines


def evidence_chain(item: dict, bibliography: dict[str, Any], bib_path: str) -> list[str]:
    """The lines that show one evidence item, from finding to bibliography."""
    path = item["source"]["path"]
    position = item["selector"][1]
    pdf = item["source"].get("text")
    out = [f"Evidence {item['id']}", f"  Finding: {item['finding']}"]
    if pdf:
        where = f"{page_place(item['pages'])}, paragraph {item['paragraph']}, line {item['line']} of the extracted text"
        chars = f"characters {position['start']}-{position['end']} of the text extracted by {pdf['extractor']}"
    else:
        where, chars = f"line {item['line']}, paragraph {item['paragraph']}", f"characters {position['start']}-{position['end']}"
    where += f", under \"{item['heading']}\"" if item["heading"] else ""
    out.append(f"  Source:  {path}, {where}, {chars}")
    if not Path(path).is_file():
        out.append(f"  SHA-256: {item['source']['sha256']} (recorded); THE FILE IS MISSING")
    else:
        data = Path(path).read_bytes()
        now = hashlib.sha256(data).hexdigest()
        state = "matches the file" if now == item["source"]["sha256"] else f"CHANGED: the file is now {now}"
        out.append(f"  SHA-256: {item['source']['sha256']} ({state})")
        try:
            extraction = extraction_of_pdf(data, path, pdf["path"]) if pdf else None
            text = extraction["text"] if extraction else decode(data, path)
        except InputError as err:
            text, extraction = "", None
            out.append(f"  Text:    cannot be extracted now: {err.problems[0].message}")
        exact = item["selector"][0]["exact"]
        if text[position["start"]:position["end"]] == exact:
            out.append("  Quote in context:")
            out += quote_in_context(text, position["start"], position["end"])
            out += _cuts(item["quote"], text, position["start"], position["end"], extraction and extraction["breaks"])
        else:
            out.append(f"  Quote (NO LONGER AT ITS RECORDED PLACE; run `review audit`): \"{exact}\"")
    sheet = item["sheet"]
    out.append(f"  Coded:   {sheet['path']}:{sheet['line']} (row {sheet['row']}) by {item['coder'] or 'an unrecorded coder'}; "
               f"codes {', '.join(item['codes'])}; questions {', '.join(item['questions'])}")
    out.append("  Bibliography:")
    out += _bib_lines(item["citekey"], bibliography, bib_path)
    for key in item["cites"]:
        out.append(f"  The passage cites {key}:")
        out += _bib_lines(key, bibliography, bib_path)
    return out


def trace(provenance: dict[str, Any], ident: str, bibliography: dict[str, Any]) -> str:
    """The chain for a claim id or an evidence id, as text."""
    bib_path = provenance["inputs"]["bibliography"]["path"]
    claims = {c["id"]: c for c in provenance["claims"]}
    evidence = {e["id"]: e for e in provenance["evidence"]}
    if ident in claims:
        claim = claims[ident]
        out = [f"Claim {claim['id']} ({claim['kind']}, question {claim['question']}" + (f", code {claim['code']})" if claim["code"] else ")"),
               f"  Report: \"{claim['text']}\" (output/report/state-of-play.html#{claim['anchor']})",
               f"  Rests on {len(claim['evidence'])} excerpt{'s' if len(claim['evidence']) != 1 else ''}: {', '.join(claim['evidence'])}", ""]
        for evidence_id in claim["evidence"]:
            out += evidence_chain(evidence[evidence_id], bibliography, bib_path) + [""]
        return "\n".join(out).rstrip() + "\n"
    if ident in evidence:
        used = [c["id"] for c in provenance["claims"] if ident in c["evidence"]]
        out = evidence_chain(evidence[ident], bibliography, bib_path)
        out.append(f"  Claims resting on it: {', '.join(used) or 'none'}")
        return "\n".join(out) + "\n"
    # Suggest among ids of the same kind (same source, or same question) when there are any.
    head = ident.replace(":", ".").split(".")[0]
    known = sorted(evidence) + sorted(claims)
    related = [k for k in known if k.replace(":", ".").split(".")[0] == head] or known
    raise InputError([Problem("output/provenance.json", 1, f"no claim or evidence id '{ident}': {suggest(ident, related)}")])


__all__ = ["evidence_chain", "quote_in_context", "trace"]
