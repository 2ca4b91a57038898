"""Find verbatim quotes in source text, tolerant of typography but not of wording.

Both the source and the quote are normalised the same way: Unicode NFKC,
curly/straight quotes, dashes, every run of whitespace (line breaks included)
to one space, zero-width characters removed, a soft hyphen before a line break
made a hyphen and other soft hyphens removed, and a space between a word (or
closing punctuation) and a number, or between a number and closing punctuation,
removed: where a footnote's or a table note's raised number sits on its word,
viewers differ in whether they copy a space (``interventions 45`` or
``interventions45``, ``agents5 .`` or ``agents5.``), and the space is not wording;
where one was removed is a word boundary still. A match in the normalised text is
mapped back to character offsets in the original text. ``[...]`` in a quote
stands for any span of the source.

Words split at a line end: where the source may break a line at a hyphen (a PDF's
extracted text, or a Markdown or text source that has a letter, ``-``, a line
break and a letter), both sides are matched with every hyphen between two letters
or digits removed (with the space after it), and a match is kept only if the
hyphens it ignored differ just at the source's line-end breaks (``breaks``): so
``expec- tations`` matches ``expectations`` where the source split that word at a
line end, and ``self-reporting`` matches ``self-\nreporting``, but
``cooperation`` never matches ``co-operation`` in the middle of a line.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from ..inputs.pdf_layout import KINDS

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
    new = _SOFT_BREAK.sub("-", unicodedata.normalize("NFKC", span)).translate(_ONE_TO_ONE)
    return _WHITESPACE.sub(" ", _INVISIBLE.sub("", new))


_INNER_HYPHEN = re.compile(r"(?<=[^\W_])- ?(?=[^\W_])")
_LINE_END_HYPHEN = re.compile(r"[^\W_][-\u00ad\u2010\u2011][ \t]*\r?\n[ \t]*[^\W_]")


def line_end_hyphens(text: str) -> bool:
    """Whether a Markdown or text source breaks a line at a hyphen between letters (then quotes
    match across it with or without the hyphen)."""
    return "\n" in text and _LINE_END_HYPHEN.search(text) is not None


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
_SET_ASIDE = re.compile(r"(?m)^\[(?:%s)\]$" % "|".join(k for k in KINDS if k not in ("body", "margin")))


def matchable(text: str, breaks: list[int] | None = None) -> Normalised:
    """A source's text normalised for matching: a PDF's with its line-end ``breaks`` (see the module's
    docstring) and its set-aside markers as spaces; a Markdown or text source's with hyphens removed only
    when it breaks a line at one."""
    if breaks is not None:
        return normalise(_SET_ASIDE.sub(lambda m: " " * len(m.group()), text), True, breaks)
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


def _normalise(text: str) -> Normalised:
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


_WORD = re.compile(r"\S+")
SHINGLE = 3  # words per probe of the closest-passage search
PROBES = 10  # probes per quote, spread over it
PROBE_HITS = 200  # occurrences counted per probe
CANDIDATES = 4  # windows aligned word by word


def closest_passage(source: Normalised, quote: str, start: int = 0) -> tuple[int, str, float, list[str]]:
    """Where the source is most like ``quote``: (normalised offset, passage, similarity 0-1, differences).

    Bounded in time on any source: a few word triples of the quote are looked up
    (``str.find``), each hit votes for where the quote would start, and only the
    best-voted windows are aligned word by word (rapidfuzz). ``differences``
    shows each differing stretch as ``[source: ... | quote: ...]`` with a few words around it.
    """
    from rapidfuzz.distance import Indel

    target = " ".join(quote_segments(quote, source.hyphens, spaced=source.base is None))
    body = source.normalised(start)
    hay = source.text
    words = [(m.start(), m.group()) for m in _WORD.finditer(target)]
    if not words or body >= len(hay):
        return body, "", 0.0, []
    width = len(target)
    bucket = max(64, width // 4)
    votes = _votes(hay, body, _probes(words), bucket)
    if not votes:  # no word triple of the quote is in the source: try its longest words alone
        longest = sorted(words, key=lambda w: (-len(w[1]), w[0]))[:PROBES]
        votes = _votes(hay, body, [(o, w) for o, w in longest if len(w) > 3], bucket)
    if not votes:
        return body, "", 0.0, []
    quote_words = [w for _o, w in words]
    best = (-1.0, body, "", [])
    for key, _count in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:CANDIDATES]:
        lo = max(body, key * bucket - width // 2 - bucket)
        hi = min(len(hay), key * bucket + width + width // 2 + bucket)
        window = [(m.start(), m.group()) for m in _WORD.finditer(hay, lo, hi)]
        if not window:
            continue
        equal = [op for op in Indel.opcodes(quote_words, [w for _o, w in window]) if op.tag == "equal"]
        if not equal:
            continue
        # The aligned words, widened by as many words as the quote has before and after them.
        first = max(0, equal[0].dest_start - equal[0].src_start)
        last = min(len(window), equal[-1].dest_end + len(quote_words) - equal[-1].src_end)
        passage = " ".join(w for _o, w in window[first:last])
        score = Indel.normalized_similarity(passage, target)
        if score > best[0]:
            diffs = _differences(quote_words, [w for _o, w in window[first:last]])
            best = (score, window[first][0], passage, diffs)
    score, offset, passage, diffs = best
    return offset, passage, round(max(score, 0.0), 2), diffs


def _votes(hay: str, body: int, probes: list[tuple[int, str]], bucket: int) -> dict[int, int]:
    """Each place a probe occurs votes for the window where the quote would start."""
    votes: dict[int, int] = {}
    for offset, probe in probes:
        at, hits = hay.find(probe, body), 0
        while at >= 0 and hits < PROBE_HITS:
            key = max(body, at - offset) // bucket
            votes[key] = votes.get(key, 0) + 1
            hits += 1
            at = hay.find(probe, at + 1)
    return votes


def _probes(words: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Up to PROBES word triples spread evenly over the quote, with their offsets in it."""
    n = max(1, len(words) - SHINGLE + 1)
    picks = sorted({round(i * (n - 1) / max(1, PROBES - 1)) for i in range(min(PROBES, n))})
    return [(words[i][0], " ".join(w for _o, w in words[i:i + SHINGLE])) for i in picks]


