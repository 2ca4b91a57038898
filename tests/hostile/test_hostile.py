"""The hostile-input suite: every case in cases.py gives its exact message and exit code,
no traceback, and leaves every input byte-identical."""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from pathlib import Path

import pytest

import reviewkit
from cases import CASES

from synthesis.cli.main import main

ENTRIES = {
    "entry.bib": "@report{new2024,\n  title = {New},\n  year = {2024}\n}\n",
    "existing.bib": "@report{smith2020,\n  title = {Again},\n  year = {2020}\n}\n",
    "two.bib": "@report{a1,\n  title = {A}\n}\n@report{b1,\n  title = {B}\n}\n",
    "nokey.bib": "@report{,\n  title = {No key}\n}\n",
    "badkey.bib": "@report{a/b,\n  title = {Slash}\n}\n",
}


def inputs(folder: Path) -> dict[str, bytes]:
    """Every file a run must not change: all but output/ (symlinks read through)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).parts[0] != "output"}


def run(argv: list[str], stdin: bytes = b"") -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    fake_stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    old_stdin, sys.stdin = sys.stdin, fake_stdin
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        sys.stdin = old_stdin
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("name, setup, argv, code, expected", CASES, ids=[c[0] for c in CASES])
def test_hostile_input(tmp_path, monkeypatch, name, setup, argv, code, expected):
    root = reviewkit.make_review(tmp_path / "review")
    for file, text in ENTRIES.items():
        (tmp_path / file).write_text(text, encoding="utf-8")
    setup(root)
    monkeypatch.chdir(root / getattr(setup, "cwd", "."))
    before = inputs(tmp_path)
    status, output = run(argv, stdin=b"@report{x1,\n  title = {Caf\xe9},\n  year = {2020}\n}\n")
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
    assert inputs(tmp_path) == before, "an input file changed"


def test_the_suite_covers_every_input_and_command():
    assert len(CASES) >= 100
    names = [c[0] for c in CASES]
    assert len(set(names)) == len(names)
    for prefix in ("protocol-", "bib-", "source-", "sheet-", "xlsx-", "check-", "add-source-", "trace-", "audit-"):
        assert any(n.startswith(prefix) for n in names), prefix
