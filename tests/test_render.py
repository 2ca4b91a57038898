"""pandoc + citeproc rendering: citations resolved or the build fails."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import reviewkit
from synthesis.analysis.cells import analyse
from synthesis.evidence.build import build_evidence
from synthesis.report.figures import write_gap_map
from synthesis.common.problems import InputError
from synthesis.report.render import render, render_formats, source_date_epoch
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


def test_html_from_the_ast_is_self_contained_with_our_stylesheet_only(markdown, review):
    # The build's path: the AST, then the HTML with the images and the stylesheet put in by us (no --embed-resources).
    render("ast", markdown, "out/report.ast.json", "sources/references.bib")
    render("html", "out/report.ast.json", "out/report.html", "sources/references.bib", None, str(TEMPLATES / "report.css"),
           resource_path=str(Path(markdown).parent))
    html = Path("out/report.html").read_text(encoding="utf-8")
    assert re.findall(r'<(?:img|link|script)\b[^>]*(?:src|href)="(?!data:|#)', html) == []  # nothing fetched
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', html)) == 1
    assert html.count('<style type="text/css">') == 1 and "max-width: 60em" in html
    assert "max-width: 36em" not in html  # pandoc's own document styles stay out, as with --css
    assert Path("out/report.ast.json").read_bytes().count(b"data:image") == 0  # the AST is read, never changed


def test_html_whose_image_is_missing_fails_and_writes_nothing(review):
    Path("fig.md").write_text("![A figure](missing.png)\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        render("html", "fig.md", "out/fig.html", "sources/references.bib")
    assert [str(p) for p in err.value.problems] == ["fig.md:1: pandoc (html): the image missing.png is not in ."]
    assert list(Path("out").iterdir()) == []  # neither the page nor a temporary file


def test_only_the_report_s_own_image_files_are_put_into_the_html(review):
    Path("map.svg").write_text("<svg/>", encoding="utf-8")
    Path("notes.txt").write_text("not an image", encoding="utf-8")
    urls = ["map.svg", "data:image/png;base64,AAAA", "https://example.org/x.png", "#top", "/etc/x.png", "notes.txt",
            "gone.png"]
    Path("fig.md").write_text("".join(f"![{n}]({url})\n\n" for n, url in enumerate(urls)), encoding="utf-8")
    with pytest.raises(InputError) as err:
        render_formats({"html": "out/fig.html", "docx": "out/fig.docx"}, "fig.md", "sources/references.bib")
    assert [str(p) for p in err.value.problems] == [  # for both formats; nothing written
        "fig.md:1: pandoc (html, docx): the image gone.png is not in .",
        "fig.md:1: pandoc (html, docx): the image notes.txt is not in ."]
    assert list(Path("out").iterdir()) == []
    Path("fig.md").write_text("".join(f"![{n}]({url})\n\n" for n, url in enumerate(urls[:5])), encoding="utf-8")
    render("html", "fig.md", "out/fig.html", "sources/references.bib")
    sources = re.findall(r'<img src="([^"]*)"', Path("out/fig.html").read_text(encoding="utf-8"))
    assert sources == ["data:image/svg+xml;base64,PHN2Zy8+", *urls[1:5]]  # the others as they were


def test_html_and_docx_from_one_reading_are_the_bytes_of_each_rendered_alone(markdown, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    css = str(TEMPLATES / "report.css")
    render_formats({"html": "both.html", "docx": "both.docx"}, markdown, "sources/references.bib", None, css)
    render("html", markdown, "one.html", "sources/references.bib", None, css)
    render("docx", markdown, "one.docx", "sources/references.bib")
    assert Path("both.html").read_bytes() == Path("one.html").read_bytes()
    assert Path("both.docx").read_bytes() == Path("one.docx").read_bytes()
    assert [p.name for p in Path(".").glob(".*.tmp")] + [p.name for p in Path(".").glob(".both*")] == []


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


LAYOUT = """---
title: Layout
short-titles:
  "anon2019": "Short name"
---

::: {.banner}
**Draft, not yet verified:** nothing here is checked.
:::

Cited in text @{anon2019} and in brackets [@{anon2019}, para. 2].

| Review finding | Confidence | Explanation of the confidence | Documents |
|:------------|:--|:------------|:----|
| A long statement about the documents that runs on for many words to fill the column | very low | Characteristically incomprehensible explanation | Developing |

| A | B | C | D | E | F |
|:--|:--|:--|:--|:--|:--|
| independent | development | progression | partnership | recruitment | requirement |

