"""How a new source came into the review, recorded by ``review add-source`` where the review keeps
``records/`` (the build refuses a source that is neither an included record nor listed in review.yaml's
``screening.added_otherwise``).

By default the document becomes a record of the review's ``provided`` search (documents the team
provided), e.g. a row of ``records/team.csv``, included at title/abstract and full text with the new
source named, and the search's result count in ``records/searches.csv`` goes up by one. ``--search``
picks another search, ``--record`` says the document is an existing record (its full text now
retrieved), ``--added-otherwise`` lists it in review.yaml instead. Every change is planned as whole file
contents and checked by the records stage on a copy of ``records/`` before anything is written.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis.prisma import build_records, deduplicate, screening_settings
from ..common.problems import InputError, Problem, suggest
from ..common.textio import read_text
from ..inputs import layout, yamlio
from ..inputs.bibliography import BibEntry, plain
from ..inputs.records import RECORD_COLUMNS, SCREENING_COLUMNS, load_records
from ..inputs.sources import split_front_matter
from .protocol_edit import add_added_otherwise

CSV_RECORDS = (".csv", ".bib")  # records files a row or entry can be appended to
PROVIDED = "provided"
DEFAULT_SCREENER = "review-team"


@dataclass
class Intake:
    """How the document came in (from add-source's options)."""
    search: str | None = None
    record: str | None = None
    added_otherwise: bool = False
    screener: str = DEFAULT_SCREENER
    date: str = ""


@dataclass
class Edit:
    """One file's new contents and what to tell the co-author about it."""
    path: str
    text: str
    note: str


def source_roles(sources_dir: str = layout.SOURCES) -> list[dict[str, str]]:
    """Every source's citekey, path and role, from front matter only (nothing located); a source whose
    front matter cannot be read has role '' (its own problems are the source check's)."""
    found = []
    for path in layout.source_files(sources_dir):
        front = Path(path).with_suffix(layout.SIDECAR_SUFFIX) if Path(path).suffix.lower() == ".pdf" else Path(path)
        role = ""
        try:
            text = read_text(front)[0]
            meta = yamlio.load(text if front.suffix == layout.SIDECAR_SUFFIX else split_front_matter(text, str(front))[0], str(front))[0]
            role = str(meta.get("role") or "") if isinstance(meta, dict) else ""
        except (InputError, OSError):
            pass
        found.append({"citekey": Path(path).stem, "path": path, "role": role})
    return found


def records_problems(folder: str, protocol: dict, protocol_path: str, protocol_text: str, sources: list[dict]) -> list[Problem]:
    """The records stage's problems, as the build reports them."""
    try:
        loaded = load_records(folder)
        if loaded is not None:
            build_records(loaded, protocol, sources, protocol_path, protocol_text)
    except InputError as err:
        return err.problems
    return []


def _line_end(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _row_text(cells: list[str], end: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator=end).writerow(cells)
    return out.getvalue()


def _header(text: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text, newline="")), [])
    return [name.strip().lower() for name in first]


def append_rows(text: str, header: tuple[str, ...], rows: list[dict[str, str]]) -> tuple[str, int]:
    """A CSV table's text with ``rows`` appended under its own header (``header`` when the file is new),
    and the line the first new row starts on."""
    end = _line_end(text) if text else "\n"
    if text and not text.endswith(("\n", "\r")):
        text += end
    if not text.strip():
        text = _row_text(list(header), end)
    names = _header(text)
    missing = sorted({k for row in rows for k, v in row.items() if v} - set(names))
    if missing:
        raise InputError([Problem("", 1, f"has no column {', '.join(missing)}: add it to the header")])
    first_line = text.count("\n") + 1
    return text + "".join(_row_text([row.get(name, "") for name in names], end) for row in rows), first_line


