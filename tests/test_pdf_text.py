"""PDF text extraction: reading order, page map and labels, running headers and footers,
hyphenation, the cache, and a PDF without a text layer."""

from __future__ import annotations

import hashlib
import json

import pytest

import pdfkit
from synthesis.common.problems import InputError
from synthesis.inputs import pdf_text

REPORT_TEXT = """\
Foreword

This review was commissioned by the Energy Trust.

Summary

Schemes cut bills for members but rarely
reached renters.

Members of the cooperative saw
their bills fall by twelve per
cent. The cooperative's community fund paid dividends to all
members every year.

Renters rarely joined the scheme
because landlords owned the roofs.
In the second phase the scheme
was

extended to tenants of housing
associations in 2021.

Trust in the operator rose after
the first annual meeting."""


def page(lines, label=None):
    """A page as the layout step gives it: lines (text, y0, y1, box) on an 800-point page."""
    return {"label": label, "height": 800.0, "bottom": 0.0, "lines": lines}


def test_running_headers_footers_and_page_numbers_are_removed_where_they_repeat():
    pages = [page([("Annual Report 2023", 770, 780, 0), (f"Body of page {n}.", 400, 410, 1), (f"Page {n} of 3", 20, 30, 2)])
             for n in (1, 2, 3)]
    result = pdf_text.assemble(pages)
    assert result["text"] == "Body of page 1.\n\nBody of page 2.\n\nBody of page 3."
    assert [result["text"][p["start"]:p["end"]] for p in result["pages"]] == ["Body of page 1.", "Body of page 2.", "Body of page 3."]
    assert [(p["index"], p["label"], p["labelled"]) for p in result["pages"]] == [(1, "1", False), (2, "2", False), (3, "3", False)]


def test_lines_near_the_edge_that_do_not_repeat_are_kept():
    pages = [page([("A title only on page one", 770, 780, 0), ("Body one.", 400, 410, 1)]),
             page([("Body two.", 400, 410, 0), ("A footnote at the foot of page two", 20, 30, 1)])]
    assert pdf_text.assemble(pages)["text"] == "A title only on page one\n\nBody one.\n\nBody two.\n\nA footnote at the foot of page two"


def test_a_single_page_keeps_its_header():
    assert pdf_text.assemble([page([("Header", 770, 780, 0), ("Body.", 400, 410, 1)])])["text"] == "Header\n\nBody."


def test_hyphenated_line_ends_are_joined_even_across_a_page_break():
    pages = [page([("H", 770, 780, 0), ("a well-", 400, 410, 1), ("known cooperative em-", 386, 396, 1), ("Hyphen-", 372, 382, 1)]),
             page([("H", 770, 780, 0), ("Free text and employ-", 400, 410, 0)]),
             page([("H", 770, 780, 0), ("ment rose.", 400, 410, 0)])]
    pages[0]["lines"].insert(3, ("ployees 2023-", 379, 389, 1))
    result = pdf_text.assemble(pages)
    # A lower-case continuation joins; a capital or a number before the hyphen does not.
    assert result["text"] == "a wellknown cooperative employees 2023-\nHyphen-\n\nFree text and employment rose."
    third = result["pages"][2]
    assert result["text"][third["start"]:third["end"]] == "ment rose."


def test_an_empty_page_has_an_empty_range():
    pages = [page([("One.", 400, 410, 0)], "i"), page([], "ii"), page([("Three.", 400, 410, 0)], "1")]
    result = pdf_text.assemble(pages)
    assert result["text"] == "One.\n\nThree."
    assert [(p["label"], p["start"], p["end"], p["labelled"]) for p in result["pages"]] == [("i", 0, 4, True), ("ii", 4, 4, True), ("1", 6, 12, True)]
    assert pdf_text.pages_of(result["pages"], 6, 12)[0]["label"] == "1"
    first, last = pdf_text.pages_of(result["pages"], 0, 12)
    assert (first["label"], last["label"]) == ("i", "1")


