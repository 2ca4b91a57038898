"""Hostile PDFs written by hand, in a few milliseconds and without a large file in the repository: a content
stream that inflates to gigabytes (a PDF bomb), the same bomb hidden in an inline image, behind a filter given
by reference, or encrypted (RC4, as Acrobat 3 wrote it), and a document of too many pages."""

from __future__ import annotations

import functools
import hashlib
import zlib

MIB = 1 << 20
TEXT = b"BT /F1 12 Tf 72 720 Td (Bills fell by twelve per cent.) Tj ET\n"
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_ID = bytes(range(16))


@functools.cache
def deflate_zeros(mib: int) -> bytes:
    """A zlib stream of ``mib`` MiB of zeros (``mib`` = 1536: 1.5 GiB in 1.5 MB). After a full flush each MiB
    of zeros compresses to the same bytes, so the stream is made by repeating them, with the real checksum."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(MIB)
    block = deflater.compress(zeros) + deflater.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(mib):
        adler = zlib.adler32(zeros, adler)
    return b"\x78\xda" + block * mib + deflater.flush() + adler.to_bytes(4, "big")


def rc4(key: bytes, data: bytes) -> bytes:
    state, j = list(range(256)), 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) & 255
        state[i], state[j] = state[j], state[i]
    out, i, j = bytearray(len(data)), 0, 0
    for n, byte in enumerate(data):
        i = (i + 1) & 255
        j = (j + state[i]) & 255
        state[i], state[j] = state[j], state[i]
        out[n] = byte ^ state[(state[i] + state[j]) & 255]
    return bytes(out)


def hand_pdf(objects: list, encrypt: bool = False) -> bytes:
    """A PDF of ``objects`` (1: the catalog): each a value, or ``(dictionary entries, stream data)``; with
    ``encrypt``, encrypted with the standard handler, revision 2 (40-bit RC4), and an empty user password."""
    key = b""
    if encrypt:
        owner = rc4(hashlib.md5(b"owner" + _PAD[:27]).digest()[:5], _PAD)
        key = hashlib.md5(_PAD + owner + (-4).to_bytes(4, "little", signed=True) + _ID).digest()[:5]
        objects = objects + [b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <%s> /U <%s> >>"
                             % (owner.hex().encode(), rc4(key, _PAD).hex().encode())]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        if isinstance(body, tuple):
            entries, data = body
            if encrypt:
                data = rc4(hashlib.md5(key + number.to_bytes(3, "little") + b"\0\0").digest()[:10], data)
            body = b"<< " + entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    secret = b" /Encrypt %d 0 R /ID [<%s> <%s>]" % (len(objects), _ID.hex().encode(), _ID.hex().encode()) if encrypt else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, secret, xref)
    return bytes(out)


def one_page(content: tuple, extra: list | None = None, encrypt: bool = False) -> bytes:
    """A one-page PDF in Helvetica whose content stream is object 5 (``(entries, data)``), objects 6... ``extra``."""
    return hand_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
                     b"/Resources << /Font << /F1 4 0 R >> >> >>",
                     b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", content] + (extra or []), encrypt)


def text_pdf() -> bytes:
    return one_page((b"/Filter /FlateDecode", zlib.compress(TEXT)))


def bomb_pdf(mib: int = 1536) -> bytes:
    """A 1.5 MB PDF whose one content stream inflates to ``mib`` MiB."""
    return one_page((b"/Filter /FlateDecode", deflate_zeros(mib)))


def inline_bomb_pdf(mib: int = 1536) -> bytes:
    """A page whose content stream (not compressed itself) holds an inline image inflating to ``mib`` MiB."""
    image = b"q BI /W 32768 /H %d /CS /G /BPC 8 /F /Fl ID\n" % (mib * 32) + deflate_zeros(mib) + b"\nEI Q\n"
    return one_page((b"", TEXT + image))


def referenced_filter_bomb_pdf(mib: int = 1536) -> bytes:
    """The bomb, its /Filter given by reference (object 6 is the name /FlateDecode)."""
    return one_page((b"/Filter 6 0 R", deflate_zeros(mib)), [b"/FlateDecode"])


def many_streams_pdf(streams: int = 3, mib: int = 90) -> bytes:
    """A page whose contents are ``streams`` streams of ``mib`` MiB each: under the limit for one stream, over it in all."""
    parts = [(b"/Filter /FlateDecode", deflate_zeros(mib))] * streams
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents [%s] /Resources << /Font << /F1 4 0 R >> >> >>" % (
        b" ".join(b"%d 0 R" % (5 + n) for n in range(streams)))
    return hand_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page,
                     b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"] + parts)


def encrypted_bomb_pdf(mib: int = 400) -> bytes:
    return one_page((b"/Filter /FlateDecode", deflate_zeros(mib)), encrypt=True)


def encrypted_text_pdf() -> bytes:
    return one_page((b"/Filter /FlateDecode", zlib.compress(TEXT)), encrypt=True)


def pages_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` pages, each showing the same short text (one content stream for all)."""
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 3 0 R >> >> >>"
    return hand_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
                     b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", (b"", TEXT)] + [page] * pages)
