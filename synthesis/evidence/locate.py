"""Find verbatim quotes in source text, tolerant of typography but not of wording.

Both the source and the quote are normalised the same way: Unicode NFKC,
curly/straight quotes, dashes, every run of whitespace (line breaks included)
to one space, soft hyphens and zero-width characters removed. A match in the
normalised text is mapped back to character offsets in the original text.
``[...]`` in a quote stands for any span of the source.
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from dataclasses import dataclass

ELISION = "[...]"
_ONE_TO_ONE = str.maketrans({
    **{c: "'" for c in "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060"},
    **{c: '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"},
    **{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"},
})
# Only spans that normalisation may change are visited: a run starting with a
# character outside printable ASCII (line breaks included), or 2+ spaces. Plain
# text costs one regex scan (about 45 MB/s here).
_SPECIAL = re.compile(r"[^ -~][^!-~]*| {2,}")  # no leading " ?": it would slow the scan threefold
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalised:
    """Normalised text plus the breakpoints that map its offsets back."""

    text: str
    norm_breaks: list[int]
    orig_breaks: list[int]

    def original(self, offset: int) -> int:
        """Original offset of a normalised offset."""
        i = bisect.bisect_right(self.norm_breaks, offset) - 1
        return self.orig_breaks[i] + (offset - self.norm_breaks[i])

    def normalised(self, original: int) -> int:
        """Normalised offset of an original offset."""
        i = bisect.bisect_right(self.orig_breaks, original) - 1
        return self.norm_breaks[i] + (original - self.orig_breaks[i])


def _replacement(span: str) -> str:
    new = unicodedata.normalize("NFKC", span).translate(_ONE_TO_ONE)
    return _WHITESPACE.sub(" ", _INVISIBLE.sub("", new))


def normalise(text: str) -> Normalised:
    """Normalise ``text`` for matching, keeping a map back to original offsets."""
    pieces, norm_breaks, orig_breaks = [], [0], [0]
    pos = norm_pos = 0
    prev_space = False
    for match in _SPECIAL.finditer(text):
        start, end = match.span()
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
    return Normalised("".join(pieces), norm_breaks, orig_breaks)


def quote_segments(quote: str) -> list[str]:
    """The normalised pieces of a quote between its ``[...]`` elisions."""
    norm = normalise(quote).text.replace("[\u2026]", ELISION)
    return [seg.strip() for seg in norm.split(ELISION) if seg.strip()]


def _whole(hay: str, seg: str, at: int) -> bool:
    # A quote may not start or end inside a word: "tarif" is not "tariff".
    before = hay[at - 1:at]
    after = hay[at + len(seg):at + len(seg) + 1]
    return not (seg[0].isalnum() and before.isalnum()) and not (seg[-1].isalnum() and after.isalnum())


def _find_whole(hay: str, seg: str, lo: int, hi: int) -> int:
    found = hay.find(seg, lo, hi)
    while found >= 0 and not _whole(hay, seg, found):
        found = hay.find(seg, found + 1, hi)
    return found


def _rfind_whole(hay: str, seg: str, lo: int, hi: int) -> int:
    found = hay.rfind(seg, lo, hi)
    while found >= 0 and not _whole(hay, seg, found):
        found = hay.rfind(seg, lo, found + len(seg) - 1)
    return found


def find_quote(source: Normalised, quote: str, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
    """Original ``(start, end)`` offsets of ``quote`` in the source, or None.

    Segments between elisions must occur in order, each starting and ending
    on a word boundary; the tightest match after the earliest occurrence is
    returned. ``start``/``end`` are original
    offsets bounding the search (e.g. the document body).
    """
    segments = quote_segments(quote)
    if not segments:
        return None
    hay = source.text
    lo = source.normalised(start)
    hi = len(hay) if end is None else source.normalised(end)
    positions, cursor = [], lo
    for seg in segments:
        found = _find_whole(hay, seg, cursor, hi)
        if found < 0:
            return None
        positions.append(found)
        cursor = found + len(seg)
    # Tighten: move each earlier segment as late as it can go before the next.
    for k in range(len(segments) - 2, -1, -1):
        later = _rfind_whole(hay, segments[k], positions[k], positions[k + 1])
        if later >= 0:
            positions[k] = later
    return source.original(positions[0]), source.original(positions[-1] + len(segments[-1]))


def closest_passage(source: Normalised, quote: str, start: int = 0) -> tuple[str, float]:
    """The passage of the source most like ``quote`` and its similarity (0-1).

    Used only to explain a failed match, so clarity beats speed here.
    """
    target = " ... ".join(quote_segments(quote))
    hay = source.text[source.normalised(start):]
    if not target or not hay:
        return "", 0.0
    width = len(target)
    step = max(1, width // 4)
    best = (0.0, 0)
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(target)
    for pos in range(0, max(1, len(hay) - width // 2), step):
        matcher.set_seq1(hay[pos:pos + width])
        if matcher.real_quick_ratio() > best[0] and matcher.quick_ratio() > best[0]:
            best = max(best, (matcher.ratio(), pos))
    for pos in range(max(0, best[1] - step), min(len(hay), best[1] + step) + 1):
        matcher.set_seq1(hay[pos:pos + width])
        if matcher.quick_ratio() > best[0]:
            best = max(best, (matcher.ratio(), pos))
    # Widen to whole words, so the passage shows what the source really says.
    lo, hi = best[1], min(len(hay), best[1] + width)
    while lo > 0 and hay[lo - 1].isalnum() and hay[lo].isalnum():
        lo -= 1
    while 0 < hi < len(hay) and hay[hi].isalnum() and hay[hi - 1].isalnum():
        hi += 1
    passage = hay[lo:hi].strip()
    return passage, round(difflib.SequenceMatcher(None, passage, target, autojunk=False).ratio(), 2)


__all__ = ["ELISION", "Normalised", "closest_passage", "find_quote", "normalise", "quote_segments"]
