"""PDF text extraction: reading order, page map and labels, running headers and footers,
hyphenation, the cache, and a PDF without a text layer."""

from __future__ import annotations

import hashlib
import json

import pytest

import pdfkit
from synthesis.common.problems import InputError
from synthesis.inputs import pdf_assemble, pdf_pages, pdf_text
from synthesis.inputs.pdf_runs import PageRuns, Run

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


def run(text, x0, y0, size=10.0, width=None, upright=True):
    return Run(text, x0, y0, x0 + (width or 5.0 * len(text)), y0 + size, size, upright)


def page(index, runs, label=""):
    """A page of runs on a 600 x 800 point page."""
    return PageRuns(index, label, 0.0, 0.0, 600.0, 800.0, runs)


def text_of(pages):
    """Extract pages of runs as :func:`pdf_text.extract` does after reading them."""
    from synthesis.inputs.pdf_layout import body_size, page_blocks
    from synthesis.inputs.pdf_pages import furniture

    drop = furniture(pages)
    kept = [[r for n, r in enumerate(p.runs) if (p.index, n) not in drop] for p in pages]
    size = body_size(kept)
    return pdf_text.assemble(pages, [page_blocks(p, runs, size, p.index == 1) for p, runs in zip(pages, kept)])


def test_running_headers_footers_and_page_numbers_are_removed_where_they_repeat():
    pages = [page(n, [run("Annual Report 2023", 50, 770), run(f"Body of page {n}.", 50, 400), run(f"Page {n} of 3", 50, 20)])
             for n in (1, 2, 3)]
    result = text_of(pages)
    assert result["text"] == "Body of page 1.\n\nBody of page 2.\n\nBody of page 3."
    assert [result["text"][p["start"]:p["end"]] for p in result["pages"]] == ["Body of page 1.", "Body of page 2.", "Body of page 3."]
    # The footers' numbers are the printed page numbers.
    assert [(p["index"], p["label"], p["printed"], p["number"]) for p in result["pages"]] == [(1, "", "1", "1"), (2, "", "2", "2"), (3, "", "3", "3")]


def test_printed_numbers_progress_with_the_pages_and_fill_a_page_that_prints_none():
    pages = [page(n, [run(f"Body of page {n}.", 50, 400)] + ([run(str(47697 + n), 50, 770)] if n != 2 else [])
                  + [run("Frm 0000" + str(n), 300, 10, size=4)], label=str(n - 1)) for n in (1, 2, 3)]
    result = text_of(pages)
    assert [(p["printed"], p["printed_from"], p["label"], p["number"]) for p in result["pages"]] == [
        ("47698", "page", "0", "47698"), ("47699", "inferred", "1", "47699"), ("47700", "page", "2", "47700")]
    roman = [page(n, [run(f"Body {n}.", 50, 400), run(number, 290, 20)]) for n, number in ((1, "iii"), (2, "iv"), (3, "1"), (4, "2"))]
    assert [p["number"] for p in text_of(roman)["pages"]] == ["iii", "iv", "1", "2"]
    # No numbers printed: the label, else the position.
    assert [p["number"] for p in text_of([page(1, [run("One.", 50, 400)], "A-1"), page(2, [run("Two.", 50, 400)])])["pages"]] == ["A-1", "2"]


def test_footnote_numbers_at_the_foot_are_not_read_as_page_numbers():
    # A report that prints no page numbers, with notes at the foot of its pages: the notes' numbers progress
    # for a few pages at a time (one note a page), alone or at the start of the note's text.
    def report_page(n):
        note = [run(str(n + 4), 50, 60, size=7), run("A short note.", 60, 52, size=8, width=80)] if n in (6, 7, 8) else \
            [run(f"{n + 20} If a request for a forecast was made the letter said so at some length.", 50, 52, size=8)]
        return page(n, [run(f"Body of page {n}, in the body size of the report.", 50, 400, width=300)] + note)
    result = text_of([report_page(n) for n in range(1, 13)])
    assert [(p["printed"], p["number"]) for p in result["pages"]] == [("", str(n)) for n in range(1, 13)]
    # A short footer line that starts with the page's number still prints it.
    footed = [page(n, [run(f"Body of page {n}.", 50, 400), run(f"{n + 7} BEHAVIOUR CHANGE", 50, 20)]) for n in range(1, 13)]
    assert [p["printed"] for p in text_of(footed)["pages"]] == [str(n + 7) for n in range(1, 13)]


def test_roman_numerals():
    assert [pdf_pages.roman_value(r) for r in ("iv", "xiv", "mcmxc", "iiii", "ic", "x")] == [4, 14, 1990, None, None, 10]
    assert pdf_pages.to_roman(1994) == "mcmxciv"


