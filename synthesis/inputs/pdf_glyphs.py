"""How PDFium's characters are read where a font gives it too little: TeX's ligature codes and ink boxes.

TeX's fonts without a ToUnicode map (dvips' Type 3 fonts in older preprints)
give their ligatures as codes 11-15, OT1's slots for ff, fi, fl, ffi and ffl;
next to a letter they are read as those ligatures (``e\x0bective`` is
``eﬀective``, where poppler writes ``e ective``).

Such fonts give no ascent or descent either, so PDFium's boxes are each glyph's
ink: an ``x`` half as tall as an ``l``, and now and then a box spanning the
page. On a page where most boxes are ink, a character's type size is its ink's
height over its letter's share of the em (:data:`INK_SHARE`), and an absurd box
gives way to the tight one (:mod:`.pdf_runs`).
"""

from __future__ import annotations

import ctypes

OT1_LIGATURES = {11: "\ufb00", 12: "\ufb01", 13: "\ufb02", 14: "\ufb03", 15: "\ufb04"}  # ff fi fl ffi ffl


def ot1_ligature(handle, k: int, count: int, before: list[str]) -> bool:
    """Whether the control code at ``k`` is an OT1 ligature: drawn (PDFium did not make it a line end)
    and beside a letter (``before``: the run's last character, if any; or the next character)."""
    import pypdfium2.raw as raw

    if raw.FPDFText_IsGenerated(handle, k):
        return False
    after = chr(raw.FPDFText_GetUnicode(handle, k + 1)) if k + 1 < count else ""
    return (bool(before) and before[0].isalpha()) or after.isalpha()


# Where PDFium's boxes are a glyph's ink (Type 3 fonts, which give no ascent or descent), a letter's height
# is this share of the em: x-height, ascender and capital, descender letters (Computer Modern's, roughly).
INK_SHARE = {**{c: 0.45 for c in "acemnorsuvwxz"}, **{c: 0.62 for c in "gpqy"},
             **{c: 0.69 for c in "bdhklABCDEFGHIJKLMNOPRSTUVWXYZ0123456789"}}  # not f, Q: italic's descend


def ink_box(handle, k: int, loose, tight: list, shown) -> bool:
    """Whether character ``k``'s box is its glyph's ink, not type metrics (fills ``loose`` and ``tight``):
    type metrics (the font's ascent and descent) make a letter's box taller, as shown, than its ink; fonts
    that give none (Type 3) make them one, or the loose one absurdly large."""
    import pypdfium2.raw as raw

    raw.FPDFText_GetLooseCharBox(handle, k, ctypes.byref(loose))
    raw.FPDFText_GetCharBox(handle, k, *(ctypes.byref(v) for v in tight))
    x0, y0, x1, y1 = shown(loose.left, loose.bottom, loose.right, loose.top)
    i0, j0, i1, j1 = shown(tight[0].value, tight[2].value, tight[1].value, tight[3].value)
    tall, ink = y1 - y0, j1 - j0
    if tall > 8 * ink > 0 or x1 - x0 > 8 * (i1 - i0) > 0:
        return True
    # (Across, the loose box is the advance, a little wider than the ink; turned text's is the type's height.)
    return abs(tall - ink) <= 0.15 * tall + 0.3 and x1 - x0 <= 1.5 * (i1 - i0) + 0.5


def ink_page(handle, count: int, shown) -> bool:
    """Whether a page's boxes are mostly ink: half of up to 64 letters sampled across it."""
    import pypdfium2.raw as raw

    loose, tight = raw.FS_RECTF(), [ctypes.c_double() for _ in range(4)]
    same = seen = 0
    for k in range(0, count, max(1, count // 64)):
        if chr(raw.FPDFText_GetUnicode(handle, k)) in INK_SHARE:
            seen += 1
            same += ink_box(handle, k, loose, tight, shown)
    return seen >= 8 and same >= 0.5 * seen


__all__ = ["INK_SHARE", "OT1_LIGATURES", "ink_box", "ink_page", "ot1_ligature"]
