"""A PDF's streams as PDFium could reach them: found by their ``stream`` keyword wherever it occurs (the
cross-reference table can lie, and a stream's /Length can take in another stream), each with the dictionary
after the nearest ``obj`` header before it, read token by token (strings, nested dictionaries and arrays, and
references included), its filters and where its data starts and may end. Only what the limits of
:mod:`.pdf_limits` need is read: this is not a PDF parser, and what it cannot read is taken for the worst.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

_WINDOW = 1 << 20  # how far before its ``stream`` keyword a stream's ``obj`` header is looked for
WS = rb"[\x00\t\n\f\r ]"
REGULAR = rb"[^\x00\t\n\f\r /\[\]<>(){}%]"
DELIMITERS = b"\x00\t\n\f\r /[]<>(){}%"
_KEYWORD = re.compile(rb"(?<![A-Za-z0-9])stream(?![A-Za-z0-9])")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\n|\r)")
_NUMBERS = re.compile(rb"(?<![0-9])([0-9]+)" + WS + rb"+([0-9]+)" + WS + rb"+\Z")
_TOKEN = re.compile(rb"(?:" + WS + rb"|%[^\r\n]*)*(<<|>>|\[|\]|\(|<[^<>]*>|/" + REGULAR + rb"*|" + REGULAR + rb"+)")
_REF_AHEAD = re.compile(WS + rb"*[0-9]+" + WS + rb"+R(?![A-Za-z0-9])")
_REF = re.compile(rb"([0-9]+)" + WS + rb"+([0-9]+)" + WS + rb"+R")
_SMALL = re.compile(WS + rb"*(/" + REGULAR + rb"+|\[[^\[\]]*\]|[0-9]+)" + WS + rb"*endobj")
_NAME = re.compile(rb"/(" + REGULAR + rb"+)")
_EARLY = re.compile(rb"/EarlyChange" + WS + rb"+0(?![0-9])")


@dataclass
class Stream:
    """One stream: where its keyword is, where its data starts and may end (the later of its /Length and the
    next ``endstream``), its /Type, its filters first to last and its LZW early change."""

    keyword: int
    start: int
    end: int
    kind: bytes
    filters: list[bytes]
    early_change: int


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
        if numbers and (at + 3 == len(data) or data[at + 3] in DELIMITERS):
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
    early = 0 if _EARLY.search(entries.get(b"DecodeParms", b"")) else 1
    return names, early


def streams(data: bytes) -> Iterator[Stream]:
    """Every stream of this PDF, in the file's order."""
    headers, where = _headers(data)
    for match in _KEYWORD.finditer(data):
        entries = _stream_dictionary(data, match.start(), headers)
        line = _LINE.match(data, match.end())
        start = line.end() if line else match.end()
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        length = _resolved((entries or {}).get(b"Length", b""), data, where)
        if length.isdigit():  # the later of /Length and the next endstream: neither can hide data
            end = min(len(data), max(end, start + int(length)))
        names, early = _filters(entries, data, where)
        yield Stream(match.start(), start, end, (entries or {}).get(b"Type", b""), names, early)


__all__ = ["DELIMITERS", "REGULAR", "Stream", "WS", "streams"]
