"""Screening records: ``review screen`` (one record at a time, single keys), its spreadsheet route, and
snowball candidates turned into citation-searching records.

Decisions are appended to ``records/screening.csv`` as they are made, so quitting keeps them and the next
run resumes at the next unscreened record.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable

from ..analysis.prisma import FORWARD, deduplicate, screening_settings
from ..common.problems import InputError, Problem
from ..common.textio import read_text, write_atomic
from ..inputs.records import DECISIONS, SCREENING_COLUMNS

KEYS = {"i": "include", "e": "exclude", "m": "maybe", "n": "not_retrieved"}
REASON_KEYS = "123456789abcdefghjklmoprtuvwxyz"  # after a decision: pick the reason (no i, n, q, s)


def pending(loaded: dict, stage: str, threshold: float) -> list[dict]:
    """Records still to screen at ``stage``, in record order; duplicates are never screened.

    Full text is for records that title and abstract screening sent on (include or maybe).
    """
    removed = {d["record"] for d in deduplicate(loaded["records"], threshold)}
    done = {(r["record"], r["stage"]): r["decision"] for r in loaded["screening"]}
    out = []
    for record in loaded["records"]:
        if record["id"] in removed or (record["id"], stage) in done:
            continue
        if stage == "full_text" and done.get((record["id"], "title_abstract")) not in FORWARD:
            continue
        out.append(record)
    return out


def describe(record: dict, searches: dict[str, dict], width: int = 78) -> str:
    """What a screener sees: title, authors, year, abstract and where the record came from."""
    search = searches[record["search"]]
    lines = [f"Record {record['id']}", "",
             *textwrap.wrap(record["title"] or "(no title known)", width),
             "; ".join(record["authors"]) or "(no authors known)", record["year"] or "(no year)"]
    if record["doi"]:
        lines.append(f"DOI: {record['doi']}")
    lines.append(f"From: {search['name'] or search['id']} ({search['source'].replace('_', ' ')}), {record['path']}:{record['line']}")
    lines.append("")
    lines += textwrap.wrap(record["abstract"], width) if record["abstract"] else ["(no abstract: screening is on the title alone)"]
    if record["notes"]:
        lines += ["", *textwrap.wrap(f"Notes: {record['notes']}", width)]
    return "\n".join(lines)


def append_decision(path: str | Path, row: dict[str, str]) -> None:
    """Add one decision to the screening CSV (created with its header when missing)."""
    path = Path(path)
    old = read_text(path)[0] if path.is_file() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if not old:
        writer.writerow(SCREENING_COLUMNS)
    writer.writerow([row.get(c, "") for c in SCREENING_COLUMNS])
    write_atomic(path, old + out.getvalue())


def read_key(stream=None) -> str:
    """One key press: unbuffered from a terminal, else the first character of a line."""
    stream = stream or sys.stdin
    if stream.isatty():
        import termios
        import tty

        fd = stream.fileno()
        saved = termios.tcgetattr(fd)
        try:
            tty.setcbreak(fd, termios.TCSANOW)  # TCSANOW: keep a key pressed before the prompt appeared
            return os.read(fd, 1).decode("utf-8", "replace")
        finally:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    line = stream.readline()
    return line[:1] if line else "q"


def screen(loaded: dict, protocol: dict, stage: str, screener: str, date: str, out: str | Path,
           key: Callable[[], str] = read_key, say: Callable[[str], None] = print) -> int:
    """Show each unscreened record and record a decision with single keys; return how many were recorded."""
    if stage not in DECISIONS:
        raise InputError([Problem(str(out), 1, f"unknown stage '{stage}'")])
    settings = screening_settings(protocol)
    reasons = settings["reasons"][:len(REASON_KEYS)]
    searches = {s["id"]: s for s in loaded["searches"]}
    todo = pending(loaded, stage, settings["threshold"])
    choices = [k for k, d in KEYS.items() if d in DECISIONS[stage]]
    prompt = "  ".join(f"[{k}] {KEYS[k].replace('_', ' ')}" for k in choices) + "  [s] skip  [q] quit"
    recorded = 0
    for n, record in enumerate(todo, start=1):
        say(f"\n--- {stage.replace('_', ' ')}: {n} of {len(todo)} unscreened ---")
        say(describe(record, searches))
        while True:
            say(prompt)
            pressed = key().lower()
            if pressed == "q":
                say(f"Recorded {recorded}; {len(todo) - n + 1} left.")
                return recorded
            if pressed == "s" or pressed in choices:
                break
        if pressed == "s":
            continue
        decision, reason = KEYS[pressed], ""
        if decision == "exclude" and not reasons:
            say("review.yaml declares no screening.reasons, and an exclusion needs one: add them, then screen again.")
            return recorded
        if decision in ("exclude", "not_retrieved") and reasons:
            say("Reason: " + "  ".join(f"[{REASON_KEYS[i]}] {r}" for i, r in enumerate(reasons))
                + ("" if decision == "exclude" else "  [enter] none"))
            while True:
                got = key().lower()
                if got in REASON_KEYS[:len(reasons)]:
                    reason = reasons[REASON_KEYS.index(got)]
                    break
                if decision == "not_retrieved" and got in ("\n", "\r", ""):
                    break
        append_decision(out, {"record": record["id"], "stage": stage, "decision": decision, "reason": reason,
                              "screener": screener, "date": date})
        recorded += 1
        say(f"Recorded: {decision}" + (f" ({reason})" if reason else ""))
    say(f"Recorded {recorded}; nothing left to screen at {stage.replace('_', ' ')}.")
    return recorded


def export_sheet(loaded: dict, protocol: dict, stage: str, path: str | Path) -> int:
    """The spreadsheet route: write the unscreened records, decision columns empty, to a CSV or XLSX file.

    Saved as ``records/screening.xlsx`` (or .csv) once filled, its rows with a decision count; rows left
    empty are still to do. An existing file is never overwritten.
    """
    path = Path(path)
    if path.exists():
        raise InputError([Problem(str(path), 1, "already exists: choose another file name (filled decisions would be lost)")])
    searches = {s["id"]: s for s in loaded["searches"]}
    header = list(SCREENING_COLUMNS) + ["title", "authors", "year", "search", "abstract"]
    rows = [[r["id"], stage, "", "", "", "", "", "", r["title"], "; ".join(r["authors"]), r["year"],
             searches[r["search"]]["name"] or r["search"], r["abstract"]] for r in pending(loaded, stage, screening_settings(protocol)["threshold"])]
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.worksheet.datavalidation import DataValidation

        book = Workbook()
        sheet = book.active
        sheet.title = "screening"
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        last = max(len(rows) + 1, 2)
        for column, values in (("C", DECISIONS[stage]), ("D", screening_settings(protocol)["reasons"])):
            if values:
                check = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
                check.add(f"{column}2:{column}{last}")
                sheet.add_data_validation(check)
        buffer = io.BytesIO()
        book.save(buffer)
        write_atomic(path, buffer.getvalue())
    else:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header] + rows)
        write_atomic(path, out.getvalue())
    return len(rows)


__all__ = ["append_decision", "describe", "export_sheet", "pending", "read_key", "screen"]
