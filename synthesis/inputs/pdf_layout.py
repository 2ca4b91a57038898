"""Reading order of a PDF page from its text runs: body first, what is set aside after it.

A page is cut recursively (an XY cut): into columns at vertical gutters wide
enough to be one (each side at least :data:`MIN_COLUMN` characters wide; not a
table's grid, whose rows read across, cell by cell), else
into bands at horizontal gaps taller than 0.7 of a line (the airy leading of small print
is not one), until a piece is one column of lines. Columns read left to right, bands top to bottom, so a sentence
that crosses a column reads as one. Each piece's lines are grouped into blocks,
and each block is classed:

- ``body``: text in the document's body size (or larger: headings);
- ``footnote``: smaller text with no body text below it on the page;
- ``caption``: a block starting ``Figure 3:``, ``Table 2.``, ``Fig. 1`` ... (or ``Table 2 Sample``: a
  capital after the number, where a sentence citing the table reads ``Table 2 shows``);
- ``table``: rows of three or more cells, or other smaller text (tables, figure labels);
- ``margin``: rotated or vertical text (a margin note, a rotated stamp);
- ``furniture``: first-page furniture in its top or bottom band: masthead, copyright and licence lines.

Running headers, footers and page numbers are removed before this (:mod:`.pdf_pages`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .pdf_runs import PageRuns, Run

MIN_COLUMN = 6.0  # a column is at least this many character heights wide
GUTTER = 0.5  # a vertical gap this many character heights wide, the height of the piece, is a gutter
BAND_GAP = 0.7  # a horizontal gap this many heights tall separates bands
SMALL = 0.9  # text at most this share of the body size is small print
_CAPTION = re.compile(r"^(?:Fig(?:ure)?s?\.?|Tab(?:le)?s?\.?|Exhibit|Box|Chart|Graph|Map|Plate|Scheme)\s*[A-Z]?\d+[A-Za-z]?(?:\.\d+)*\s*(?:[.:|\u2014\u2013-]|$)")
# A caption whose label is set off by type alone (``Table 2 Sample characteristics``), not by punctuation:
# a capital follows the number, as it does not in a sentence that cites one (``Table 2 shows``).
_CAPTION_BARE = re.compile(r"^(?:Fig(?:ure)?s?\.?|Tab(?:le)?s?\.?)\s*[A-Z]?\d+[A-Za-z]?\s+[A-Z][a-z]")
_CAPTION_SMALL = re.compile(r"^(?:Fig(?:ure)?s?\.?|Tab(?:le)?s?\.?|Exhibit|Box|Chart|Source|Sources|Note|Notes)\b")
_MASTHEAD = re.compile(r"(?i)(?:\bdoi\b|\u00a9|copyright|licen[cs]e|creative\s*commons|\bopen access\b|\bissn\b|\bvol(?:ume)?\.?\s*\d|\bno\.\s*\d|"
                       r"\bpp\.\s*\d|\bpages?\s+\d|received|accepted|published|correspond|e-?mail|https?://|www\.|journal|proceedings)")
KINDS = ("body", "footnote", "table", "caption", "margin", "furniture")


@dataclass
class Block:
    """Lines of one block, its kind, size and the top of its first line."""

    kind: str
    lines: list[str]
    size: float
    top: float
    bottom: float
    x0: float
    x1: float


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 10.0


def _gaps(intervals: list[tuple[float, float]], least: float) -> list[tuple[float, float]]:
    """Gaps at least ``least`` wide between the union of intervals."""
    out = []
    intervals = sorted(intervals)
    end = intervals[0][1]
    for lo, hi in intervals[1:]:
        if lo - end >= least:
            out.append((end, lo))
        end = max(end, hi)
    return out


def _columns(runs: list[Run], size: float) -> list[list[Run]] | None:
    gaps = _gaps([(r.x0, r.x1) for r in runs], GUTTER * size)
    if not gaps:
        return None
    left, right = min(r.x0 for r in runs), max(r.x1 for r in runs)
    cuts, start = [], left
    for lo, hi in gaps:  # a cut needs a column's width on its left, and on its right up to the edge
        if lo - start >= MIN_COLUMN * size and right - hi >= MIN_COLUMN * size:
            cuts.append((lo + hi) / 2)
            start = hi
    if not cuts:
        return None
    parts: list[list[Run]] = [[] for _ in range(len(cuts) + 1)]
    for run in runs:
        parts[sum(run.x0 > c for c in cuts)].append(run)
    return [p for p in parts if p]


def _bands(runs: list[Run], size: float) -> list[list[Run]] | None:
    gaps = _gaps([(-r.y1, -r.y0) for r in runs], BAND_GAP * size)
    if not gaps:
        return None
    cuts = [-(lo + hi) / 2 for lo, hi in gaps]  # y values, top to bottom
    parts: list[list[Run]] = [[] for _ in range(len(cuts) + 1)]
    for run in runs:
        parts[sum((run.y0 + run.y1) / 2 < c for c in cuts)].append(run)
    return [p for p in parts if p]


def _edges(run: Run) -> tuple[tuple[str, int], ...]:
    """Where a run starts, ends and centres, to 2 points: a table's column lines its cells up on one."""
    return ("left", round(run.x0 / 2)), ("right", round(run.x1 / 2)), ("centre", round((run.x0 + run.x1) / 4))