_EDGE = ".,;:!?\"'()[]"


def _differences(quote_words: list[str], passage_words: list[str], around: int = 4, shown: int = 3) -> list[str]:
    from rapidfuzz.distance import Levenshtein

    out = []
    ops = Levenshtein.opcodes(passage_words, quote_words)
    for op in ops:
        if op.tag == "equal":
            continue
        said, typed = (" ".join(words).strip(_EDGE) for words in (passage_words[op.src_start:op.src_end], quote_words[op.dest_start:op.dest_end]))
        if said == typed and (op.src_start == 0 or op.src_end == len(passage_words)):
            continue  # a quote may start or end before the source's punctuation
        before = " ".join(passage_words[max(0, op.src_start - around):op.src_start])
        after = " ".join(passage_words[op.src_end:op.src_end + around])
        said = " ".join(passage_words[op.src_start:op.src_end]) or "-"
        typed = " ".join(quote_words[op.dest_start:op.dest_end]) or "-"
        out.append(" ".join(x for x in ("..." if op.src_start > around else "", before, f"[source: {_clip(said)} | quote: {_clip(typed)}]", after, "..." if op.src_end + around < len(passage_words) else "") if x))
    return out[:shown] + ([f"and {len(out) - shown} more"] if len(out) > shown else [])


def _clip(text: str, width: int = 120) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."


__all__ = ["ELISION", "MAX_ELISION", "Match", "NEGATIONS", "Normalised", "closest_passage", "elided_negations", "find_matches",
           "find_quote", "hyphen_places", "line_end_hyphens", "matchable", "normalise", "quote_segments"]
