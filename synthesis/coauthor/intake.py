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

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis.prisma import build_records, deduplicate, screening_settings
from ..common.problems import InputError, Problem, suggest
from ..inputs.door import read_input
from ..inputs import layout, yamlio
from ..inputs.bibliography import BibEntry, plain
from ..inputs.records import RECORD_COLUMNS, SCREENING_COLUMNS, load_records
from ..inputs.sources import split_front_matter
from .csvedit import append_rows, header, replace_cells
from .protocol_edit import add_added_otherwise

APPENDABLE = (".csv", ".bib")  # records files a row or an entry can be appended to
PROVIDED = "provided"
DEFAULT_SCREENER = "review-team"
NO_RECORDS = ("this review keeps no records/ folder, so there is no search or screening to record the source in: "
              "leave out --search, --record and --added-otherwise")
UNREADABLE = ("add-source records the new source in records/, which cannot be read now: fix these first (review check), "
              "then run add-source again")


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
        pdf = Path(path).suffix.lower() == ".pdf"
        front = Path(path).with_suffix(layout.SIDECAR_SUFFIX) if pdf else Path(path)
        role = ""
        try:
            text = read_input(front)[0]
            meta = yamlio.load(text if pdf else split_front_matter(text, str(front))[0], str(front))[0]
            role = str(meta.get("role") or "") if isinstance(meta, dict) else ""
        except (InputError, OSError):
            pass
        found.append({"citekey": Path(path).stem, "path": path, "role": role})
    return found


def records_problems(folder: str, protocol: dict, protocol_path: str, protocol_text: str, sources: list[dict]) -> list[Problem]:
    """The records stage's problems and warnings, as the build reports them."""
    try:
        loaded = load_records(folder)
        if loaded is not None:
            build_records(loaded, protocol, sources, protocol_path, protocol_text)
    except InputError as err:
        return err.problems + err.warnings
    return loaded["warnings"] if loaded is not None else []


def _record_row(entry: BibEntry, source_path: str, names: list[str]) -> dict[str, str]:
    """The entry as a row of a CSV records file with these columns; what the file has no column for goes
    into its notes."""
    field = lambda name: plain(entry.fields.get(name, ""))  # noqa: E731
    row = {"id": entry.key, "title": entry.title, "authors": "; ".join(entry.names()), "year": entry.year,
           "doi": field("doi"), "abstract": field("abstract"), "journal": field("journal") or field("booktitle")}
    kept = [f"{name}: {row.pop(name)}" for name in list(row) if name not in names and row[name]]
    return row | ({"notes": "; ".join([f"Added with review add-source; full text in {source_path}"] + kept)} if "notes" in names else {})


def _decision(record: str, stage: str, how: Intake, source: str = "", notes: str = "") -> dict[str, str]:
    return {"record": record, "stage": stage, "decision": "include", "reason": "", "screener": how.screener,
            "date": how.date, "source": source, "notes": notes}


class _Plan:
    """Planned edits of records/ files, read back and checked on a copy of the folder."""

    def __init__(self, folder: str):
        self.folder = Path(folder)
        self.edits: dict[str, Edit] = {}

    def text(self, path: str) -> str:
        if path in self.edits:
            return self.edits[path].text
        return read_input(path)[0] if Path(path).is_file() else ""

    def set(self, path: str, text: str, note: str = "") -> None:
        old = self.edits[path].note if path in self.edits else ""
        self.edits[path] = Edit(path, text, "; ".join(n for n in (old, note) if n))

    def load(self, protocol: dict, protocol_path: str, protocol_text: str, sources: list[dict],
             check: bool) -> tuple[dict, list[Problem]]:
        """The records as planned, and (with ``check``) the records stage's problems; paths as in the review."""
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / self.folder.name
            shutil.copytree(self.folder, copy)
            for path, edit in self.edits.items():
                (copy / Path(path).relative_to(self.folder)).write_text(edit.text, encoding="utf-8", newline="")
            fix = lambda value: value.replace(str(copy), str(self.folder))  # noqa: E731
            try:
                loaded = load_records(copy)
                problems = records_problems(str(copy), protocol, protocol_path, protocol_text, sources) if check else []
            except InputError as err:
                loaded, problems = {}, err.problems
            for row in loaded.get("records", []) + loaded.get("screening", []) + loaded.get("searches", []):
                row["path"] = fix(row["path"])
            if loaded:
                loaded["files"] = {search: fix(path) for search, path in loaded["files"].items()}
                loaded["searches_path"] = fix(loaded["searches_path"])
            return loaded, [Problem(fix(p.path), p.line, fix(p.message), p.severity, p.code) for p in problems]


