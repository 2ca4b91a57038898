"""A PDF's text from its classed blocks: body in reading order, set-aside blocks after their page's body.

Lines of a block are joined by a line break, blocks by a blank line, except
where body text runs on from one column or page to the next (the earlier block
ends without closing punctuation and the next starts in lower case): there a
line break. Set-aside blocks (footnotes, tables, captions, margin text,
first-page furniture) follow their page's body, each after a marker line such as
``[footnote]``; when the page's body ends mid-sentence they wait until a body
block of the next page ends one (not merely its first block), so it reads as one.

A word split at a line end (letter, ``-``, letter) is joined, unless the hyphen
belongs to a compound: the hyphenated form occurs elsewhere in the document, or
the joined form never does and the word is capitalised, an acronym, a number, or
starts with a prefix written with a hyphen (``self-``, ``well-``, ...); nor is a
web address broken at one of its hyphens joined (no one hyphenates an address). Each such
line end is recorded (``breaks``) so quotes match in either form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .pdf_layout import Block

PREFIXES = {"self", "well", "ill", "all", "ex", "half", "cross", "quasi", "non", "so", "much", "long", "short", "high",
            "low", "full", "part", "mid", "pre", "post", "anti", "co", "multi", "inter", "sub", "semi", "over", "under"}
_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_OPEN = re.compile(r"[^.!?:;\"'\u201d\u2019)\]]$")  # a block that ends without closing punctuation
_LINE_END_HYPHEN = re.compile(r"([^\W_][\w-]*)-$")
_LEADING_WORD = re.compile(r"^[^\W_]\w*")
_URL_END = re.compile(r"(?:https?://|www\.)\S*-$")  # a web address broken at one of its own hyphens


@dataclass
class Assembled:
    text: str = ""
    spans: list[list[int]] = field(default_factory=list)  # [start, end, page index]
    breaks: list[int] = field(default_factory=list)  # offsets of line-end hyphens (kept) or of joins (removed)


def vocabulary(pages: list[list[Block]]) -> tuple[set[str], set[str]]:
    """The document's words written with a hyphen, and without (lower case)."""
    hyphenated, plain = set(), set()
    for blocks in pages:
        for block in blocks:
            for line in block.lines:
                for word in _WORDS.findall(line[:-1] if line.endswith("-") else line):
                    (hyphenated if "-" in word else plain).add(word.casefold())
    return hyphenated, plain


def keeps_hyphen(left: str, right: str, hyphenated: set[str], plain: set[str]) -> bool:
    """Whether ``left-`` at a line end and ``right`` on the next line form a hyphenated compound."""
    joined, compound = (left + right).casefold(), f"{left}-{right}".casefold()
    if compound in hyphenated:
        return True
    if joined in plain:
        return False
    stem = left.rsplit("-", 1)[-1]
    return (right[:1].isupper() or right[:1].isdigit() or any(c.isdigit() for c in stem) or "-" in left
            or (len(stem) > 1 and stem.isupper()) or stem.casefold() in PREFIXES)


class _Writer:
    def __init__(self, hyphenated: set[str], plain: set[str]) -> None:
        self.out = Assembled()
        self.parts: list[str] = []
        self.length = 0
        self.hyphenated, self.plain = hyphenated, plain
        self.last = ""  # the last line written

    def _put(self, text: str, page: int) -> None:
        if not text:
            return
        spans = self.out.spans
        if spans and spans[-1][2] == page and spans[-1][1] == self.length:
            spans[-1][1] += len(text)
        else:
            spans.append([self.length, self.length + len(text), page])
        self.parts.append(text)
        self.length += len(text)

    def line(self, text: str, page: int, separator: str) -> None:
        """Write a line after ``separator`` (nothing before the first line), joining a hyphenated word."""
        if self.length:
            end = _LINE_END_HYPHEN.search(self.last)
            start = _LEADING_WORD.match(text)
            if end and start and separator != "\n\n" or (end and start and separator == "\n\n" and text[:1].islower()):
                url = _URL_END.search(self.last) is not None
                if url or keeps_hyphen(end.group(1), start.group(), self.hyphenated, self.plain):
                    self.out.breaks.append(self.length - 1)
                    self._put("\n", self.out.spans[-1][2])
                else:
                    self._drop_hyphen()
                    self.out.breaks.append(self.length)
                self._put(text, page)
                self.last = text
                return
            self._put(separator, self.out.spans[-1][2] if self.out.spans else page)  # a break belongs to the text before it
        self._put(text, page)
        self.last = text

    def _drop_hyphen(self) -> None:
        self.parts[-1] = self.parts[-1][:-1]
        self.length -= 1
        span = self.out.spans[-1]
        span[1] -= 1
        if span[1] == span[0]:
            self.out.spans.pop()
        self.last = self.last[:-1]

    def block(self, block: Block, page: int, runs_on: bool) -> None:
        for n, text in enumerate(block.lines):
            self.line(text, page, ("\n" if runs_on else "\n\n") if n == 0 else "\n")

    def done(self) -> Assembled:
        self.out.text = "".join(self.parts)
        return self.out


def _runs_on(previous: Block | None, block: Block) -> bool:
    first = block.lines[0][:1]
    return (previous is not None and bool(_OPEN.search(previous.lines[-1]))
            and (first.islower() or first.isdigit() or first in "(,;"))


def assemble(pages: list[list[Block]]) -> Assembled:
    """The text, the page spans and the hyphen breaks of pages of classed blocks (pure, for tests)."""
    writer = _Writer(*vocabulary(pages))
    previous: Block | None = None  # the last body block written
    waiting: list[tuple[Block, int]] = []  # set-aside blocks of an earlier page, until its sentence ends
    for index, blocks in enumerate(pages, start=1):
        body = [b for b in blocks if b.kind == "body"]
        aside = [(_marked(b), index) for b in blocks if b.kind != "body"]
        for block in body:
            writer.block(block, index, _runs_on(previous, block))
            previous = block
            if waiting and not _OPEN.search(block.lines[-1]):  # the sentence they waited for has ended
                for item, page in waiting:
                    writer.block(item, page, False)
                waiting = []
        following = next((b for b in pages[index] if b.kind == "body"), None) if index < len(pages) else None
        # The sentence goes on to the next page: the body ends open, or ends on an abbreviation's point (``L.``,
        # ``et al.``) and the next page's body goes on in lower case.
        later = following is not None and previous is not None and (
            bool(_OPEN.search(previous.lines[-1])) or _runs_on_after_point(previous, following))
        if later:
            waiting += aside
        else:
            for item, page in waiting + aside:
                writer.block(item, page, False)
            waiting = []
    for item, page in waiting:
        writer.block(item, page, False)
    return writer.done()


def _runs_on_after_point(previous: Block, block: Block) -> bool:
    return previous.lines[-1].endswith(".") and block.lines[0][:1].islower()


def _marked(block: Block) -> Block:
    return Block(block.kind, [f"[{block.kind}]"] + block.lines, block.size, block.top, block.bottom, block.x0, block.x1)


__all__ = ["Assembled", "PREFIXES", "assemble", "keeps_hyphen", "vocabulary"]
