"""pandoc + citeproc rendering: citations resolved or the build fails."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import reviewkit
from synthesis.analysis.cells import analyse
from synthesis.evidence.build import build_evidence
from synthesis.report.figures import write_gap_map
from synthesis.common.problems import InputError
from synthesis.report.render import render, source_date_epoch
from synthesis.report.context import render_markdown
from synthesis.inputs.styles import resolve_csl

TEMPLATES = reviewkit.ROOT / "templates"


@pytest.fixture
def markdown(review):
    data = build_evidence()
    path = review / "report.md"
    path.write_text(render_markdown(data, TEMPLATES), encoding="utf-8")
    analysis = analyse(data)
    write_gap_map(data["protocol"], analysis["gap_map"], analysis["gap_columns"], review / "gap-map.svg", review / "gap-map.png")
    return str(path)


def test_html_with_a_bundled_csl_style(markdown, review):
    csl = str(resolve_csl("harvard-cite-them-right"))
    render("html", markdown, "out/report.html", "sources/references.bib", csl, str(TEMPLATES / "report.css"))
    html = Path("out/report.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html)
    assert "(Smith, 2020, p. 3)" in text
    assert "Smith, J. (2020) Community energy in practice. Energy Trust." in text  # reference list
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "???" not in html
    assert "<style" in html and "max-width: 60em" in html  # self-contained
    assert re.search(r'<img [^>]*src="data:image/png;base64,', html)  # the gap map, embedded


def test_unresolved_citation_fails_and_writes_nothing(review):
    Path("bad.md").write_text("Claim [@nobody1999].\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        render("html", "bad.md", "out/bad.html", "sources/references.bib")
    assert [str(p) for p in err.value.problems] == ["bad.md:1: pandoc (html): [WARNING] Citeproc: citation nobody1999 not found"]
    assert not Path("out/bad.html").exists()
    assert list(Path("out").iterdir()) == []  # no temporary file left behind


def test_docx_is_byte_identical_for_one_commit_date(markdown, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    render("docx", markdown, "one.docx", "sources/references.bib")
    render("docx", markdown, "two.docx", "sources/references.bib")
    assert Path("one.docx").read_bytes() == Path("two.docx").read_bytes()


def test_source_date_epoch_falls_back_outside_git(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date_epoch(tmp_path) == "315532800"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "42")
    assert source_date_epoch(tmp_path) == "42"


def test_docx_has_bordered_tables_a_visible_contents_list_and_no_paths(markdown, review, tmp_path, monkeypatch):
    import shutil
    import zipfile

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    csl = str(resolve_csl("harvard-cite-them-right"))
    render("docx", markdown, "one.docx", "sources/references.bib", csl)
    with zipfile.ZipFile("one.docx") as docx:
        styles = docx.read("word/styles.xml").decode("utf-8")
        document = docx.read("word/document.xml").decode("utf-8")
        custom = docx.read("docProps/custom.xml").decode("utf-8")
    table_style = styles[styles.index('w:styleId="Table"'):]
    properties = table_style[:table_style.index("</w:tblPr>")]
    assert re.search(r'<w:insideH [^>]*w:val="single"', properties)
    assert properties.index("<w:tblInd") < properties.index("<w:tblBorders>") < properties.index("<w:tblCellMar>")
    runs = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", document))
    # The contents list is ordinary text with links, not a field Word must update first.
    assert runs.index("Contents") < runs.index("SummaryRQa: SavingsRQb: Trust") < runs.index("Appendix: the evidence")
    assert "TOC \\o" not in document
    assert csl not in custom and str(review) not in custom and "references.bib" not in custom
    # The same review in another folder gives the same bytes.
    other = tmp_path / "elsewhere" / "review"
    shutil.copytree(review, other, ignore=shutil.ignore_patterns("*.docx"))
    monkeypatch.chdir(other)
    render("docx", "report.md", "two.docx", "sources/references.bib", csl)
    assert (other / "two.docx").read_bytes() == (review / "one.docx").read_bytes()