def plan_intake(entry: BibEntry, entry_text: str, source_path: str, role: str, how: Intake, protocol: dict,
                protocol_path: str, protocol_text: str, sources_dir: str = layout.SOURCES,
                folder: str = layout.RECORDS) -> tuple[list[Edit], str, str, str]:
    """The edits of records/ that record how the document came in; the protocol's text (changed for
    ``--added-otherwise``) and what changed in it; advice for the co-author. Raise
    :class:`InputError` when the result would not build."""
    if not Path(folder).is_dir():
        if how.search or how.record or how.added_otherwise:
            raise InputError([Problem(folder, 1, NO_RECORDS)])
        return [], protocol_text, "", ""
    if role == "protocol":
        return [], protocol_text, "", "records: none needed, the review's protocol document is never a record"
    key = entry.key
    sources = [s for s in source_roles(sources_dir) if s["citekey"] != key] + [{"citekey": key, "path": source_path, "role": role}]
    before = {str(p) for p in records_problems(folder, protocol, protocol_path, protocol_text, sources)}
    plan = _Plan(folder)
    loaded, unreadable = plan.load(protocol, protocol_path, protocol_text, sources, check=False)
    unreadable = [p for p in unreadable if not p.is_warning]
    if unreadable:
        raise InputError(unreadable + [Problem(folder, 1, UNREADABLE)])
    new_protocol, listed = protocol_text, ""
    if how.added_otherwise:
        new_protocol = add_added_otherwise(protocol_text, key, protocol_path)
        listed = f"{key} listed in screening.added_otherwise (a source that came in without a record of a search)"
    elif how.record:
        _existing_record(plan, loaded, how, key, source_path)
    else:
        _new_record(plan, loaded, how, entry, entry_text, source_path, (protocol, protocol_path, protocol_text, sources))
    data = yamlio.load(new_protocol, protocol_path)[0] if new_protocol != protocol_text else protocol
    _loaded, after = plan.load(data, protocol_path, new_protocol, sources, check=True)
    new = [p for p in after if not p.is_warning and str(p) not in before]
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
        found = (f"{len(provided)} searches of source '{PROVIDED}' ({', '.join(s['id'] for s in provided)})" if provided
                 else f"no search of source '{PROVIDED}' (documents the team provided)")
        raise InputError([Problem(loaded["searches_path"], 1, f"{found}: say how the document came in with --search ID "
                                  f"(one of {', '.join(searches)}), --record ID (it is a record already screened), or --added-otherwise")])
    return provided[0]


def _new_record(plan: _Plan, loaded: dict, how: Intake, entry: BibEntry, entry_text: str, source_path: str,
                checking: tuple[dict, str, str, list[dict]]) -> None:
    """A record of the chosen search, and its two include decisions."""
    search = _choose_search(loaded, how)
    path = loaded["files"].get(search["id"], str(plan.folder / f"{search['id']}.csv"))
    if Path(path).suffix.lower() not in APPENDABLE:
        raise InputError([Problem(path, 1, f"add-source appends records to .csv or .bib records files only: add the document to {path} "
                                  "yourself (and its screening decisions), or pass --search ID for a search kept as CSV, or --added-otherwise")])
    text = plan.text(path)
    if Path(path).suffix.lower() == ".bib":
        plan.set(path, (text.rstrip("\n") + "\n\n" if text.strip() else "") + entry_text.strip("\n\ufeff") + "\n")
    else:
        try:
            plan.set(path, append_rows(text, RECORD_COLUMNS, [_record_row(entry, source_path, header(text) or list(RECORD_COLUMNS))]))
        except InputError as err:
            raise InputError([Problem(path, 1, p.message) for p in err.problems]) from None
    held = sum(1 for r in loaded["records"] if r["search"] == search["id"])
    if search["results"] == held:  # else the count is wrong already, and the records check says so
        if Path(search["path"]).suffix.lower() != ".csv":
            raise InputError([Problem(search["path"], search["line"], f"add-source edits searches.csv only: raise the results of "
                                      f"search '{search['id']}' to {held + 1} yourself, then run add-source again")])
        plan.set(search["path"], replace_cells(plan.text(search["path"]), search["line"], {"results": str(held + 1)}),
                 f"search '{search['id']}' now reports {held + 1} results")
    after, _problems = plan.load(*checking, check=False)
    ids = {r["id"] for r in loaded["records"]}
    added = [r for r in after.get("records", []) if r["id"] not in ids]
    if len(added) != 1:
        raise InputError([Problem(path, 1, f"expected one new record after adding '{entry.key}', found {len(added)}: "
                                  "add it and its screening decisions yourself")])
    record = added[0]["id"]
    plan.edits[path].note = f"record {record} of the search '{search['id']}' ({search['name'] or search['source']})"
    _refuse_duplicate(after["records"], record, entry.key, screening_settings(checking[0])["threshold"])
    screening = str(plan.folder / "screening.csv")
    plan.set(screening, append_rows(plan.text(screening), SCREENING_COLUMNS, [
        _decision(record, "title_abstract", how, notes="Added with review add-source."),
        _decision(record, "full_text", how, entry.key, f"Full text in {source_path}.")]),
        f"{record} included at title_abstract and full_text (source {entry.key}), screener {how.screener}")