def test_columns_read_in_order_and_a_sentence_runs_on_across_columns_and_pages():
    left = [run(f"Left line {n} of the column text", 50, 700 - 12 * n, width=230) for n in range(3)]
    right = [run(f"right line {n} of the column text", 320, 700 - 12 * n, width=230) for n in range(3)]
    pages = [page(1, [run("A title across both columns", 50, 740, size=14, width=500)] + right + left
                  + [run("the sentence goes on and its expec-", 320, 664, width=230)]),
             page(2, [run("tations end on the next page.", 50, 700, width=230)])]
    text = text_of(pages)["text"]
    assert text == ("A title across both columns\n\n" + "\n".join(r.text for r in left) + "\n" + "\n".join(r.text for r in right)
                    + "\nthe sentence goes on and its expectations end on the next page.")


def test_footnotes_tables_captions_and_margin_text_follow_the_body_marked():
    body = [run(f"Body text line {n} of the page, in the body size", 50, 700 - 12 * n, width=480) for n in range(4)]
    body.append(run("and the sentence goes on to the", 50, 652, width=480))
    pages = [page(1, [run("A", 50, 760, width=10)] + body + [
        run("Figure 1: A caption under a figure.", 50, 500, width=300),
        run("1 A footnote in small print at the foot.", 50, 90, size=8, width=300),
        run("arXiv:1234.5678v1 [cs.CL]", 10, 300, size=20, width=20, upright=False)]),
        page(2, [run("next page, where it ends.", 50, 700, width=480), run("More body on page two.", 50, 670, width=480)])]
    result = text_of(pages)
    assert result["text"].split("\n\n") == [
        "A", "\n".join(r.text for r in body) + "\nnext page, where it ends.",
        "[caption]\nFigure 1: A caption under a figure.", "[footnote]\n1 A footnote in small print at the foot.",
        "[margin]\narXiv:1234.5678v1 [cs.CL]", "More body on page two."]
    # The footnote is on page 1 though it follows page 2's first paragraph.
    footnote = result["text"].index("[footnote]")
    assert pdf_text.pages_of(result["pages"], result["spans"], footnote, footnote + 5)[0]["index"] == 1


def test_words_split_at_line_ends_are_joined_unless_compounds():
    hyphenated, plain = {"decision-making"}, {"wellbeing"}
    assert not pdf_assemble.keeps_hyphen("expec", "tations", hyphenated, plain)
    assert pdf_assemble.keeps_hyphen("decision", "making", hyphenated, plain)  # written so elsewhere
    assert not pdf_assemble.keeps_hyphen("well", "being", hyphenated, plain)  # written joined elsewhere
    assert pdf_assemble.keeps_hyphen("self", "reporting", hyphenated, plain)  # a hyphenated prefix
    assert pdf_assemble.keeps_hyphen("FAA", "approved", hyphenated, plain)  # an acronym
    assert pdf_assemble.keeps_hyphen("post", "COVID", hyphenated, plain)
    lines = [run("The expec-", 50, 700, width=200), run("tations of self-", 50, 688, width=200), run("reporting staff.", 50, 676, width=200)]
    result = text_of([page(1, lines)])
    assert result["text"] == "The expectations of self-\nreporting staff."
    assert result["breaks"] == [9, 24]  # where the join is, and the kept hyphen


def test_a_raised_mark_starting_a_note_is_a_word_apart_and_one_after_a_word_stays_on_it():
    from synthesis.inputs.pdf_runs import _Cutter

    def cut(chars):
        cutter = _Cutter()
        x = 50.0
        for char, bottom, size in chars:
            cutter.add(char, x, bottom, x + 0.5 * size, bottom + size, True)
            x += 0.5 * size
        cutter.close()
        return [r.text for r in cutter.runs]

    note = [("4", 703, 5.5)] + [(c, 700, 8.0) for c in "We also"]
    assert cut(note) == ["4 We also"]
    cited = [(c, 700, 8.0) for c in "time."] + [("1", 704, 5.5), ("2", 704, 5.5)] + [(c, 700, 8.0) for c in " Note"]
    assert cut(cited) == ["time.12 Note"]
    assert cut([("H", 700, 8.0), ("2", 698, 5.5), ("O", 700, 8.0)]) == ["H2O"]  # a subscript is not a mark


