"""Records as tables: CSV and tab-delimited exports with each database's own column names, and this
project's own header (``id,title,authors,year,doi,abstract,journal,notes``).

A table is recognised by its header (the columns only that export has), not by its file name. Each
export's mapping is documented in docs/formats.md ("Records as databases export them").
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any, Iterator

# Scopus puts every cited reference of a record in one cell; csv's default limit (128 KiB) is too small.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))
RECORD_COLUMNS = ("id", "title", "authors", "year", "doi", "abstract", "journal", "notes")


@dataclass(frozen=True)
class Dialect:
    """One export's columns: each field's column names, in the order tried (lower case)."""

    name: str
    signature: tuple[str, ...]  # all present: this export
    key: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    year: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    doi: tuple[str, ...] = ()
    abstract: tuple[str, ...] = ()
    journal: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


DIALECTS = (
    Dialect("Scopus CSV", ("eid", "source title"), key=("eid",), title=("title",), authors=("author full names", "authors"),
            year=("year",), doi=("doi",), abstract=("abstract",), journal=("source title",),
            keywords=("author keywords", "index keywords")),
    Dialect("Web of Science tab-delimited", ("pt", "ti", "ut"), key=("ut",), title=("ti",), authors=("af", "au", "ca"),
            year=("py", "ey"), date=("pd", "ea"), doi=("di", "d2"), abstract=("ab",), journal=("so", "se"), keywords=("de", "id")),
    Dialect("PubMed CSV", ("pmid", "citation", "first author"), key=("pmid",), title=("title",), authors=("authors",),
            year=("publication year",), date=("create date",), doi=("doi",), journal=("journal/book",)),
    Dialect("IEEE Xplore CSV", ("document title", "publication title"), title=("document title",), authors=("authors",),
            year=("publication year",), date=("online date", "issue date"), doi=("doi",), abstract=("abstract",),
            journal=("publication title",), keywords=("author keywords", "ieee terms")),
    Dialect("EBSCO CSV", ("article title", "accession number"), key=("accession number",), title=("article title",),
            authors=("author",), year=("publication year",), date=("publication date",), doi=("doi",), abstract=("abstract",),
            journal=("journal title", "source"), keywords=("keywords", "subjects")),
    # Ovid's spreadsheet export names columns by field tag (VN, DB, UI, TI, AU, ...) or by the field's label.
    Dialect("Ovid CSV", ("ui", "ti"), key=("ui", "an"), title=("ti",), authors=("au",), year=("yr",), date=("pd", "dp"),
            doi=("do",), abstract=("ab",), journal=("jn", "jt", "so"), keywords=("kw", "mh")),
    Dialect("Ovid CSV", ("unique identifier", "title"), key=("unique identifier", "accession number"), title=("title",),
            authors=("authors",), year=("year of publication",), date=("publication date", "date of publication"),
            doi=("digital object identifier",), abstract=("abstract",), journal=("journal name", "source"),
            keywords=("keyword heading", "keywords", "subject headings")),
    Dialect("Zotero CSV", ("key", "item type", "abstract note"), key=("key",), title=("title",), authors=("author",),
            year=("publication year",), date=("date",), doi=("doi",), abstract=("abstract note",), journal=("publication title",),
            keywords=("manual tags", "automatic tags"), notes=("notes",)),
    Dialect("Lens CSV", ("lens id",), key=("lens id",), title=("title",), authors=("author/s",), year=("publication year",),
            date=("date published",), doi=("doi",), abstract=("abstract",), journal=("source title",), keywords=("keywords",)),
    Dialect("Embase CSV", ("author names", "emtree medical index terms"), title=("title",), authors=("author names",),
            year=("publication year", "source"), date=("date of publication",), doi=("doi",), abstract=("abstract",),
            journal=("source title", "source"), keywords=("author keywords", "keywords")),
    Dialect("Cochrane CSV", ("central id",), key=("central id",), title=("title",), authors=("author(s)",), year=("year",),
            doi=("doi",), abstract=("abstract",), journal=("source",), keywords=("keywords",)),
    Dialect("Springer CSV", ("item title", "item doi"), title=("item title",), authors=("authors",), year=("publication year",),
            doi=("item doi",), journal=("publication title",)),
    Dialect("OpenAlex CSV", ("display_name", "publication_year"), key=("id",), title=("display_name", "title"),
            authors=("authorships.author.display_name",), year=("publication_year",), date=("publication_date",), doi=("doi",),
            abstract=("abstract",)),
    Dialect("Covidence CSV", ("covidence #",), key=("covidence #",), title=("title",), authors=("authors",),
            year=("published year",), doi=("doi",), abstract=("abstract",), journal=("journal",), notes=("notes",)),
    Dialect("RefWorks tab-delimited", ("reference type", "title primary"), key=("reference id",), title=("title primary",),
            authors=("authors, primary",), year=("pub year",), date=("pub date free from",), doi=("doi",),
            abstract=("abstract",), journal=("periodical full", "periodical abbrev"), keywords=("keywords",), notes=("notes",)),
    Dialect("Rayyan CSV", ("key", "title", "authors", "pubmed_id"), key=("key",), title=("title",), authors=("authors",),
            year=("year",), doi=("doi",), abstract=("abstract",), journal=("journal",), keywords=("keywords",), notes=("notes",)),
)
OURS = Dialect("this project's CSV", ("title",), key=("id",), title=("title",), authors=("authors",), year=("year",),
               doi=("doi",), abstract=("abstract",), journal=("journal",), notes=("notes",))
EXPORT_NAMES = tuple(dict.fromkeys(d.name for d in DIALECTS))
_FIELDS = ("key", "title", "authors", "year", "date", "doi", "abstract", "journal", "keywords", "notes")
# A table from an export not listed above: each field from the first column any listed export names it by.
GENERIC = Dialect("a table of records (columns read by their names)", ("title",),
                  **{f: tuple(dict.fromkeys(c for d in (OURS,) + DIALECTS for c in getattr(d, f))) for f in _FIELDS})
_HEADER_SEARCH = 30  # Embase and Excel exports put the search query above the header


def rows_of(text: str) -> tuple[str, list[tuple[int, list[str]]]]:
    """The delimiter and every row as ``(line, cells)``; a quoted cell may span lines."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(("\t", ",", ";"), key=first.count) if first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, line = [], 1
    try:
        for cells in reader:
            rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as err:  # a NUL or an unclosed quote at the end: what was read so far is kept
        rows.append((line, [f"\0{err}"]))
    return delimiter, rows