def _refuse_duplicate(records: list[dict], record: str, key: str, threshold: float) -> None:
    """A new record that de-duplication would join to one already there: say it is probably that record."""
    for dup in deduplicate(records, threshold):
        if record in (dup["record"], dup["kept"]):
            other = dup["kept"] if dup["record"] == record else dup["record"]
            there = next(r for r in records if r["id"] == other)
            raise InputError([Problem(there["path"], there["line"], f"'{key}' looks like the record '{other}' already in records/ "
                                      f"({dup['reason']}): if the document is that record, run add-source with --record {other} "
                                      "instead (its full text is then recorded as retrieved)")])


def _existing_record(plan: _Plan, loaded: dict, how: Intake, key: str, source_path: str) -> None:
    """The document is a record already there: its full text is retrieved, and it is included."""
    records = {r["id"]: r for r in loaded["records"]}
    if how.record not in records:
        raise InputError([Problem(str(plan.folder), 1, f"no record '{how.record}': {suggest(how.record, list(records))}")])
    rows = {r["stage"]: r for r in loaded["screening"] if r["record"] == how.record}
    first, full = rows.get("title_abstract"), rows.get("full_text")
    if first and first["decision"] not in ("include", "maybe"):
        raise InputError([Problem(first["path"], first["line"], f"record '{how.record}' was excluded at title_abstract: "
                                  "change that decision first if the document belongs in the review")])
    if full and full["decision"] in ("include", "exclude"):
        named = f" (source {full['source']})" if full["source"] else ""
        raise InputError([Problem(full["path"], full["line"], f"record '{how.record}' already has a full_text {full['decision']}{named}: "
                                  "change it yourself if the document is this record")])
    if full and Path(full["path"]).suffix.lower() != ".csv":
        raise InputError([Problem(full["path"], full["line"], f"add-source edits screening.csv only: set this row to a full_text "
                                  f"include with source {key} yourself")])
    screening = str(plan.folder / "screening.csv")
    done = []
    if first is None:
        plan.set(screening, append_rows(plan.text(screening), SCREENING_COLUMNS, [
            _decision(how.record, "title_abstract", how, notes="Added with review add-source.")]))
        done.append("included at title_abstract")
    if full is None:
        plan.set(screening, append_rows(plan.text(screening), SCREENING_COLUMNS, [
            _decision(how.record, "full_text", how, key, f"Full text in {source_path}.")]))
    else:
        plan.set(full["path"], replace_cells(plan.text(full["path"]), full["line"], {
            "decision": "include", "reason": "", "source": key, "screener": how.screener, "date": how.date,
            "notes": f"Full text retrieved later ({full['decision']} before): {source_path}."}))
    done.append(f"included at full_text (source {key}), screener {how.screener}")
    plan.edits[screening if screening in plan.edits else full["path"]].note = f"{how.record} " + " and ".join(done)


__all__ = ["DEFAULT_SCREENER", "Edit", "Intake", "plan_intake", "records_problems", "source_roles"]
