"""A search's records file, read as the database saved it: its format is told from its content.

Formats: RIS, Web of Science plain text, PubMed/MEDLINE, Ovid, BibTeX, and tables (CSV or tab-delimited,
each database's columns or this project's header). A file whose content is not what its name says is
read by its content, with a warning naming the format it looks like. A record that cannot be read whole
is read as far as it goes and counted, with a warning naming its lines; a file with no record is an error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..common.problems import InputError, Problem, suggest, warning
from .door import read_input_bytes, refused

# What a file's name promises, by suffix ('.txt' promises nothing: any tagged export or a table).
FORMAT_NAMES = {"ris": "RIS", "wos": "Web of Science plain text", "medline": "PubMed/MEDLINE", "ovid": "Ovid",
                "bibtex": "BibTeX", "table": "CSV"}
EXPECTED = {".ris": {"ris"}, ".bib": {"bibtex"}, ".csv": {"table"}, ".tsv": {"table"}, ".nbib": {"medline"},
            ".txt": {"ris", "wos", "medline", "ovid", "table"}}
MAX_RECORDS_BYTES = 512 * 1024 * 1024
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SNIFF_LINES = 200


_UNKNOWN = ("cannot tell the format of these records: expected RIS (TY  - ), Web of Science plain text (PT ), "
            "PubMed/MEDLINE (PMID- ), Ovid (<1. >), BibTeX (@article{...}) or a table with a header row")
_EMPTY_FILE = "empty: no records; a search that found nothing needs no file (give it results 0 in searches.csv)"


def decode_export(data: bytes, path: str) -> tuple[str, list[Problem]]:
    """Text of an export: UTF-8 (BOM or not) or UTF-16 by its BOM; else Windows-1252, with a warning.
    Control characters (a database's stray bytes) become U+FFFD, with a warning at the first."""
    found = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data.count(b"\n", 0, err.start) + 1
            found.append(warning(path, line, "RECORDS_ENCODING", f"not UTF-8 (byte 0x{data[err.start]:02x}): read as "
                                 "Windows-1252; check accented letters, or export the records again as UTF-8"))
            text = data.decode("cp1252", errors="replace")
    text = text.lstrip("\ufeff")
    first = _CONTROL.search(text)
    if first:
        n = len(_CONTROL.findall(text))
        found.append(warning(path, text.count("\n", 0, first.start()) + 1, "RECORDS_CONTROL",
                             f"{n} control character{'s' if n > 1 else ''} (first U+{ord(first.group()):04X}) "
                             "replaced by U+FFFD"))
        text = _CONTROL.sub("\ufffd", text)
    return text, found


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.M) is not None


def sniff(text: str) -> str:
    """The format the content looks like: a key of ``FORMAT_NAMES``, or '' when none."""
    lines = [line for line in text.splitlines()[:_SNIFF_LINES] if line.strip()]
    head = "\n".join(lines)
    if not lines:
        return ""
    ris = _has(r"^\s{0,2}TY  -", head)
    if _has(r"^\s*@\s*[A-Za-z]+\s*[{(]", head) and not ris:
        return "bibtex"
    if ris:
        return "ris"
    if _has(r"^(FN (Clarivate|Thomson)|PT [A-Z]$)", head) and _has(r"^(TI|AU|UT) ", head):
        return "wos"
    if _has(r"^VN  - Ovid", head) or (_has(r"^<\s*\d+\.?\s*>\s*$", head) and _has(r"^[A-Z][A-Z0-9]  - ", head)):
        return "ovid"
    if _has(r"^[A-Z][A-Z0-9]{2,3} ?-", head):  # MEDLINE's tags of three or four letters (PMID-, FAU -)
        return "medline"
    if len(re.findall(r"^[A-Z][A-Z0-9]  - ", head, re.M)) >= 3:
        return "ris"  # RIS fields without a TY line: read as RIS, each such record reported
    return "table" if any(d in lines[0] for d in ",\t;") else ""


