"""``review sheet``: a new extraction sheet for a source, a copy of its sheet in the other format, or
(``--replace``) its CSV sheet turned into an Excel sheet, or back, with every row.

A sheet is the co-author's work, so no row is ever lost: a copy is read back and compared cell by cell
before it counts, and ``--replace`` removes the old sheet only after that.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..common.problems import InputError, Problem, suggest
from ..common.textio import write_atomic
from ..inputs import layout
from ..inputs.sheets import OPTIONAL, REQUIRED, read_table
from ..inputs.sources import CITEKEY_PATTERN
from ..inputs.writes import permit
from .scaffold import sheet_csv

KNOWN = {name: name for name in REQUIRED + OPTIONAL}


def _rows(n: int) -> str:
    return "no rows" if n == 0 else f"{n} row{'s' if n != 1 else ''}"


def sheet_rows(path: str) -> tuple[list[str], list[dict[str, str]]]:
    """A sheet's column names (the standard ones in lower case) and every row that holds anything, as
    written; refuse a cell under no column heading, which a copy could not keep."""
    table = read_table(path)
    if not table:
        return [], []
    header = [KNOWN.get(raw.strip().lower(), raw.strip()) for raw in table[0][1]]
    rows = []
    for line, cells in table[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        loose = [i for i, cell in enumerate(cells) if cell.strip() and (i >= len(header) or not header[i])]
        if loose:
            raise InputError([Problem(path, line, "a cell under no column heading: give its column a heading "
                                      "(or remove the cell) before copying the sheet")])
        rows.append({name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name})
    return [name for name in header if name], rows


def _write(target: Path, header: list[str], rows: list[dict[str, str]], protocol: dict | None) -> None:
    if target.suffix.lower() == ".xlsx":
        from .workbook import write_workbook

        write_workbook(target, protocol or {}, rows)
        return
    if not rows:
        write_atomic(target, sheet_csv())
        return
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header] + [[row.get(n, "") for n in header] for row in rows])
    write_atomic(target, out.getvalue())


def _same(rows: list[dict[str, str]], again: list[dict[str, str]]) -> bool:
    filled = lambda row: {k: v for k, v in row.items() if v}  # noqa: E731
    return [filled(r) for r in rows] == [filled(r) for r in again]


def create_sheet(citekey: str, xlsx: bool, output: str | None, protocol: dict | None, coder: str | None = None,
                 replace: bool = False, coder_name: str | None = None) -> str:
    """Write a sheet for a source and return what was done. Never overwrites a file.

    With ``coder``: the independent sheet ``extraction/coders/<coder>/<citekey>.csv|xlsx`` (double
    coding), empty: never a copy of the consensus sheet. With ``output``: a copy of the source's sheet,
    with every row, in the format the name says. With ``replace``: the sheet in the other format is
    turned into this one and then removed (one sheet per source). ``coder_name`` declares an undeclared
    ``coder`` in review.yaml's ``coders``.
    """
    stems = {Path(p).stem for p in layout.source_files()}
    if citekey not in stems:
        raise InputError([Problem(layout.SOURCES, 1, f"no source '{citekey}': {suggest(citekey, sorted(stems))}")])
    declared = [c["id"] for c in (protocol or {}).get("coders") or []]
    if coder_name is not None and (coder is None or not declared):
        raise InputError([Problem(layout.PROTOCOL, 1, "--coder-name declares the coder given with --coder in review.yaml's coders"
                                  + ("" if coder is not None else ": give --coder ID too") + ("" if declared or coder is None else
                                  "; this review declares no coders, so any coder id is accepted as it is: leave it out"))])
    if coder is not None and not re.match(CITEKEY_PATTERN, coder):
        raise InputError([Problem(layout.PROTOCOL, 1, f"coder id '{coder}' names a folder: use letters, digits, '_', '.' and '-'")])
    declare = coder is not None and bool(declared) and coder not in declared
    if declare and not coder_name:
        raise InputError([Problem(layout.PROTOCOL, 1, f"unknown coder '{coder}' (declare coders in review.yaml): {suggest(coder, declared)}; "
                                  f"to declare {coder}, add --coder-name \"Their Name\"")])
    if replace and output:
        raise InputError([Problem(output, 1, "--replace turns the source's sheet into the other format in place; "
                                  "--output writes a copy elsewhere: give one")])
    folder = Path(layout.EXTRACTION) / layout.CODERS / coder if coder is not None else Path(layout.EXTRACTION)
    existing = sorted(str(p) for p in folder.glob(f"{citekey}.*") if p.suffix.lower() in layout.SHEET_SUFFIXES and p.is_file())
    target = Path(output) if output else folder / f"{citekey}.{'xlsx' if xlsx else 'csv'}"
    if len(existing) > 1:
        raise InputError([Problem(existing[1], 1, f"two sheets for '{citekey}': keep one of {' and '.join(existing)}")])
    if target.exists() and not (replace and str(target) in existing):
        raise InputError([Problem(str(target), 1, "already exists; `review sheet` never overwrites a file")])
    if replace and not existing:
        raise InputError([Problem(str(target), 1, f"'{citekey}' has no sheet in {folder} to replace: leave out --replace for a new one")])
    if replace and existing[0] == str(target):
        raise InputError([Problem(str(target), 1, f"already a {target.suffix} sheet; --replace turns a sheet into the other "
                                  "format (--xlsx for Excel, without it CSV)")])
    # An independent coder's sheet is in their own folder: it never starts from the consensus sheet's rows.
    source = existing[0] if existing else None
    header, rows = sheet_rows(source) if source else ([], [])
    if source and not (output or replace):
        other = "--xlsx --replace" if target.suffix.lower() == ".xlsx" else "--replace"
        command = f"review sheet {citekey}{' --coder ' + coder if coder else ''} {other}"
        raise InputError([Problem(source, 1, f"'{citekey}' already has a sheet ({_rows(len(rows))}): `{command}` turns it into "
                                  f"{target} with every row and removes {source}; --output FILE writes a copy elsewhere")])
    if declare:
        from ..inputs.door import read_input
        from .protocol_edit import add_coder

        text = add_coder(read_input(layout.PROTOCOL)[0], coder, coder_name, layout.PROTOCOL)  # checked before anything is written
    permit("sheet", target, *([source] if replace else []), *([layout.PROTOCOL] if declare else []), citekey=citekey,
           **({"coder": coder} if coder is not None else {}))  # before anything is written
    _write(target, header, rows, protocol)
    if declare:
        write_atomic(layout.PROTOCOL, text)
        return f"wrote {target}\nwrote {layout.PROTOCOL}: coder {coder} ({coder_name}) added to coders"
    if source:
        if not _same(rows, sheet_rows(str(target))[1]):
            target.unlink(missing_ok=True)
            raise InputError([Problem(str(target), 1, f"the copy did not read back as {source} did: nothing was written; "
                                      "report this as a bug")])
        if replace:
            Path(source).unlink()
            return f"wrote {target} with the {_rows(len(rows))} of {source}, and removed {source} (a source has one sheet)"
        return f"wrote {target} with the {_rows(len(rows))} of {source}"
    return f"wrote {target}"


__all__ = ["create_sheet", "sheet_rows"]
