"""The records stage (``records/``): searches, the records each search found, screening decisions.

Files (see docs/formats.md, "Records"):

- ``records/searches.csv``: one row per search (id, source, name, date, query, results, notes);
- ``records/<search id>.<ext>``: the records that search found, as the database exported them (RIS, Web
  of Science plain text, PubMed/MEDLINE, Ovid, BibTeX, CSV or tab-delimited; told from the content: see
  ``inputs.exports``);
- ``records/screening.csv`` (or ``.xlsx``): one row per record and stage with the decision.

Reading collects every problem as ``path:line: message`` and every warning (a record read only in part, a
record without a year, a file that is not what its name says); numbers are checked in ``analysis.prisma``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..common.dates import date_problem
from ..common.problems import InputError, Problem, split, suggest
from .door import folder_problems, refused, review_root
from .export_tables import RECORD_COLUMNS
from .exports import read_export
from .layout import RECORD_SUFFIXES, RECORDS, record_files
from .sheets import read_table

SEARCHES = "searches"
SCREENING = "screening"
# Where records come from; the first two are PRISMA 2020's "databases and registers", the rest "other methods".
SEARCH_SOURCES = ("database", "register", "website", "organisation", "citation_searching", "provided")
DATABASE_SOURCES = ("database", "register")
SEARCH_COLUMNS = ("id", "source", "name", "date", "query", "results", "notes")
STAGES = ("title_abstract", "full_text")
DECISIONS = {"title_abstract": ("include", "exclude", "maybe"), "full_text": ("include", "exclude", "maybe", "not_retrieved")}
SCREENING_COLUMNS = ("record", "stage", "decision", "reason", "screener", "date", "source", "notes")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _header(table: list[tuple[int, list[str]]], path: str, required: tuple[str, ...], allowed: tuple[str, ...],
            problems: list[Problem]) -> dict[str, int]:
    if not table:
        problems.append(Problem(path, 1, f"empty file: the first line names the columns ({', '.join(required)})"))
        return {}
    header = [h.strip().lower() for h in table[0][1]]
    for n, name in enumerate(header):
        if name and name in header[:n]:  # a second column of one name would silently win
            problems.append(Problem(path, 1, f"column '{name}' appears twice (columns {header.index(name) + 1} and {n + 1})"))
    for name in required:
        if name not in header:
            problems.append(Problem(path, 1, f"missing column '{name}'; columns needed: {', '.join(required)}"))
    for name in header:
        if name and name not in allowed:
            problems.append(Problem(path, 1, f"unknown column '{name}': {suggest(name, allowed)}"))
    return {name: n for n, name in enumerate(header) if name}


def _rows(table, columns: dict[str, int]):
    for line, cells in table[1:]:
        row = {name: (cells[n].strip() if n < len(cells) else "") for name, n in columns.items()}
        if any(row.values()):
            yield line, row


def read_searches(path: str, problems: list[Problem]) -> list[dict[str, Any]]:
    """The searches, in file order; problems are added to ``problems``."""
    table = read_table(path)
    columns = _header(table, path, ("id", "source", "query", "results"), SEARCH_COLUMNS, problems)
    searches, seen = [], {}
    for line, row in _rows(table, columns):
        search = {name: row.get(name, "") for name in SEARCH_COLUMNS} | {"path": path, "line": line}
        if not _ID.match(search["id"]):
            problems.append(Problem(path, line, f"search id '{search['id']}' must start with a letter or digit and hold only letters, digits, '_', '.' or '-'"))
        elif search["id"] in seen:
            problems.append(Problem(path, line, f"duplicate search id '{search['id']}' (first on line {seen[search['id']]})"))
        seen.setdefault(search["id"], line)
        if search["source"] not in SEARCH_SOURCES:
            problems.append(Problem(path, line, f"unknown source '{search['source']}': {suggest(search['source'], SEARCH_SOURCES)}"))
        if search["date"] and date_problem(search["date"]):
            problems.append(Problem(path, line, f"date {date_problem(search['date'])}"))
        if not search["results"].isdigit():
            problems.append(Problem(path, line, f"results '{search['results']}' must be a whole number (the records the search returned)"))
            search["results"] = -1
        else:
            search["results"] = int(search["results"])
        searches.append(search)
    return searches


def read_screening(path: str, problems: list[Problem]) -> list[dict[str, Any]]:
    """Screening rows with a decision, in file order (rows without a decision are still to do)."""
    table = read_table(path)
    allowed = SCREENING_COLUMNS + ("title", "authors", "year", "search", "abstract")  # shown in an exported sheet
    columns = _header(table, path, ("record", "stage", "decision", "screener"), allowed, problems)
    rows = []
    for line, row in _rows(table, columns):
        if row.get("decision"):
            rows.append({name: row.get(name, "") for name in SCREENING_COLUMNS} | {"path": path, "line": line})
    return rows


def load_records(folder: str | Path = RECORDS) -> dict[str, Any] | None:
    """Searches, records and screening rows of a review, or None when it has no ``records/`` folder.

    Raises :class:`InputError` with every problem in reading (and the warnings found beside them);
    the result's ``warnings`` are the rest. Cross-checks are ``analysis.prisma``'s.
    """
    folder = Path(folder)
    if not folder.is_dir():
        if refused(folder, folder=True):  # a file named records, or a link out of the review: never skipped
            raise InputError(refused(folder, folder=True))
        return None
    # The door: an entry named like a records file that is a folder, or a link out of the review.
    problems: list[Problem] = folder_problems(folder, RECORD_SUFFIXES, "searches, records and screening", review_root(folder))
    refusals = {p.path for p in problems}
    searches_path = next((p for p in (folder / f"{SEARCHES}.csv", folder / f"{SEARCHES}.xlsx") if p.is_file()), None)
    if searches_path is None or str(searches_path) in refusals:
        raise InputError(problems or [Problem(str(folder / f"{SEARCHES}.csv"), 1, "missing: a records/ folder needs searches.csv, one row per search")])
    searches = read_searches(str(searches_path), problems)
    by_id = {s["id"]: s for s in searches}
    records: list[dict[str, Any]] = []
    screening: list[dict[str, Any]] = []
    files: dict[str, str] = {}
    for path in record_files(folder):
        stem = Path(path).stem
        if stem == SEARCHES or path in refusals:
            continue
        if Path(path).suffix.lower() == ".xlsx" and stem not in (SEARCHES, SCREENING):
            problems.append(Problem(path, 1, "records of a search are the database's export as saved (.ris, .txt, .nbib, .bib, .csv, "
                                    ".tsv); only searches and screening may be .xlsx: save the sheet as CSV"))
            continue
        if stem == SCREENING:
            screening += read_screening(path, problems)
            continue
        if stem not in by_id:
            problems.append(Problem(path, 1, f"no search '{stem}' in {searches_path}: a records file is named after its search; {suggest(stem, list(by_id))}"))
            continue
        if stem in files:
            problems.append(Problem(path, 1, f"search '{stem}' already has records in {files[stem]}: one file per search"))
            continue
        files[stem] = path
        try:
            records += read_export(path, stem, problems)
        except InputError as err:
            problems += err.problems
    seen: dict[str, dict] = {}
    for record in records:
        if record["id"] in seen:
            first = seen[record["id"]]
            problems.append(Problem(record["path"], record["line"], f"duplicate record id '{record['id']}' (first on line {first['line']})"))
        seen.setdefault(record["id"], record)
    errors, warnings = split(problems)
    if errors:
        raise InputError(errors, warnings)
    order = {s["id"]: n for n, s in enumerate(searches)}
    records.sort(key=lambda r: (order[r["search"]], r["line"]))  # search order, then file order: who is kept on de-duplication
    return {"searches": searches, "records": records, "screening": screening, "files": files,
            "searches_path": str(searches_path), "warnings": warnings}


__all__ = ["DATABASE_SOURCES", "DECISIONS", "RECORD_COLUMNS", "RECORDS", "SCREENING_COLUMNS", "SEARCH_SOURCES", "STAGES", "load_records", "record_files"]
