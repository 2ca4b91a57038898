"""The sheet ``review code`` edits: its rows, its excerpts located in the source, and a save that is checked
as ``review check`` checks the sheet, refused when the file changed on disk since it was loaded, and atomic.

The sheet is the one file written (``writes.COMMANDS["code"]``); a save is validated on a copy in a temporary
folder outside the review, so a refused save leaves the sheet as it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..common.problems import InputError, Problem
from ..common.textio import CONTROL, FORMULA_START, write_atomic
from ..inputs import layout
from ..inputs.sheets import OPTIONAL, REQUIRED
from .csvedit import append_rows, replace_cells
from .scaffold import SHEET_COLUMNS

COLUMNS = REQUIRED + OPTIONAL


class Stale(Exception):
    """The sheet changed on disk since the page loaded it."""


@dataclass(frozen=True)
class Sheet:
    """The source and the CSV sheet one ``review code`` session edits."""

    citekey: str
    source: str  # sources/KEY.md, .txt or .pdf
    path: str  # extraction/KEY.csv or extraction/coders/CODER/KEY.csv
    coder: str | None = None


def find_sheet(citekey: str, coder: str | None = None, sources: str = layout.SOURCES,
               extraction: str = layout.EXTRACTION) -> Sheet:
    """The session for ``citekey``: refused, with what to run, for an Excel sheet or no sheet at all."""
    from ..common.problems import suggest

    found = [p for p in layout.source_files(sources) if Path(p).stem == citekey]
    if not found:
        known = sorted({Path(p).stem for p in layout.source_files(sources)})
        raise InputError([Problem(sources, 1, f"no source '{citekey}': {suggest(citekey, known)}")])
    folder = Path(extraction) / layout.CODERS / coder if coder else Path(extraction)
    csv_path, xlsx_path = folder / f"{citekey}.csv", folder / f"{citekey}.xlsx"
    as_coder = f" --coder {coder}" if coder else ""
    if xlsx_path.exists() and not csv_path.exists():
        raise InputError([Problem(str(xlsx_path), 1, f"an Excel sheet: review code edits CSV sheets; `review sheet "
                                  f"{citekey}{as_coder} --replace` turns it into {csv_path} with every row (and "
                                  f"`review sheet {citekey}{as_coder} --xlsx --replace` turns it back into Excel)")])
    if not csv_path.is_file():
        raise InputError([Problem(str(csv_path), 1,
                                  f"no sheet for '{citekey}': `review sheet {citekey}{as_coder}` makes one")])
    from ..inputs.door import refused

    problems = refused(found[0]) + refused(csv_path)  # a link out of the review: never read, never written
    if problems:
        raise InputError(problems)
    return Sheet(citekey, found[0], str(csv_path), coder)


def version(path: str) -> str:
    """What the page loaded: the file's modification time and SHA-256 (a save needs both unchanged)."""
    data = Path(path).read_bytes()
    return f"{Path(path).stat().st_mtime_ns}-{hashlib.sha256(data).hexdigest()}"


def rows(path: str) -> list[dict]:
    """Every row that holds anything: its line in the file and its cells by (lower-case) column name."""
    text = Path(path).read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    names, out, line = None, [], 1
    for cells in reader:
        if names is None:
            names = [c.strip().lower() for c in cells]
        elif any(c.strip() for c in cells):
            cells += [""] * (len(names) - len(cells))
            out.append({"line": line, "cells": {name: cells[i] for i, name in enumerate(names) if name}})
        line = reader.line_num + 1
    return out


def excerpts(sheet: Sheet, text_cache: str | None = layout.TEXT_CACHE) -> tuple[list[dict], list[Problem]]:
    """The sheet's located excerpts (``id``, ``start``, ``end``, page or paragraph) and its problems,
    as ``review check`` finds them."""
    from ..evidence.build import check_sources, prepare

    paths = [sheet.source] + ([str(Path(sheet.source).with_suffix(layout.SIDECAR_SUFFIX))]
                              if sheet.source.lower().endswith(".pdf") else [])
    shard = check_sources(prepare(), paths, [sheet.path], text_cache=text_cache)
    return shard["evidence"], [Problem(**p) for p in shard["problems"]]


def _plain(name: str, value: str) -> str:
    value = " ".join(value.split()) if name != "notes" else value.replace("\r\n", "\n").strip()
    if CONTROL.search(value):
        raise InputError([Problem("", 1, f"{name}: holds a control character; give plain text")])
    if value.startswith(FORMULA_START):
        raise InputError([Problem("", 1, f"{name}: starts with '{value[0]}', which a spreadsheet would run as a "
                                  "formula")])
    return value


