"""Coded extraction sheets (CSV or XLSX): read with line numbers, check row by row."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..common.problems import COUNTRY_ALIASES, InputError, Problem, suggest
from ..common.textio import CONTROL
from .door import read_input
from .workbook_door import MAX_WORKBOOK_BYTES, MAX_WORKBOOK_UNZIPPED, _openpyxl, _workbook_problems  # noqa: F401

REQUIRED = ("id", "quote", "codes", "finding")
OPTIONAL = ("questions", "locator", "evidence_type", "study", "study_design", "countries", "cites", "coder", "notes")
LIST_COLUMNS = ("codes", "questions", "countries", "cites")
ELISION = "[...]"


def split_list(value: str) -> list[str]:
    """Split a ``;``-separated cell; spaces around ``;`` and empty items don't count."""
    if ";" not in value:  # most cells: one item
        return [value.strip()] if value.strip() else []
    return [item.strip() for item in value.split(";") if item.strip()]


def _cell(value: Any) -> str:
    # Excel stores 1 as 1.0 and dates as datetimes; users mean "1" and "2024-03-06".
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# Largest sheets accepted (docs/formats.md, "Limits"): far beyond any coded source,
# small enough that a hostile file cannot exhaust memory.
MAX_SHEET_ROWS = 100_000
ROW_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_ROW_ID = re.compile(ROW_ID_PATTERN)


def column_letter(index: int) -> str:
    """Excel's letter for a 0-based column index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _too_many_rows(path: str) -> InputError:
    return InputError([Problem(path, MAX_SHEET_ROWS + 1, f"too many rows: at most {MAX_SHEET_ROWS:,} are accepted; split the source's sheet")])


def _checked_cells(path: str, rows: Iterable[list[tuple[Any, bool]]]) -> list[tuple[int, list[str]]]:
    """A sheet's rows of (value, is a formula) as text, every formula and control character a problem."""
    from ..common.textio import control_problems

    problems: list[Problem] = []
    table = []
    for i, row in enumerate(rows, start=1):
        if i > MAX_SHEET_ROWS:
            raise _too_many_rows(path)
        cells = []
        for j, (value, formula) in enumerate(row):
            where = f"{column_letter(j)}{i}"
            if formula:
                problems.append(Problem(path, i, f"{where}: a formula ({str(value)[:40]}); type the value itself "
                                                 "(Paste Special > Values)"))
            text = _cell(value)
            if text and CONTROL.search(text):
                problems += [Problem(p.path, p.line, f"{where}: {p.message}") for p in control_problems(text, path, i, 1)]
            cells.append(text)
        table.append((i, cells))
    if problems:
        raise InputError(problems)
    return table


def _openpyxl_cells(sheet) -> Iterator[list[tuple[Any, bool]]]:
    for row in sheet.iter_rows():
        cells = []
        for cell in row:
            value, kind = getattr(cell, "value", None), getattr(cell, "data_type", "")
            formula = kind == "f" or (isinstance(value, str) and kind != "s" and value.startswith("="))
            cells.append((value, formula))
        yield cells


def _read_workbook(path: str) -> list[tuple[int, list[str]]]:
    from .plain_workbook import plain_rows

    problems = _workbook_problems(path)
    if problems:
        raise InputError(problems)
    try:  # a plain sheet without openpyxl (plain_workbook.py): the same cells, without its import and set-up
        return _checked_cells(path, ([(value, False) for value in row] for _i, row in plain_rows(path)))
    except InputError:
        raise
    except Exception:  # NotPlain, or a part it cannot parse: openpyxl reads it, or says what is wrong with it
        pass
    load_workbook = _openpyxl().load_workbook
    try:
        # Not data_only: a formula must be seen as one (its cached value may be absent).
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises several types for a damaged file
        raise InputError([Problem(path, 1, f"cannot read as an Excel workbook: {err}")]) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the stored <dimension> may be wrong: read every row there is
        return _checked_cells(path, _openpyxl_cells(sheet))
    except InputError:
        raise
    except Exception as err:  # a damaged part inside the zip
        raise InputError([Problem(path, 1, f"cannot read as an Excel workbook: {err}")]) from None
    finally:
        book.close()


