"""The closest passage to a quote that is not found, and what differs: the message a coder reads."""

from __future__ import annotations

import re

from .normalise import Normalised, quote_segments

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


__all__ = ["CANDIDATES", "PROBES", "PROBE_HITS", "SHINGLE", "closest_passage"]