def test_small_print_with_airy_leading_is_one_block_not_a_band_a_line():
    from synthesis.inputs.pdf_layout import page_blocks

    lines = [run(f"line {n} of an appendix set small with wide leading", 40, 600 - 12.5 * n, size=8.0, width=400)
             for n in range(4)]
    blocks = page_blocks(page(1, lines), lines, 10.0, False)
    assert [len(b.lines) for b in blocks] == [4]


def test_unmapped_glyphs_are_counted_per_page():
    pages = [page(1, [run("One.", 50, 400)]), page(2, [run("Two.", 50, 400)])]
    pages[1].unmapped = 3
    assert text_of(pages)["glyphs"] == [[2, 3]]


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
    assert result["extractor"].startswith("pypdfium2-")


def test_page_labels_and_the_page_map(report):
    result = pdf_text.extract(report.read_bytes(), "report.pdf")
    assert [(p["index"], p["label"], p["labelled"]) for p in result["pages"]] == [(1, "i", True), (2, "ii", True), (3, "1", True), (4, "2", True)]
    bodies = [result["text"][p["start"]:p["end"]] for p in result["pages"]]
    assert bodies[0] == "Foreword\n\nThis review was commissioned by the Energy Trust."
    assert bodies[2].endswith("In the second phase the scheme\nwas")
    assert bodies[3].startswith("extended to tenants")


def test_a_pdf_without_page_labels_is_numbered_by_position(tmp_path):
    result = pdf_text.extract(pdfkit.report_pdf(tmp_path / "plain.pdf", labels=False).read_bytes(), "plain.pdf")
    # Its footers print "page 1" and "page 2" on the last two pages: those are the pages' numbers.
    assert [(p["label"], p["labelled"], p["number"]) for p in result["pages"]] == [("", False, "1"), ("", False, "2"), ("", False, "3"), ("", False, "4")]
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


def test_a_type3_tex_font_reads_its_ligatures_and_its_type_size_from_ink_boxes(tmp_path):
    from pdfkit import type3_pdf
    from synthesis.inputs.pdf_runs import page_runs

    pdf = type3_pdf(tmp_path / "preprint.pdf", [b"Here the e\x0bective theory is used to",
                                                b"\x0cnd the masses of heavy mesons."])
    [page] = page_runs(pdf.read_bytes())
    # OT1's codes 11 and 12 beside letters are ff and fi, not unmapped glyphs; a run's size is the type's (10
    # points), not the ink's height (4.5 points for x-height letters, 6.9 for ascenders).
    assert [r.text for r in page.runs] == ["Here the e\ufb00ective theory is used to", "\ufb01nd the masses of heavy mesons."]
    assert page.unmapped == 0
    assert [round(r.size, 1) for r in page.runs] == [10.0, 10.0]
    assert pdf_text.extract(pdf.read_bytes(), "preprint.pdf")["text"] == \
        "Here the e\ufb00ective theory is used to\n\ufb01nd the masses of heavy mesons."


def test_a_thin_space_is_a_word_space_but_not_loose_letters_or_an_ellipsis():
    from synthesis.inputs.pdf_runs import _Cutter

    def cut(text, gaps):
        cutter = _Cutter()
        x = 50.0
        for n, char in enumerate(text):
            x += gaps.get(n, 0.0)
            cutter.add(char, x, 700, x + 5.0, 710, True)
            x += 5.0
        cutter.close()
        return [r.text for r in cutter.runs]

    # Thin spaces (a tenth of the 10-point line or more, as a squeezed justified line and "[23, 43]" set
    # them, and as poppler reads them) are word spaces; letters 0.8 apart are one word; dots are an ellipsis.
    assert cut("[23,43] oneRCT", {4: 1.1, 11: 1.2}) == ["[23, 43] one RCT"]
    assert cut("above", {1: 0.8, 2: 0.8, 3: 0.8, 4: 0.8}) == ["above"]
    assert cut("(...continued)", {2: 1.2, 3: 1.2, 4: 1.2}) == ["(...continued)"]
    assert cut("s\u2032 and", {1: 1.5}) == ["s\u2032 and"]  # a prime set apart from its letter


def test_an_accent_drawn_as_its_own_glyph_over_a_letter_composes_with_it():
    from synthesis.inputs.pdf_runs import _Cutter

    def cut(glyphs):
        cutter = _Cutter()
        for char, left, bottom in glyphs:
            cutter.add(char, left, bottom, left + 5.0, bottom + 10.0, True)
        cutter.close()
        return [r.text for r in cutter.runs]

    line = [(c, 50.0 + 5 * n, 700.0) for n, c in enumerate("2.2 A in")]
    # The ring is drawn after the line, over its A (as a 2014 journal's PDF does): the viewer shows Å.
    assert cut(line + [("\u02da", 70.5, 703.0)]) == ["2.2 \u00c5 in"]
    # An umlaut drawn before its letter, apart from the letter before it; a degree sign over no letter stays.
    assert cut([("K", 50.0, 700.0), ("\u00a8", 56.0, 703.0), ("o", 56.0, 700.0), ("n", 61.0, 700.0)]) == ["K\u00f6n"]
    assert cut([("3", 50.0, 700.0), ("0", 55.0, 700.0), ("\u02da", 60.0, 703.0), ("C", 65.0, 700.0)]) == ["30\u02daC"]


