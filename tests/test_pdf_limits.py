"""A PDF's limits (synthesis.inputs.pdf_limits): the bounded decoders decode as the filters are defined, real
PDFs pass far below the limits, and hostile ones (a bomb, in an inline image, behind a filter given by
reference, hidden in another stream, encrypted; too many pages) are refused with one exact message."""

from __future__ import annotations

import base64
import zlib
from pathlib import Path

import pytest

import pdfbombs
import pdfkit
from synthesis.common.problems import InputError
from synthesis.inputs import pdf_limits, pdf_text
from synthesis.inputs.pdf_decode import ASCII85, LZW, ASCIIHex, Flate, RunLength

PDFS = Path(__file__).parent / "pdfs"
ADVICE = ("; a real report is far smaller, so this is a damaged or hostile PDF (a PDF bomb): if it opens in a viewer, "
          "print it to a new PDF and add that")


def stream_limit(byte: int) -> str:
    return (f"sources/x.pdf:1: too large once decompressed: the stream at byte {byte:,} holds more than 100,000,000 bytes "
            f"(at most 100,000,000 are accepted in one stream){ADVICE}")


def decoded(decoder, data: bytes, piece: int = 7) -> bytes:
    out = b""
    for at in range(0, len(data), piece):
        out += b"".join(decoder.feed(data[at:at + piece]))
        if decoder.done:
            break
    return out


def refused(data: bytes) -> list[str]:
    with pytest.raises(InputError) as err:
        pdf_text.extract(data, "sources/x.pdf")
    return [str(p) for p in err.value.problems]


def test_flate_decodes_piece_by_piece_and_stops_at_its_end():
    text = b"Bills fell by twelve per cent. " * 1000
    assert decoded(Flate(), zlib.compress(text) + b"\nendstream\nendobj\n") == text


def test_lzw_decodes_the_example_of_the_pdf_reference():
    # ISO 32000-1, 7.4.4.2: 45 45 45 45 45 65 45 45 45 66 encodes to 80 0B 60 50 22 0C 0C 85 01.
    assert decoded(LZW(), bytes.fromhex("800B6050220C0C8501"), piece=2) == bytes([45] * 5 + [65] + [45] * 3 + [66])


def test_runlength_ascii85_and_asciihex_decode():
    assert decoded(RunLength(), bytes([2]) + b"abc" + bytes([253, 0x7A]) + bytes([128]) + b"junk") == b"abc" + b"z" * 4
    data = bytes(8) + b"Bills fell." + bytes(range(256))
    encoded = base64.a85encode(data, foldspaces=False, wrapcol=20) + b"~>"
    assert b"z" in encoded
    assert decoded(ASCII85(), encoded, piece=3) == data
    assert decoded(ASCIIHex(), b"42 69 6c6C 7>rest", piece=3) == b"Billp"


def test_real_pdfs_are_far_below_the_limits():
    for pdf in sorted(PDFS.glob("*.pdf")):
        data = pdf.read_bytes()
        total = pdf_limits.count_streams(data, pdf_limits.MAX_DOCUMENT_BYTES)
        assert total < pdf_limits.MAX_DOCUMENT_BYTES / 100, pdf.name  # the largest, scotus-transcript-p1.pdf: 0.37 MB
        assert pdf_limits.count_streams(data, 10**12, structure=True) + pdf_limits.count_streams(data, 10**12, structure=False) == total


def test_a_bomb_is_refused_before_pdfium_inflates_it():
    assert refused(pdfbombs.bomb_pdf()) == [stream_limit(362)]


def test_a_bomb_in_an_inline_image_is_refused():
    assert refused(pdfbombs.inline_bomb_pdf()) == [stream_limit(342)]


def test_a_bomb_behind_a_filter_given_by_reference_is_refused():
    assert refused(pdfbombs.referenced_filter_bomb_pdf()) == [stream_limit(355)]


def test_a_bomb_hidden_inside_another_streams_data_is_refused():
    # Stream 6's /Length takes in the bomb (object 7) and its endstream: read in order, the bomb would be skipped.
    bomb = pdfbombs.deflate_zeros(200)
    hidden = b"7 0 obj\n<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(bomb) + bomb + b"\nendstream\nendobj\n"
    data = pdfbombs.one_page((b"/Filter /FlateDecode", zlib.compress(pdfbombs.TEXT)), [(b"/Length %d" % len(hidden), hidden)])
    data = data.replace(b"/Length %d >>" % len(hidden), b"/Length %d >>" % (len(hidden) + 10), 1)
    assert refused(data) == [stream_limit(data.index(b"stream", data.index(b"7 0 obj")))]


def test_many_streams_under_the_limit_for_one_are_refused_in_all():
    assert refused(pdfbombs.many_streams_pdf()) == [
        "sources/x.pdf:1: too large once decompressed: its streams hold more than 200,000,000 bytes (at most 200,000,000 are "
        f"accepted, or 20,000,000 a page for a document of more than 10 pages){ADVICE}"]


def test_an_encrypted_pdf_is_counted_in_its_decrypted_copy():
    assert pdf_text.extract(pdfbombs.encrypted_text_pdf(), "sources/x.pdf")["text"] == "Bills fell by twelve per cent."
    assert refused(pdfbombs.encrypted_bomb_pdf()) == [stream_limit(353)]


def test_too_many_pages_are_refused_before_a_page_is_loaded(monkeypatch, tmp_path):
    assert refused(pdfbombs.pages_pdf(10_001)) == [
        "sources/x.pdf:1: too many pages: 10,001; at most 10,000 are accepted: add the part the review cites as a PDF of its "
        "own (e.g. qpdf big.pdf --pages . 1-500 -- part.pdf)"]
    report = pdfkit.report_pdf(tmp_path / "report.pdf").read_bytes()  # 4 pages
    monkeypatch.setattr(pdf_limits, "MAX_PAGES", 4)
    assert len(pdf_text.extract(report, "sources/x.pdf")["pages"]) == 4
    monkeypatch.setattr(pdf_limits, "MAX_PAGES", 3)
    assert refused(report)[0].startswith("sources/x.pdf:1: too many pages: 4; at most 3 are accepted")


def test_a_damaged_pdf_is_a_clear_error():
    real = (PDFS / "pagelabels.pdf").read_bytes()
    for data in (real[:len(real) // 2], b"", b"<html>not a PDF</html>"):
        assert refused(data) == ["sources/x.pdf:1: cannot read this PDF (PdfiumError: Failed to load document (PDFium: Data "
                                 "format error)); check that it opens, or save it again as PDF"]
