"""Running headers and footers, and the page numbers printed on a PDF's pages.

A run in a page's top or bottom band (:data:`BAND` of its height) is furniture
when its text, digits and roman numerals masked, recurs in that band on at least
two pages and 40% of them, or when it is a page number alone (``12``, ``xiv``,
``Page 3 of 10``, ``- 4 -``).

Numbers in the bands are read as printed page numbers only where they progress
with the pages: for each number seen, its offset from the page's position in
the file votes, and an offset seen on two or more pages (or the one page of a
one-page document) is a progression. Roman numerals form their own. A page
without a number of its own, inside or after a progression, takes the
progression's number for its place (a chapter's opening page prints none).
"""

from __future__ import annotations

import re

from .pdf_runs import PageRuns

BAND = 0.12
_DIGITS = re.compile(r"\d+")
_ROMAN_WORD = re.compile(r"\b[ivxlcdm]+\b", re.I)
_ALONE = re.compile(r"(?i)^(?:page|p\.|pg\.?)?\s*[-\u2013\u2014|]?\s*(\d{1,6}|[ivxlcdm]{1,7})\s*[-\u2013\u2014|]?"
                    r"(?:\s*(?:of|/)\s*\d{1,6})?$")
_EDGE_NUMBER = re.compile(r"^(\d{1,6})\s+\S|\S\s+(\d{1,6})$")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def roman_value(text: str) -> int | None:
    """The value of a roman numeral written the usual way (``xiv`` is 14), else None."""
    text = text.lower()
    if not text or any(c not in _ROMAN for c in text):
        return None
    total = 0
    for a, b in zip(text, text[1:] + " "):
        value = _ROMAN[a]
        total += -value if b != " " and _ROMAN[b] > value else value
    return total if to_roman(total) == text else None


def to_roman(number: int) -> str:
    """``14`` as ``xiv``."""
    out = []
    for value, digits in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while number >= value:
            out.append(digits)
            number -= value
    return "".join(out)


def in_band(page: PageRuns, y0: float, y1: float) -> bool:
    height = (page.y1 - page.y0) or 1.0
    return (y0 - page.y0) / height > 1 - BAND or (y1 - page.y0) / height < BAND


def _key(text: str) -> str:
    return " ".join(_ROMAN_WORD.sub("#", _DIGITS.sub("#", text)).casefold().split())


def furniture(pages: list[PageRuns]) -> set[tuple[int, int]]:
    """(page number in the file, run index) of running headers, footers and page numbers."""
    seen: dict[str, set[int]] = {}
    for page in pages:
        for run in page.runs:
            if run.upright and in_band(page, run.y0, run.y1):
                seen.setdefault(_key(run.text), set()).add(page.index)
    threshold = max(2, round(0.4 * len(pages)))
    repeated = {key for key, on in seen.items() if len(on) >= threshold}
    return {(page.index, n) for page in pages for n, run in enumerate(page.runs)
            if run.upright and in_band(page, run.y0, run.y1) and (_key(run.text) in repeated or _ALONE.match(run.text))}


def _outer(page: PageRuns, run) -> bool:
    """In the top or bottom fifth of the page (where a number alone may be a page number set in the
    margin beside the text, lower than a running header)."""
    height = (page.y1 - page.y0) or 1.0
    return (run.y0 - page.y0) / height > 0.8 or (run.y1 - page.y0) / height < 0.2


def _candidates(page: PageRuns, alone_only: bool) -> list[tuple[str, int, float, bool, int]]:
    """Numbers in the page's bands: ('arabic' | 'roman', value, weight: the run's size, alone, run index)."""
    out = []
    for n, run in enumerate(page.runs):
        banded = in_band(page, run.y0, run.y1)
        if not (run.upright and (banded or _outer(page, run))):
            continue
        alone = _ALONE.match(run.text)
        if not banded and not (alone and alone.group(1).isdigit()):
            continue
        if alone:
            token = alone.group(1)
            if token.isdigit():
                out.append(("arabic", int(token), run.size, True, n))
            elif roman_value(token) is not None:
                out.append(("roman", roman_value(token), run.size, True, n))
            continue
        edge = None if alone_only else _EDGE_NUMBER.search(run.text)
        if edge:
            out.append(("arabic", int(edge.group(1) or edge.group(2)), run.size, False, n))
    return out


def number_runs(pages: list[PageRuns]) -> set[tuple[int, int]]:
    """(page, run index) of the runs that print a page's own number (furniture, wherever on the page)."""
    numbers = printed_numbers(pages)
    out = set()
    for page, (number, how) in zip(pages, numbers):
        if how == "page":
            out |= {(page.index, n) for kind, value, _w, alone, n in _candidates(page, len(pages) == 1)
                    if alone and _shown(kind, value) == number}
    return out


def printed_numbers(pages: list[PageRuns]) -> list[tuple[str, str]]:
    """Each page's printed number and how it is known: ('47699', 'page'), ('12', 'inferred') or ('', '')."""
    found = [_candidates(page, len(pages) == 1) for page in pages]
    votes: dict[tuple[str, int], set[int]] = {}
    weights: dict[tuple[str, int], float] = {}
    alone: dict[tuple[str, int], set[int]] = {}
    banded: dict[tuple[str, int], set[int]] = {}
    for n, candidates in enumerate(found):
        for kind, value, weight, by_itself, run in candidates:
            votes.setdefault((kind, value - n), set()).add(n)
            if in_band(pages[n], pages[n].runs[run].y0, pages[n].runs[run].y1):
                banded.setdefault((kind, value - n), set()).add(n)
            weights[(kind, value - n)] = weights.get((kind, value - n), 0.0) + weight
            if by_itself:
                alone.setdefault((kind, value - n), set()).add(n)
    least = 1 if len(pages) == 1 else 2
    # The best progression: most pages with the number in the header or footer band, then standing alone, then most pages, then the larger
    # numbers: a page number, not a print shop's frame number in the corner ("Frm 00002").
    progressions = sorted(((key, on) for key, on in votes.items() if len(on) >= least),
                          key=lambda item: (-len(alone.get(item[0], ())), -len(banded.get(item[0], ())), -len(item[1]),
                                            -weights[item[0]], item[0]))
    out: list[tuple[str, str]] = [("", "")] * len(pages)
    claimed: dict[int, tuple[str, int]] = {}
    spans: list[tuple[str, int, int]] = []  # (kind, first, last page) of the progressions taken
    for (kind, offset), on in progressions:
        if any(k == kind and min(on) <= last and max(on) >= first for k, first, last in spans):
            continue  # overlaps a better progression of the same kind: a frame or table number, not a page's
        spans.append((kind, min(on), max(on)))
        for n in on:
            if n not in claimed and n + offset > 0:
                claimed[n] = (kind, offset)
    for n, (kind, offset) in claimed.items():
        out[n] = (_shown(kind, n + offset), "page")
    # Pages without a number of their own: the progression of the nearest numbered page before them,
    # else after them (a report's or article's first page often prints none).
    numbered = sorted(claimed)
    for n in range(len(pages)):
        if out[n][0] or not numbered:
            continue
        before = [m for m in numbered if m < n]
        kind, offset = claimed[before[-1] if before else numbered[0]]
        if n + offset > 0:
            out[n] = (_shown(kind, n + offset), "inferred")
    return out


def _shown(kind: str, value: int) -> str:
    return to_roman(value) if kind == "roman" else str(value)


__all__ = ["BAND", "furniture", "in_band", "number_runs", "printed_numbers", "roman_value", "to_roman"]
