"""A PDF's page-count and decompressed-size limits, checked before PDFium reads what it would inflate.

PDFium inflates a stream whole when it reads it, so a small file whose streams inflate to gigabytes (a PDF
bomb) would exhaust memory inside it. Every stream of the file is therefore decoded here first, piece by piece
(:mod:`.pdf_decode`), counting what comes out and keeping none of it, and stopping as soon as a limit is
passed: :data:`MAX_STREAM_BYTES` in any one stream (and in each filter's output of a chain), and
:data:`MAX_DOCUMENT_BYTES` in all, or :data:`MAX_PAGE_BYTES` a page for a longer document; and
:data:`MAX_PAGES`, from PDFium's page count before any page is loaded.

Streams are found by their ``stream`` keyword wherever it occurs (the cross-reference table can lie, and a
stream can hide inside another's data), each with the dictionary after the nearest ``obj`` header before it.
What counts is what PDFium would hold: a stream's data after its expanding filters, images included; data
under an image codec (DCT, JPX, JBIG2, CCITT fax) at its encoded size, since the text path never decodes it.
An inline image whose first filter is FlateDecode or LZW (PDFium inflates those to find their end) counts as
a stream of its own. Object and cross-reference streams, which PDFium reads to open the file and count its
pages, are counted first (:func:`check_structure`), the rest once the page count is known
(:func:`check_document`). An encrypted PDF's streams are counted in PDFium's decrypted copy of it.
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Callable, Iterator

from ..common.problems import InputError, Problem
from .pdf_decode import DECODERS, Flate

MAX_PAGES = 10_000
MAX_STREAM_BYTES = 100_000_000
MAX_DOCUMENT_BYTES = 200_000_000  # a document of up to 10 pages
MAX_PAGE_BYTES = 20_000_000  # a longer one: this much a page
_SLICE = 1 << 16  # how much of the file a decoder is fed at a time
_WINDOW = 1 << 20  # how far before its ``stream`` keyword a stream's ``obj`` header is looked for
_WS = rb"[\x00\t\n\f\r ]"
_REGULAR = rb"[^\x00\t\n\f\r /\[\]<>(){}%]"
_KEYWORD = re.compile(rb"(?<![A-Za-z0-9])stream(?![A-Za-z0-9])")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r)")
_NUMBERS = re.compile(rb"(?<![0-9])([0-9]+)" + _WS + rb"+([0-9]+)" + _WS + rb"+\Z")
_TOKEN = re.compile(rb"(?:" + _WS + rb"|%[^\r\n]*)*(<<|>>|\[|\]|\(|<[^<>]*>|/" + _REGULAR + rb"*|" + _REGULAR + rb"+)")
_REF_AHEAD = re.compile(_WS + rb"*[0-9]+" + _WS + rb"+R(?![A-Za-z0-9])")
_REF = re.compile(rb"([0-9]+)" + _WS + rb"+([0-9]+)" + _WS + rb"+R")
_SMALL = re.compile(_WS + rb"*(/" + _REGULAR + rb"+|\[[^\[\]]*\]|[0-9]+)" + _WS + rb"*endobj")
_NAME = re.compile(rb"/(" + _REGULAR + rb"+)")
_DELIMITERS = b"\x00\t\n\f\r /[]<>(){}%"
_HEADER_BYTES = 1 << 16  # the longest inline image header followed
_INLINE_FILTER = re.compile(rb"/(?:F|Filter)" + _WS + rb"*\[?" + _WS + rb"*/(FlateDecode|Fl|LZWDecode|LZW)(?!" + _REGULAR + rb")")


class TooLarge(Exception):
    """A stream, or all of them, past its limit: ``where`` names the stream ("" for all)."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def _object_end(data: bytes, pos: int, stop: int, depth: int = 0) -> int:
    """Where the object starting at ``pos`` ends (an ``N G R`` reference is one object); -1 when it does not
    end before ``stop``."""
    match = _TOKEN.match(data, pos, stop)
    if not match or depth > 100:
        return -1
    token, end = match.group(1), match.end()
    if token == b"(":
        return _string_end(data, match.start(1), stop)
    if token in (b"<<", b"["):
        close = b">>" if token == b"<<" else b"]"
        while True:
            ahead = _TOKEN.match(data, end, stop)
            if not ahead:
                return -1
            if ahead.group(1) == close:
                return ahead.end()
            end = _object_end(data, end, stop, depth + 1)
            if end < 0:
                return -1
    if token[:1].isdigit():
        ref = _REF_AHEAD.match(data, end, stop)
        return ref.end() if ref else end
    return end if token not in (b">>", b"]") else -1


def _string_end(data: bytes, pos: int, stop: int) -> int:
    """The end of the literal string opening at ``pos``: balanced parentheses, backslash escapes."""
    depth, i = 0, pos
    while i < stop:
        char = data[i]
        if char == 0x5C:
            i += 2
            continue
        depth += (char == 0x28) - (char == 0x29)
        i += 1
        if depth == 0:
            return i
    return -1


def _dictionary(data: bytes, pos: int, stop: int) -> dict[bytes, bytes] | None:
    """The top-level entries (name to raw value) of the dictionary at ``pos``, when it is all there is before
    ``stop`` (its stream's keyword); None otherwise."""
    opening = _TOKEN.match(data, pos, stop)
    if not opening or opening.group(1) != b"<<":
        return None
    entries, at = {}, opening.end()
    while True:
        key = _TOKEN.match(data, at, stop)
        if not key:
            return None
        if key.group(1) == b">>":
            return entries if not data[key.end():stop].strip(b"\x00\t\n\f\r ") else None
        if not key.group(1).startswith(b"/"):
            return None
        end = _object_end(data, key.end(), stop)
        if end < 0:
            return None
        entries[key.group(1)[1:]] = data[key.end():end].strip(b"\x00\t\n\f\r ")
        at = end


