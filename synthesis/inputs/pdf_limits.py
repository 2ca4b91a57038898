"""A PDF's page-count and decompressed-size limits, checked before PDFium reads what it would inflate.

PDFium inflates a stream whole when it reads it, so a small file whose streams inflate to gigabytes (a PDF
bomb) would exhaust memory inside it. Every stream of the file is therefore decoded here first, piece by piece
(:mod:`.pdf_decode`), counting what comes out and keeping none of it, and stopping as soon as a limit is
passed: :data:`MAX_STREAM_BYTES` in any one stream (and in each filter's output of a chain), and
:data:`MAX_DOCUMENT_BYTES` in all, or :data:`MAX_PAGE_BYTES` a page for a longer document; and
:data:`MAX_PAGES`, from PDFium's page count before any page is loaded.

Streams are found as PDFium could reach them (:mod:`.pdf_streams`). What counts is what PDFium would hold: a
stream's data after its expanding filters, images included; data under an image codec (DCT, JPX, JBIG2,
CCITT fax) at its encoded size, since the text path never decodes it.
An inline image whose first filter is FlateDecode or LZW (PDFium inflates those to find their end) counts as
a stream of its own. Object and cross-reference streams, which PDFium reads to open the file and count its
pages, are counted first (:func:`check_structure`), the rest once the page count is known
(:func:`check_document`). An encrypted PDF's streams are counted in PDFium's decrypted copy of it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

from ..common.problems import InputError, Problem
from .pdf_decode import DECODERS, Flate
from .pdf_streams import DELIMITERS, REGULAR, WS, streams

MAX_PAGES = 10_000
MAX_STREAM_BYTES = 100_000_000
MAX_DOCUMENT_BYTES = 200_000_000  # a document of up to 10 pages
MAX_PAGE_BYTES = 20_000_000  # a longer one: this much a page
_SLICE = 1 << 16  # how much of the file a decoder is fed at a time
_HEADER_BYTES = 1 << 16  # the longest inline image header followed
_INLINE_FILTER = re.compile(rb"/(?:F|Filter)" + WS + rb"*\[?" + WS + rb"*/(FlateDecode|Fl|LZWDecode|LZW)(?!"
                            + REGULAR + rb")")


class TooLarge(Exception):
    """A stream, or all of them, past its limit: ``where`` names the stream ("" for all)."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


class _Counter:
    """What the streams decompress to so far, against the limits."""

    def __init__(self, budget: int) -> None:
        self.budget, self.total, self.where = budget, 0, ""

    def add(self, size: int, in_stream: int) -> None:
        self.total += size
        if in_stream > MAX_STREAM_BYTES:
            raise TooLarge(self.where)
        if self.total > self.budget:
            raise TooLarge("")


def _decode(stages: list, pieces: Iterator[bytes], counter: _Counter, sink: Callable | None = None) -> None:
    """Push ``pieces`` through ``stages``, counting each one's output; the last one's output goes to ``sink``."""
    sizes = [0] * len(stages)

    def push(level: int, piece: bytes) -> None:
        for out in stages[level].feed(piece):
            sizes[level] += len(out)
            counter.add(len(out) if level == len(stages) - 1 else 0, sizes[level])
            if level + 1 < len(stages):
                push(level + 1, out)
            elif sink is not None:
                sink(out)

    for piece in pieces:
        push(0, piece)
        if stages[0].done:
            break


class _Inline:
    """Follows a stream's decoded output for inline images (``BI`` header ``ID`` data ``EI``) whose first
    filter PDFium inflates, and counts each one's data as a stream of its own. Every ``ID`` after a ``BI``
    starts one (a string in the header may hold ``ID``): at worst a few bytes are counted twice."""

    def __init__(self, counter: _Counter) -> None:
        self.counter, self.tail, self.open = counter, b"", []

    def __call__(self, piece: bytes) -> None:
        for stages in self.open:  # images begun in an earlier piece
            _decode(stages, iter([piece]), self.counter)
        self.open = [s for s in self.open if not s[0].done]
        text = self.tail + bytes(piece)
        at = text.find(b"ID", max(0, len(self.tail) - 3))
        while 0 <= at <= len(text) - 4:  # an ID in the last bytes is looked at with the next piece
            if _word(text, at) and text[at + 2] in b"\x00\t\n\f\r ":
                begin = text.rfind(b"BI", max(0, at - _HEADER_BYTES), at)
                while begin >= 0 and not _word(text, begin):
                    begin = text.rfind(b"BI", max(0, at - _HEADER_BYTES), begin)
                found = _INLINE_FILTER.search(text, begin, at) if begin >= 0 else None
                if found:
                    stages = [DECODERS[found.group(1)]()]
                    _decode(stages, iter([text[at + 3:]]), self.counter)
                    if not stages[0].done:
                        self.open.append(stages)
            at = text.find(b"ID", at + 1)
        self.tail = text[-_HEADER_BYTES:]


