"""Edits to a team's CSV table that keep everything else byte for byte: rows appended under its own header,
one row's cells changed. Used on records/ files, which people also edit by hand and keep in git."""

from __future__ import annotations

import csv
import io

from ..common.problems import InputError, Problem


def line_end(text: str) -> str:
    """The file's own line end."""
    return "\r\n" if "\r\n" in text else "\n"


def row_text(cells: list[str], end: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=end).writerow(cells)
    return out.getvalue()


def header(text: str) -> list[str]:
    """The column names of a CSV table (lower case, as the records reader takes them)."""
    first = next(csv.reader(io.StringIO(text, newline="")), [])
    return [name.strip().lower() for name in first]


def _missing(names: list[str], values: dict[str, str]) -> None:
    missing = sorted(name for name, value in values.items() if value and name not in names)
    if missing:
        raise InputError([Problem("", 1, f"has no column {', '.join(missing)}: add it to the header")])


def append_rows(text: str, new_header: tuple[str, ...], rows: list[dict[str, str]]) -> str:
    """The table with ``rows`` appended under its own header (``new_header`` for a new, empty file)."""
    end = line_end(text) if text else "\n"
    if text and not text.endswith(("\n", "\r")):
        text += end
    if not text.strip():
        text = row_text(list(new_header), end)
    names = header(text)
    for row in rows:
        _missing(names, row)
    return text + "".join(row_text([row.get(name, "") for name in names], end) for row in rows)


def replace_cells(text: str, line: int, values: dict[str, str]) -> str:
    """The table with the named cells of the row starting on ``line`` changed; other rows untouched."""
    names = header(text)
    _missing(names, values)
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for cells in reader:
        if start == line:
            cells = cells + [""] * (len(names) - len(cells))
            for name, value in values.items():
                if name in names:
                    cells[names.index(name)] = value
            lines = text.splitlines(keepends=True)
            last = lines[reader.line_num - 1]
            ending = last[len(last.rstrip("\r\n")):] or line_end(text)
            return "".join(lines[: line - 1]) + row_text(cells, ending) + "".join(lines[reader.line_num:])
        start = reader.line_num + 1
    raise InputError([Problem("", line, "no such row")])


__all__ = ["append_rows", "header", "line_end", "replace_cells", "row_text"]
