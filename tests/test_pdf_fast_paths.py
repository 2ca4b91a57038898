"""PDF text extraction's fast paths (issue 26) give exactly what the plain code they replaced gave: the run
cutter and the page frame against copies of the old code, on many random characters and boxes."""

from __future__ import annotations

import random
import unicodedata
from pathlib import Path

import pytest

from synthesis.inputs import pdf_runs
from synthesis.inputs.pdf_runs import _ACCENTS, _NO_SPACE_BEFORE, GAP, _Cutter, displayed


class _OldCutter(_Cutter):
    """The cutter as it was before issue 26: its box a list, min and max calls, every helper called."""

    @property
    def box(self):
        return [self.x0, self.y0, self.x1, self.y1]

    @box.setter
    def box(self, value):
        self.x0, self.y0, self.x1, self.y1 = value

    def _leading_mark(self, bottom, top, char):
        if not char.isalpha() or len(self.chars) > 3 or not all(c.isdigit() or c in pdf_runs._MARKS for c in self.chars):
            return False
        size = top - bottom
        return max(self.heights) < 0.8 * size and self.box[1] > bottom + 0.2 * size

    def add(self, char, left, bottom, right, top, upright, share=1.0):
        extent = top - bottom if upright else right - left
        heights = self.heights
        middle = heights[len(heights) // 2] if heights else 0.0
        own = extent / share if share else (middle or extent)
        if self.chars and upright and self.upright:
            if char in _ACCENTS or unicodedata.combining(char):
                if self._accent(_ACCENTS.get(char, char), left, bottom, right, top):
                    return
            elif self.chars[-1] in _ACCENTS and char.isalpha():
                char = self._accent_before(char, left, right)
        if self.chars:
            x0, y0, x1, y1 = self.box
            height = middle or max(y1 - y0, 1.0)
            if upright and self.upright and top - bottom > 4 * height and bottom < y1 and top > y0:
                bottom, top = y0, y1
            if upright and self.upright:
                overlap = min(top, y1) - max(bottom, y0)
                same_line = overlap >= 0.5 * min(top - bottom, y1 - y0)
                gap = left - x1
                if same_line and -height < gap < GAP * height:
                    dots = self.chars[-1] == "." and (char == "." or self.chars[-2:-1] == ["."])
                    loose = share != 1.0 and self.chars[-1] not in ",;:" or dots
                    space = 0.15 if loose else 0.1
                    if (gap > height * space or self._leading_mark(bottom, top, char)) and self.chars[-1] != " " \
                            and char not in _NO_SPACE_BEFORE:
                        self.chars.append(" ")
                    self.spans.append((len(self.chars), left, right))
                    self.chars.append(char)
                    self.heights.append(own)
                    self.box = [min(x0, left), min(y0, bottom), max(x1, right), max(y1, top)]
                    return
            elif not upright and not self.upright:
                width = max(x1 - x0, 1.0)
                if abs((left + right) / 2 - (x0 + x1) / 2) < width * 0.6 and min(abs(bottom - y1), abs(y0 - top)) < 3 * width:
                    self.chars.append(char)
                    self.heights.append(own)
                    self.box = [min(x0, left), min(y0, bottom), max(x1, right), max(y1, top)]
                    return
            self.close()
        self.chars = [char]
        self.spans = [(0, left, right)]
        self.heights = [own]
        self.box = [left, bottom, right, top]
        self.upright = upright


def _old_frame(turn, left, bottom, right, top):
    def frame(x0, y0, x1, y1):
        if turn == 90:
            x0, y0, x1, y1 = y0 - bottom, right - x0, y1 - bottom, right - x1
        elif turn == 180:
            x0, y0, x1, y1 = right - x0, top - y0, right - x1, top - y1
        elif turn == 270:
            x0, y0, x1, y1 = top - y0, x0 - left, top - y1, x1 - left
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
    return frame


_POOL = ("abcdefghijklmnopqrstuvwxyzAEKOS0123456789" * 3 + " .,;:*\u2020\u2021\u00a7\u00b6\u2032\u2033-"
         + "".join(_ACCENTS) + "".join(_ACCENTS.values()) + "\u0327\u20d7\u00e9\u00c5\u03b1")


def _glyphs(seed: int, n: int = 400):
    """Characters as a page gives them: mostly along lines, with superscripts, gaps, overlaps, accents over
    letters, tall boxes, line ends, turned text, ink boxes and zero-height boxes."""
    rng = random.Random(seed)
    x, y, size = 50.0, 700.0, rng.choice([5.0, 8.0, 10.0, 12.5])
    out = []
    for _ in range(n):
        roll = rng.random()
        if roll < 0.03:
            x, y = 50.0 + rng.choice([0, 0.5, 200]), y - size * rng.choice([1.2, 0.3, 3])
            if rng.random() < 0.15:  # at the page's foot: boxes at 0.0 and -0.0 (min and max pick one)
                y = rng.choice([0.0, -0.0])
            for _ in range(rng.choice([0, 1, 1, 2, 3, 4])):  # a raised note mark starting the line
                mark = rng.choice("12*\u2020\u00a7")
                out.append((mark, x, y + 0.3 * size, x + 0.3 * size, y + 0.9 * size, True, 1.0))
                x += 0.3 * size
        char = rng.choice(_POOL)
        width = size * rng.choice([0.5, 0.3, 0.0, 0.6])
        bottom = y + rng.choice([0, 0, 0, 0, 0.4 * size, -0.2 * size, 0.05]) if y else rng.choice([0.0, -0.0])
        height = size * rng.choice([1, 1, 1, 0.6, 0.45, 6, 0.0])
        upright = rng.random() > 0.05
        if roll > 0.97:  # a run of turned text: a column of characters going down
            upright = False
        share = rng.choice([1.0, 1.0, 1.0, 0.45, 0.69, None])
        left = x + rng.choice([0, 0, 0, 0.05, 0.12, 0.3, 1.1, -0.5, 2.5, 20]) * size
        if char in _ACCENTS or unicodedata.combining(char):
            left = x - width * rng.choice([1, 0.5, 0])
        if upright:
            out.append((char, left, bottom, left + width, bottom + height, upright, share))
        else:
            out.append((char, x, y - size, x + size, y - size + width, upright, share))
            y -= width * rng.choice([1, 1, 4])
        x = left + width
    return out


@pytest.mark.parametrize("seed", range(60))
def test_the_cutter_cuts_as_the_old_one_did(seed):
    new, old = _Cutter(), _OldCutter()
    rng = random.Random(seed + 1000)
    for glyph in _glyphs(seed):
        for cutter in (new, old):
            cutter.add(*glyph)
        if rng.random() < 0.02:  # PDFium's generated space, as page_runs adds it
            for cutter in (new, old):
                if cutter.chars and cutter.chars[-1] != " ":
                    cutter.chars.append(" ")
        assert (new.chars, new.spans, new.heights, new.upright) == (old.chars, old.spans, old.heights, old.upright)
        assert repr([new.x0, new.y0, new.x1, new.y1]) == repr(old.box)
    new.close(), old.close()
    assert new.runs == old.runs and len(new.runs) > 5


def test_nothing_below_the_combining_grave_combines():
    # The cutter asks unicodedata.combining only of characters from U+0300 on.
    assert not any(unicodedata.combining(chr(c)) for c in range(0x300)) and unicodedata.combining("\u0300")


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_the_frame_is_the_old_frame_ties_and_signed_zeros_included(turn):
    values = [0.0, -0.0, 1.5, -2.25, 700.0, 612.0, float("inf"), float("nan")]
    rng = random.Random(turn)
    page = (0.0, -0.0, 612.0, 792.0)
    new, old = displayed(turn, *page), _old_frame(turn, *page)
    for _ in range(3000):
        box = [rng.choice(values) if rng.random() < 0.3 else rng.uniform(-10, 800) for _ in range(4)]
        assert repr(new(*box)) == repr(old(*box))


def test_pdfium_functions_unchecked_give_what_pypdfium2s_give():
    import ctypes
    from pathlib import Path

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(Path(__file__).parent / "pdfs" / "N18-3011.pdf")
    textpage = document[0].get_textpage()
    handle, box = textpage.raw, raw.FS_RECTF()
    functions = raw.FPDFText_GetUnicode, raw.FPDFText_GetLooseCharBox, raw.FPDFText_IsGenerated

    def read(code, loose, generated):
        for k in range(raw.FPDFText_CountChars(handle)):
            yield code(handle, k), loose(handle, k, ctypes.byref(box)), box.left, box.bottom, box.right, box.top, \
                generated(handle, k)

    checked = list(read(*functions))
    assert checked == list(read(*(pdf_runs.unchecked(f) for f in functions))) and len(checked) > 1000
    assert any(c[-1] for c in checked) and len({c[0] for c in checked}) > 50
    textpage.close(), document.close()


# page_runs before its codes came from one call a page (page_codes) and its unturned frame was inline.
def _old_page_runs(data):
    """page_runs as it was before its codes came from one call a page and its frame inline."""
    import ctypes
    import math

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from synthesis.inputs.pdf_glyphs import INK_SHARE, OT1_LIGATURES, ink_box, ink_page, ot1_ligature
    from synthesis.inputs.pdf_runs import _HYPHEN, PageRuns, _unmappable, unchecked

    document = pdfium.PdfDocument(data)
    pages = []
    get_code, get_box, generated = (unchecked(f) for f in (raw.FPDFText_GetUnicode, raw.FPDFText_GetLooseCharBox,
                                                            raw.FPDFText_IsGenerated))
    try:
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
            for k in range(count):
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
                else:
                    get_box(handle, k, box_ref)
                    l, b, r, t = shown(box.left, box.bottom, box.right, box.top)
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
                add(char, l, b, r, t, upright, share)
            cutter.close()
            result.runs = cutter.runs
            textpage.close()
            page.close()
            pages.append(result)
    finally:
        document.close()
    return pages


_PDFS = Path(__file__).parent / "pdfs"


@pytest.mark.parametrize("name", sorted(p.name for p in _PDFS.glob("*.pdf")))
def test_page_runs_read_as_the_per_character_loop_did(name):
    data = (_PDFS / name).read_bytes()
    assert repr(pdf_runs.page_runs(data)) == repr(_old_page_runs(data))


def test_page_codes_come_from_one_call_or_not_at_all():
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(_PDFS / "N18-3011.pdf")
    seen = {"whole": 0, "none": 0, "hyphen": 0}
    for index in range(len(document)):
        textpage = document[index].get_textpage()
        handle = textpage.raw
        count = raw.FPDFText_CountChars(handle)
        codes = pdf_runs.page_codes(handle, count, raw.FPDFText_GetText)
        each = [raw.FPDFText_GetUnicode(handle, k) for k in range(count)]
        if codes is None:
            seen["none"] += 1  # a page whose text has a character outside the BMP or one left out
        else:
            seen["whole"] += 1
            assert len(codes) == count
            # Where a code differs, it is one page_runs asks for again: a line-end hyphen (2) given as 0xFFFE.
            assert all(a == b or (b < 32 or b >= 0xD800) for a, b in zip(each, codes))
            seen["hyphen"] += sum(a == 2 and b == 0xFFFE for a, b in zip(each, codes))
        textpage.close()
    document.close()
    assert seen["whole"] and seen["none"] and seen["hyphen"], seen
    assert pdf_runs.page_codes(None, 0, raw.FPDFText_GetText) is None


def test_ascii85_decodes_as_base64s_did():
    import base64

    from synthesis.inputs.pdf_decode import a85decode

    rng = random.Random(85)
    alphabet = bytes(range(33, 118))  # ! to u: the decoder is given no other character
    for _ in range(4000):
        if rng.random() < 0.5:  # anything, overflowing groups too ("uuuuu" is above 2**32 - 1)
            text = bytes(rng.choice(alphabet) for _ in range(rng.choice([0, 2, 3, 4, 5, 9, 10, 14, 50, 53])))
        else:
            text = base64.a85encode(rng.randbytes(rng.randint(0, 60))).replace(b"z", b"!!!!!")
            text = text[:-1] if len(text) % 5 == 1 else text
        try:
            expected = base64.a85decode(text)
        except ValueError:
            with pytest.raises(ValueError):
                a85decode(text)
            continue
        assert a85decode(text) == expected


def _varied_pdf(seed: int) -> bytes:
    """A PDF of random text set by reportlab as PDFium reads real ones: word and ellipsis spacing from tight to
    loose, superscript marks, accents drawn apart, other sizes, rotated text and a turned page."""
    import io

    from reportlab.pdfgen import canvas

    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # DejaVu Sans (matplotlib's copy) has the primes and spacing accents the standard fonts lack.
    pdfmetrics.registerFont(TTFont("DejaVu", str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")))
    rng = random.Random(seed)
    words = ["policy", "work", "training", "...", "..x", "a.b.", "e.g.", "\u00e9t\u00e9", "na\u00efve", "1", "2*",
             "\u2020", "s\u2032", "x\u00b2", "--", "\u00c5r", "fi", "ff", "t \u2033", "caf\u00b4e", "u\u00a8ber"]
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(612, 792), invariant=1)
    for page in range(3):
        if page == 2:
            pdf.setPageRotation(90)
        y = 760
        while y > 60:
            x = 40 + rng.choice([0, 0, 200])
            size = rng.choice([9, 10, 10, 12, 6])
            text = pdf.beginText(x, y)
            font = rng.choice(["Helvetica", "DejaVu"])
            text.setFont(font, size)
            text.setCharSpace(rng.choice([0, 0, -0.6, 0.4, 1.5]))
            text.setWordSpace(rng.choice([0, 0, -1.5, 3]))
            for _ in range(rng.randint(3, 12)):
                if rng.random() < 0.1:
                    text.setRise(rng.choice([3, -2]))
                    text.textOut(rng.choice(["1", "*", "a"]))
                    text.setRise(0)
                text.textOut(rng.choice(words) + rng.choice([" ", " ", "", "  "]))
                if rng.random() < 0.08:  # a glyph far taller than its line, on it
                    text.setFont(font, 60), text.textOut("W"), text.setFont(font, size)
                if rng.random() < 0.08 and font == "DejaVu":  # a prime set apart from its letter, which it joins
                    text.setCharSpace(2), text.textOut("its\u2032 "), text.setCharSpace(0)
                if rng.random() < 0.08:  # an accent drawn before the letter it sits over, in a word
                    text.textOut("word\u00b4"), text.setCharSpace(-size * 0.45), text.textOut("e")
                    text.setCharSpace(0), text.textOut("nd ")
            pdf.drawText(text)
            if rng.random() < 0.1:  # a word turned on its side, and an accent drawn apart over a letter
                pdf.saveState(), pdf.translate(20, y), pdf.rotate(90), pdf.drawString(0, 0, "margin note")
                pdf.restoreState()
                pdf.drawString(300, y, "A"), pdf.drawString(302, y + 6, "\u02da")
            y -= rng.choice([6, 12, 14, 30])
        pdf.showPage()
    pdf.save()
    return out.getvalue()


@pytest.mark.parametrize("seed", range(12))
def test_page_runs_of_varied_text_read_as_the_per_character_loop_did(seed):
    data = _varied_pdf(seed)
    new = pdf_runs.page_runs(data)
    assert repr(new) == repr(_old_page_runs(data)) and sum(len(p.runs) for p in new) > 100


def test_a_published_pdfs_ascii85_streams_decode_as_base64s_did():
    # BMC's PDF (tests/pdfs/ORIGIN.md) has eleven streams that are ASCII85 first: the limits' decoder gives each
    # the bytes base64's gives its text (white space dropped, up to the end mark). (dmca.pdf names the filter
    # too, but its stream is encrypted bytes, not ASCII85 text.)
    import base64
    import re

    from synthesis.inputs.pdf_decode import ASCII85
    from synthesis.inputs.pdf_streams import streams

    data = (_PDFS / "bmc-hsr-2014-example2.pdf").read_bytes()
    found = [s for s in streams(data) if s.filters[:1] in ([b"ASCII85Decode"], [b"A85"])]
    assert len(found) >= 10
    for stream in found:
        text = data[stream.start:stream.end]
        expected = base64.a85decode(re.sub(rb"\s+", b"", text).split(b"~>")[0])
        decoder = ASCII85()
        assert b"".join(decoder.feed(text)) == expected and decoder.done and expected