def replace_cells(text: str, line: int, values: dict[str, str]) -> str:
    """A CSV table's text with the named cells of the row starting on ``line`` changed (other rows untouched)."""
    names = _header(text)
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for cells in reader:
        if start == line:
            cells = cells + [""] * (len(names) - len(cells))
            for name, value in values.items():
                cells[names.index(name)] = value
            lines = text.splitlines(keepends=True)
            ending = lines[reader.line_num - 1][len(lines[reader.line_num - 1].rstrip("\r\n")):] or _line_end(text)
            return "".join(lines[: line - 1]) + _row_text(cells, ending) + "".join(lines[reader.line_num:])
        start = reader.line_num + 1
    raise InputError([Problem("", line, "no such row")])


def _record_row(entry: BibEntry, source_path: str) -> dict[str, str]:
    field = lambda name: plain(entry.fields.get(name, ""))  # noqa: E731
    return {"id": entry.key, "title": entry.title, "authors": "; ".join(entry.names()), "year": entry.year,
            "doi": field("doi"), "abstract": field("abstract"), "journal": field("journal") or field("booktitle"),
            "notes": f"Added with review add-source; full text in {source_path}"}


def _decision(record: str, stage: str, how: Intake, source: str = "", notes: str = "") -> dict[str, str]:
    return {"record": record, "stage": stage, "decision": "include", "reason": "", "screener": how.screener,
            "date": how.date, "source": source, "notes": notes}


class _Plan:
    """Planned edits of records/ files, checked on a copy of the folder."""

    def __init__(self, folder: str):
        self.folder = Path(folder)
        self.edits: dict[str, Edit] = {}

    def text(self, path: str) -> str:
        return self.edits[path].text if path in self.edits else (read_text(path)[0] if Path(path).is_file() else "")

    def set(self, path: str, text: str, note: str) -> None:
        old = self.edits[path].note if path in self.edits else ""
        self.edits[path] = Edit(path, text, "; ".join(n for n in (old, note) if n))

    def load(self, protocol: dict, protocol_path: str, protocol_text: str, sources: list[dict], check: bool) -> tuple[dict, list[Problem]]:
        """The records as planned, and (with ``check``) the records stage's problems, paths as in the review."""
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / self.folder.name
            shutil.copytree(self.folder, copy)
            for path, edit in self.edits.items():
                (copy / Path(path).relative_to(self.folder)).write_text(edit.text, encoding="utf-8", newline="")
            fix = lambda value: value.replace(str(copy), str(self.folder)) if isinstance(value, str) else value  # noqa: E731
            try:
                loaded = load_records(copy)
            except InputError as err:
                return {}, [Problem(fix(p.path), p.line, fix(p.message)) for p in err.problems]
            problems = records_problems(str(copy), protocol, protocol_path, protocol_text, sources) if check else []
            for row in loaded["records"] + loaded["screening"] + loaded["searches"]:
                row["path"] = fix(row["path"])
            loaded["files"] = {search: fix(path) for search, path in loaded["files"].items()}
            loaded["searches_path"] = fix(loaded["searches_path"])
            return loaded, [Problem(fix(p.path), p.line, fix(p.message)) for p in problems]


