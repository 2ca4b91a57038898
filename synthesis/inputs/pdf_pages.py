"""Running headers and footers, and the page numbers printed on a PDF's pages.

A run in a page's top or bottom band (:data:`BAND` of its height) is furniture
when its text, digits and roman numerals masked, recurs in that band on at least
two pages and 40% of them, or when it is a page number alone (``12``, ``xiv``,
``Page 3 of 10``, ``- 4 -``). A short run in a side margin (beside where the
page's long lines start or end) is furniture when it recurs at the same height
on as many pages (a running head in the outer margin).

A number is read as a printed page number only where it progresses with the
pages at one height on the page: a number alone anywhere (a page number may sit
in the margin beside the text), or at either end of a header or footer line.
Each number's offset from the page's position in the file, at its height, votes;
an offset seen on two or more pages (or the one page of a one-page document),
on most pages of the stretch it spans, is a progression, and the one of numbers
alone that explains most pages wins (then the header and footer bands). Away
from the bands only a sequence through most of the document counts (a table's
cells are not page numbers). Roman numerals form their own; a progression
crossing a better one of the same kind is a section or frame number. A number
alone where the page numbers stand starts a new sequence (``iii, iv, 1, 2, 1``).
A page without a number of its own, inside or after a progression, takes the
progression's number for its place (a chapter's opening page prints none);
before a "Page 9 of 11" sequence, an unnumbered first page is page 1.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .pdf_runs import PageRuns

BAND = 0.12
_SHORT = 6  # words in a run that may be a running head set beside the text
_EDGE_WORDS = 10  # words in a header or footer line whose first or last word may be the page number
_RUN_ON = 4  # pages a sequence of arabic numbers must run through in a longer document (footnote numbers
# progress with the notes, so two or three pages in a row may show numbers that look like a page's own)
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


def _placed(page: PageRuns, run) -> tuple[str, int]:
    """A short run's text (numbers masked) and height on the page, to a fiftieth of it."""
    return _key(run.text), round(_centre(page, run) * 50)


