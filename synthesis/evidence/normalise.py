"""Normalise text for matching quotes, tolerant of typography but not of wording, keeping a map back to
the original offsets.

Both the source and the quote are normalised the same way: Unicode NFKC,
curly/straight quotes, dashes, every run of whitespace (line breaks included)
to one space, zero-width characters removed, a soft hyphen before a line break
made a hyphen and other soft hyphens removed, and a space between a word (or
closing punctuation) and a number, or between a number and closing punctuation,
removed: where a footnote's or a table note's raised number sits on its word,
viewers differ in whether they copy a space (``interventions 45`` or
``interventions45``, ``agents5 .`` or ``agents5.``), and the space is not wording;
where one was removed is a word boundary still.

Words split at a line end: where the source may break a line at a hyphen (a PDF's
extracted text, or a Markdown or text source that has a letter, ``-``, a line
break and a letter), both sides are matched with every hyphen between two letters
or digits removed (with the space after it), and a match is kept only if the
hyphens it ignored differ just at the source's line-end breaks (``breaks``): so
``expec- tations`` matches ``expectations`` where the source split that word at a
line end, and ``self-reporting`` matches ``self-\nreporting``, but
``cooperation`` never matches ``co-operation`` in the middle of a line
(:mod:`.quotes` checks the hyphens of a match).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


ELISION = "[...]"
_ONE_TO_ONE = str.maketrans({
    **{c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060"},
    **{c: '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"},
    **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"},
})
# Only spans that normalisation may change are visited: a run starting with a
# character outside printable ASCII (line breaks included), or 2+ spaces. The two are found by two
# scans and merged (:func:`_spans`): one pattern with both alternatives is five times slower to scan.
_SPECIAL = re.compile(r"[^ -~][^!-~]*")  # no leading " ?": it would slow the scan threefold
_SPACES = re.compile(r" {2,}")
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SOFT_BREAK = re.compile("\u00ad[\u200b\u200c\u200d\u2060\ufeff]*(?=\\s)")  # a soft hyphen the line broke at
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus the breakpoints that map its offsets back."""

    text: str
    norm_breaks: list[int]
    orig_breaks: list[int]
    # With hyphens removed (see the module's docstring): where they were removed, and the
    # (normalised) places where a hyphen may differ between quote and source; ``base`` the text before
    # hyphens and loose spaces were removed (what a message shows).
    hyphens: bool = False
    removed: tuple[int, ...] = ()
    allowed: frozenset[int] = frozenset()
    base: "Normalised | None" = None
    joins: tuple[int, ...] = ()  # where a loose space was removed (word boundaries still)

    def original(self, offset: int) -> int:
        """Original offset of a normalised offset."""
        i = bisect.bisect_right(self.norm_breaks, offset) - 1
        return self.orig_breaks[i] + (offset - self.norm_breaks[i])

    def normalised(self, original: int) -> int:
        """Normalised offset of an original offset."""
        i = bisect.bisect_right(self.orig_breaks, original) - 1
        return self.norm_breaks[i] + (original - self.orig_breaks[i])


def _replacement(span: str) -> str:
    new = _replaced.get(span)
    if new is None:
        new = _SOFT_BREAK.sub("-", unicodedata.normalize("NFKC", span)).translate(_ONE_TO_ONE)
        new = _WHITESPACE.sub(" ", _INVISIBLE.sub("", new))
        if len(span) <= 8 and len(_replaced) < 4096:  # the same few spans recur (line breaks, quote marks)
            _replaced[span] = new
    return new


_replaced: dict[str, str] = {}


def _spans(text: str):
    """The ``(start, end)`` of each span :func:`_normalise` visits, in order: those of the single pattern
    ``[^ -~][^!-~]*| {2,}`` (a run of spaces inside the first kind's span is part of it)."""
    if "  " not in text:
        return (m.span() for m in _SPECIAL.finditer(text))
    return _merged([m.span() for m in _SPECIAL.finditer(text)], [m.span() for m in _SPACES.finditer(text)])


def _merged(specials: list[tuple[int, int]], spaces: list[tuple[int, int]]):
    i, n = 0, len(specials)
    for span in spaces:
        while i < n and specials[i][1] <= span[0]:
            yield specials[i]
            i += 1
        if i < n and specials[i][0] <= span[0]:
            continue  # inside a special span, which ran on over the spaces
        yield span
    yield from specials[i:]


_INNER_HYPHEN = re.compile(r"(?<=[^\W_])- ?(?=[^\W_])")
# A hyphen at a line end, then a letter; the letter before it is checked apart: a pattern starting with
# ``[^\W_]`` is tried at nearly every character of the text (five times slower), and one per kind of hyphen
# starts with a literal, which the scan skips to (ten times quicker than a class of them).
_HYPHENS = "-\u00ad\u2010\u2011"
_LINE_END_HYPHEN = {hyphen: re.compile(hyphen + r"[ \t]*\r?\n[ \t]*[^\W_]") for hyphen in _HYPHENS}
_LETTER = re.compile(r"[^\W_]")