def plan_intake(entry: BibEntry, entry_text: str, source_path: str, role: str, how: Intake, protocol: dict,
                protocol_path: str, protocol_text: str, sources_dir: str = layout.SOURCES,
                folder: str = layout.RECORDS) -> tuple[list[Edit], str, str, str]:
    """The edits of records/ that record how the document came in; the protocol text (changed for
    ``--added-otherwise``) and what was changed in it; advice for the co-author. Raise
    :class:`InputError` when the result would not build."""
    asked = how.search or how.record or how.added_otherwise
    if not Path(folder).is_dir():
        if asked:
            raise InputError([Problem(folder, 1, "this review keeps no records/ folder, so there is no search or screening to record the source in: leave out --search, --record and --added-otherwise")])
        return [], protocol_text, "", ""
    if role == "protocol":
        return [], protocol_text, "", "records: none needed, the review's protocol document is never a record"
    key = entry.key
    sources = [s for s in source_roles(sources_dir) if s["citekey"] != key] + [{"citekey": key, "path": source_path, "role": role}]
    before = records_problems(folder, protocol, protocol_path, protocol_text, sources)
    plan = _Plan(folder)
    loaded, unreadable = plan.load(protocol, protocol_path, protocol_text, sources, check=False)
    if unreadable:
        raise InputError(unreadable + [Problem(folder, 1, "add-source records the new source in records/, which cannot be read now: fix these first (review check), then run add-source again")])
    new_protocol, listed = protocol_text, ""
    if how.added_otherwise:
        new_protocol = add_added_otherwise(protocol_text, key, protocol_path)
        listed = f"{key} listed in screening.added_otherwise (a source that came in without a record of a search)"
    elif how.record:
        _existing_record(plan, loaded, how, key, source_path)
    else:
        _new_record(plan, loaded, how, entry, entry_text, source_path, protocol, protocol_path, protocol_text, sources)
    data = yamlio.load(new_protocol, protocol_path)[0] if new_protocol != protocol_text else protocol
    _loaded, after = plan.load(data, protocol_path, new_protocol, sources, check=True)
    new = [p for p in after if str(p) not in {str(b) for b in before}]
    if new:
        raise InputError(new + [Problem(folder, 1, f"recording '{key}' this way would not build (above); nothing was written")])
    return list(plan.edits.values()), new_protocol, listed, ""


def _choose_search(loaded: dict, how: Intake) -> dict[str, Any]:
    searches = {s["id"]: s for s in loaded["searches"]}
    if how.search:
        if how.search not in searches:
            raise InputError([Problem(loaded["searches_path"], 1, f"no search '{how.search}': {suggest(how.search, list(searches))}")])
        return searches[how.search]
    provided = [s for s in loaded["searches"] if s["source"] == PROVIDED]
    if len(provided) != 1:
        found = f"{len(provided)} searches of source '{PROVIDED}' ({', '.join(s['id'] for s in provided)})" if provided else f"no search of source '{PROVIDED}' (documents the team provided)"
        raise InputError([Problem(loaded["searches_path"], 1, f"{found}: say how the document came in with --search ID (one of {', '.join(searches)}), "
                                  "--record ID (it is a record already screened), or --added-otherwise")])
    return provided[0]


def _new_record(plan: _Plan, loaded: dict, how: Intake, entry: BibEntry, entry_text: str, source_path: str,
                protocol: dict, protocol_path: str, protocol_text: str, sources: list[dict]) -> None:
    search = _choose_search(loaded, how)
    path = loaded["files"].get(search["id"], str(plan.folder / f"{search['id']}.csv"))
    if Path(path).suffix.lower() not in CSV_RECORDS:
        raise InputError([Problem(path, 1, f"add-source appends records to .csv or .bib records files only: add the document to {path} yourself "
                                  "(and its screening decisions), or pass --search ID for a search kept as CSV, or --added-otherwise")])
    if Path(path).suffix.lower() == ".bib":
        text = plan.text(path)
        plan.set(path, (text.rstrip("\n") + "\n\n" if text.strip() else "") + entry_text.strip("\n\ufeff") + "\n", "")
    else:
        row, names = _record_row(entry, source_path), _header(plan.text(path)) or list(RECORD_COLUMNS)
        kept = [f"{name}: {row.pop(name)}" for name in list(row) if name not in names and row[name] and name != "notes"]
        row["notes"] = "; ".join([row["notes"]] + kept)  # what the file has no column for is kept in its notes
        if "notes" not in names:
            del row["notes"]
        try:
            text, _line = append_rows(plan.text(path), RECORD_COLUMNS, [row])
        except InputError as err:
            raise InputError([Problem(path, 1, p.message) for p in err.problems]) from None
        plan.set(path, text, "")
    held = sum(1 for r in loaded["records"] if r["search"] == search["id"])
    if search["results"] == held:
        if Path(search["path"]).suffix.lower() != ".csv":
            raise InputError([Problem(search["path"], search["line"], f"add-source edits searches.csv only: raise search '{search['id']}''s results to {held + 1} yourself, then run add-source again")])
        plan.set(search["path"], replace_cells(plan.text(search["path"]), search["line"], {"results": str(held + 1)}),
                 f"search '{search['id']}' now reports {held + 1} results")
    after, _problems = plan.load(protocol, protocol_path, protocol_text, sources, check=False)
    ids = {r["id"] for r in loaded["records"]}
    added = [r for r in after["records"] if r["id"] not in ids]
    if len(added) != 1:
        raise InputError([Problem(path, 1, f"expected one new record after adding '{entry.key}', found {len(added)}: add it and its screening decisions yourself")])
    record = added[0]["id"]
    plan.edits[path].note = f"record {record} of the search '{search['id']}' ({search['name'] or search['source']})"
    for dup in deduplicate(after["records"], screening_settings(protocol)["threshold"]):
        if record in (dup["record"], dup["kept"]):
            other = dup["kept"] if dup["record"] == record else dup["record"]
            there = next(r for r in after["records"] if r["id"] == other)
            raise InputError([Problem(there["path"], there["line"], f"'{entry.key}' looks like the record '{other}' already in records/ ({dup['reason']}): "
                                      f"if the document is that record, run add-source with --record {other} instead (its full text is then recorded as retrieved)")])
    screening = str(plan.folder / "screening.csv")
    text, _line = append_rows(plan.text(screening), SCREENING_COLUMNS, [
        _decision(record, "title_abstract", how, notes="Added with review add-source."),
        _decision(record, "full_text", how, entry.key, f"Full text in {source_path}.")])
    plan.set(screening, text, f"{record} included at title_abstract and full_text (source {entry.key}), screener {how.screener}")