def test_set_aside_blocks_wait_until_the_sentence_they_would_split_ends():
    body = [run(f"Body text line {n} of the page, in the body size", 50, 700 - 12 * n, width=480) for n in range(3)]
    body.append(run("and the sentence goes on to the", 50, 664, width=480))
    left = [run("next page, whose first column", 50, 700, width=230), run("still does not end it but", 50, 688, width=230)]
    right = [run("its second column does. Then", 320, 700, width=230), run("more text follows there.", 320, 688, width=230)]
    pages = [page(1, body + [run("1 A footnote in small print at the foot.", 50, 90, size=8, width=300)]),
             page(2, left + right)]
    assert text_of(pages)["text"].split("\n\n") == [
        "\n".join(r.text for r in body + left + right), "[footnote]\n1 A footnote in small print at the foot."]


def test_a_page_ending_on_an_abbreviations_point_keeps_its_set_aside_blocks_until_the_sentence_ends():
    body = [run(f"Body text line {n} of the page, in the body size", 50, 700 - 12 * n, width=480) for n in range(3)]
    body.append(run("more randomly distributed in L.", 50, 664, width=480))
    pages = [page(1, body + [run("Fig. 3. A caption under the figure.", 50, 300, width=300)]),
             page(2, [run("larvaepartus), and skin with fine tubercles.", 50, 700, width=480),
                      run("A new paragraph.", 50, 670, width=480)])]
    assert text_of(pages)["text"].split("\n\n") == [
        "\n".join(r.text for r in body), "larvaepartus), and skin with fine tubercles.",
        "[caption]\nFig. 3. A caption under the figure.", "A new paragraph."]


def test_a_caption_whose_label_is_set_off_by_type_alone_is_a_caption():
    # "Table 2 Sample characteristics ..." in the body size, no point after the number (Wiley, BMC); a sentence
    # citing a table ("Table 1 shows ...") stays body.
    body = [run(f"Body text line {n} of the page, in the body size", 50, 700 - 12 * n, width=480) for n in range(3)]
    pages = [page(1, [run("Table 2 Sample characteristics stratified by study group.", 50, 740, width=300)] + body
                  + [run("Table 1 shows similarities between the two groups.", 50, 600, width=480)])]
    assert text_of(pages)["text"].split("\n\n") == [
        "\n".join(r.text for r in body), "Table 1 shows similarities between the two groups.",
        "[caption]\nTable 2 Sample characteristics stratified by study group."]


def test_a_running_head_in_the_outer_margin_beside_the_text_is_furniture():
    # As an Emerald journal sets it: "Shift work" / "interventions" beside the text on rectos, "ER" / "29,2"
    # on versos, at 85% of the page's height (below the header band); a short body line at another height stays.
    def body(n):
        return [run(f"Body line {k} of page {n}, long enough to be the text", 120, 680 - 12 * k, width=340)
                for k in range(12)]
    pages = [page(n, body(n) + ([run("Shift work", 480, 685, width=60), run("interventions", 480, 672, width=60)]
                                if n % 2 else [run("ER", 20, 685, width=20), run("29,2", 20, 672, width=20)])
                  + [run("Short line.", 120, 400 + 40 * n, width=60)]) for n in range(1, 6)]
    text = text_of(pages)["text"]
    assert "Shift" not in text and "interventions" not in text and "ER" not in text and "29,2" not in text
    assert text.count("Short line.") == 5


