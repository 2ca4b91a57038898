"""The source's text as ``review code`` shows it, and the quote a selection in it stands for.

Every visible character of the page comes from a ``<span data-s="N">`` whose text is exactly the source's
characters ``N``, ``N+1``, ... (a line's text, never its line end, so a browser's CR/LF handling cannot shift an
offset); what Markdown marks up (``#``, ``*``, ``_``, a list's bullet, a link's address) is left out of every
span, so the page reads as rendered text while a selection still maps to the source's own characters. The quote
is that span of the source with each run of white space one space: ``review check`` locates it, always.
"""

from __future__ import annotations

import re
from html import escape

from ..inputs.pdf_layout import KINDS

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?")
# Inline markup left out of the spans: emphasis runs, code ticks, a link's brackets and its address.
_MARKUP = re.compile(r"\*{1,3}|(?<![^\W_])_{1,3}|_{1,3}(?![^\W_])|`+|!?\[|\]\([^)\s]*(?:\s+\"[^\"]*\")?\)|\]")
_SET_ASIDE = re.compile(r"^\[(?:%s)\]$" % "|".join(KINDS))
_WHITESPACE = re.compile(r"\s+")


def _runs(text: str, start: int, end: int, marks: list[tuple[int, int, str]]) -> str:
    """The spans of ``text[start:end]`` (one line, markup already cut out), split where an excerpt starts or
    ends; a piece inside excerpts is marked with their ids."""
    cuts = sorted({start, end} | {p for s, e, _ in marks for p in (s, e) if start < p < end})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        ids = [ident for s, e, ident in marks if s < b and e > a]
        mark = f' class="hl" data-ids="{escape(" ".join(ids))}"' if ids else ""
        out.append(f'<span data-s="{a}"{mark}>{escape(text[a:b])}</span>')
    return "".join(out)


def _inline(text: str, start: int, end: int, marks: list[tuple[int, int, str]], markdown: bool) -> str:
    pieces, pos = [], start
    if markdown:
        for found in _MARKUP.finditer(text, start, end):
            if found.start() > pos:
                pieces.append(_runs(text, pos, found.start(), marks))
            pos = found.end()
    if pos < end:
        pieces.append(_runs(text, pos, end, marks))
    return "".join(pieces)


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each line of ``text[start:end]``, line ends left out."""
    out, pos = [], start
    while pos < end:
        stop = text.find("\n", pos, end)
        stop = end if stop < 0 else stop
        out.append((pos, stop - 1 if stop > pos and text[stop - 1] == "\r" and stop < end else stop))
        pos = stop + 1
    return out


def _block(text: str, lines: list[tuple[int, int]], marks, markdown: bool) -> str:
    first = text[lines[0][0]:lines[0][1]]
    heading = _HEADING.match(first) if markdown and len(lines) == 1 else None
    if heading:
        level = min(len(heading.group(1)) + 1, 6)  # the page's own title is the h1
        a = lines[0][0] + heading.start(2)
        return f"<h{level}>{_inline(text, a, a + len(heading.group(2)), marks, True)}</h{level}>"
    if markdown and _ITEM.match(first):
        items, current = [], []
        for a, b in lines:
            bullet = _ITEM.match(text[a:b])
            if bullet and current:
                items.append(current)
                current = []
            current.append(_inline(text, a + (bullet.end() if bullet else 0), b, marks, True))
        items.append(current)
        return "<ul>" + "".join(f"<li>{chr(10).join(item)}</li>" for item in items) + "</ul>"
    tag = "blockquote" if markdown and _QUOTE.match(first) else "p"
    shown = []
    for a, b in lines:
        line = text[a:b]
        if tag == "blockquote" and _QUOTE.match(line):
            a += _QUOTE.match(line).end()
        if not markdown and _SET_ASIDE.match(line.strip()):
            shown.append(f'<span class="aside">{escape(line.strip())}</span>')  # an extractor's marker, not text
            continue
        hard = markdown and (line.endswith("  ") or line.endswith("\\"))
        shown.append(_inline(text, a, b - (1 if line.endswith("\\") else 0), marks, markdown) + ("<br>" if hard else ""))
    return f"<{tag}>" + "\n".join(shown) + f"</{tag}>"


def render(text: str, start: int = 0, end: int | None = None, marks: list[tuple[int, int, str]] = (),
           markdown: bool = True) -> str:
    """HTML of ``text[start:end]``: blocks separated by blank lines; ``marks``: (start, end, id) of excerpts."""
    end = len(text) if end is None else end
    marks = [m for m in marks if m[0] < end and m[1] > start]
    blocks, current = [], []
    for a, b in _lines(text, start, end):
        if text[a:b].strip():
            current.append((a, b))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return "\n".join(_block(text, lines, marks, markdown) for lines in blocks)


def render_pages(text: str, pages: list[dict], spans: list[list[int]], marks=()) -> str:
    """A PDF's extracted text, each page's stretch after a marker line (the marker is not in the text)."""
    from .source_text import page_marker

    out = []
    for start, end, place in sorted(spans, key=lambda s: (s[0], s[2])):
        out.append(f'<div class="page" aria-hidden="true">{escape(page_marker(pages[place - 1]))}</div>')
        out.append(render(text, start, end, marks, markdown=False))
    return "\n".join(out)


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """The selection widened to whole words (a quote is matched word for word) and narrowed past white space."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def quote_of(text: str, start: int, end: int) -> str:
    """The quote for the source's characters ``start:end``: white space runs made one space, set-aside markers
    (``[table]``) of a PDF's text left out, the ends trimmed."""
    piece = "\n".join(" " if _SET_ASIDE.match(line.strip()) else line for line in text[start:end].split("\n"))
    return _WHITESPACE.sub(" ", piece).strip()


__all__ = ["quote_of", "render", "render_pages", "whole_words"]
