"""The PDF stream filters that expand data, as push decoders that never hold more than a slice of their output.

Each decoder is fed its input piece by piece (:meth:`feed` yields output pieces of at most :data:`PIECE`
bytes) and stops at its own end-of-data mark (``done``), so the size a stream decompresses to can be counted
without holding it: :mod:`.pdf_limits` counts and discards what they yield. They decode what PDFium decodes
(FlateDecode, LZWDecode, RunLengthDecode, ASCII85Decode, ASCIIHexDecode) and, like PDFium, keep what came out
before a damaged part. The image codecs (DCT, JPX, JBIG2, CCITT fax) are not here: the text path never runs them.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator

PIECE = 1 << 20  # the most one step of a decoder yields


class Flate:
    """FlateDecode (zlib); LZW for ``LZWDecode`` and the others below share its interface."""

    def __init__(self, early_change: int = 1) -> None:
        self.inflater = zlib.decompressobj()
        self.done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        buf = data
        while not self.done:
            try:
                out = self.inflater.decompress(buf, PIECE)
            except zlib.error:  # damaged: PDFium keeps what came out before it
                self.done = True
                return
            if out:
                yield out
            if self.inflater.eof:
                self.done = True
                return
            buf = self.inflater.unconsumed_tail
            if not buf and len(out) < PIECE:
                return


class LZW:
    """LZWDecode: 9- to 12-bit codes, 256 clears the table, 257 ends the data; ``early_change`` as in its
    DecodeParms (1 unless it says 0)."""

    def __init__(self, early_change: int = 1) -> None:
        self.early = early_change
        self.table = [bytes([i]) for i in range(256)] + [b"", b""]
        self.width, self.bits, self.count, self.prev = 9, 0, 0, b""
        self.done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        out = bytearray()
        table = self.table
        for byte in bytes(data):
            self.bits = (self.bits << 8) | byte
            self.count += 8
            while self.count >= self.width and not self.done:
                self.count -= self.width
                code = self.bits >> self.count
                self.bits &= (1 << self.count) - 1
                if code == 256:
                    del table[258:]
                    self.width, self.prev = 9, b""
                    continue
                if code == 257:
                    self.done = True
                    break
                if code < len(table):
                    entry = table[code]
                    if self.prev and len(table) < 4096:
                        table.append(self.prev + entry[:1])
                elif code == len(table) and self.prev:
                    entry = self.prev + self.prev[:1]
                    table.append(entry)
                else:  # a code not yet defined: damaged
                    self.done = True
                    break
                out += entry
                self.prev = entry
                size = len(table) + self.early
                self.width = 12 if size >= 2048 else 11 if size >= 1024 else 10 if size >= 512 else 9
                if len(out) >= PIECE:
                    yield bytes(out)
                    out.clear()
            if self.done:
                break
        if out:
            yield bytes(out)


class RunLength:
    """RunLengthDecode: a length byte, then that many plus one bytes (below 128) or one byte repeated
    257 minus it times (above 128); 128 ends the data."""

    def __init__(self, early_change: int = 1) -> None:
        self.pending = b""
        self.done = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        data = self.pending + bytes(data)
        out = bytearray()
        i = 0
        while i < len(data):
            n = data[i]
            if n == 128:
                self.done = True
                break
            if n < 128:
                if i + n + 2 > len(data):
                    break
                out += data[i + 1:i + n + 2]
                i += n + 2
            else:
                if i + 2 > len(data):
                    break
                out += data[i + 1:i + 2] * (257 - n)
                i += 2
            if len(out) >= PIECE:
                yield bytes(out)
                out.clear()
        self.pending = b"" if self.done else data[i:]
        if out:
            yield bytes(out)


_SPACE = re.compile(rb"[\x00\t\n\f\r ]+")


class _Text:
    """A filter of ASCII text: white space is dropped, and a character outside its alphabet (its end mark, or
    anything else) ends the stream; what is left over waits for the next piece."""

    _STOP: re.Pattern[bytes]  # anything outside the filter's alphabet

    def __init__(self, early_change: int = 1) -> None:
        self.pending = b""
        self.done = False

    def _text(self, data: bytes) -> bytes:
        text = self.pending + _SPACE.sub(b"", bytes(data))
        stop = self._STOP.search(text)
        if stop:
            text, self.done = text[:stop.start()], True
        return text


# '!'..'u' to 0..84 (the decoder is given no other character)
_A85_VALUES = bytes(max(0, min(c - 33, 84)) for c in range(256))


def a85decode(text: bytes) -> bytes:
    """What ``base64.a85decode`` gives for characters ``!``-``u`` only (a last group of two to four padded
    with ``u`` and cut, as there), in one pass over the groups instead of one over the characters (about 3
    times faster); ValueError on a group above 2**32 - 1, as there."""
    pad = -len(text) % 5
    values = (text + b"u" * pad).translate(_A85_VALUES)
    groups = [(((a * 85 + b) * 85 + c) * 85 + d) * 85 + e
              for a, b, c, d, e in zip(values[0::5], values[1::5], values[2::5], values[3::5], values[4::5])]
    try:
        out = struct.pack(f">{len(groups)}I", *groups)
    except struct.error:
        raise ValueError("Ascii85 overflow") from None
    return out[:len(out) - pad] if pad else out


class ASCII85(_Text):
    """ASCII85Decode: groups of five characters ``!``-``u`` (``z`` for four zero bytes), ending at ``~>``."""

    _STOP = re.compile(rb"[^!-uz]")

    def feed(self, data: bytes) -> Iterator[bytes]:
        text = self._text(data).replace(b"z", b"!!!!!")
        whole = len(text) if self.done else len(text) - len(text) % 5
        self.pending = text[whole:]
        for start in range(0, whole, 5 * PIECE // 4):
            group = text[start:min(whole, start + 5 * PIECE // 4)]
            if len(group) % 5 == 1:  # a lone last character decodes to nothing
                group = group[:-1]
            try:
                yield a85decode(group)
            except ValueError:
                self.done = True
                return


class ASCIIHex(_Text):
    """ASCIIHexDecode: pairs of hex digits, ending at ``>``."""

    _STOP = re.compile(rb"[^0-9A-Fa-f]")

    def feed(self, data: bytes) -> Iterator[bytes]:
        text = self._text(data)
        if self.done and len(text) % 2:
            text += b"0"
        whole = len(text) - len(text) % 2
        self.pending = text[whole:]
        if whole:
            yield bytes.fromhex(text[:whole].decode("ascii"))


DECODERS = {b"FlateDecode": Flate, b"Fl": Flate, b"LZWDecode": LZW, b"LZW": LZW, b"RunLengthDecode": RunLength,
            b"RL": RunLength, b"ASCII85Decode": ASCII85, b"A85": ASCII85, b"ASCIIHexDecode": ASCIIHex, b"AHx": ASCIIHex}

__all__ = ["ASCII85", "ASCIIHex", "DECODERS", "Flate", "LZW", "PIECE", "RunLength"]
