"""Text runs of a PDF's pages, with their positions and sizes (pypdfium2, Apache-2.0/BSD-3).

PDFium reads each page's characters with their boxes, its own spacing and its
own line ends; from them we cut *runs*: characters on one baseline with no gap
wider than about a character's height between them (a gap that wide is a column
gutter or a table's cell boundary, not a word space). Layout (columns, footnotes,
tables, furniture) is decided from these runs in :mod:`.pdf_layout`.

A glyph PDFium cannot map to a character (no ToUnicode entry, a private-use code)
is left out of the text and counted per page, so the source can warn about it.
TeX's ligature codes and Type 3 fonts' ink boxes: see :mod:`.pdf_glyphs`.
"""

from __future__ import annotations

import ctypes
import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from .pdf_glyphs import INK_SHARE, OT1_LIGATURES, ink_box, ink_page, ot1_ligature

GAP = 1.0  # a horizontal gap wider than this many character heights ends a run
_MARKS = "*\u2020\u2021\u00a7\u00b6"  # footnote marks besides numbers: * † ‡ § ¶
_HYPHEN = 0x02  # PDFium's code for a hyphen it saw at a line end
_NO_SPACE_BEFORE = " \u2032\u2033\u2034"  # a prime sits on its letter however far its glyph's box starts (s′)
# Spacing accents a PDF may draw as glyphs of their own over (or under) a letter, and their combining forms.
_ACCENTS = {"\u02da": "\u030a", "\u00a8": "\u0308", "\u00b4": "\u0301", "`": "\u0300", "\u02c6": "\u0302",
            "\u02dc": "\u0303", "\u00b8": "\u0327", "\u02c7": "\u030c", "\u02d8": "\u0306", "\u02d9": "\u0307",
            "\u00af": "\u0304", "\u02dd": "\u030b", "\u02db": "\u0328"}


