"""Find verbatim quotes in a source's normalised text (:mod:`.normalise`).

A match in the normalised text is mapped back to character offsets in the original text. ``[...]`` in a
quote stands for any span of the source, within one paragraph and at most :data:`MAX_ELISION` characters. In
a source normalised with its hyphens removed, a match is kept only if the hyphens it ignored differ just at
the source's line-end breaks.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .normalise import Normalised, hyphen_places, quote_segments

def _whole(hay: str, seg: str, at: int, source: "Normalised | None" = None) -> bool:
    # A quote may not start or end inside a word: "tarif" is not "tariff" (a removed hyphen is a word's end).
    before = hay[at - 1:at]
    after = hay[at + len(seg):at + len(seg) + 1]
    if source is not None and source.removed:
        before = "" if _removed_at(source, at) else before
        after = "" if _removed_at(source, at + len(seg)) else after
    if source is not None and source.joins:
        before = "" if _joined_at(source, at) else before
        after = "" if _joined_at(source, at + len(seg)) else after
    return not (seg[0].isalnum() and before.isalnum()) and not (seg[-1].isalnum() and after.isalnum())


def _joined_at(source: "Normalised", at: int) -> bool:
    i = bisect.bisect_left(source.joins, at)
    return i < len(source.joins) and source.joins[i] == at


def _removed_at(source: "Normalised", at: int) -> bool:
    i = bisect.bisect_left(source.removed, at)
    return i < len(source.removed) and source.removed[i] == at


def _find_whole(hay: str, seg: str, lo: int, hi: int, source: "Normalised | None" = None,
                places: set[int] | None = None) -> int:
    found = hay.find(seg, lo, hi)
    while found >= 0 and not (_whole(hay, seg, found, source) and (places is None or _hyphens_agree(source, found, len(seg), places))):
        found = hay.find(seg, found + 1, hi)
    return found


def _rfind_whole(hay: str, seg: str, lo: int, hi: int, source: "Normalised | None" = None,
                 places: set[int] | None = None) -> int:
    found = hay.rfind(seg, lo, hi)
    while found >= 0 and not (_whole(hay, seg, found, source) and (places is None or _hyphens_agree(source, found, len(seg), places))):
        found = hay.rfind(seg, lo, found + len(seg) - 1)
    return found


# An elision ([...]) cuts at most this many characters of the (normalised) source,
# and never a paragraph break: a quote is one passage, not a collage.
MAX_ELISION = 1000
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\r?\n|\n {0,3}#{1,6}[ \t]")  # a blank line or a heading
_MAX_CANDIDATES = 10_000  # occurrences of a quote's first piece tried before giving up
NEGATIONS = ("not", "no", "never", "none", "nor", "neither", "nothing", "nobody", "nowhere", "cannot", "without", "n't")
_NEGATION = re.compile(r"(?i)\b(?:not|no|never|none|nor|neither|nothing|nobody|nowhere|cannot|without)\b|n't\b")


@dataclass(frozen=True)
class Match:
    """A quote found in the source: original offsets of the whole span and of each cut."""

    start: int
    end: int
    cuts: tuple[tuple[int, int], ...] = ()


def find_matches(source: Normalised, quote: str, start: int = 0, end: int | None = None, text: str | None = None, limit: int = 2) -> list[Match]:
    """Up to ``limit`` distinct places where ``quote`` occurs, in source order.

    Segments between elisions must occur in order, each starting and ending on a
    word boundary, each cut at most :data:`MAX_ELISION` characters and (when the
    original ``text`` is given) within one paragraph; each match is tightened
    (earlier segments moved as late as they can go). ``start``/``end`` are
    original offsets bounding the search (e.g. the document body). In a source
    normalised with ``hyphens``, a segment's hyphens may differ only at the source's breaks.
    """
    segments = quote_segments(quote, source.hyphens)
    if not segments:
        return []
    places = [hyphen_places(seg) for seg in quote_segments(quote)] if source.hyphens else [None] * len(segments)
    hay = source.text
    lo = source.normalised(start)
    hi = len(hay) if end is None else source.normalised(end)
    found: list[Match] = []
    candidate, tries = _find_whole(hay, segments[0], lo, hi, source, places[0]), 0
    while candidate >= 0 and len(found) < limit and tries < _MAX_CANDIDATES:
        tries += 1
        match = _match_at(source, segments, candidate, hi, text, places)
        if match is not None and match not in found:
            found.append(match)
        candidate = _find_whole(hay, segments[0], candidate + 1, hi, source, places[0])
    return found


def _hyphens_agree(source: Normalised, at: int, length: int, places: set[int]) -> bool:
    """Whether the hyphens removed inside ``at:at+length`` of the source and of the quote segment
    differ only where the source may break a line at one."""
    removed = source.removed
    i = bisect.bisect_right(removed, at)
    here = set()
    while i < len(removed) and removed[i] < at + length:
        here.add(removed[i] - at)
        i += 1
    return all(at + d in source.allowed for d in here ^ places)


def _match_at(source: Normalised, segments: list[str], first: int, hi: int, text: str | None,
              places: list) -> Match | None:
    hay = source.text
    positions, cursor = [first], first + len(segments[0])
    for k, seg in enumerate(segments[1:], start=1):
        found = _find_whole(hay, seg, cursor, min(hi, cursor + MAX_ELISION + len(seg) + 2), source, places[k])
        if found < 0:
            return None
        positions.append(found)
        cursor = found + len(seg)
    # Tighten: move each earlier segment as late as it can go before the next.
    for k in range(len(segments) - 2, -1, -1):
        later = _rfind_whole(hay, segments[k], positions[k], positions[k + 1], source, places[k])
        if later >= 0:
            positions[k] = later
    cuts = tuple((_end(source, positions[k] + len(segments[k])), source.original(positions[k + 1])) for k in range(len(segments) - 1))
    if text is not None and any(_PARAGRAPH_BREAK.search(text, a, b) for a, b in cuts):
        return None
    return Match(source.original(positions[0]), _end(source, positions[-1] + len(segments[-1])), cuts)


def _end(source: Normalised, at: int) -> int:
    """The original offset where a match ending at normalised ``at`` ends (before a removed hyphen, space)."""
    removed = at and (_removed_at(source, at) or source.joins and _joined_at(source, at))
    return source.original(at - 1) + 1 if removed else source.original(at)


def find_quote(source: Normalised, quote: str, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
    """Original ``(start, end)`` offsets of the first place ``quote`` occurs, or None (see :func:`find_matches`)."""
    found = find_matches(source, quote, start, end, limit=1)
    return (found[0].start, found[0].end) if found else None


def elided_negations(text: str, match: Match) -> list[str]:
    """Negation words (not, no, never, ...) inside the parts a quote's elisions cut."""
    return [m.group() for a, b in match.cuts for m in _NEGATION.finditer(text, a, b)]


__all__ = ["MAX_ELISION", "Match", "NEGATIONS", "elided_negations", "find_matches", "find_quote"]
