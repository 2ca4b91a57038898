"""Hostile cases that need more than a damaged file: a full disk, a protocol the Snakefile
reads, a workbook written from hostile cells, trace with its bibliography gone."""

from __future__ import annotations

import errno
import zipfile
from pathlib import Path

import pytest

import reviewkit
from synthesis.cli.main import main
from synthesis.inputs import layout
from synthesis.inputs.sheets import read_table


@pytest.fixture
def review(tmp_path, monkeypatch):
    root = reviewkit.make_review(tmp_path / "review")
    monkeypatch.chdir(root)
    return root


def test_a_full_disk_during_add_source_is_a_clear_error_and_undoes_the_change(review, tmp_path, monkeypatch, capsys):
    import synthesis.coauthor.scaffold as scaffold

    entry = tmp_path / "entry.bib"
    entry.write_text("@report{new2024,\n  title = {New},\n  year = {2024}\n}\n", encoding="utf-8")
    before = reviewkit.file_hashes(review)
    real = scaffold.write_atomic

    def full(path, data):
        if str(path) == layout.BIBLIOGRAPHY:  # the last write fails
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(scaffold, "write_atomic", full)
    assert main(["add-source", str(entry)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "sources/references.bib:1: cannot write: no space left on the disk; free some space and run again",
        "1 problem in 1 file; nothing was written.",
    ]
    assert reviewkit.file_hashes(review) == before  # the source and sheet written first are gone again


def test_a_question_id_no_names_its_table_as_the_check_reads_it(review):
    protocol = review / "review.yaml"
    protocol.write_text(protocol.read_text(encoding="utf-8").replace("id: RQb", "id: NO"), encoding="utf-8")
    assert layout.question_ids("review.yaml") == ["RQa", "NO"]  # YAML 1.1 would read NO as false


def test_review_sheet_xlsx_writes_formula_text_as_text(review, capsys):
    reviewkit.write_smith_sheet(review, {(1, 3): "=HYPERLINK(\"http://evil.example\")", (1, 8): "+1", (2, 9): "@SUM(A1)"})
    assert main(["sheet", "smith2020", "--xlsx", "--output", "copy.xlsx"]) == 0
    with zipfile.ZipFile("copy.xlsx") as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml
    table = read_table("copy.xlsx")
    header = table[0][1]
    first, second = (dict(zip(header, cells)) for _line, cells in table[1:3])
    assert (first["finding"], first["coder"], second["reviewer_note"]) == ("=HYPERLINK(\"http://evil.example\")", "+1", "@SUM(A1)")


def test_trace_with_the_bibliography_deleted(review, capsys):
    Path("output").mkdir()
    Path("output/provenance.json").write_text('{"claims": [], "evidence": [], "inputs": {"bibliography": {"path": "sources/references.bib"}}}', encoding="utf-8")
    Path(layout.BIBLIOGRAPHY).unlink()
    assert main(["trace", "smith2020:1"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "sources/references.bib:1: the bibliography is missing since the build: restore it (git checkout) or build again"


def test_trace_shows_control_characters_from_a_record_as_escapes(review, capsys):
    Path("output").mkdir()
    Path("output/provenance.json").write_text('{"claims": [], "evidence": [], "inputs": {"bibliography": {"path": "sources/references.bib"}}}', encoding="utf-8")
    assert main(["trace", "smith\u001b[2J2020:1"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert err.splitlines()[0] == "output/provenance.json:1: no claim or evidence id 'smith\\x1b[2J2020:1': nothing is allowed here yet"


def test_temporary_files_of_a_killed_run_are_removed_by_the_next(tmp_path):
    from synthesis.common.textio import write_atomic
    from synthesis.report.render import render

    (tmp_path / ".evidence.csv.k1ll3d.tmp").write_text("half", encoding="utf-8")
    (tmp_path / ".r.html.k1ll3d.html").write_text("half", encoding="utf-8")
    write_atomic(tmp_path / "evidence.csv", "a\n")
    (tmp_path / "r.md").write_text("# R\n\nText.\n", encoding="utf-8")
    (tmp_path / "refs.bib").write_text(reviewkit.BIBLIOGRAPHY, encoding="utf-8")
    render("html", str(tmp_path / "r.md"), str(tmp_path / "r.html"), str(tmp_path / "refs.bib"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evidence.csv", "r.html", "r.md", "refs.bib"]


def test_ctrl_d_in_a_terminal_ends_screening_with_nothing_half_written(review):
    """At a terminal, Ctrl-D (end of input) at the reason prompt stops: exit 1, the half-made decision not recorded."""
    import recordskit
    from test_screen import ONLY_S1, Terminal

    recordskit.add_records(review, recordskit.FILES | {"screening.csv": ONLY_S1})
    term = Terminal("screen", "--screener", "AT", "--date", "2024-07-01")
    term.expect("[q] quit")
    term.press("e")
    term.expect("[1] wrong_topic")
    term.press("\x04")
    term.expect("nothing recorded for it; recorded 0 before it, 5 left")
    assert term.close() == 1
    assert (review / "records/screening.csv").read_text(encoding="utf-8") == ONLY_S1


def test_a_lock_is_removed_only_when_the_build_holding_it_is_gone(tmp_path, capsys):
    import socket
    import time
    import subprocess
    import sys

    from synthesis.audit.status import clear_stale_lock, write_status

    here = socket.gethostname()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "snakemake"])  # a build's command line
    for _ in range(500):  # the child's command line shows once its exec is complete
        if b"snakemake" in Path(f"/proc/{running.pid}/cmdline").read_bytes():
            break
        time.sleep(0.01)
    try:
        for builder, kept in ((f"{running.pid}@{here}", True), (f"{gone.pid}@elsewhere", True), (f"{gone.pid}@{here}", False)):
            locks = tmp_path / ".snakemake/locks"
            locks.mkdir(parents=True, exist_ok=True)
            (locks / "0.input.lock").write_text("output/x\n", encoding="utf-8")
            write_status(tmp_path / "output", "building", builder)
            said = clear_stale_lock(tmp_path / "output", locks)
            assert (locks / "0.input.lock").exists() == kept, builder
            assert bool(said) != kept
    finally:
        running.kill()
        running.wait()
    assert capsys.readouterr().err.count("removed the lock of a build that was killed") == 1


@pytest.mark.parametrize("summary, body", [("[1]", "{\n}\n"), ('{"title": "T"}', "{\n}\n"), (None, "[]")])
def test_the_crate_writes_no_provenance_from_a_wrong_intermediate_file(review, capsys, summary, body):
    """The crate checks its summary and provenance's body before it writes provenance.json: a wrong one leaves the
    outputs as they were (the message says nothing was written)."""
    build = Path("output/build")
    build.mkdir(parents=True)
    good = ('{"title": "T", "subtitle": "", "authors": [], "sources": 1, "excerpts": 2, "inputs": []}')
    (build / "summary.json").write_text(summary or good, encoding="utf-8")
    (build / "provenance-body.json").write_text(body, encoding="utf-8")
    Path("output/provenance.json").write_text("the earlier build's\n", encoding="utf-8")
    status = main(["crate", "--summary", "output/build/summary.json", "--provenance-body", "output/build/provenance-body.json",
                   "--provenance", "output/provenance.json", "--output", "output/ro-crate-metadata.json"])
    assert status == 1
    assert capsys.readouterr().err.endswith("1 problem in 1 file; nothing was written.\n")
    assert Path("output/provenance.json").read_text(encoding="utf-8") == "the earlier build's\n"
    assert not Path("output/ro-crate-metadata.json").exists()