def _word(text: bytes, at: int) -> bool:
    """Whether the two letters at ``at`` stand alone (a delimiter or white space on each side)."""
    return (at == 0 or text[at - 1] in DELIMITERS) and (at + 2 >= len(text) or text[at + 2] in DELIMITERS)


def _pieces(data: bytes, start: int, end: int) -> Iterator[memoryview]:
    view = memoryview(data)
    for at in range(start, end, _SLICE):
        yield view[at:min(end, at + _SLICE)]


def count_streams(data: bytes, budget: int, structure: bool | None = None) -> int:
    """The bytes this PDF's streams decompress to: object and cross-reference streams only (``structure``
    True), the others (False) or all (None); raises :class:`TooLarge` past ``budget`` or a stream's limit."""
    counter = _Counter(budget)
    for stream in streams(data):
        if structure is not None and structure != (stream.kind in (b"/ObjStm", b"/XRef")):
            continue
        start, end, names, early = stream.start, stream.end, stream.filters, stream.early_change
        stages = []
        for name in names:
            if name not in DECODERS:
                break
            stages.append(DECODERS[name](early))
        counter.where = f"the stream at byte {stream.keyword:,}"
        inline = _Inline(counter) if len(stages) == len(names) else None  # not under an image codec
        if not stages:
            counter.add(end - start, end - start)
            if inline:
                inline(data[start:end])
            continue
        # A Flate stream ends itself: it is fed to its end of data, past any "endstream" inside it.
        last = len(data) if isinstance(stages[0], Flate) else end
        _decode(stages, _pieces(data, start, last), counter, inline)
    return counter.total


def _too_large(path: str, err: TooLarge, budget: int) -> InputError:
    if err.where:
        what = (f"{err.where} holds more than {MAX_STREAM_BYTES:,} bytes "
                f"(at most {MAX_STREAM_BYTES:,} are accepted in one stream)")
    else:
        what = (f"its streams hold more than {budget:,} bytes (at most {MAX_DOCUMENT_BYTES:,} are accepted, or "
                f"{MAX_PAGE_BYTES:,} a page for a document of more than {MAX_DOCUMENT_BYTES // MAX_PAGE_BYTES} pages)")
    return InputError([Problem(path, 1, f"too large once decompressed: {what}; a real report is far smaller, so this "
                                        "is a damaged or hostile PDF (a PDF bomb): if it opens in a viewer, print it to "
                                        "a new PDF and add that")])


def check_structure(data: bytes, path: str) -> int:
    """What this PDF's object and cross-reference streams decompress to (PDFium reads them to open it and
    count its pages); raises :class:`InputError` past a limit."""
    try:
        return count_streams(data, MAX_DOCUMENT_BYTES, structure=True)
    except TooLarge as err:
        raise _too_large(path, err, MAX_DOCUMENT_BYTES) from None


def check_document(document, data: bytes, path: str, structure: int) -> None:
    """Check an opened PDF (a pypdfium2 document) against the page limit, then the rest of its streams
    against the decompressed-size limits; raises :class:`InputError`."""
    import pypdfium2.raw as raw

    pages = len(document)
    if pages > MAX_PAGES:
        raise InputError([Problem(path, 1, f"too many pages: {pages:,}; at most {MAX_PAGES:,} are accepted: add the "
                                           "part the review cites as a PDF of its own (e.g. qpdf big.pdf --pages . "
                                           "1-500 -- part.pdf)")])
    budget = max(MAX_DOCUMENT_BYTES, MAX_PAGE_BYTES * pages)
    try:
        if raw.FPDF_GetSecurityHandlerRevision(document.raw) >= 0:  # encrypted: count the decrypted copy
            copy = io.BytesIO()
            document.save(copy, flags=raw.FPDF_REMOVE_SECURITY)
            count_streams(copy.getvalue(), budget)
        else:
            count_streams(data, budget - structure, structure=False)
    except TooLarge as err:
        raise _too_large(path, err, budget) from None


__all__ = ["MAX_DOCUMENT_BYTES", "MAX_PAGES", "MAX_PAGE_BYTES", "MAX_STREAM_BYTES", "TooLarge", "check_document",
           "check_structure", "count_streams"]