::: {.collapsible summary="Every row"}
| X | Y |
|:--|:--|
| one | two |
:::
"""


def _docx_xml(path: str, name: str) -> str:
    import zipfile

    with zipfile.ZipFile(path) as docx:
        return docx.read(name).decode("utf-8")


def test_docx_tables_never_break_a_word_and_wide_ones_turn_landscape(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("layout.md").write_text(LAYOUT, encoding="utf-8")
    Path("refs.bib").write_text("@report{anon2019,\n  title = {A very long title of a work that names no author},\n  shorttitle = {Short name},\n  year = {2019}\n}\n", encoding="utf-8")
    render("docx", "layout.md", "layout.docx", "refs.bib")
    document = _docx_xml("layout.docx", "word/document.xml")
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", document, re.S)
    # Each column is at least as wide as its longest word at about 120 twips (1/12 in) a character, the
    # width of an average character of the table font: "Confidence" no longer breaks as "Con/fiden/ce".
    for table in tables[:2]:
        widths = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"', table)]
        rows = re.findall(r"<w:tr[ >].*?</w:tr>", table, re.S)
        for column, width in enumerate(widths):
            words = [w for row in rows for cell in [re.findall(r"<w:tc>.*?</w:tc>", row, re.S)[column]]
                     for w in "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", cell)).split()]
            assert width >= 120 * max(len(w) for w in words), (column, width, words)
    # The six-column table does not fit a portrait page: it gets a landscape section of its own, between a
    # portrait section before it and the document's own (portrait) last section.
    at = document.index(tables[1])
    before, after = document[:at], document[at + len(tables[1]):]
    sections = lambda text: re.findall(r"<w:sectPr>.*?</w:sectPr>", text, re.S)  # noqa: E731
    assert ["landscape" in x for x in sections(before)] == [False] and ["landscape" in x for x in sections(after)] == [True, False]
    assert "landscape" not in document[:document.index(tables[0]) + len(tables[0])]
    # The banner is a shaded, bordered box: a paragraph style of the reference document.
    assert re.search(r'<w:pStyle w:val="Banner" ?/>', document)
    banner = re.search(r'<w:style [^>]*w:styleId="Banner".*?</w:style>', _docx_xml("layout.docx", "word/styles.xml"), re.S).group(0)
    assert 'w:fill="FFF4E5"' in banner and "<w:pBdr>" in banner
    # A work without author is cited in text by its short title, not its whole title.
    runs = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", document))
    assert "Short name (2019)" in runs and "(Short name, 2019, para. 2)" in runs


def test_html_table_of_every_row_is_collapsible_and_short_titles_apply(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("layout.md").write_text(LAYOUT, encoding="utf-8")
    Path("refs.bib").write_text("@report{anon2019,\n  title = {A very long title of a work that names no author},\n  shorttitle = {Short name},\n  year = {2019}\n}\n", encoding="utf-8")
    render("html", "layout.md", "layout.html", "refs.bib")
    html = Path("layout.html").read_text(encoding="utf-8")
    assert "<details><summary>Every row</summary>" in html and html.index("<details>") < html.index(">one</td>") < html.index("</details>")
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "Short name (2019)" in text and "(Short name, 2019, para. 2)" in text


def test_pandoc_runs_with_our_rts_options_the_users_own_after_them(markdown, monkeypatch):
    import subprocess

    from synthesis.report import render as module

    assert module.ghcrts() == module.RTS_OPTIONS and module.ghcrts("  ") == module.RTS_OPTIONS
    assert module.ghcrts("-A8m") == f"{module.RTS_OPTIONS} -A8m"
    # pandoc takes the options without a word on stderr (which would fail the render) and writes the same HTML.
    run = subprocess.run([module.pandoc_path(), "--version"], capture_output=True, text=True,
                         env={**os.environ, "GHCRTS": module.RTS_OPTIONS})
    assert run.returncode == 0 and run.stderr == ""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    seen = []
    real = subprocess.run

    def spy(cmd, **kw):
        seen.append(kw.get("env", {}).get("GHCRTS"))
        return real(cmd, **kw)

    monkeypatch.setattr(module.subprocess, "run", spy)
    monkeypatch.setenv("GHCRTS", "-A16m")
    render("html", markdown, "mine.html", "sources/references.bib")
    monkeypatch.delenv("GHCRTS")
    render("html", markdown, "ours.html", "sources/references.bib")
    assert f"{module.RTS_OPTIONS} -A16m" in seen and module.RTS_OPTIONS in seen
    assert Path("mine.html").read_bytes() == Path("ours.html").read_bytes()


def test_render_takes_one_file_for_each_format(review):
    from synthesis.cli.main import main

    with pytest.raises(SystemExit) as err:
        main(["render", "--to", "html", "docx", "--input", "report.md", "--output", "out/report.html"])
    assert str(err.value) == ("render: --to html docx --output out/report.html: give each format once, with one file "
                              "for each in the same order (ast on its own)")
    assert not Path("out").exists()


def test_the_shipped_pandoc_is_found_as_pypandoc_finds_it_without_importing_pypandoc(monkeypatch):
    import subprocess
    import sys

    import pypandoc

    from synthesis.report.render import pandoc_path

    monkeypatch.delenv("PYPANDOC_PANDOC", raising=False)
    # The executable pypandoc-binary ships (pypandoc would take a newer one from PATH: not this product's pin).
    assert pandoc_path() == os.path.join(os.path.dirname(os.path.realpath(pypandoc.__file__)), "files", "pandoc")
    monkeypatch.setenv("PYPANDOC_PANDOC", "/opt/pandoc/bin/pandoc")  # pypandoc's own override, honoured
    assert pandoc_path() == "/opt/pandoc/bin/pandoc"
    monkeypatch.delenv("PYPANDOC_PANDOC")
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)  # no pypandoc-binary: pypandoc searches
    monkeypatch.setattr(pypandoc, "get_pandoc_path", lambda: "/usr/bin/pandoc")
    assert pandoc_path() == "/usr/bin/pandoc"
    monkeypatch.undo()
    code = "import sys; from synthesis.report.render import pandoc_path; pandoc_path(); print('pypandoc' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={k: v for k, v in os.environ.items() if k != "PYPANDOC_PANDOC"})
    assert out.stdout.strip() == "False"