def line_end_hyphens(text: str) -> bool:
    """Whether a Markdown or text source breaks a line at a hyphen between letters (then quotes
    match across it with or without the hyphen)."""
    return "\n" in text and any(m.start() and _LETTER.match(text, m.start() - 1)
                                for hyphen, pattern in _LINE_END_HYPHEN.items() if hyphen in text
                                for m in pattern.finditer(text))


def normalise(text: str, hyphens: bool = False, breaks: list[int] | None = None) -> Normalised:
    """Normalise ``text`` for matching, keeping a map back to original offsets.

    With ``hyphens``, hyphens between letters are removed too (see the module's docstring);
    ``breaks`` are the original offsets of line-end hyphens and joins (a PDF's extraction);
    without them, the places where the text has a hyphen, then a line break.
    """
    base = _normalise(text)
    if not hyphens:
        return base
    return _without_hyphens(base, text, breaks)


# The marker line the extractor sets before a block it set aside (``[table]``): the document's text has none,
# so a quote of a table row whose label and values are blocks of their own reads across it. Not ``[margin]``:
# rotated text is a block a line, in no order a quote could follow.
@lru_cache(maxsize=1)
def _set_aside():
    from ..inputs.pdf_layout import KINDS  # only for a PDF: the PDF modules are not imported for Markdown

    return re.compile(r"(?m)^\[(?:%s)\]$" % "|".join(k for k in KINDS if k not in ("body", "margin")))


def matchable(text: str, breaks: list[int] | None = None) -> Normalised:
    """A source's text normalised for matching: a PDF's with its line-end ``breaks`` (see the module's
    docstring) and its set-aside markers as spaces; a Markdown or text source's with hyphens removed only
    when it breaks a line at one."""
    if breaks is not None:
        return normalise(_set_aside().sub(lambda m: " " * len(m.group()), text), True, breaks)
    return normalise(text, line_end_hyphens(text))


def _without_hyphens(base: Normalised, text: str, breaks: list[int] | None) -> Normalised:
    pieces, removed, pos = [], [], 0
    points: list[tuple[int, int]] = []  # (normalised offset, original offset) breakpoints
    cut = 0  # characters removed so far
    hay = base.text
    moves = iter(zip(base.norm_breaks, base.orig_breaks))
    pending = next(moves, None)
    newline_breaks = []
    starts, cuts = [], [0]  # each removed hyphen's place, and the characters removed up to each
    for match in _INNER_HYPHEN.finditer(hay):
        start, end = match.span()
        starts.append(start)
        cuts.append(cuts[-1] + end - start)
        while pending is not None and pending[0] <= start:
            points.append((pending[0] - cut, pending[1]))
            pending = next(moves, None)
        pieces.append(hay[pos:start])
        removed.append(start - cut)
        if breaks is None and "\n" in text[base.original(start):base.original(end)]:
            newline_breaks.append(start - cut)
        cut += end - start
        pos = end
        while pending is not None and pending[0] <= end:  # breakpoints inside the removed hyphen
            pending = next(moves, None)
        points.append((end - cut, base.original(end)))
    while pending is not None:
        points.append((pending[0] - cut, pending[1]))
        pending = next(moves, None)
    pieces.append(hay[pos:])
    merged: dict[int, int] = {}
    for at, orig in points:
        merged[at] = orig  # the later breakpoint at one place wins
    norm_breaks = sorted(merged)
    result = Normalised("".join(pieces), norm_breaks, [merged[k] for k in norm_breaks], True, tuple(removed),
                        frozenset(), base.base or base)
    allowed = frozenset(newline_breaks) if breaks is None else frozenset(result.normalised(b) for b in breaks)
    # A loose space's place, less the hyphens removed before it.
    joins = tuple(j - cuts[bisect.bisect_left(starts, j)] for j in base.joins)
    return Normalised(result.text, result.norm_breaks, result.orig_breaks, True, result.removed, allowed,
                      base.base or base, joins)


# Curly quote marks and dashes (those NFKC leaves alone) that start a span of their own (after printable
# ASCII, or it and one space; not before two spaces) may become their ASCII ones before the scan, one
# character for one: the text and its offsets come out the same, and the scan visits fewer spans. One inside
# a longer span (after a ligature: "\ufb01\u201c") is left to it, whose offsets it would change.
_PLAIN = {chr(k): v for k, v in _ONE_TO_ONE.items()
          if chr(k) > "~" and unicodedata.normalize("NFKC", chr(k)) == chr(k)}
_MARK = "[%s]" % "".join(_PLAIN)
# Two spaces after it are a span of their own.
_SPAN_STARTING_MARK = re.compile(rf"{_MARK}(?:(?<=[!-~][^ -~])|(?<=[!-~] [^ -~]))(?!  )")


