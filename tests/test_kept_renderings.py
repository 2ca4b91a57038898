"""The report's renderings kept between builds (report/kept_renderings.py, `render --kept`): pandoc runs again
only when something it reads has changed; otherwise the kept copies, checked, are the outputs."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

import reviewkit
from synthesis.analysis.cells import analyse
from synthesis.cli.main import main
from synthesis.evidence.build import build_evidence
from synthesis.report import kept_renderings, render
from synthesis.report.context import render_markdown
from synthesis.inputs.styles import resolve_csl
from synthesis.report.figures import write_gap_map

TEMPLATES = reviewkit.ROOT / "templates"
OUTPUTS = ["out/report.html", "out/report.docx"]
RENDER = ["render", "--to", "html", "docx", "--input", "report.md", "--bibliography", "sources/references.bib",
          "--css", str(TEMPLATES / "report.css"), "--kept", "kept", "--output", *OUTPUTS, "--depends", "stamp"]


@pytest.fixture
def rendered(review, monkeypatch):
    """The fixture review's report Markdown and gap map, rendered once with --kept; the pandoc runs counted."""
    data = build_evidence()
    Path("report.md").write_text(render_markdown(data, TEMPLATES), encoding="utf-8")
    analysis = analyse(data)
    write_gap_map(data["protocol"], analysis["gap_map"], analysis["gap_columns"], "gap-map.svg", "gap-map.png")
    Path("stamp").write_text("code 1\n", encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    runs = []
    real = render.render_formats

    def counted(*args, **kwargs):
        runs.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "render_formats", counted)
    assert main(RENDER) == 0
    assert len(runs) == 1
    return runs


def outputs() -> dict[str, bytes]:
    return {name: Path(name).read_bytes() for name in OUTPUTS}


def test_unchanged_inputs_give_the_kept_renderings_without_pandoc(rendered):
    first = outputs()
    assert sorted(p.name for p in Path("kept").iterdir()) == ["docx", "html", "record.json"]
    for name in OUTPUTS:  # as Snakemake does before it runs a job
        Path(name).unlink()
    assert main(RENDER) == 0
    assert len(rendered) == 1  # pandoc did not run
    assert outputs() == first
    assert {oct(Path(n).stat().st_mode & 0o777) for n in OUTPUTS} == {"0o644"}
    assert not [p for p in Path("out").iterdir() if p.name.startswith(".")]  # no temporary file left


@pytest.mark.parametrize("change", ["markdown", "bibliography", "stylesheet", "image", "depends", "date", "outputs",
                                    "options", "user default style"])
def test_a_change_to_anything_pandoc_reads_runs_pandoc_again(rendered, monkeypatch, change):
    argv = list(RENDER)
    if change == "markdown":
        Path("report.md").write_text(Path("report.md").read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    elif change == "bibliography":
        with open("sources/references.bib", "a", encoding="utf-8") as handle:
            handle.write("\n@report{more2021,\n  title = {More},\n  year = {2021}\n}\n")
    elif change == "stylesheet":
        Path("my.css").write_text((TEMPLATES / "report.css").read_text(encoding="utf-8") + "\np { color: red; }\n", encoding="utf-8")
        argv[argv.index("--css") + 1] = "my.css"
    elif change == "image":
        Path("gap-map.png").write_bytes(Path("gap-map.png").read_bytes() + b"\0")
    elif change == "depends":
        Path("stamp").write_text("code 2\n", encoding="utf-8")
    elif change == "date":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000001")
    elif change == "outputs":
        argv[argv.index("out/report.docx")] = "out/other.docx"
    elif change == "options":
        monkeypatch.setenv("GHCRTS", "-H64m")
    elif change == "user default style":  # pandoc's style for a review naming none, from its user data folder
        data = Path("data")
        monkeypatch.setenv("XDG_DATA_HOME", str(data.resolve()))
        assert kept_renderings.user_data_folders()[0] == data.resolve() / "pandoc"
        (data / "pandoc").mkdir(parents=True)
        (data / "pandoc" / "default.csl").write_bytes(resolve_csl("harvard-cite-them-right").read_bytes())
    assert main(argv) == 0
    assert len(rendered) == 2
    assert main(argv) == 0  # and kept again: the next run with the same inputs needs no pandoc
    assert len(rendered) == 2


@pytest.mark.parametrize("damage", ["record", "copy", "missing copy", "record of other files"])
def test_a_damaged_or_changed_kept_copy_runs_pandoc_again(rendered, damage):
    first = outputs()
    if damage == "record":
        Path("kept/record.json").write_bytes(b'{"key": ')
    elif damage == "copy":
        Path("kept/html").write_bytes(Path("kept/html").read_bytes().replace(b"<body", b"<body data-x", 1))
    elif damage == "missing copy":
        Path("kept/docx").unlink()
    else:
        record = Path("kept/record.json")
        record.write_bytes(record.read_bytes().replace(b'"files":["docx","html"]', b'"files":["html"]'))
    assert main(RENDER) == 0
    assert len(rendered) == 2
    assert outputs() == first
    assert hashlib.sha256(Path("kept/html").read_bytes()).hexdigest() == hashlib.sha256(first[OUTPUTS[0]]).hexdigest()


def test_without_kept_pandoc_always_runs(rendered):
    argv = RENDER[:RENDER.index("--kept")] + RENDER[RENDER.index("--kept") + 2:]
    assert main(argv) == 0 and main(argv) == 0
    assert len(rendered) == 3


def test_the_images_of_the_key_are_the_files_the_markdown_names(tmp_path):
    (tmp_path / "a.png").write_bytes(b"a")
    (tmp_path / "b.svg").write_bytes(b"b")
    text = ('![A](a.png){width=100%} ![B](<b.svg> "title") ![C](gone.png) ![D](https://example.org/a.png)'
            " [not an image](b.svg) ![A again](a.png)")
    assert kept_renderings.images(text, str(tmp_path)) == [tmp_path / "a.png", tmp_path / "b.svg"]


def test_the_build_writes_its_kept_renderings_again_when_the_markdown_is_unchanged(named_built):
    """The render job run again (as after a sheet edited outside the report's sample): the same bytes, from the
    copies kept (their record not written again), and then nothing to do."""
    root = named_built
    names = ["output/report/state-of-play.html", "output/report/state-of-play.docx"]
    before = {name: (root / name).read_bytes() for name in names}
    record = root / "output/build/renderings/record.json"
    stamp = record.stat().st_mtime_ns
    result = reviewkit.snakemake(root, "--forcerun", "render")
    assert result.returncode == 0, result.stderr[-3000:]
    assert {name: (root / name).read_bytes() for name in names} == before
    assert record.stat().st_mtime_ns == stamp
    again = reviewkit.snakemake(root, "--dry-run")
    assert "Nothing to be done" in again.stdout + again.stderr