def _stream_dictionary(data: bytes, keyword: int, headers: list[int]) -> dict[bytes, bytes] | None:
    """The dictionary of the stream whose keyword is at ``keyword``, after the nearest ``obj`` header before
    it (``headers``: where each ends, in order) that reads as one (an earlier header when a string in the
    dictionary holds ``1 0 obj``)."""
    last = bisect.bisect_left(headers, keyword)
    for end in reversed(headers[max(0, last - 8):last]):
        if end < keyword - _WINDOW:
            break
        entries = _dictionary(data, end, keyword)
        if entries is not None:
            return entries
    return None


def _headers(data: bytes) -> tuple[list[int], dict[bytes, int]]:
    """Where each ``N G obj`` header ends, in order, and by its reference ``N G R``."""
    ends, where = [], {}
    at = data.find(b"obj")
    while at >= 0:
        numbers = _NUMBERS.search(data[max(0, at - 24):at])
        if numbers and (at + 3 == len(data) or data[at + 3] in _DELIMITERS):
            ends.append(at + 3)
            where[b"%s %s R" % numbers.groups()] = at + 3
        at = data.find(b"obj", at + 3)
    return ends, where


def _resolved(value: bytes, data: bytes, where: dict[bytes, int]) -> bytes:
    """``value`` with each ``N G R`` in it replaced by that object when it is a name, a flat array or a number
    outside object streams, else by ``/FlateDecode``: a filter given otherwise is taken for the commonest bomb."""
    def one(ref: re.Match) -> bytes:
        found = _SMALL.match(data, where.get(b"%s %s R" % ref.groups(), len(data)))
        return found.group(1) if found else b"/FlateDecode"
    return _REF.sub(one, value) if b"R" in value else value


def _filters(entries: dict[bytes, bytes] | None, data: bytes, where: dict[bytes, int]) -> tuple[list[bytes], int]:
    """A stream's filters, first to last, and its LZW early change (a dictionary not found: FlateDecode)."""
    if entries is None:
        return [b"FlateDecode"], 1
    value = _resolved(entries.get(b"Filter", b""), data, where)
    names = [m.group(1) for m in _NAME.finditer(value)] or ([b"FlateDecode"] if value.strip() else [])
    early = 0 if re.search(rb"/EarlyChange" + _WS + rb"+0(?![0-9])", entries.get(b"DecodeParms", b"")) else 1
    return names, early


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
    return (at == 0 or text[at - 1] in _DELIMITERS) and (at + 2 >= len(text) or text[at + 2] in _DELIMITERS)


def _pieces(data: bytes, start: int, end: int) -> Iterator[memoryview]:
    view = memoryview(data)
    for at in range(start, end, _SLICE):
        yield view[at:min(end, at + _SLICE)]


def count_streams(data: bytes, budget: int, structure: bool | None = None) -> int:
    """The bytes this PDF's streams decompress to: object and cross-reference streams only (``structure``
    True), the others (False) or all (None); raises :class:`TooLarge` past ``budget`` or a stream's limit."""
    headers, where = _headers(data)
    counter = _Counter(budget)
    for match in _KEYWORD.finditer(data):
        entries = _stream_dictionary(data, match.start(), headers)
        kind = (entries or {}).get(b"Type", b"")
        if structure is not None and structure != (kind in (b"/ObjStm", b"/XRef")):
            continue
        line = _LINE.match(data, match.end())
        start = line.end() if line else match.end()
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        length = _resolved((entries or {}).get(b"Length", b""), data, where)
        if length.isdigit():  # the later of /Length and the next endstream: neither can hide data
            end = min(len(data), max(end, start + int(length)))
        names, early = _filters(entries, data, where)
        stages = []
        for name in names:
            if name not in DECODERS:
                break
            stages.append(DECODERS[name](early))
        counter.where = f"the stream at byte {match.start():,}"
        inline = _Inline(counter) if len(stages) == len(names) else None  # not under an image codec
        if not stages:
            counter.add(end - start, end - start)
            if inline:
                inline(data[start:end])
            continue
        # A Flate stream ends itself: it is fed to its end of data, past any "endstream" inside it.
        _decode(stages, _pieces(data, start, len(data) if isinstance(stages[0], Flate) else end), counter, inline)
    return counter.total


def _too_large(path: str, err: TooLarge, budget: int) -> InputError:
    what = (f"{err.where} holds more than {MAX_STREAM_BYTES:,} bytes (at most {MAX_STREAM_BYTES:,} are accepted in one stream)"
            if err.where else f"its streams hold more than {budget:,} bytes (at most {MAX_DOCUMENT_BYTES:,} are accepted, "
            f"or {MAX_PAGE_BYTES:,} a page for a document of more than {MAX_DOCUMENT_BYTES // MAX_PAGE_BYTES} pages)")
    return InputError([Problem(path, 1, f"too large once decompressed: {what}; a real report is far smaller, so this is "
                                        "a damaged or hostile PDF (a PDF bomb): if it opens in a viewer, print it to a new PDF and add that")])


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
        raise InputError([Problem(path, 1, f"too many pages: {pages:,}; at most {MAX_PAGES:,} are accepted: add the part "
                                           "the review cites as a PDF of its own (e.g. qpdf big.pdf --pages . 1-500 -- part.pdf)")])
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
