"""Snowball candidates become records: the works the sources cite that are not sources are added as a
citation-searching search (``records/searches.csv``) and its records (``records/<search>.csv``), ready to screen.

Running it again adds only works not yet recorded and updates the search's number of results.
"""

from __future__ import annotations

from pathlib import Path

from ..analysis.gaps import snowball
from ..common.textio import csv_text, write_atomic
from ..inputs.bibliography import load_bibliography, plain
from ..inputs.records import RECORD_COLUMNS, SEARCH_COLUMNS
from ..inputs.sheets import read_table

QUERY = "backward citation searching: the works cited in the sources (bibliography entries that are not sources)"


def candidate_rows(data: dict, bibliography_path: str) -> list[dict[str, str]]:
    """One record row per snowball candidate, most-cited first, with what the bibliography knows."""
    entries = load_bibliography(bibliography_path)[0]
    rows = []
    for row in snowball(data):
        entry = entries[row["key"]]
        authors = "; ".join(entry.names())
        cited = f"cited by {', '.join(row['cited_by'])} in coded excerpts" if row["cited_by"] else "in the bibliography, cited by no coded excerpt"
        note = plain(entry.fields.get("note", ""))
        rows.append({"id": row["key"], "title": row["title"], "authors": authors, "year": row["year"],
                     "doi": plain(entry.fields.get("doi", "")), "abstract": "",
                     "journal": plain(entry.fields.get("journal", "") or entry.fields.get("booktitle", "") or entry.fields.get("institution", "")),
                     "notes": f"{cited}" + (f"; {note}" if note else "")})
    return rows


def _table_rows(path: Path) -> list[list[str]]:
    return [cells for _line, cells in read_table(str(path))] if path.is_file() else []


def _csv(rows: list[list[str]], kept: int) -> str:
    # The file's own rows stay as they were; the cells added (titles from the bibliography) are never a live formula.
    return csv_text(rows, kept)


def add_citation_records(data: dict, bibliography_path: str, folder: str | Path, search: str, date: str) -> tuple[int, int]:
    """Write the candidates not yet recorded into ``records/<search>.csv`` and the search's row;
    return (added, total records of the search)."""
    folder = Path(folder)
    records_path = folder / f"{search}.csv"
    existing = _table_rows(records_path)
    header = [h.strip().lower() for h in existing[0]] if existing else list(RECORD_COLUMNS)
    known = {cells[header.index("id")] for cells in existing[1:] if "id" in header and len(cells) > header.index("id")}
    new = [r for r in candidate_rows(data, bibliography_path) if r["id"] not in known]
    rows = (existing or [header]) + [[r.get(c, "") for c in header] for r in new]
    write_atomic(records_path, _csv(rows, len(existing)))
    total = len(rows) - 1
    searches_path = folder / "searches.csv"
    read = _table_rows(searches_path)
    table = read or [list(SEARCH_COLUMNS)]
    columns = [h.strip().lower() for h in table[0]]
    mine = [cells for cells in table[1:] if cells and cells[columns.index("id")] == search]
    if mine:
        mine[0] += [""] * (len(columns) - len(mine[0]))
        mine[0][columns.index("results")] = str(total)
    else:
        values = {"id": search, "source": "citation_searching", "name": "Reference lists of the sources", "date": date,
                  "query": QUERY, "results": str(total), "notes": ""}
        table.append([values.get(c, "") for c in columns])
    write_atomic(searches_path, _csv(table, len(read)))
    return len(new), total


__all__ = ["add_citation_records", "candidate_rows"]