def _beside(page: PageRuns) -> list[bool]:
    """Which of the page's runs are short and stand beside its text, in a side margin: left of where most
    of its long lines start, or right of where they end."""
    long = [run for run in page.runs if run.upright and len(run.text.split()) > _SHORT]
    if not long:
        return [False] * len(page.runs)
    left = sorted(r.x0 for r in long)[len(long) // 2]
    right = sorted(r.x1 for r in long)[len(long) // 2]
    return [run.upright and len(run.text.split()) <= _SHORT and (run.x1 <= left + 1 or run.x0 >= right - 1)
            for run in page.runs]


def furniture(pages: list[PageRuns]) -> set[tuple[int, int]]:
    """(page number in the file, run index) of running headers, footers and page numbers; also a short run
    in a side margin that recurs at one height on as many pages (a running head set in the outer margin
    beside the text, as some journals do)."""
    seen: dict[str, set[int]] = {}
    placed: dict[tuple[str, int], set[int]] = {}
    beside = {page.index: _beside(page) for page in pages}
    for page in pages:
        for n, run in enumerate(page.runs):
            if run.upright and in_band(page, run.y0, run.y1):
                seen.setdefault(_key(run.text), set()).add(page.index)
            if beside[page.index][n]:
                placed.setdefault(_placed(page, run), set()).add(page.index)
    threshold = max(2, round(0.4 * len(pages)))
    repeated = {key for key, on in seen.items() if len(on) >= threshold}
    fixed = {key for key, on in placed.items() if len(on) >= threshold and key[0].strip("#")}
    return {(page.index, n) for page in pages for n, run in enumerate(page.runs)
            if run.upright and (in_band(page, run.y0, run.y1) and (_key(run.text) in repeated or _ALONE.match(run.text))
                                or beside[page.index][n] and _placed(page, run) in fixed)}


def _centre(page: PageRuns, run) -> float:
    """The run's vertical centre as a share of the page's height (0 at the bottom)."""
    return ((run.y0 + run.y1) / 2 - page.y0) / ((page.y1 - page.y0) or 1.0)


class _Candidate(NamedTuple):
    kind: str  # 'arabic' | 'roman'
    value: int
    weight: float  # the run's size
    alone: bool  # the run is the number alone (``12``, ``Page 3 of 10``)
    run: int
    y: float  # vertical centre, a share of the page's height
    banded: bool  # in the header or footer band
    of_total: bool  # ``Page 9 of 11``: counts from the document's first page


def _candidates(page: PageRuns, alone_only: bool) -> list[_Candidate]:
    """Numbers that may be the page's own: a number alone anywhere on the page (a page number may be set in
    the margin beside the text), or a number at either end of a header or footer line."""
    out = []
    for n, run in enumerate(page.runs):
        if not run.upright:
            continue
        y = _centre(page, run)
        banded = y < BAND or y > 1 - BAND
        alone = _ALONE.match(run.text)
        if alone:
            token, of_total = alone.group(1), bool(re.search(r"(?i)\s(?:of|/)\s*\d", run.text))
            if token.isdigit():
                out.append(_Candidate("arabic", int(token), run.size, True, n, y, banded, of_total))
            elif roman_value(token) is not None and banded:
                out.append(_Candidate("roman", roman_value(token), run.size, True, n, y, banded, False))
            continue
        # A number at an end of a short header or footer line ("8 BEHAVIOUR CHANGE"); not a footnote's number
        # at the start of its note, which reads on for words.
        short = len(run.text.split()) <= _EDGE_WORDS
        edge = None if alone_only or not banded or not short else _EDGE_NUMBER.search(run.text)
        if edge:
            value = int(edge.group(1) or edge.group(2))
            out.append(_Candidate("arabic", value, run.size, False, n, y, True, False))
    return out


def number_runs(pages: list[PageRuns]) -> set[tuple[int, int]]:
    """(page, run index) of the runs that print a page's own number (furniture, wherever on the page)."""
    numbers = printed_numbers(pages)
    out = set()
    for page, (number, how) in zip(pages, numbers):
        if how == "page":
            out |= {(page.index, c.run) for c in _candidates(page, len(pages) == 1)
                    if c.alone and _shown(c.kind, c.value) == number}
    return out


_SAME_PLACE = 0.015  # of the page's height: a page number sits at the same height on every page


def _progressions(found: list[list[_Candidate]]) -> dict[tuple[str, int, int], list[tuple[int, _Candidate]]]:
    """Numbers that progress with the pages at one height: (kind, offset from the page's index, height
    group) to the pages and candidates that show them."""
    groups: dict[tuple[str, int, int], list[tuple[int, _Candidate]]] = {}
    heights: dict[tuple[str, int], list[float]] = {}
    for n, candidates in enumerate(found):
        for c in candidates:
            seen = heights.setdefault((c.kind, c.value - n), [])
            place = next((i for i, y in enumerate(seen) if abs(y - c.y) <= _SAME_PLACE), None)
            if place is None:
                seen.append(c.y)
                place = len(seen) - 1
            members = groups.setdefault((c.kind, c.value - n, place), [])
            if all(m != n for m, _c in members):
                members.append((n, c))
    return groups


def printed_numbers(pages: list[PageRuns]) -> list[tuple[str, str]]:
    """Each page's printed number and how it is known: ('47699', 'page'), ('12', 'inferred') or ('', '')."""
    found = [_candidates(page, len(pages) == 1) for page in pages]
    least = 1 if len(pages) == 1 else 2

    # The sequence of numbers alone that explains most pages wins (a page number, not a print shop's frame
    # number in the corner, "Frm 00002"); then all pages, those in the header or footer band, the larger
    # print.
    def rank(item):
        (kind, offset, _place), members = item
        return (-sum(c.alone for _n, c in members), -len(members), -sum(c.banded for _n, c in members),
                -sum(c.weight for _n, c in members), kind, offset)

    progressions = sorted(((key, m) for key, m in _progressions(found).items() if len(m) >= least), key=rank)
    claimed: dict[int, tuple[str, int, _Candidate]] = {}
    taken: list[tuple[str, int, int, int, list[float]]] = []  # kind, offset, first, last page, heights
    for (kind, offset, _place), members in progressions:
        on = [n for n, _c in members]
        if any(k == kind and o != offset and min(on) <= last and max(on) >= first
               for k, o, first, last, _y in taken):
            continue  # crosses a better progression of the same kind: a frame, section or table number
        if not all(c.alone or c.banded for _n, c in members) or len(on) < 0.6 * (max(on) - min(on) + 1):
            continue  # page numbers run on from page to page; numbers in a table's cells come and go
        if sum(not c.banded for _n, c in members) * 2 > len(on) and len(on) < max(3, len(pages) / 2):
            continue  # away from the header and footer, only a sequence through most of the pages
        if kind == "arabic" and len(on) < _RUN_ON and len(pages) > 2 * _RUN_ON and not any(
                k == kind and o == offset for k, o, *_rest in taken):
            continue  # a few pages' footnote numbers, not a page numbering
        taken.append((kind, offset, min(on), max(on), [c.y for _n, c in members]))
        for n, c in members:
            if n not in claimed and c.value > 0:
                claimed[n] = (kind, offset, c)
    # A page whose numbering restarts (a new part's "1") prints it where the other pages print theirs.
    for n, candidates in enumerate(found):
        if n in claimed or not taken:
            continue
        for c in candidates:
            if c.alone and c.banded and any(abs(c.y - y) <= _SAME_PLACE for *_k, ys in taken for y in ys):
                claimed[n] = (c.kind, c.value - n, c)
                break
    out: list[tuple[str, str]] = [("", "")] * len(pages)
    for n, (kind, offset, _c) in claimed.items():
        out[n] = (_shown(kind, n + offset), "page")
    # Pages without a number of their own: the progression of the nearest numbered page before them,
    # else after them (a report's or article's first page often prints none; "Page 9 of 11" counts from
    # the document's first page, so an excerpt's unnumbered first page is its page 1).
    numbered = sorted(claimed)
    for n in range(len(pages)):
        if out[n][0] or not numbered:
            continue
        before = [m for m in numbered if m < n]
        kind, offset, c = claimed[before[-1] if before else numbered[0]]
        if not before and n == 0 and c.of_total:
            out[n] = ("1", "inferred")
        elif n + offset > 0:
            out[n] = (_shown(kind, n + offset), "inferred")
    return out


def two_up(pages: list[PageRuns]) -> dict[int, tuple[float, str, str]]:
    """Sheets that print two pages side by side (a preprint copied two to a sheet): page in the file ->
    (where the halves meet, the left page's number, the right one's). A sheet is two-up where a number
    alone in its header or footer band stands in each half at one height, the right one the left's next,
    on two or more sheets whose left numbers go up by two a sheet."""
    pairs: dict[int, tuple[float, int]] = {}
    for page in pages:
        middle = (page.x0 + page.x1) / 2
        numbers = [(run, int(m.group(1))) for run in page.runs if run.upright and in_band(page, run.y0, run.y1)
                   for m in [_ALONE.match(run.text)] if m and m.group(1).isdigit()]
        for left, a in numbers:
            for right, b in numbers:
                if b == a + 1 and (left.x0 + left.x1) / 2 < middle < (right.x0 + right.x1) / 2 \
                        and abs(_centre(page, left) - _centre(page, right)) < _SAME_PLACE:
                    pairs[page.index] = (((left.x0 + left.x1) / 2 + (right.x0 + right.x1) / 2) / 2, a)
    offsets: dict[int, int] = {}
    for index, (_x, a) in pairs.items():
        offsets[a - 2 * index] = offsets.get(a - 2 * index, 0) + 1
    if not offsets:
        return {}
    offset, count = max(offsets.items(), key=lambda kv: (kv[1], -kv[0]))
    if count < 2:
        return {}
    return {index: (x, str(a), str(a + 1)) for index, (x, a) in pairs.items() if a - 2 * index == offset}


def _shown(kind: str, value: int) -> str:
    return to_roman(value) if kind == "roman" else str(value)


__all__ = ["BAND", "furniture", "in_band", "number_runs", "printed_numbers", "roman_value", "to_roman", "two_up"]