# That pass reads the whole text (about 5 ns a character) to spare the loop below about 0.4 us a span: it
# pays only where marks are dense (an apostrophe every few words, as in French), not in most prose: this
# repository's sources (a mark in 700 characters) and the benchmark's are normalised a sixth quicker without
# it, text with a "\u2019s" every eighth word a third slower. "\u2019" stands for them all: counting it costs
# a fifteenth of the pass.
MARKS_FIRST = 64  # the pass runs where more than one character in this many is a "\u2019"


def _normalise(text: str, marks_first: bool | None = None) -> Normalised:
    """:func:`normalise` without hyphens; ``marks_first`` forces the pass over marks on or off (for tests:
    either way gives the same result)."""
    if text.isascii() and text.isprintable() and "  " not in text:
        return _squeezed(Normalised(text, [0], [0]))  # no span to visit (most quotes)
    if marks_first if marks_first is not None else text.count("\u2019") * MARKS_FIRST > len(text):
        text = _SPAN_STARTING_MARK.sub(lambda m: _PLAIN[m.group()], text)
    pieces, norm_breaks, orig_breaks = [], [0], [0]
    pos = norm_pos = 0
    prev_space = False
    for start, end in _spans(text):
        if start - 1 >= pos and text[start - 1] == " " and text[start] != " ":
            start -= 1  # a space before a line break or special character belongs to its run
        elif unicodedata.combining(text[start]) and start - 1 >= pos:
            start -= 1  # compose an accent with its (ASCII) base letter
        span = text[start:end]
        new = _replacement(span)
        before = text[pos:start]
        if (before.endswith(" ") if before else prev_space) and new.startswith(" "):
            new = new[1:]  # a space already precedes this run
        if new == span:
            continue
        pieces += (before, new)
        norm_pos += len(before) + len(new)
        pos = end
        if len(new) != len(span):
            norm_breaks.append(norm_pos)
            orig_breaks.append(pos)
        prev_space = new.endswith(" ") if new else (before.endswith(" ") if before else prev_space)
    pieces.append(text[pos:])
    return _squeezed(Normalised("".join(pieces), norm_breaks, orig_breaks))


# A space a raised mark may or may not have (see the module's docstring): found as a space before a digit or
# closing punctuation (a plain scan: a look-behind would slow it tenfold), then kept if loose.
_MAYBE_LOOSE = re.compile(r" [\d.,;:!?)\]]")


def _loose(hay: str, at: int) -> bool:
    before, after = hay[at - 1:at], hay[at + 1]
    if after.isdigit():
        return before.isalpha() or before in ",;:)]'\"" and before != ""
    return before.isdigit() and (at + 2 == len(hay) or hay[at + 2].isspace())


def _squeezed(spaced: Normalised) -> Normalised:
    """``spaced`` with its loose spaces removed; offsets still map to the original text."""
    hay = spaced.text
    starts = [at for at in (m.start() for m in _MAYBE_LOOSE.finditer(hay)) if _loose(hay, at)]
    if not starts:
        return spaced
    text = "".join(hay[a + 1:b] for a, b in zip([-1] + starts, starts + [len(hay)]))
    old_n, old_o = spaced.norm_breaks, spaced.orig_breaks
    norm_breaks, orig_breaks, i = [], [], 0
    for k, at in enumerate(starts):
        while i < len(old_n) and old_n[i] <= at:  # breakpoints up to this space move back by the k before it
            norm_breaks.append(old_n[i] - k)
            orig_breaks.append(old_o[i])
            i += 1
        place, orig = at - k, spaced.original(at + 1)  # what followed the space now starts here
        if norm_breaks and norm_breaks[-1] == place:
            orig_breaks[-1] = orig
        else:
            norm_breaks.append(place)
            orig_breaks.append(orig)
    for n, o in zip(old_n[i:], old_o[i:]):
        norm_breaks.append(n - len(starts))
        orig_breaks.append(o)
    joins = tuple(at - k for k, at in enumerate(starts))
    return Normalised(text, norm_breaks, orig_breaks, base=spaced, joins=joins)


def quote_segments(quote: str, hyphens: bool = False, spaced: bool = False) -> list[str]:
    """The normalised pieces of a quote between its ``[...]`` elisions (hyphens between letters removed
    with ``hyphens``; :func:`hyphen_places` says where; loose spaces kept with ``spaced``)."""
    norm = normalise(quote)
    norm = (norm.base or norm if spaced else norm).text.replace("[\u2026]", ELISION)
    segments = [seg.strip() for seg in norm.split(ELISION) if seg.strip()]
    return [_INNER_HYPHEN.sub("", seg) for seg in segments] if hyphens else segments


def hyphen_places(segment: str) -> set[int]:
    """Where hyphens were removed from a normalised quote segment (offsets in the result)."""
    places, cut = set(), 0
    for match in _INNER_HYPHEN.finditer(segment):
        places.add(match.start() - cut)
        cut += match.end() - match.start()
    return places


__all__ = ["ELISION", "Normalised", "hyphen_places", "line_end_hyphens", "matchable", "normalise", "quote_segments"]