def _existing_record(plan: _Plan, loaded: dict, how: Intake, key: str, source_path: str) -> None:
    records = {r["id"]: r for r in loaded["records"]}
    if how.record not in records:
        raise InputError([Problem(str(plan.folder), 1, f"no record '{how.record}': {suggest(how.record, list(records))}")])
    rows = {r["stage"]: r for r in loaded["screening"] if r["record"] == how.record}
    first, full = rows.get("title_abstract"), rows.get("full_text")
    if first and first["decision"] not in ("include", "maybe"):
        raise InputError([Problem(first["path"], first["line"], f"record '{how.record}' was excluded at title_abstract: change that decision first if the document belongs in the review")])
    if full and full["decision"] in ("include", "exclude"):
        raise InputError([Problem(full["path"], full["line"], f"record '{how.record}' already has a full_text {full['decision']}"
                                  + (f" (source {full['source']})" if full["source"] else "") + ": change it yourself if the document is this record")])
    screening = str(plan.folder / "screening.csv")
    notes = []
    if first is None:
        text, _line = append_rows(plan.text(screening), SCREENING_COLUMNS, [_decision(how.record, "title_abstract", how, notes="Added with review add-source.")])
        plan.set(screening, text, "")
        notes.append("included at title_abstract")
    if full is None:
        text, _line = append_rows(plan.text(screening), SCREENING_COLUMNS, [_decision(how.record, "full_text", how, key, f"Full text in {source_path}.")])
        plan.set(screening, text, "")
    elif Path(full["path"]).suffix.lower() != ".csv":
        raise InputError([Problem(full["path"], full["line"], f"add-source edits screening.csv only: set this row to a full_text include with source {key} yourself")])
    else:
        path = full["path"]
        plan.set(path, replace_cells(plan.text(path), full["line"], {
            "decision": "include", "reason": "", "source": key, "screener": how.screener, "date": how.date,
            "notes": f"Full text retrieved later ({full['decision']} before): {source_path}."}), "")
    notes.append(f"included at full_text (source {key}), screener {how.screener}")
    plan.edits[screening if screening in plan.edits else full["path"]].note = f"{how.record} " + " and ".join(notes)


__all__ = ["Edit", "Intake", "append_rows", "plan_intake", "records_problems", "replace_cells", "source_roles"]