def cleaned(values: dict) -> dict[str, str]:
    """A row's cells as the page sent them: known columns, plain text."""
    unknown = sorted(k for k in values if k not in COLUMNS)
    if unknown or not all(isinstance(v, str) for v in values.values()):
        what = ", ".join(unknown) or "a value"
        raise InputError([Problem("", 1, f"unknown columns or values that are not text: {what}")])
    return {name: _plain(name, value) for name, value in values.items()}


def _line_of(text: str, ident: str) -> int:
    for row in _rows_of(text):
        if row["cells"].get("id", "").strip() == ident:
            return row["line"]
    raise InputError([Problem("", 1, f"no row with id '{ident}' in the sheet: reload the page")])


def _rows_of(text: str) -> list[dict]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sheet.csv"
        path.write_text(text, encoding="utf-8")
        return rows(str(path))


def without_row(text: str, line: int) -> str:
    """The table without the record starting on ``line`` (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for _cells in reader:
        if start == line:
            lines = text.splitlines(keepends=True)
            return "".join(lines[: line - 1] + lines[reader.line_num:])
        start = reader.line_num + 1
    raise InputError([Problem("", line, "no such row")])


def next_id(text: str) -> str:
    """One more than the largest numeric id (ids are the row's name in every claim citing it)."""
    numbers = [int(r["cells"]["id"]) for r in _rows_of(text) if r["cells"].get("id", "").strip().isdigit()]
    return str(max(numbers, default=0) + 1)


def edited(text: str, action: str, values: dict[str, str], ident: str = "") -> str:
    """The sheet's text after adding, changing or deleting one row; every other byte kept."""
    if not text.strip():
        text = ",".join(SHEET_COLUMNS) + "\n"
    if action == "add":
        return append_rows(text, tuple(SHEET_COLUMNS), [{**values, "id": values.get("id") or next_id(text)}])
    if action == "edit":
        return replace_cells(text, _line_of(text, ident), values)
    if action == "delete":
        return without_row(text, _line_of(text, ident))
    raise InputError([Problem("", 1, f"unknown action '{action}': add, edit or delete")])


def check_text(sheet: Sheet, text: str) -> list[Problem]:
    """Every problem ``review check`` finds with the sheet if it held ``text`` (errors, then warnings)."""
    from .check import run_check

    with tempfile.TemporaryDirectory(prefix="review-code-") as folder:
        real = Path(sheet.path)
        copy = Path(folder) / (Path(layout.CODERS) / sheet.coder if sheet.coder else Path()) / real.name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text, encoding="utf-8")
        if sheet.coder:  # the consensus sheet beside, as check finds it
            for other in Path(layout.EXTRACTION).glob(f"{sheet.citekey}.*"):
                shutil.copyfile(other, Path(folder) / other.name)
        problems, _summary = run_check([str(copy)], sources=str(Path(sheet.source).parent), extraction=folder)
        named = lambda s: s.replace(str(copy), sheet.path).replace(folder, layout.EXTRACTION)  # noqa: E731
        return [Problem(named(p.path), p.line, named(p.message), p.severity, p.code) for p in problems]


def save(sheet: Sheet, loaded: str, action: str, values: dict, ident: str = "") -> list[Problem]:
    """Write the edited sheet unless it changed since ``loaded`` (:class:`Stale`) or ``review check`` finds a
    problem the edit makes (returned, nothing written: a problem in this sheet, or a new one elsewhere, e.g. a
    review finding citing a deleted row); warnings are returned after a write."""
    from ..inputs.writes import permit

    if version(sheet.path) != loaded:
        raise Stale(f"{sheet.path} changed on disk since it was loaded: nothing was saved; reload to see the file "
                    "as it is now (the row you were editing stays in the form)")
    raw = Path(sheet.path).read_text(encoding="utf-8")
    bom = "\ufeff" if raw.startswith("\ufeff") else ""  # kept as Excel wrote it
    text = raw.removeprefix(bom)
    new = edited(text, action, cleaned(values), ident)
    problems = check_text(sheet, new)
    elsewhere = [p for p in problems if not p.is_warning and p.path != sheet.path]
    if elsewhere:  # another file's problems that were there before (the consensus sheet's) are not this save's
        before = {str(p) for p in check_text(sheet, text)}
        problems = [p for p in problems if p.path == sheet.path or str(p) not in before]
    if any(not p.is_warning for p in problems):
        return problems
    permit("code", sheet.path, citekey=sheet.citekey, **({"coder": sheet.coder} if sheet.coder else {}))
    if version(sheet.path) != loaded:  # changed while the check ran
        raise Stale(f"{sheet.path} changed on disk while the row was checked: nothing was saved; reload")
    write_atomic(sheet.path, bom + new)
    return problems


__all__ = ["COLUMNS", "Sheet", "Stale", "check_text", "cleaned", "edited", "excerpts", "find_sheet", "next_id",
           "rows", "save", "version", "without_row"]
