"""The appendix: each quote the report cites, in full and in its context (the only place a quote appears
in full), where it is, and a link back to every place in the report that cites it."""

from __future__ import annotations

import re
from typing import Any, Callable

from . import markdown
from .claims import anchor

READING_CONTEXT = 160  # characters either side of a quote
# A Markdown source's heading line: the context stops there (the heading is named in "where" instead).
HEADING_LINE = re.compile(r"(?m)^[ \t]{0,3}#{1,6}[ \t].*$")
LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")


def plain_context(text: str) -> str:
    """A source's surrounding text as a reader sees it: links as their text, no bold or heading marks."""
    # Most windows hold no link: the pattern is not run on them (20,000 windows in a large review).
    return (LINK.sub(r"\1", text) if "](" in text else text).replace("**", "").replace("__", "")


def in_context(before: str, exact: str, after: str, cuts: list[tuple[int, int]] = ()) -> markdown.Markdown:
    """The quote in bold inside its context, as one line of escaped Markdown; what a
    ``[...]`` left out (``cuts``, offsets in ``exact``) is shown, not bold, as ``[cut: ...]``."""
    left = markdown.escape(before) + (" " if before[-1:].isspace() else "")
    right = (" " if after[:1].isspace() else "") + markdown.escape(after)
    pieces, pos = [], 0
    for a, b in cuts:
        pieces.append(f"**{markdown.escape(exact[pos:a])}** \\[cut: {markdown.escape(exact[a:b])}\\] ")
        pos = b
    return markdown.Markdown(f"...{left}{''.join(pieces)}**{markdown.escape(exact[pos:])}**{right}...")


def reading_context(text: str, start: int, end: int, body_start: int = 0) -> tuple[str, str]:
    """Up to READING_CONTEXT characters either side of a quote, within its section (never across a heading),
    as plain text."""
    before = text[max(body_start, start - READING_CONTEXT):start]
    after = text[end:end + READING_CONTEXT]
    # Begin and end on whole words.
    if len(before) == READING_CONTEXT and " " in before:
        before = before[before.index(" ") + 1:]
    if len(after) == READING_CONTEXT and " " in after:
        after = after[:after.rindex(" ")]
    # A heading line holds a "#": a window without one has none to stop at (the patterns are not run).
    headings = list(HEADING_LINE.finditer(before)) if "#" in before else None
    if headings:
        before = before[headings[-1].end():].lstrip()
    following = HEADING_LINE.search(after) if "#" in after else None
    if following:
        after = after[:following.start()].rstrip()
    return plain_context(before), plain_context(after)


def _back_link(claim: dict, labels: dict[str, str]) -> dict[str, Any]:
    if claim["kind"] in ("review-finding", "evidence-gap"):
        label = f"{'finding' if claim['kind'] == 'review-finding' else 'evidence gap'} {claim['id']}"
    else:
        label = f"{claim['question']}, {labels.get(claim['code'], claim['code'])}" if claim["code"] else claim["question"]
    return {"label": label, "anchor": claim["anchor"]}


def appendix_entry(item: dict, source: dict, text: str, citing: list[dict], labels: dict[str, str]) -> dict[str, Any]:
    """An evidence item as the appendix shows it: the quote in its context (from the source's ``text``),
    where it is, and the claims that cite it."""
    before, after = reading_context(text, item["start"], item["end"], source.get("body_start", 0))
    return {
        "evidence_id": item["evidence_id"], "anchor": anchor("ev-", item["evidence_id"]), "finding": item["finding"],
        "in_context": in_context(before, item["exact"], after, [(a - item["start"], b - item["start"]) for a, b in item.get("cuts", [])]),
        "cite": markdown.narrative_citation(item["citekey"]), "title": source["title"],
        "where": where(item, source),
        "sha256": source["sha256"], "sheet": f"{item['sheet']}, line {item['sheet_line']}", "coder": item["coder"] or "not recorded",
        "codes": [labels.get(c, c) for c in item["codes"]],
        "cited_in": [_back_link(c, labels) for c in citing],
    }


def where(item: dict, source: dict) -> str:
    """Where an excerpt is in its source file (a PDF's page(s) by label and in the file)."""
    from ..inputs.pdf_text import page_place

    if "pages" in item:
        place = f"{page_place(item['pages'])}, paragraph {item['paragraph']} of the extracted text"
    else:
        place = f"line {item['source_line']}, paragraph {item['paragraph']}"
    return f"{source['path']}, {place}" + (f", under \"{item['heading']}\"" if item["heading"] else "")


def read_source_text(path: str) -> str:
    """A source file's decoded text (the text offsets refer to); a PDF's extracted text, from the
    build's cache (a ``.json`` file) or extracted again."""
    from pathlib import Path

    from ..common.textio import decode
    from ..inputs.pdf_text import read_extracted_text, text_of_pdf

    if path.endswith(".json"):
        return read_extracted_text(path)
    # A Markdown or text source is decoded and checked as when it was read, without hashing it again.
    data = Path(path).read_bytes()
    return text_of_pdf(data, path) if path.lower().endswith(".pdf") else decode(data, path)


class _SourceReader:
    """:func:`source_reader`'s reader: each file read once, until it is forgotten."""

    def __init__(self, sources: list[dict]):
        self.recorded = {s["path"]: s["sha256"] for s in sources if not s.get("text_path")}
        self.texts: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        if path not in self.texts:
            self.texts[path] = self._read(path)
        return self.texts[path]

    def forget(self, path: str) -> None:
        """Let go of a file's text (the explorer, reading the sources in turn, is done with it)."""
        self.texts.pop(path, None)

    def _read(self, path: str) -> str:
        import hashlib
        from pathlib import Path

        from ..common.textio import BOM

        if path in self.recorded and not path.lower().endswith((".pdf", ".json")):
            data = Path(path).read_bytes()
            if hashlib.sha256(data).hexdigest() == self.recorded[path]:
                text = data.decode("utf-8")
                return text[1:] if text.startswith(BOM) else text
        return read_source_text(path)


def source_reader(sources: list[dict]) -> Callable[[str], str]:
    """:func:`read_source_text` for a built review's sources, each file read once (until its ``forget``). A
    Markdown or text source whose bytes still have the SHA-256 the build recorded was checked when its quotes
    were located (valid UTF-8, no control character): it is only decoded, not scanned again (30 MB for 1,000
    sources)."""
    return _SourceReader(sources)


def appendix(evidence: list[dict], sources: dict[str, dict], citing: dict[str, list[dict]], labels: dict[str, str],
             source_text: Callable[[str], str] = read_source_text) -> list[dict[str, Any]]:
    """Entries for the evidence the report cites, in evidence order; each source file read once."""
    texts: dict[str, str] = {}
    entries = []
    for item in evidence:
        if item["evidence_id"] not in citing:
            continue
        path = sources[item["citekey"]].get("text_path") or sources[item["citekey"]]["path"]
        if path not in texts:
            texts[path] = source_text(path)
        entries.append(appendix_entry(item, sources[item["citekey"]], texts[path], citing[item["evidence_id"]], labels))
    return entries


__all__ = ["READING_CONTEXT", "appendix", "appendix_entry", "in_context", "plain_context", "read_source_text",
           "reading_context", "source_reader", "where"]