def read_export(path: str, search: str, problems: list[Problem]) -> list[dict[str, Any]]:
    """The records of ``path`` (a records file of ``search``); errors and warnings go to ``problems``."""
    file = Path(path)
    if refused(path):  # a link out of the review or a folder: refused before anything is read
        raise InputError(refused(path))
    if file.stat().st_size > MAX_RECORDS_BYTES:
        limit = MAX_RECORDS_BYTES // 2**20
        raise InputError([Problem(path, 1, f"too large: at most {limit} MiB of records per file; split the export")])
    text, found = decode_export(read_input_bytes(path, MAX_RECORDS_BYTES + 1), path)
    problems += found
    kind = sniff(text)
    if not text.strip():
        raise InputError([Problem(path, 1, _EMPTY_FILE)])
    if not kind:
        raise InputError([Problem(path, 1, _UNKNOWN)])
    expected = EXPECTED.get(file.suffix.lower(), set())
    if kind not in expected:
        said = ", ".join(FORMAT_NAMES[k] for k in sorted(expected)) if expected else "nothing"
        problems.append(warning(path, 1, "RECORDS_FORMAT", f"looks like {_described(kind, text)}, not {said} as its name "
                                f"says: read as {FORMAT_NAMES[kind]}; rename it {file.stem}{_suffix(kind)}"))
    raws, fmt = _raw_records(text, kind, path, problems)
    records = _records(raws, search, path, fmt, problems)
    if not records:
        problems.append(Problem(path, 1, f"no record could be read from this {FORMAT_NAMES[kind]} file"))
    return records


def _records(raws: list[dict[str, Any]], search: str, path: str, fmt: str, problems: list[Problem]) -> list[dict]:
    """The records of the raw fields, each warned about where it could not be read whole or has no year."""
    from .record_fields import clean, make_record

    records, keys = [], {}
    for n, raw in enumerate(raws, start=1):
        key = str(raw.get("key") or "").strip() or str(n)
        if key in keys and raw.get("export_key", True):
            problems.append(warning(path, raw["line"], "RECORDS_DUPLICATE_KEY", f"the record on line {raw['line']} has "
                                    f"the same id '{key}' as the record on line {keys[key]}: its id here is "
                                    f"'{key}~{n}' (its position added)"))
            key = f"{key}~{n}"
        keys.setdefault(key, raw["line"])
        fields = {name: raw.get(name, "") for name in ("title", "year", "date", "doi", "abstract", "journal", "notes")}
        record = make_record(search, key, path, raw["line"], authors=raw.get("authors", ()), keywords=raw.get("keywords", ()),
                             fmt=fmt, partial=raw.get("partial", ""), end=raw.get("end", 0), **fields)
        at = record["line"]
        where = f"lines {at}-{record['end']}" if record["end"] > at else f"line {at}"
        if record["partial"]:
            problems.append(warning(path, at, "RECORD_PARTIAL", f"the record on {where} could not be read whole "
                                    f"({record['partial']}): read as far as it goes, as {record['id']} ({_named(record)})"))
        if not record["year"] and raw.get("year_expected", True):
            given = f" (its year field says '{clean(raw['given_year'])[:40]}')" if raw.get("given_year") else ""
            problems.append(warning(path, at, "RECORD_NO_YEAR", f"the record on {where} ({_named(record)}) has no "
                                    f"four-digit year in its year or date fields{given}: its year is left empty"))
        records.append(record)
    return records


def _named(record: dict[str, Any]) -> str:
    return f"'{record['title'][:60]}{'...' if len(record['title']) > 60 else ''}'" if record["title"] else "no title"


def _described(kind: str, text: str) -> str:
    if kind != "table":
        return FORMAT_NAMES[kind]
    from .export_tables import dialect_of, rows_of

    delimiter, rows = rows_of(text)
    name = dialect_of(rows)[0].name
    return name + (" (tab-delimited)" if delimiter == "\t" and "tab" not in name else "")