def _grid(runs: list[Run]) -> bool:
    """Whether a piece is a table's grid: rows of several runs, hardly any of them a line of text (six words
    or more), and nearly every run lined up with runs of two other rows (a column of cells)."""
    rows = _lines(runs)
    if len(rows) < 3 or sum(len(row) >= 2 for row in rows) < 0.6 * len(rows):
        return False
    if sum(len(r.text.split()) >= 6 for r in runs) > 0.1 * len(runs):
        return False
    on: dict[tuple[str, int], set[int]] = {}
    for n, row in enumerate(rows):
        for run in row:
            for edge in _edges(run):
                on.setdefault(edge, set()).add(n)
    lined_up = sum(any(len(on[edge]) >= 3 for edge in _edges(run)) for row in rows for run in row)
    return lined_up >= 0.8 * len(runs)


def reading_order(runs: list[Run], depth: int = 0) -> list[list[Run]]:
    """Pieces of one column each, in reading order (recursive XY cut); a table's grid is not cut into its
    columns: it reads row by row, as a viewer's selection of a row does."""
    if len(runs) <= 1 or depth > 40:
        return [runs] if runs else []
    size = _median([r.size for r in runs])
    for cut in (_columns, _bands):
        parts = cut(runs, size)
        if parts and len(parts) > 1 and not (cut is _columns and _grid(runs)):
            return [piece for part in parts for piece in reading_order(part, depth + 1)]
    return [runs]


def _lines(runs: list[Run]) -> list[list[Run]]:
    """Runs grouped into lines, top to bottom, each left to right."""
    lines: list[list[Run]] = []
    for run in sorted(runs, key=lambda r: (-r.y1, r.x0)):
        if lines:
            last = lines[-1]
            top, bottom = max(r.y1 for r in last), min(r.y0 for r in last)
            if min(top, run.y1) - max(bottom, run.y0) >= 0.5 * min(top - bottom, run.y1 - run.y0):
                last.append(run)
                continue
        lines.append([run])
    return [sorted(line, key=lambda r: r.x0) for line in lines]


def blocks_of(piece: list[Run]) -> list[tuple[list[list[Run]], float]]:
    """A column piece's lines split into blocks at taller gaps or a change of size: (lines, size)."""
    out: list[tuple[list[list[Run]], float]] = []
    current: list[list[Run]] = []
    for line in _lines(piece):
        size = _median([r.size for r in line])
        if current:
            prev_size = _median([r.size for r in current[-1]])
            gap = min(r.y0 for r in current[-1]) - max(r.y1 for r in line)
            # A change of size splits only with some space: small capitals run in without any.
            changed = abs(size - prev_size) > 0.12 * max(size, prev_size) and gap > 0.15 * max(size, prev_size)
            if gap > BAND_GAP * max(size, prev_size) or changed:
                out.append((current, _median([_median([r.size for r in ln]) for ln in current])))
                current = []
        current.append(line)
    if current:
        out.append((current, _median([_median([r.size for r in ln]) for ln in current])))
    return out


