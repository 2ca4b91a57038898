"""Coded extraction sheets (CSV or XLSX): read with line numbers, check row by row."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..common.problems import COUNTRY_ALIASES, InputError, Problem, suggest
from ..common.textio import read_text

REQUIRED = ("id", "quote", "codes", "finding")
OPTIONAL = ("questions", "locator", "evidence_type", "study", "study_design", "countries", "cites", "coder", "notes")
LIST_COLUMNS = ("codes", "questions", "countries", "cites")
ELISION = "[...]"


def split_list(value: str) -> list[str]:
    """Split a ``;``-separated cell; spaces around ``;`` and empty items don't count."""
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


def read_table(path: str) -> list[tuple[int, list[str]]]:
    """All rows of a sheet as ``(line, cells)``; line 1 is the header."""
    if Path(path).suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as err:  # openpyxl raises several types for a damaged file
            raise InputError([Problem(path, 1, f"cannot read as an Excel workbook: {err}")]) from None
        try:
            sheet = book.worksheets[0]
            return [(i, [_cell(v) for v in row]) for i, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
        finally:
            book.close()
    text, _sha = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, line = [], 1
    try:
        for cells in reader:
            rows.append((line, cells))
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
    for line, cells in table[1:]:
        values = {name: cells[i].strip() if i < len(cells) else "" for i, name in enumerate(names) if name}
        if not any(values.values()):
            continue  # blank rows are spacing, not data
        where = f"row {values['id']}" if values["id"] else "row"
        for name in REQUIRED:
            if not values[name]:
                problems.append(Problem(path, line, f"{where}: empty {name}"))
        if values["id"]:
            if values["id"] in first_line_of_id:
                problems.append(Problem(path, line, f"{where}: duplicate id '{values['id']}' (first used on line {first_line_of_id[values['id']]})"))
            first_line_of_id.setdefault(values["id"], line)
        if values["quote"] and not values["quote"].replace(ELISION, "").strip():
            problems.append(Problem(path, line, f"{where}: the quote is only an elision mark"))
        row: dict[str, Any] = {"line": line, "extra": {}}
        for name, value in values.items():
            if name in LIST_COLUMNS or name in vocabularies:
                value = split_list(value)
                for item in value:
                    if name == "cites" and bib_keys is not None and item not in bib_keys:
                        problems.append(Problem(path, line, f"{where}: cites '{item}', which has no entry in references.bib: {suggest(item, sorted(bib_keys))}"))
                    elif name in allowed and item not in allowed[name]:
                        problems.append(Problem(path, line, f"{where}: unknown {_singular(name)} '{item}': {suggest(item, allowed[name], aliases=COUNTRY_ALIASES if name == 'countries' else None)}"))
            if name in REQUIRED or name in OPTIONAL:
                row[name] = value
            else:
                row["extra"][name] = "; ".join(value) if isinstance(value, list) else value
        for name in OPTIONAL:
            row.setdefault(name, [] if name in LIST_COLUMNS or name in vocabularies else "")
        problems += _study_and_coder_problems(row, where, path, bib_keys, coders)
        if not row["questions"]:
            row["questions"] = [q for q in question_ids if any(q in code_map.get(c, []) for c in row["codes"])]
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