def test_a_sheet_printing_two_pages_side_by_side_is_two_pages_each_cited_by_its_number():
    # A preprint copied two pages to a landscape sheet: each half prints its number in its footer.
    def half(x, n):
        return [run(f"Text of printed page {n}, line {k}, which runs on.", x, 500 - 12 * k, width=250) for k in range(3)]
    sheets = [PageRuns(n, "", 0.0, 0.0, 800.0, 600.0, half(40, 2 * n - 1) + half(440, 2 * n)
                       + [run(str(2 * n - 1), 190, 30, width=10), run(str(2 * n), 590, 30, width=10)])
              for n in (1, 2, 3)]
    result = pdf_text.assemble(sheets, *pdf_text.lay_out(sheets))
    assert [(p["index"], p.get("part"), p["printed"], p["number"]) for p in result["pages"]] == [
        (1, "left", "1", "1"), (1, "right", "2", "2"), (2, "left", "3", "3"), (2, "right", "4", "4"),
        (3, "left", "5", "5"), (3, "right", "6", "6")]
    text = result["text"]
    at = text.index("page 4, line 1")
    assert [p["number"] for p in pdf_text.pages_of(result["pages"], result["spans"], at, at + 10)] == ["4", "4"]
    at = text.index("page 3, line 2")
    assert pdf_text.pages_of(result["pages"], result["spans"], at, text.index("page 4, line 0") + 5)[1]["number"] == "4"
    assert text.index("page 3, line 2") < text.index("page 4, line 0") < text.index("page 5, line 0")


def test_a_prime_starting_a_run_of_its_own_stays_on_its_letter():
    lines = [run("we can remove", 50, 700, width=70), run("s", 50, 688, width=5),
             run("\u2032 and give the chance", 55.5, 688, width=100)]
    assert text_of([page(1, lines)])["text"] == "we can remove\ns\u2032 and give the chance"


def test_a_space_beside_a_raised_footnote_number_is_not_wording():
    from synthesis.evidence.normalise import matchable
    from synthesis.evidence.quotes import find_matches
    text = "the cost of interventions45\nand to a lack of data12 . Rates rose by 35% in 2014 8 times."
    norm = matchable(text, [])
    found = lambda quote: [text[m.start:m.end] for m in find_matches(norm, quote, text=text)]
    assert found("cost of interventions 45 and to") == found("cost of interventions45 and to") == [
        "cost of interventions45\nand to"]
    assert found("a lack of data12. Rates") == found("a lack of data12 . Rates") == ["a lack of data12 . Rates"]
    assert found("Rates rose by") == ["Rates rose by"]  # a quote may still end before a number
    assert found("in 20148 times") == [] and found("rose by35% in") == ["rose by 35% in"]


def test_a_quote_reads_across_a_set_aside_marker_but_not_a_margin_one():
    from synthesis.evidence.normalise import matchable
    from synthesis.evidence.quotes import find_matches
    text = ("Body.\n\n[table]\nSocioeconomic deprivation score\n\n[table]\n9.04 (6.13) 9.39 (6.88)\n\n"
            "[margin]\nrotated line one\n\n[margin]\nrotated line two")
    norm = matchable(text, [])
    found = lambda quote: [text[m.start:m.end] for m in find_matches(norm, quote, text=text)]
    assert found("Socioeconomic deprivation score 9.04 (6.13)") == [
        "Socioeconomic deprivation score\n\n[table]\n9.04 (6.13)"]
    assert found("rotated line one rotated line two") == []
    assert found("table") == []  # the marker is not the document's text


def test_a_web_address_broken_at_its_own_hyphen_keeps_it():
    pages = [page(1, [run("The response, 17 December 2024; https://www.gov.uk/government/publications/government-", 50, 400,
                          width=480), run("response-to-the-ombudsman and a word split at a line's end-", 50, 388, width=480),
                      run("ing hyphen.", 50, 376, width=480)])]
    text = text_of(pages)["text"]
    assert "publications/government-\nresponse-to-the-ombudsman" in text and "line's ending hyphen." in text


def test_a_tables_grid_reads_row_by_row_as_a_viewer_copies_a_row():
    labels = ["Number of drinks past week", "AUDIT score (M, SD)", "Current unemployment in months", "Total unemployment"]
    values = [("12.7, 12.8", "12.9, 14.0", "12.6, 12.9"), ("8.0, 3.8", "8.4, 3.8", "7.6, 3.3"),
              ("5.0, 16.9", "4.5, 16.2", "3.9, 10.8"), ("25.6, 41.7", "24.3, 36.3", "20.0, 32.3")]
    runs = [run("Table 2 Sample characteristics stratified by study group.", 50, 700, size=8, width=300)]
    for n, (label, row) in enumerate(zip(labels, values)):
        y = 680 - 10 * n
        runs += [run(label, 50, y, size=8, width=150)] + [run(v, 260 + 90 * k, y, size=8, width=40) for k, v in enumerate(row)]
    body = [run(f"Body text line {n} of the page, in the body size", 50, 600 - 12 * n, width=480) for n in range(3)]
    text = text_of([page(1, runs + body)])["text"]
    assert "\nCurrent unemployment in months 5.0, 16.9 4.5, 16.2 3.9, 10.8\n" in text