def _names(cells: list[str]) -> list[str]:
    return [c.strip().strip('"').lstrip("\ufeff").strip().lower() for c in cells]


def dialect_of(rows: list[tuple[int, list[str]]]) -> tuple[Dialect, int]:
    """The export a table is (or this project's header) and the index of its header row."""
    for index, (_line, cells) in enumerate(rows[:_HEADER_SEARCH]):
        names = set(_names(cells))
        for dialect in DIALECTS:
            if all(s in names for s in dialect.signature):
                return dialect, index
    return OURS, next((i for i, (_l, cells) in enumerate(rows) if any(c.strip() for c in cells)), 0)


def _get(row: dict[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if row.get(name, "").strip():
            return row[name]
    return ""


def table_records(rows: list[tuple[int, list[str]]], dialect: Dialect, header_index: int) -> Iterator[dict[str, Any]]:
    """Each data row's raw fields (``line``, ``key``, ``title`` ...; ``extra`` cells beyond the header)."""
    from .record_fields import doi_of, keywords_of, year_of

    header = _names(rows[header_index][1])
    width = len(header)
    for line, cells in rows[header_index + 1:]:
        if not any(c.strip() for c in cells):
            continue
        if cells and cells[0].startswith("\0"):
            yield {"line": line, "broken": cells[0][1:]}
            continue
        extra = len(cells) - width if len(cells) > width and any(c.strip() for c in cells[width:]) else 0
        # A row with more cells than the header (Scopus adds a "Funding Texts" cell some rows lack a column
        # for): the first half of the columns is read from the left, the rest from the right.
        row = {name: cells[n + (extra if n >= width // 2 else 0)] for n, name in enumerate(header)
               if n + (extra if n >= width // 2 else 0) < len(cells) and name}
        yield {"line": line, "extra": extra,
               "key": _get(row, dialect.key).strip(), "title": _get(row, dialect.title), "authors": _get(row, dialect.authors),
               "year": year_of(*(row.get(c) for c in dialect.year + dialect.date)), "date": _get(row, dialect.date),
               "doi": doi_of(*(row.get(c) for c in dialect.doi)), "abstract": _get(row, dialect.abstract),
               "journal": _get(row, dialect.journal), "keywords": keywords_of(*(row.get(c) for c in dialect.keywords)),
               "notes": _get(row, dialect.notes), "given_year": _get(row, dialect.year + dialect.date)}


def generic_columns(rows: list[tuple[int, list[str]]], header_index: int) -> dict[str, str]:
    """For a table no export signature matched: the column each field is read from."""
    names = _names(rows[header_index][1])
    return {f: next((c for c in getattr(GENERIC, f) if c in names), "") for f in _FIELDS}


def unknown_columns(rows: list[tuple[int, list[str]]], header_index: int) -> list[str]:
    """This project's header: the columns it does not know (did-you-mean is the caller's)."""
    return [n for n in _names(rows[header_index][1]) if n and n not in RECORD_COLUMNS] if rows else []


__all__ = ["DIALECTS", "EXPORT_NAMES", "GENERIC", "OURS", "generic_columns", "RECORD_COLUMNS", "dialect_of", "rows_of", "table_records",
           "unknown_columns"]