def _suffix(kind: str) -> str:
    return {"ris": ".ris", "wos": ".txt", "medline": ".nbib", "ovid": ".txt", "bibtex": ".bib", "table": ".csv"}[kind]


def _raw_records(text: str, kind: str, path: str, problems: list[Problem]) -> tuple[list[dict[str, Any]], str]:
    if kind == "bibtex":
        from .export_bib import bib_records

        return list(bib_records(text)), "BibTeX"
    if kind == "table":
        return _table(text, path, problems)
    from .tagged import FORMATS, read_tagged

    raws = []
    for chunk, fields in read_tagged(text, kind):
        raws.append(fields | {"line": chunk.start, "end": chunk.end, "partial": chunk.partial})
    return raws, FORMATS[kind].name


def _ours_or_generic(rows, header: int, path: str, problems: list[Problem]):
    """This project's header, checked strictly; or a table from an export not listed, read by its column
    names with a warning saying which columns were read (a column that is a typo of ours is an error)."""
    import difflib

    from .export_tables import EXPORT_NAMES, GENERIC, OURS, RECORD_COLUMNS, generic_columns, unknown_columns

    line = rows[header][0] if rows else 1
    unknown = unknown_columns(rows, header)
    typos = [n for n in unknown if difflib.get_close_matches(n, RECORD_COLUMNS, n=1, cutoff=0.6)]
    used = generic_columns(rows, header)
    if used["title"] and len(unknown) - len(typos) >= max(len(typos), 1):  # mostly another tool's columns
        shown = ", ".join(f"{field} from '{column}'" for field, column in used.items() if column)
        problems.append(warning(path, line, "RECORDS_COLUMNS", f"not a table this tool knows ({', '.join(EXPORT_NAMES)} or this "
                                f"project's header): read {shown}; other columns are ignored"))
        return GENERIC
    names = [c.strip().lower() for c in rows[header][1]] if rows else []
    if "title" not in names:
        problems.append(Problem(path, line, f"missing column 'title'; this project's records have the columns "
                                f"{', '.join(RECORD_COLUMNS)}, or give a database's export as saved ({', '.join(EXPORT_NAMES)})"))
    for name in unknown:
        problems.append(Problem(path, line, f"unknown column '{name}': {suggest(name, RECORD_COLUMNS)} "
                                f"(or give a database's export as saved: {', '.join(EXPORT_NAMES)})"))
    return OURS


def _table(text: str, path: str, problems: list[Problem]) -> tuple[list[dict[str, Any]], str]:
    from .export_tables import OURS, dialect_of, rows_of, table_records

    delimiter, rows = rows_of(text)
    dialect, header = dialect_of(rows)
    if dialect is OURS:
        dialect = _ours_or_generic(rows, header, path, problems)
    raws = []
    for raw in table_records(rows, dialect, header):
        if "broken" in raw:
            problems.append(warning(path, raw["line"], "RECORD_PARTIAL", f"the table cannot be read past line {raw['line']} ({raw['broken']})"))
            continue
        if raw["extra"]:
            raw["partial"] = f"{raw['extra']} more cell{'s' if raw['extra'] > 1 else ''} than the header has columns: a quote or "
            raw["partial"] += "separator inside a cell may have split it"
        raw["export_key"] = dialect is not OURS  # a repeated id the team typed is an error (load_records')
        # The team's own file may leave a year out on purpose; a database's export should give one.
        raw["year_expected"] = dialect is not OURS or bool(raw["given_year"].strip())
        raws.append(raw)
    return raws, dialect.name + (" (tab-delimited)" if delimiter == "\t" and "tab" not in dialect.name else "")


__all__ = ["EXPECTED", "FORMAT_NAMES", "MAX_RECORDS_BYTES", "decode_export", "read_export", "sniff"]