def test_page_locators():
    assert pdf_text.page_locator("4", "4") == "p. 4"
    assert pdf_text.page_locator("4", "5") == "pp. 4-5"
    assert pdf_text.parse_page_locator("p. 4") == ("4", "4")
    assert pdf_text.parse_page_locator("pp. iv\u2013v") == ("iv", "v")
    assert pdf_text.parse_page_locator("page 12") == ("12", "12")
    assert pdf_text.parse_page_locator("pages 3 - 4") == ("3", "4")
    assert pdf_text.parse_page_locator("table 3") is None
    assert pdf_text.parse_page_locator("para. 2") is None
    assert pdf_text.page_place({"first": "1", "last": "2", "first_index": 3, "last_index": 4}) == "pp. 1-2 (pages 3-4 of the file)"
    assert pdf_text.page_place({"first": "3", "last": "3", "first_index": 3, "last_index": 3}) == "p. 3"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return pdfkit.report_pdf(tmp_path_factory.mktemp("pdf") / "report.pdf")


def test_a_report_in_reading_order_without_headers_footers_or_hyphens(report):
    result = pdf_text.extract(report.read_bytes(), "report.pdf")
    # The right column is drawn first in the file, yet read after the left one.
    assert result["text"] == REPORT_TEXT
    assert result["sha256"] == hashlib.sha256(report.read_bytes()).hexdigest()
    assert result["extractor"] == pdf_text.extractor_version()
    assert result["extractor"].startswith("pdfminer.six-")


def test_page_labels_and_the_page_map(report):
    result = pdf_text.extract(report.read_bytes(), "report.pdf")
    assert [(p["index"], p["label"], p["labelled"]) for p in result["pages"]] == [(1, "i", True), (2, "ii", True), (3, "1", True), (4, "2", True)]
    bodies = [result["text"][p["start"]:p["end"]] for p in result["pages"]]
    assert bodies[0] == "Foreword\n\nThis review was commissioned by the Energy Trust."
    assert bodies[2].endswith("In the second phase the scheme\nwas")
    assert bodies[3].startswith("extended to tenants")


def test_a_pdf_without_page_labels_is_numbered_by_position(tmp_path):
    result = pdf_text.extract(pdfkit.report_pdf(tmp_path / "plain.pdf", labels=False).read_bytes(), "plain.pdf")
    assert [(p["label"], p["labelled"]) for p in result["pages"]] == [("1", False), ("2", False), ("3", False), ("4", False)]
    assert result["text"] == REPORT_TEXT


def test_a_pdf_without_a_text_layer_fails_clearly(tmp_path):
    with pytest.raises(InputError) as err:
        pdf_text.extract(pdfkit.scanned_pdf(tmp_path / "scan.pdf").read_bytes(), "sources/scan.pdf")
    assert [str(p) for p in err.value.problems] == [
        "sources/scan.pdf:1: this PDF has no text layer (1 page, no extractable text): it is probably scanned; "
        "run OCR on it first (e.g. ocrmypdf) and add the OCR'd PDF"]


def test_a_damaged_pdf_fails_clearly():
    with pytest.raises(InputError) as err:
        pdf_text.extract(b"%PDF-1.4\nnot really a pdf", "sources/broken.pdf")
    message = str(err.value.problems[0])
    assert message.startswith("sources/broken.pdf:1: cannot read this PDF (")
    assert message.endswith("); check that it opens, or save it again as PDF")


def test_extraction_is_cached_by_sha256_and_extractor_version(report, tmp_path):
    cache = tmp_path / "cache"
    first, written = pdf_text.cached_extraction(str(report), str(cache), write=True)
    sha = hashlib.sha256(report.read_bytes()).hexdigest()
    assert written == str(cache / f"{sha}-{pdf_text.extractor_version()}.json")
    assert json.loads((cache / f"{sha}-{pdf_text.extractor_version()}.json").read_text("utf-8")) == first
    # A second read comes from the cache: prove it by marking the cached copy.
    marked = first | {"text": "from the cache"}
    (cache / f"{sha}-{pdf_text.extractor_version()}.json").write_text(json.dumps(marked), encoding="utf-8")
    assert pdf_text.cached_extraction(str(report), str(cache))[0]["text"] == "from the cache"
    # Without write, nothing is cached.
    other = tmp_path / "other"
    assert pdf_text.cached_extraction(str(report), str(other)) == (first, "")
    assert not other.exists()


def test_extraction_is_deterministic(report, tmp_path):
    again = pdfkit.report_pdf(tmp_path / "again.pdf")
    assert again.read_bytes() == report.read_bytes()
    a, _ = pdf_text.cached_extraction(str(report), str(tmp_path / "a"), write=True)
    b, _ = pdf_text.cached_extraction(str(again), str(tmp_path / "b"), write=True)
    assert [p.read_bytes() for p in (tmp_path / "a").iterdir()] == [p.read_bytes() for p in (tmp_path / "b").iterdir()]