def read_table(path: str) -> list[tuple[int, list[str]]]:
    """All rows of a sheet as ``(line, cells)``; line 1 is the header.

    For a CSV, ``line`` is the file line a record starts on; its spreadsheet row
    is its position in the list (Excel shows one row per record).
    """
    if Path(path).suffix.lower() == ".xlsx":
        return _read_workbook(path)
    text, _sha = read_input(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, line = [], 1
    try:
        for cells in reader:
            rows.append((line, cells))
            if len(rows) > MAX_SHEET_ROWS:
                raise _too_many_rows(path)
            line = reader.line_num + 1  # a quoted cell may span lines
    except csv.Error as err:
        raise InputError([Problem(path, line, f"malformed CSV: {err}")]) from None
    return rows


def _columns(header: list[str], path: str) -> tuple[list[str], list[Problem]]:
    known = {name: name for name in REQUIRED + OPTIONAL}
    names, problems, seen = [], [], {}
    for i, raw in enumerate(header):
        name = raw.strip()
        name = known.get(name.lower(), name)  # "Quote" in Excel means quote
        if name and name in seen:
            problems.append(Problem(path, 1, f"column '{name}' appears twice (columns {seen[name] + 1} and {i + 1})"))
        seen.setdefault(name, i)
        names.append(name)
    for name in REQUIRED:
        if name not in seen:
            problems.append(Problem(path, 1, f"missing required column '{name}': a sheet needs {', '.join(REQUIRED)}; it has {', '.join(n for n in names if n) or 'no header'}"))
    return names, problems


def check_rows(table: list[tuple[int, list[str]]], path: str, protocol: dict, bib_keys: set[str] | None) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Validate a sheet's rows against the protocol: one dict per excerpt, and every problem.

    Rows with problems are returned too, so their quotes can still be located
    and all problems reported in one pass. A sheet whose header is unusable
    raises :class:`InputError`. ``bib_keys`` None (a broken bibliography) skips
    the ``cites`` check.
    """
    if not table:
        raise InputError([Problem(path, 1, f"empty sheet: the first row must name the columns {', '.join(REQUIRED)}")])
    names, problems = _columns(table[0][1], path)
    if problems:
        raise InputError(problems)
    code_map = {c["id"]: c["questions"] for c in protocol["codes"]}
    coders = [c["id"] for c in protocol.get("coders") or []]
    question_ids = [q["id"] for q in protocol["questions"]]
    vocabularies = protocol.get("vocabularies", {})
    allowed = {"codes": list(code_map), "questions": question_ids, **vocabularies}
    rows, first_line_of_id = [], {}
    letter = {name: column_letter(i) for i, name in enumerate(names) if name}
    named = [(i, name) for i, name in enumerate(names) if name]
    unnamed = len(named) < len(names)
    # Only a sheet with a column named "period" (any case) can have a period problem.
    periods = any(n.lower() == "period" for n in names if n and n not in REQUIRED and n not in OPTIONAL)
    for excel_row, (line, cells) in enumerate(table[1:], start=2):
        width = len(cells)
        values = {name: cells[i].strip() if i < width else "" for i, name in named}
        # Cells with no column name (past the header, or under an empty header cell) would be lost.
        stray = []
        if unnamed or width > len(names):
            stray = [f"{column_letter(i)}{excel_row}" for i, cell in enumerate(cells) if cell.strip() and (i >= len(names) or not names[i])]
        if not any(values.values()) and not stray:
            continue  # blank rows are spacing, not data
        ident = values["id"]
        label = f" (id {ident})" if ident else ""
        at = lambda name: f"{letter[name]}{excel_row}{label}"  # noqa: E731  a cell as Excel names it, e.g. C7
        where = f"row {excel_row}{label}"
        if stray:
            problems.append(Problem(path, line, f"{where}: {', '.join(stray[:5])}: a cell under no column heading; name its column in row 1 or move it"))
        for name in REQUIRED:
            if not values[name]:
                problems.append(Problem(path, line, f"{at(name)}: empty {name}"))
        if ident:
            if not _ROW_ID.match(ident):
                problems.append(Problem(path, line, f"{at('id')}: id {ident!r} does not match the pattern {ROW_ID_PATTERN} (letters, digits, '_', '.', '-'; e.g. 12)"))
            if ident in first_line_of_id:
                problems.append(Problem(path, line, f"{at('id')}: duplicate id '{ident}' (first used on line {first_line_of_id[ident]})"))
            first_line_of_id.setdefault(ident, line)
        if values["quote"] and not values["quote"].replace(ELISION, "").strip():
            problems.append(Problem(path, line, f"{at('quote')}: the quote is only an elision mark"))
        row: dict[str, Any] = {"line": line, "extra": {}, "cell": f"{letter['quote']}{excel_row}", "where": where}
        for name, value in values.items():
            if name in LIST_COLUMNS or name in vocabularies:
                value = split_list(value)
                for item in sorted({v for v in value if value.count(v) > 1}) if len(set(value)) < len(value) else ():
                    problems.append(Problem(path, line, f"{at(name)}: '{item}' is listed twice"))
                for item in value:
                    if name == "cites" and bib_keys is not None and item not in bib_keys:
                        problems.append(Problem(path, line, f"{at(name)}: cites '{item}', which has no entry in references.bib: {suggest(item, sorted(bib_keys))}"))
                    elif name in allowed and item not in allowed[name]:
                        problems.append(Problem(path, line, f"{at(name)}: unknown {_singular(name)} '{item}': {suggest(item, allowed[name], aliases=COUNTRY_ALIASES if name == 'countries' else None)}"))
            if name in REQUIRED or name in OPTIONAL:
                row[name] = value
            else:
                row["extra"][name] = "; ".join(value) if isinstance(value, list) else value
        for name in OPTIONAL:
            row.setdefault(name, [] if name in LIST_COLUMNS or name in vocabularies else "")
        problems += _study_and_coder_problems(row, where, path, bib_keys, coders)
        problems += _period_problems(row, where, path) if periods else []
        if not row["questions"]:
            mapped = {q for c in row["codes"] for q in code_map.get(c, ())}
            row["questions"] = [q for q in question_ids if q in mapped]
        rows.append(row)
    return rows, problems


def _study_and_coder_problems(row: dict, where: str, path: str, bib_keys: set[str] | None, coders: list[str]) -> list[Problem]:
    problems = []
    line = row["line"]
    if row["study"] and bib_keys is not None and row["study"] not in bib_keys:
        problems.append(Problem(path, line, f"{where}: study '{row['study']}' has no entry in references.bib: {suggest(row['study'], sorted(bib_keys))}"))
    if row["study_design"] and not row["study"]:
        problems.append(Problem(path, line, f"{where}: study_design without study: name the study (its bibliography key) whose design this is"))
    if coders and row["coder"] and row["coder"] not in coders:
        problems.append(Problem(path, line, f"{where}: unknown coder '{row['coder']}' (declare coders in review.yaml): {suggest(row['coder'], coders)}"))
    return problems


PERIOD = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


def _period_problems(row: dict, where: str, path: str) -> list[Problem]:
    """The optional ``period`` column (the years the excerpt's evidence covers): ``2011`` or ``1999-2003``."""
    value = next((v for k, v in row["extra"].items() if k.lower() == "period"), "")
    if not value:
        return []
    found = PERIOD.match(value)
    if not found:
        return [Problem(path, row["line"], f"{where}: period '{value}': write the year (e.g. 2011) or the span of years (e.g. 1999-2003) the evidence covers")]
    if found.group(2) and int(found.group(2)) < int(found.group(1)):
        return [Problem(path, row["line"], f"{where}: period '{value}' ends before it starts")]
    return []


def rows_by_id(path: str) -> dict[str, dict[str, str]]:
    """A sheet's raw cells by row id, without checks (for auditing a built review)."""
    table = read_table(path)
    if not table:
        return {}
    names, _problems = _columns(table[0][1], path)
    rows = {}
    for line, cells in table[1:]:
        values = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(names) if name}
        if values.get("id"):
            rows.setdefault(values["id"], values | {"line": str(line)})
    return rows


def _singular(column: str) -> str:
    return {"codes": "code", "questions": "question", "countries": "country", "cites": "citation"}.get(column, f"{column} value")


def parse_rows(table: list[tuple[int, list[str]]], path: str, protocol: dict, bib_keys: set[str] | None) -> list[dict[str, Any]]:
    """Validated rows of a sheet; raise :class:`InputError` listing every problem."""
    rows, problems = check_rows(table, path, protocol, bib_keys)
    if problems:
        raise InputError(problems)
    return rows


def check_sheet(path: str, protocol: dict, bib_keys: set[str] | None) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Read one extraction sheet; return its rows and its problems (see :func:`check_rows`)."""
    return check_rows(read_table(path), path, protocol, bib_keys)


def load_sheet(path: str, protocol: dict, bib_keys: set[str] | None) -> list[dict[str, Any]]:
    """Read and validate one extraction sheet."""
    return parse_rows(read_table(path), path, protocol, bib_keys)


__all__ = ["ELISION", "LIST_COLUMNS", "OPTIONAL", "REQUIRED", "check_rows", "check_sheet", "load_sheet", "rows_by_id", "parse_rows", "read_table", "split_list"]
