"""The hostile-input suite: every case in cases.py, cases_second.py, cases_appraisal.py and cases_releases.py gives its exact message and exit code,
no traceback, leaves every input byte-identical (but the files a case's command is there to write), and puts no
live formula or escape sequence in anything it writes or prints."""

from __future__ import annotations

import contextlib
import csv
import io
import re
import sys
import zipfile
from pathlib import Path

import pytest

import reviewkit
from cases import CASES
from cases_second import CASES as SECOND
from cases_appraisal import CASES as APPRAISALS
from cases_releases import CASES as RELEASES
from cases_code import CASES as CODE

from synthesis.cli.main import build_parser, main

ALL = CASES + SECOND + APPRAISALS + RELEASES + CODE
STDIN = b"@report{x1,\n  title = {Caf\xe9},\n  year = {2020}\n}\n"  # add-source's entry on standard input (not UTF-8)
ENTRIES = {
    "entry.bib": "@report{new2024,\n  title = {New},\n  year = {2024}\n}\n",
    "existing.bib": "@report{smith2020,\n  title = {Again},\n  year = {2020}\n}\n",
    "two.bib": "@report{a1,\n  title = {A}\n}\n@report{b1,\n  title = {B}\n}\n",
    "nokey.bib": "@report{,\n  title = {No key}\n}\n",
    "badkey.bib": "@report{a/b,\n  title = {Slash}\n}\n",
}
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def _content(path: Path):
    # A sparse file of 200 MB (a size limit's case) is told by its size and time, not read four times.
    stat = path.stat()
    return ("large", stat.st_size, stat.st_mtime_ns) if stat.st_size > 10_000_000 else path.read_bytes()


