"""PDF sources end to end: sidecar front matter, quotes located with page locators,
`review text`, `review add-source --pdf`, provenance, trace, audit and the built report."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from importlib import resources
from pathlib import Path

import pytest

import pdfkit
import reviewkit
from synthesis.cli import main
from synthesis.common.problems import InputError
from synthesis.evidence.build import build_evidence
from synthesis.inputs import pdf_text


@pytest.fixture
def pdf_review(review):
    """The fixture review with the PDF source trust2024 (cwd is the review)."""
    return pdfkit.add_pdf_source(review)


def _trust(data):
    return {e["id"]: e for e in data["evidence"] if e["citekey"] == "trust2024"}


def test_quotes_in_a_pdf_are_located_and_cited_by_page(pdf_review):
    data = build_evidence()
    items = _trust(data)
    # Line breaks, a hyphenated word, two columns and a page break between the quote's words.
    assert {k: (v["pages"]["locator"], v["pages"]["first_index"], v["pages"]["last_index"]) for k, v in items.items()} == {
        "1": ("p. 1", 3, 3), "2": ("p. 1", 3, 3), "3": ("p. 1", 3, 3), "4": ("pp. 1-2", 3, 4), "5": ("p. ii", 2, 2)}
    assert items["2"]["exact"] == "The cooperative's community fund paid dividends"
    assert items["4"]["exact"] == "In the second phase the scheme\nwas\nextended to tenants of housing\nassociations"  # runs on across the page
    source = next(s for s in data["sources"] if s["citekey"] == "trust2024")
    assert source["sha256"] == hashlib.sha256(Path("sources/trust2024.pdf").read_bytes()).hexdigest()
    assert (source["path"], source["page_count"], source["sidecar"]["path"]) == ("sources/trust2024.pdf", 4, "sources/trust2024.yaml")
    # A coder's page that disagrees with the located page is a warning, not an error.
    assert [w for w in data["warnings"] if w["code"] == "PAGE_MISMATCH"] == [{
        "path": "extraction/trust2024.csv", "line": 6, "severity": "warning", "code": "PAGE_MISMATCH",
        "message": "row 5 (trust2024:5): locator 'p. 7' disagrees with where the quote is in sources/trust2024.pdf: "
                   "p. ii (page 2 of the file); correct the locator, or leave it empty to use the located page"}]


def test_a_coders_matching_page_is_no_warning_and_other_locators_are_not_checked(pdf_review):
    rows = [row[:] for row in pdfkit.SHEET_ROWS]
    rows[4][4] = "pp. 1\u20132"
    rows[5][4] = "p. ii"
    rows[1][4] = "table 3"
    Path("extraction/trust2024.csv").write_text(reviewkit.csv_text(rows), encoding="utf-8")
    data = build_evidence()
    assert [w for w in data["warnings"] if w["code"] == "PAGE_MISMATCH"] == []
    assert _trust(data)["1"]["locator"] == "table 3"


def test_a_quote_copied_from_a_viewer_matches_across_the_line_end_hyphen(pdf_review):
    rows = [row[:] for row in pdfkit.SHEET_ROWS]
    rows[2][1] = "The cooperative's commu- nity fund paid dividends"  # as a viewer shows it; the text joins the word
    Path("extraction/trust2024.csv").write_text(reviewkit.csv_text(rows), encoding="utf-8")
    assert _trust(build_evidence())["2"]["exact"] == "The cooperative's community fund paid dividends"


def test_a_quote_not_in_the_pdf_fails_as_in_a_markdown_source(pdf_review):
    rows = [row[:] for row in pdfkit.SHEET_ROWS]
    rows[2][1] = "The cooperative's commu- nity fund paid bonuses"
    Path("extraction/trust2024.csv").write_text(reviewkit.csv_text(rows), encoding="utf-8")
    with pytest.raises(InputError) as err:
        build_evidence()
    [problem] = [str(p) for p in err.value.problems]
    assert problem.startswith("extraction/trust2024.csv:3: B3 (trust2024:2): quote not found in sources/trust2024.pdf; closest passage, line ")
    assert "fund paid [source: dividends | quote: bonuses]" in problem


def test_running_headers_and_footers_are_not_quotable(pdf_review):
    rows = [pdfkit.SHEET_ROWS[0], ["1", "Community Energy Review 2024", "uptake", "A header.", ""]]
    Path("extraction/trust2024.csv").write_text(reviewkit.csv_text(rows), encoding="utf-8")
    with pytest.raises(InputError) as err:
        build_evidence()
    assert str(err.value.problems[0]).startswith("extraction/trust2024.csv:2: B2 (trust2024:1): quote not found in sources/trust2024.pdf;")


def test_sidecar_problems(pdf_review):
    Path("sources/trust2024.yaml").write_text(pdfkit.SIDECAR + "colour: blue\n", encoding="utf-8")
    Path("sources/orphan.yaml").write_text("citekey: orphan\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        build_evidence()
    assert [str(p) for p in err.value.problems] == [
        "sources/orphan.yaml:1: front matter for a PDF source, but there is no sources/orphan.pdf: add the PDF, or remove this file",
        "sources/trust2024.yaml:6: front matter: unknown key 'colour': allowed: citekey, type, role, tags, countries, url, accessed, notes"]


def test_a_pdf_without_its_sidecar(pdf_review):
    Path("sources/trust2024.yaml").unlink()
    with pytest.raises(InputError) as err:
        build_evidence()
    assert [str(p) for p in err.value.problems] == [
        "sources/trust2024.pdf:1: a PDF source needs its front matter in sources/trust2024.yaml (citekey, type, tags, as in a "
        "Markdown source's front matter); `review add-source --pdf` writes one"]


def test_a_scanned_pdf_source_fails_the_check(pdf_review, capsys):
    pdfkit.scanned_pdf(Path("sources/trust2024.pdf"))
    assert main(["check"]) == 1
    assert capsys.readouterr().out.splitlines()[0] == (
        "sources/trust2024.pdf:1: this PDF has no text layer (1 page, no extractable text): it is probably scanned; "
        "run OCR on it first (e.g. ocrmypdf) and add the OCR'd PDF")


def test_check_never_writes_the_cache(pdf_review, capsys):
    assert main(["check"]) == 0
    assert "ok: 3 sources, 11 excerpts, every quote located; 1 warning" in capsys.readouterr().out
    assert not Path("output").exists()


def test_review_text_shows_the_text_quotes_are_matched_against(pdf_review, capsys):
    expected = pdf_text.extract(Path("sources/trust2024.pdf").read_bytes(), "x")["text"]
    assert main(["text", "trust2024"]) == 0
    assert capsys.readouterr().out == expected + "\n"
    assert main(["text", "trust2024", "--pages"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("=== p. i (page 1 of the file) ===\nForeword\n\n")
    assert "In the second phase the scheme\nwas\n\n=== p. 2 (page 4 of the file) ===\nextended to tenants" in out
    assert main(["text", "trust2042"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "sources:1: no source 'trust2042': did you mean 'trust2024'? allowed: okafor2021, smith2020, trust2024"


ENTRY = """@techreport{ward2022,
  author = {Ward, Anne},
  title = {Heat pumps in cooperatives},
  year = {2022},
  institution = {Energy Trust}
}
"""


def test_add_source_with_a_pdf(review, capsys, tmp_path):
    pdf = pdfkit.report_pdf(tmp_path / "download.pdf")
    Path("new.bib").write_text(ENTRY, encoding="utf-8")
    assert main(["add-source", "--pdf", str(pdf), "--role", "primary", "new.bib"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:5] == ["wrote sources/ward2022.pdf", "wrote sources/ward2022.yaml", "wrote sources/references.bib",
                                    "wrote extraction/ward2022.csv", "wrote appraisal/ward2022.yaml"]
    assert "`review text ward2022`" in out
    assert Path("sources/ward2022.pdf").read_bytes() == pdf.read_bytes()
    assert Path("sources/ward2022.yaml").read_text(encoding="utf-8") == (
        "citekey: ward2022\ntype: report\nrole: primary\ntags: []  # e.g. [training, employer-engagement, uk]\n"
        "countries: []  # ISO 3166-1 alpha-2, e.g. [GB]\n"
        "notes: \"Record here anything about the PDF a reader should know, e.g. pages left out.\"\n")
    # The new source checks clean at once (an empty sheet).
    assert main(["check", "sources/ward2022.pdf"]) == 0


def test_add_source_refuses_a_scanned_pdf_and_writes_nothing(review, capsys, tmp_path):
    scan = pdfkit.scanned_pdf(tmp_path / "scan.pdf")
    Path("new.bib").write_text(ENTRY, encoding="utf-8")
    Path("notes.txt").write_text("not a pdf", encoding="utf-8")
    before = reviewkit.file_hashes(review)
    assert main(["add-source", "--pdf", str(scan), "new.bib"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{scan}:1: this PDF has no text layer (1 page, no extractable text): it is probably scanned; run OCR on it first (e.g. ocrmypdf) and add the OCR'd PDF",
        "1 problem in 1 file; nothing was written."]
    assert main(["add-source", "--pdf", "notes.txt", "new.bib"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "notes.txt:1: not a PDF file (it does not start with %PDF-)"
    assert reviewkit.file_hashes(review) == before


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = pdfkit.add_pdf_source(reviewkit.make_review(tmp_path_factory.mktemp("pdf") / "review"))
    result = reviewkit.snakemake(root)
    assert result.returncode == 0, result.stderr
    return root


def test_the_build_caches_the_extraction_and_cites_pages(built):
    sha = hashlib.sha256((built / "sources/trust2024.pdf").read_bytes()).hexdigest()
    assert [p.name for p in (built / "output/build/text").iterdir()] == [f"{sha}-{pdf_text.extractor_version()}.json"]
    markdown = (built / "output/report/state-of-play.md").read_text(encoding="utf-8")
    assert "[@{trust2024}, pp. 1-2]" in markdown and "[@{trust2024}, p. ii]" not in markdown  # the coder's p. 7 stands
    html = " ".join(re.sub(r"<[^>]+>", "", (built / "output/report/state-of-play.html").read_text(encoding="utf-8")).split())
    assert "(Energy Trust 2024, 1–2)" in html  # Chicago author-date prints a page locator as bare numbers
    assert "; sources/trust2024.pdf, pp. 1-2 (pages 3-4 of the file), paragraph 6 of the extracted text; SHA-256" in html
    rows = {r["evidence_id"]: r for r in csv.DictReader(io.StringIO((built / "output/tables/evidence.csv").read_text(encoding="utf-8")))}
    assert (rows["trust2024:4"]["pages"], rows["trust2024:5"]["pages"], rows["smith2020:1"]["pages"]) == ("pp. 1-2", "p. ii", "")


def test_provenance_of_a_pdf_quote(built):
    from jsonschema import Draft202012Validator

    record = json.loads((built / "output/provenance.json").read_text(encoding="utf-8"))
    schema = json.loads(resources.files("synthesis").joinpath("schema/provenance.schema.json").read_text("utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(record)) == []
    item = next(e for e in record["evidence"] if e["id"] == "trust2024:4")
    text_record = item["source"]["text"]
    cached = json.loads((built / text_record["path"]).read_text(encoding="utf-8"))
    assert hashlib.sha256(cached["text"].encode("utf-8")).hexdigest() == text_record["sha256"]
    assert text_record["extractor"] == pdf_text.extractor_version()
    assert item["source"]["sha256"] == hashlib.sha256((built / "sources/trust2024.pdf").read_bytes()).hexdigest()
    quote, position, fragment = item["selector"]
    assert cached["text"][position["start"]:position["end"]] == quote["exact"]
    assert fragment == {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3778", "value": "page=3"}
    # Cited by the printed number (the footer's "page 1"), with the label and place in the file beside it.
    assert item["pages"] == {"first": "1", "last": "2", "first_index": 3, "last_index": 4, "labelled": True,
                             "first_label": "1", "last_label": "2", "first_printed": "1", "last_printed": "2"}
    source = next(s for s in record["inputs"]["sources"] if s["citekey"] == "trust2024")
    assert source["sidecar"] == {"path": "sources/trust2024.yaml", "sha256": hashlib.sha256((built / "sources/trust2024.yaml").read_bytes()).hexdigest()}


def test_trace_and_audit_of_a_pdf_quote(built, monkeypatch, capsys):
    monkeypatch.chdir(built)
    assert main(["trace", "trust2024:4"]) == 0
    out = capsys.readouterr().out
    assert f"  Source:  sources/trust2024.pdf, pp. 1-2 (pages 3-4 of the file), paragraph 6, line 17 of the extracted text, characters 341-419 of the text extracted by {pdf_text.extractor_version()}" in out
    assert "  >    17 | \u00bbIn the second phase the scheme\n" in out
    assert main(["audit"]) == 0
    assert capsys.readouterr().out.endswith("; no drift.\n")


def test_audit_finds_a_replaced_pdf(built, tmp_path, monkeypatch, capsys):
    import shutil

    copy = tmp_path / "review"
    shutil.copytree(built, copy)
    monkeypatch.chdir(copy)
    pdfkit.scanned_pdf(Path("sources/trust2024.pdf"))
    assert main(["audit"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("sources/trust2024.pdf:1: the source changed since the build (sha256 ")
    assert "sources/trust2024.pdf:1: this PDF has no text layer (1 page, no extractable text): it is probably scanned; run OCR on it first (e.g. ocrmypdf) and add the OCR'd PDF" in out
    assert out[-1].endswith("evidence affected: trust2024:1, trust2024:2, trust2024:3, trust2024:4, trust2024:5")


def test_checking_a_sidecar_checks_its_pdf_source(pdf_review, capsys):
    assert main(["check", "sources/trust2024.yaml"]) == 0
    assert capsys.readouterr().out.splitlines()[-2] == "ok: checked 1 of 3 sources (5 excerpts), every quote located; 1 warning"


def test_without_page_labels_pages_are_positions_in_the_file(pdf_review):
    pdfkit.report_pdf(Path("sources/trust2024.pdf"), labels=False)
    data = build_evidence()
    assert {k: v["pages"]["locator"] for k, v in _trust(data).items()} == {"1": "p. 3", "2": "p. 3", "3": "p. 3", "4": "pp. 3-4", "5": "p. 2"}
    assert [w["message"] for w in data["warnings"] if w["code"] == "PAGE_MISMATCH"] == [
        "row 5 (trust2024:5): locator 'p. 7' disagrees with where the quote is in sources/trust2024.pdf: p. 2; "
        "correct the locator, or leave it empty to use the located page"]


def test_rebuilds_are_byte_identical_and_reuse_the_cached_extraction(built, tmp_path):
    import shutil

    root = tmp_path / "review"
    shutil.copytree(built, root)
    assert "Nothing to be done" in (lambda r: r.stdout + r.stderr)(reviewkit.snakemake(root, "--dry-run"))
    [cached] = list((root / "output/build/text").iterdir())
    products = ["output/tables/evidence.csv", "output/report/state-of-play.md", "output/provenance.json", cached.relative_to(root).as_posix()]
    before = {p: (root / p).read_bytes() for p in products}
    # Editing the PDF's sheet re-runs its shard, which reads the cache instead of extracting again.
    cached.write_bytes(cached.read_bytes().replace(b"Trust in the operator rose", b"Trust in the cached copy rose"))
    rows = [row[:] for row in pdfkit.SHEET_ROWS] + [["6", "Trust in the cached copy rose", "local_trust", "From the cache.", ""]]
    (root / "extraction/trust2024.csv").write_text(reviewkit.csv_text(rows), encoding="utf-8")
    made = products[:3]  # built as far as these: pandoc's renderings are not what this test is about
    result = reviewkit.snakemake(root, *made)
    assert result.returncode == 0, result.stderr
    assert "trust2024:6" in (root / "output/tables/evidence.csv").read_text(encoding="utf-8")
    # Without the cache, a forced rebuild extracts again and gives the same bytes as the first build.
    shutil.rmtree(root / "output/build/text")
    (root / "extraction/trust2024.csv").write_text(reviewkit.csv_text(pdfkit.SHEET_ROWS), encoding="utf-8")
    result = reviewkit.snakemake(root, *made, "--forceall")
    assert result.returncode == 0, result.stderr
    assert [p for p in products if (root / p).read_bytes() != before[p]] == []


def test_a_pdf_source_exports_to_refi_qda_with_its_extracted_text(built, tmp_path):
    from test_exchange import check_project

    project = check_project(built, tmp_path)  # every selection's positions give its quote in the exported text
    names = [s.get("name") for s in project.iter() if s.get("name", "").startswith("trust2024:")]
    assert sorted(names) == ["trust2024:1", "trust2024:2", "trust2024:3", "trust2024:4", "trust2024:5"]