def _kind(lines: list[list[Run]], size: float, body: float, first_page: bool, page: PageRuns,
          body_lines: list[tuple[float, float, float]]) -> str:
    text = " ".join(r.text for r in lines[0])
    top, bottom = max(r.y1 for r in lines[0]), min(r.y0 for r in lines[-1])
    height = (page.y1 - page.y0) or 1.0
    small = size <= SMALL * body
    # First-page furniture: small print or a masthead's words at the top; a licence or journal line at the foot.
    # (The masthead's words are looked for only there: the search over every block cost a twentieth of a PDF.)
    if first_page and len(lines) <= 6:
        masthead = _MASTHEAD.search(" ".join(r.text for ln in lines for r in ln)) is not None
        if (top - page.y0) / height > 0.85 and (small or masthead) or (bottom - page.y0) / height < 0.15 and masthead:
            return "furniture"
    if _CAPTION.match(text) or _CAPTION_BARE.match(text) or small and _CAPTION_SMALL.match(text):
        return "caption"
    cells = sum(len(line) >= 3 for line in lines)
    if len(lines) >= 2 and cells * 2 >= len(lines):
        return "table"
    if small:
        x0, x1 = min(r.x0 for ln in lines for r in ln), max(r.x1 for ln in lines for r in ln)
        below = any(y0 < bottom and min(x1, b1) - max(x0, b0) > 0 for b0, b1, y0 in body_lines)
        return "footnote" if not below and (top - page.y0) / height < 0.6 else "table"
    return "body"


def _joined(line: list[Run]) -> str:
    """A line's runs joined by spaces, except before a prime that abuts the run before it (``s′``: the prime,
    drawn apart in content order, starts a run of its own)."""
    out = line[0].text
    for before, run in zip(line, line[1:]):
        tight = run.text[:1] in "\u2032\u2033\u2034" and run.x0 - before.x1 < 0.3 * before.size
        out += ("" if tight else " ") + run.text
    return out


def page_blocks(page: PageRuns, runs: list[Run], body: float, first_page: bool) -> list[Block]:
    """The page's blocks in reading order, each classed (see the module's docstring)."""
    upright = [r for r in runs if r.upright]
    blocks = [Block("margin", [r.text], r.size, r.y1, r.y0, r.x0, r.x1) for r in runs if not r.upright]
    pieces = [blocks_of(piece) for piece in reading_order(upright)]
    # Body-size lines (x0, x1, bottom): smaller text with none of them below it is a footnote.
    body_lines = [(min(r.x0 for r in line), max(r.x1 for r in line), min(r.y0 for r in line))
                  for piece in pieces for lines, size in piece if size > SMALL * body for line in lines]
    ordered = []
    for piece in pieces:
        for lines, size in piece:
            kind = _kind(lines, size, body, first_page, page, body_lines)
            ordered.append(Block(kind, [_joined(line) for line in lines], size,
                                 max(r.y1 for r in lines[0]), min(r.y0 for r in lines[-1]),
                                 min(r.x0 for ln in lines for r in ln), max(r.x1 for ln in lines for r in ln)))
    return ordered + blocks


def body_size(pages: list[list[Run]]) -> float:
    """The document's body text size: the size most of its characters are set in."""
    weights: dict[float, int] = {}
    for runs in pages:
        for run in runs:
            if run.upright:
                key = round(run.size * 2) / 2
                weights[key] = weights.get(key, 0) + len(run.text)
    return max(weights.items(), key=lambda kv: (kv[1], kv[0]))[0] if weights else 10.0


__all__ = ["Block", "KINDS", "blocks_of", "body_size", "page_blocks", "reading_order"]