def inputs(folder: Path) -> dict[str, object]:
    """Every file a run must not change: all but the review's output/ (links read through)."""
    return {str(p.relative_to(folder)): _content(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and "output" not in p.relative_to(folder).parts[:2]}


def everything(folder: Path) -> dict[str, object]:
    return {str(p.relative_to(folder)): _content(p) for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def live_content(path: str, data) -> list[str]:
    """What in a written file would run when opened: a formula cell in a CSV or workbook, an escape sequence."""
    found = []
    if not isinstance(data, bytes):
        return found
    if path.endswith(".csv"):
        for cells in csv.reader(io.StringIO(data.decode("utf-8"))):
            found += [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r")) and not NUMBER.fullmatch(c)]
    elif path.endswith((".xlsx", ".qdpx")):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            found += [n for n in archive.namelist() if n.endswith(".xml") and b"<f>" in archive.read(n)]
    elif b"\x1b" in data:
        found.append("an escape character")
    return found


def run(argv: list[str], stdin: bytes = b"") -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    fake_stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    old_stdin, sys.stdin = sys.stdin, fake_stdin
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit:  # argparse refusing an argument (exit status 2)
                code = exit.code
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue() + err.getvalue()


def set_up(tmp_path: Path, monkeypatch, setup) -> Path:
    """The fixture review with a case's change made, the entries beside it, run from the case's folder."""
    root = reviewkit.make_review(tmp_path / "review")
    for file, text in ENTRIES.items():
        (tmp_path / file).write_text(text, encoding="utf-8")
    setup(root)
    monkeypatch.chdir(root / getattr(setup, "cwd", "."))
    return root


@pytest.mark.parametrize("name, setup, argv, code, expected", ALL, ids=[c[0] for c in ALL])
def test_hostile_input(tmp_path, monkeypatch, name, setup, argv, code, expected):
    root = set_up(tmp_path, monkeypatch, setup)
    writes = {str(Path("review", w)) if not w.startswith("../") else w[3:] for w in getattr(setup, "writes", ())}
    before, written_before = inputs(tmp_path), everything(tmp_path)
    status, output = run(argv, stdin=getattr(setup, "stdin", STDIN))
    lines = output.splitlines()
    assert "Traceback" not in output
    assert status == code, output
    for line in expected:
        line = line.replace("{root}", str(root.resolve())).replace("{outside}", str(tmp_path.resolve()))
        if "XXX" in line:  # a size that depends on the zip library's framing
            pattern = re.escape(line).replace("XXX", r"\d{3}")
            assert any(re.fullmatch(pattern, got) for got in lines), output
        else:
            assert line in lines, output
    for text in getattr(setup, "absent", ()):
        assert text not in output, f"{text!r} was read and shown"
    assert "\x1b" not in output, "an escape sequence reached the terminal"
    after = inputs(tmp_path)
    assert {k: v for k, v in after.items() if k not in writes} == {k: v for k, v in before.items() if k not in writes}, "an input file changed"
    changed = {k: v for k, v in everything(tmp_path).items() if written_before.get(k) != v}
    assert {k: live_content(k, v) for k, v in changed.items() if live_content(k, v)} == {}


def _commands() -> set[str]:
    parser = build_parser()
    return set(next(a for a in parser._actions if a.dest == "command").choices)


def test_the_suite_covers_every_input_and_command():
    assert len(ALL) >= 200
    names = [c[0] for c in ALL]
    assert len(set(names)) == len(names)
    for prefix in ("protocol-", "bib-", "source-", "sheet-", "xlsx-", "check-", "add-source-", "trace-", "audit-", "findings-",
                   "records-", "coders-", "screen-", "export-", "reconcile-", "agree-", "snowball-", "text-", "appraisal-", "release-", "diff-"):
        assert any(n.startswith(prefix) for n in names), prefix
    # A new command in `review --help` fails this until it has a hostile case of its own.
    assert _commands() - {c[2][0] for c in ALL} == set()


def test_the_table_of_what_each_command_may_write_is_the_code():
    from synthesis.inputs.writes import COMMANDS, READ_ONLY

    table = Path(reviewkit.ROOT / "docs/formats.md").read_text(encoding="utf-8").split("### What each command may write")[1]
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `review ([a-z-]+)`.*$", table, re.M)}
    assert set(rows) == set(COMMANDS) | {READ_ONLY[0]}
    assert all(f"`{c}`" in rows[READ_ONLY[0]] or c == READ_ONLY[0] for c in READ_ONLY)
    for name, rule in COMMANDS.items():
        for pattern in rule.inputs:
            shown = pattern.replace("{records}", "records").replace("{citekey}", "<citekey>").replace("{coder}", "<coder>").replace("{search}", "<search>").replace("{name}", "<name>")
            assert shown.rsplit(".", 1)[0] in rows[name], (name, shown)
        assert {"never": "never", "force": "with `--force`", "always": "always"}[rule.replaces] in rows[name], name
    assert _commands() <= set(COMMANDS) | set(READ_ONLY) | _steps()


def _steps() -> set[str]:
    from synthesis.cli.main import STEPS

    build_parser()
    return STEPS


def test_the_links_in_an_input_folder_are_what_rglob_finds(tmp_path):
    """protected() finds links from the folders' listings (no stat per file): the same links rglob finds, to
    files, folders (not followed), nowhere, hidden or deep."""
    import os

    from synthesis.inputs.writes import _links

    (tmp_path / "sources/deep/.hidden").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/file.md").write_text("x", encoding="utf-8")
    (tmp_path / "outside/inner").mkdir()
    os.symlink(tmp_path / "outside/file.md", tmp_path / "sources/to-file.md")
    os.symlink(tmp_path / "outside", tmp_path / "sources/deep/to-folder")
    os.symlink("/nowhere", tmp_path / "sources/deep/.hidden/dangling.md")
    os.symlink(tmp_path / "outside", tmp_path / "sources/.to-folder")
    (tmp_path / "sources/deep/plain.md").write_text("y", encoding="utf-8")
    expected = sorted(p for p in (tmp_path / "sources").rglob("*") if p.is_symlink())
    assert len(expected) == 4
    assert sorted(_links(tmp_path / "sources")) == expected