@dataclass
class Run:
    """Text on one baseline: its box in PDF points (y upwards), font size and direction."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    upright: bool = True  # False: rotated or vertical text (a margin note, a rotated table)


@dataclass
class PageRuns:
    """One page: its box, its /PageLabels entry ('' when none), runs in content order, unmapped glyphs."""

    index: int
    label: str
    x0: float
    y0: float
    x1: float
    y1: float
    runs: list[Run] = field(default_factory=list)
    unmapped: int = 0


def _unmappable(code: int) -> bool:
    return code == 0 or code == 0xFFFD or 0xE000 <= code <= 0xF8FF or (code < 32 and code not in (9, 10, 13))


def unchecked(function):
    """A PDFium function as pypdfium2 binds it, without ctypes' conversion of its arguments (which pypdfium2's
    pointer types make cost twice the call): for page_runs' calls per character, whose arguments are the
    text page's handle, a character's index (an int, as C's) and a pointer made by ctypes.byref."""
    plain = type(function)(ctypes.cast(function, ctypes.c_void_p).value)
    plain.restype = function.restype
    return plain


class _Cutter:
    """Collects characters into runs."""

    def __init__(self) -> None:
        self.runs: list[Run] = []
        self.chars: list[str] = []
        self.x0 = self.y0 = self.x1 = self.y1 = 0.0  # the run's box
        self.heights: list[float] = []
        self.upright = True
        self.spans: list[tuple[int, float, float]] = []  # (place in chars, left, right) of each glyph in the run

    def close(self) -> None:
        text = "".join(self.chars).strip()
        if text:
            x0, y0, x1, y1 = self.x0, self.y0, self.x1, self.y1
            size = sorted(self.heights)[len(self.heights) // 2]  # the median: superscripts do not count
            self.runs.append(Run(" ".join(text.split()), x0, y0, x1, y1, max(size, 1.0), self.upright))
        self.chars = []
        self.heights = []
        self.spans = []

    def _accent(self, mark: str, left: float, bottom: float, right: float, top: float) -> bool:
        """Put an accent drawn as a glyph of its own on the letter of the run it is centred over (``A`` and a
        ring over it read ``Å``, as a viewer shows), where Unicode has the accented letter."""
        y0, y1 = self.y0, self.y1
        if not (bottom < y1 + (y1 - y0) and top > y0 - (y1 - y0)):
            return False
        centre = (left + right) / 2
        for place, a, b in reversed(self.spans[-60:]):
            if a - 0.5 <= centre <= b + 0.5:
                composed = unicodedata.normalize("NFC", self.chars[place] + mark)
                if len(composed) == 1 and self.chars[place].isalpha():
                    self.chars[place] = composed
                    return True
                return False
        return False

    def _accent_before(self, char: str, left: float, right: float) -> str:
        """``char`` with the accent drawn just before it over it (then dropped from the run), else ``char``."""
        if not self.spans or self.spans[-1][0] != len(self.chars) - 1 or self.chars[-1] not in _ACCENTS:
            return char
        _place, a, b = self.spans[-1]
        composed = unicodedata.normalize("NFC", char + _ACCENTS[self.chars[-1]])
        if len(composed) != 1 or not left - 0.5 <= (a + b) / 2 <= right + 0.5:
            return char
        self.chars.pop()
        self.spans.pop()
        self.heights.pop()
        if self.chars and self.chars[-1] == " " and self.spans and left - self.spans[-1][2] < 0.15 * self._size():
            self.chars.pop()  # the space written before the accent, which sat apart from the letter before
        return composed

    def _size(self) -> float:
        """The run's height so far: its middle character's (cheap, and a run's characters are alike)."""
        return self.heights[len(self.heights) // 2]

    def _leading_mark(self, bottom: float, top: float, char: str) -> bool:
        """The run so far is a raised mark (a footnote's number, ``*``, ``†``) and ``char`` starts the text it marks:
        a viewer's selection of the note starts after the mark, so they are words apart (``4We`` reads ``4 We``)."""
        if not char.isalpha() or len(self.chars) > 3 or not all(c.isdigit() or c in _MARKS for c in self.chars):
            return False
        size = top - bottom
        return max(self.heights) < 0.8 * size and self.y0 > bottom + 0.2 * size

    def add(self, char: str, left: float, bottom: float, right: float, top: float, upright: bool,
            share: float | None = 1.0) -> None:
        """Add a character and its box; ``share``: the part of the type size its box's height is (1 for type
        metrics; for ink boxes, by the letter: see _INK_SHARE; None for ink of no known share)."""
        # Called for every character of every page: the box is four attributes, min and max are comparisons
        # (each picks what min/max would, ties included) and helpers are called only when they can matter.
        # A run's heights are type sizes: for a glyph's ink, its height over its letter's share of the em; for
        # ink of unknown share (punctuation), the run's size so far.
        extent = top - bottom if upright else right - left
        chars, heights = self.chars, self.heights
        middle = heights[len(heights) // 2] if heights else 0.0  # the run's height so far (see _size)
        own = extent / share if share else (middle or extent)
        level = upright and self.upright
        if chars and level:
            if char in _ACCENTS or (char >= "\u0300" and unicodedata.combining(char)):  # none combine below it
                if self._accent(_ACCENTS.get(char, char), left, bottom, right, top):
                    return
            elif chars[-1] in _ACCENTS and char.isalpha():
                char = self._accent_before(char, left, right)
        if chars:
            x0, y0, x1, y1 = self.x0, self.y0, self.x1, self.y1
            height = middle or (1.0 if 1.0 > y1 - y0 else y1 - y0)
            if level:
                if top - bottom > 4 * height and bottom < y1 and top > y0:  # a glyph box far taller than
                    bottom, top = y0, y1  # its line's (seen in Type 3 fonts) is the line's
                # Same line: the boxes overlap by half the smaller height (a superscript joins its line).
                tall, line = top - bottom, y1 - y0
                overlap = (y1 if y1 < top else top) - (y0 if y0 > bottom else bottom)
                gap = left - x1
                if overlap >= 0.5 * (line if line < tall else tall) and -height < gap < GAP * height:
                    # A word space is a tenth of the line (poppler's measure too: a justified line's spaces may
                    # be that thin), but not between or after an ellipsis's dots; among a Type 3 font's ink boxes (which
                    # leave out the side bearings) a sixth, except after a comma, semicolon or colon.
                    last = chars[-1]
                    dots = last == "." and (char == "." or chars[-2:-1] == ["."])
                    loose = share != 1.0 and last not in ",;:" or dots
                    space = 0.15 if loose else 0.1
                    if (gap > height * space or len(chars) <= 3 and self._leading_mark(bottom, top, char)) \
                            and last != " " and char not in _NO_SPACE_BEFORE:
                        chars.append(" ")  # a word space PDFium did not write
                    self.spans.append((len(chars), left, right))
                    chars.append(char)
                    heights.append(own)
                    self.x0, self.y0 = left if left < x0 else x0, bottom if bottom < y0 else y0
                    self.x1, self.y1 = right if right > x1 else x1, top if top > y1 else y1
                    return
            elif not upright and not self.upright:
                width = max(x1 - x0, 1.0)
                if abs((left + right) / 2 - (x0 + x1) / 2) < width * 0.6 and min(abs(bottom - y1), abs(y0 - top)) < 3 * width:
                    chars.append(char)
                    heights.append(own)
                    self.x0, self.y0, self.x1, self.y1 = min(x0, left), min(y0, bottom), max(x1, right), max(y1, top)
                    return
            self.close()
        self.chars = [char]
        self.spans = [(0, left, right)]
        self.heights = [own]
        self.x0, self.y0, self.x1, self.y1 = left, bottom, right, top
        self.upright = upright


def displayed(turn: int, left: float, bottom: float, right: float, top: float):
    """Maps a box in PDF user space to the frame a viewer shows for a page with ``/Rotate turn``
    (degrees clockwise), origin at the shown page's bottom left: text set upright for the viewer
    reads left to right, top to bottom, as on any other page."""
    def frame(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        if turn == 90:
            x0, y0, x1, y1 = y0 - bottom, right - x0, y1 - bottom, right - x1
        elif turn == 180:
            x0, y0, x1, y1 = right - x0, top - y0, right - x1, top - y1
        elif turn == 270:
            x0, y0, x1, y1 = top - y0, x0 - left, top - y1, x1 - left
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
    return frame if turn else _unturned


def _unturned(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    """``displayed``'s frame of an unturned page (called per character): min and max as comparisons."""
    return x1 if x1 < x0 else x0, y1 if y1 < y0 else y0, x1 if x1 > x0 else x0, y1 if y1 > y0 else y0


def page_codes(handle, count: int, get_text) -> list[int] | None:
    """The page's character codes from one call (FPDFText_GetText) instead of one call per character, where
    they are the per-character codes (FPDFText_GetUnicode): the same count of UTF-16 units, none a surrogate
    (a character outside the BMP is two). Codes below 32 and from 0xD800 may differ (a line-end hyphen, 2,
    comes as 0xFFFE): the caller asks for those one by one. None: ask for every code."""
    buffer = (ctypes.c_ushort * (count + 1))()
    if count == 0 or get_text(handle, 0, count, buffer) != count + 1:  # written: the codes and a terminator
        return None
    return buffer[:count]


def page_runs(data: bytes, admit: Callable | None = None) -> list[PageRuns]:
    """Every page's runs, in the file's order; ``admit`` is called with the opened document before any page
    is loaded (the limits, :mod:`.pdf_limits`). Raises what PDFium raises on a damaged file."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(data)
    pages = []
    get_code, get_box, generated, get_text = (unchecked(f) for f in (
        raw.FPDFText_GetUnicode, raw.FPDFText_GetLooseCharBox, raw.FPDFText_IsGenerated,
        raw.FPDFText_GetText))
    try:
        if admit is not None:
            admit(document)
        for index in range(len(document)):
            page = document[index]
            left, bottom, right, top = page.get_bbox()
            turn = page.get_rotation() % 360
            shown = displayed(turn, left, bottom, right, top)
            result = PageRuns(index + 1, document.get_page_label(index) or "", *shown(left, bottom, right, top))
            textpage = page.get_textpage()
            cutter = _Cutter()
            box = raw.FS_RECTF()
            handle = textpage.raw
            count = raw.FPDFText_CountChars(handle)
            ink = ink_page(handle, count, shown)
            tight = [ctypes.c_double() for _ in range(4)]
            box_ref, add = ctypes.byref(box), cutter.add  # made once: per character they cost as much as cutting
            codes = page_codes(handle, count, get_text)
            for k in range(count):
                code = codes[k] if codes is not None else -1
                if code < 32 or code >= 0xD800:  # as given per character (see page_codes), and without codes
                    code = get_code(handle, k)
                if code < 32 or code >= 0xE000:  # only these can be ligature codes, line ends, hyphens, unmapped
                    if code in OT1_LIGATURES and ot1_ligature(handle, k, count, cutter.chars[-1:]):
                        code = ord(OT1_LIGATURES[code])
                    elif code in (10, 13):
                        cutter.close()
                        continue
                    if code == _HYPHEN:
                        code = 0x2D
                    elif _unmappable(code):
                        result.unmapped += 1
                        continue
                if code == 32 and generated(handle, k):
                    if cutter.chars and cutter.chars[-1] != " ":
                        cutter.chars.append(" ")
                    continue
                share: float | None = 1.0
                if ink and ink_box(handle, k, box, tight, shown):
                    share = INK_SHARE.get(chr(code))  # the type size: the ink's height over its letter's share
                    l, b, r, t = shown(box.left, box.bottom, box.right, box.top)
                    i0, j0, i1, j1 = shown(tight[0].value, tight[2].value, tight[1].value, tight[3].value)
                    if t - b > 8 * (j1 - j0) or r - l > 8 * (i1 - i0):
                        l, b, r, t = i0, j0, i1, j1  # a loose box spanning the page
                elif turn:
                    get_box(handle, k, box_ref)
                    l, b, r, t = shown(box.left, box.bottom, box.right, box.top)
                else:  # _unturned, inline (a call per character costs a tenth of the loop)
                    get_box(handle, k, box_ref)
                    l, b, r, t = box.left, box.bottom, box.right, box.top
                    if r < l:
                        l, r = r, l
                    elif not r > l:  # equal, or not a number: _unturned gives the left for both
                        r = l
                    if t < b:
                        b, t = t, b
                    elif not t > b:
                        t = b
                upright = True
                if turn or (r - l) > 1.6 * (t - b) or (cutter.chars and not cutter.upright):
                    angle = raw.FPDFText_GetCharAngle(handle, k)  # radians, in user space; -1 when unknown
                    if angle >= 0:  # upright as shown: the page's turn takes back the text's
                        angle = (angle - math.radians(turn)) % (2 * math.pi)
                        # On a turned page PDFium gives text that reads upright in the viewer either
                        # angle, 0 or pi (seen: 4.71 rad on pages turned 90 and 270 degrees alike).
                        upright = min(angle, abs(angle - math.pi) if turn else 9, 2 * math.pi - angle) < 0.2
                try:
                    char = chr(code)
                except ValueError:
                    result.unmapped += 1
                    continue
                # _Cutter.add's commonest case, inline (its call costs a sixth of the loop): an upright character
                # of type metrics that is no accent, after none, going on an upright run of more than three
                # characters on its line. Any other case add decides (nothing is changed before it is called).
                chars = cutter.chars
                if share == 1.0 and upright and cutter.upright and len(chars) > 3 and char < "\u0300" \
                        and char not in _ACCENTS and chars[-1] not in _ACCENTS:
                    x0, y0, x1, y1 = cutter.x0, cutter.y0, cutter.x1, cutter.y1
                    heights = cutter.heights
                    height = heights[len(heights) // 2] or (1.0 if 1.0 > y1 - y0 else y1 - y0)
                    tall, line = t - b, y1 - y0
                    gap = l - x1
                    if not (tall > 4 * height and b < y1 and t > y0) and -height < gap < GAP * height \
                            and (y1 if y1 < t else t) - (y0 if y0 > b else b) >= 0.5 * (line if line < tall else tall):
                        last = chars[-1]
                        space = 0.15 if last == "." and (char == "." or chars[-2] == ".") else 0.1  # an ellipsis
                        if gap > height * space and last != " " and char not in _NO_SPACE_BEFORE:
                            chars.append(" ")
                        cutter.spans.append((len(chars), l, r))
                        chars.append(char)
                        heights.append(tall)
                        cutter.x0, cutter.y0 = l if l < x0 else x0, b if b < y0 else y0
                        cutter.x1, cutter.y1 = r if r > x1 else x1, t if t > y1 else y1
                        continue
                add(char, l, b, r, t, upright, share)
            cutter.close()
            result.runs = cutter.runs
            textpage.close()
            page.close()
            pages.append(result)
    finally:
        document.close()
    return pages


__all__ = ["GAP", "PageRuns", "Run", "page_codes", "page_runs"]
