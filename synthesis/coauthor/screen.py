"""Screening records: ``review screen`` (one record at a time, single keys), its spreadsheet route, and
snowball candidates turned into citation-searching records.

Decisions are appended to ``records/screening.csv`` as they are made, so quitting keeps them and the next
run resumes at the next unscreened record.
"""

from __future__ import annotations

import io
import os
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable

from ..analysis.prisma import FORWARD, deduplicate, screening_settings
from ..common.problems import InputError, Problem
from ..common.textio import csv_text, visible, write_atomic
from ..inputs.door import read_input
from ..inputs.writes import permit
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
    old = read_input(path)[0] if path.is_file() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    new = ([] if old else [SCREENING_COLUMNS]) + [[row.get(c, "") for c in SCREENING_COLUMNS]]
    write_atomic(path, old + csv_text(new))


class Keys:
    """What the screener presses: single keys, unbuffered, from a terminal; piped in (scripted screening), one key
    per line. ``None`` at the end of input; a line that is not UTF-8 stops the session (:class:`Stopped`)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdin
        self.terminal = self.stream.isatty()
        self.line = 0  # of the piped input, for messages
        self._saved = None

    def open(self) -> None:
        """A terminal reads single keys for the whole session: a key pressed before its prompt (Ctrl-D too) is kept."""
        if self.terminal and self._saved is None:
            import termios
            import tty

            self._saved = termios.tcgetattr(self.stream.fileno())
            tty.setcbreak(self.stream.fileno(), termios.TCSANOW)  # TCSANOW: keep what was typed before

    def close(self) -> None:
        if self._saved is not None:
            import termios

            termios.tcsetattr(self.stream.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None

    def __call__(self) -> str | None:
        if self.terminal:
            self.open()
            pressed = os.read(self.stream.fileno(), 1)
            return None if pressed in (b"", b"\x04") else pressed.decode("utf-8", "replace")  # Ctrl-D: end of input
        raw = self.stream.buffer.readline() if hasattr(self.stream, "buffer") else self.stream.readline().encode("utf-8")
        if not raw:
            return None
        self.line += 1
        try:
            return raw.decode("utf-8").strip()
        except UnicodeDecodeError as err:
            raise Stopped(f"<stdin>:{self.line}: not valid UTF-8 (byte 0x{raw[err.start]:02x}): screening input is one key per line") from None


class Stopped(Exception):
    """Screening stopped on input it cannot use; the decisions recorded before it are kept."""


def screen(loaded: dict, protocol: dict, stage: str, screener: str, date: str, out: str | Path,
           key: Callable[[], str | None] | None = None, say: Callable[[str], None] = print) -> int:
    """Show each unscreened record and record a decision with single keys; return how many were recorded.

    Ends at ``q``, at the end of the input (each decision is written when it is complete, so nothing is
    half-written), and, when the keys are piped in, at a line that is not a key offered (:class:`Stopped`).
    """
    if stage not in DECISIONS:
        raise InputError([Problem(str(out), 1, f"unknown stage '{stage}'")])
    key = key or Keys()
    scripted = not getattr(key, "terminal", True)
    settings = screening_settings(protocol)
    reasons = settings["reasons"][:len(REASON_KEYS)]
    searches = {s["id"]: s for s in loaded["searches"]}
    todo = pending(loaded, stage, settings["threshold"])
    choices = [k for k, d in KEYS.items() if d in DECISIONS[stage]]
    prompt = "  ".join(f"[{k}] {KEYS[k].replace('_', ' ')}" for k in choices) + "  [s] skip  [q] quit"
    recorded = at = 0

    def ask(offered: list[str], record: dict) -> str | None:
        while True:
            got = key()
            if got is None or got.lower() in offered:
                return got if got is None else got.lower()
            if scripted:  # a script that says something else has lost its place: stop before recording a guess
                shown = visible(got if len(got) <= 40 else got[:37] + "...")
                raise Stopped(f"<stdin>:{key.line}: '{shown}' is not a key offered here ({', '.join(k or 'an empty line' for k in offered)}): "
                              f"nothing recorded for {record['id']}")

    getattr(key, "open", lambda: None)()
    try:
        for at, record in enumerate(todo, start=1):
            say(f"\n--- {stage.replace('_', ' ')}: {at} of {len(todo)} unscreened ---")
            say(describe(record, searches))
            say(prompt)
            pressed = ask(choices + ["s", "q"], record)
            if pressed in (None, "q"):
                ended = "End of input: r" if pressed is None else "R"
                say(f"{ended}ecorded {recorded}; {len(todo) - at + 1} left." + (" Run review screen again to go on." if pressed is None else ""))
                return recorded
            if pressed == "s":
                continue
            decision, reason = KEYS[pressed], ""
            if decision == "exclude" and not reasons:
                say("review.yaml declares no screening.reasons, and an exclusion needs one: add them, then screen again.")
                return recorded
            if decision in ("exclude", "not_retrieved") and reasons:
                say("Reason: " + "  ".join(f"[{REASON_KEYS[i]}] {r}" for i, r in enumerate(reasons))
                    + ("" if decision == "exclude" else "  [enter] none"))
                got = ask(list(REASON_KEYS[:len(reasons)]) + ([] if decision == "exclude" else ["", "\n", "\r"]), record)
                if got is None:
                    raise Stopped(f"<stdin>:{getattr(key, 'line', 0) + 1}: the input ended before the reason for {record['id']} "
                                  f"({decision.replace('_', ' ')}): nothing recorded for it")
                reason = reasons[REASON_KEYS.index(got)] if got and got in REASON_KEYS else ""  # "" (enter): none
            append_decision(out, {"record": record["id"], "stage": stage, "decision": decision, "reason": reason,
                                  "screener": screener, "date": date})
            recorded += 1
            say(f"Recorded: {decision}" + (f" ({reason})" if reason else ""))
    except (Stopped, KeyboardInterrupt) as err:
        why = str(err) if isinstance(err, Stopped) else "interrupted"
        raise Stopped(f"{why}; recorded {recorded} before it, {len(todo) - max(at, 1) + 1} left; run review screen again to go on") from None
    finally:
        getattr(key, "close", lambda: None)()  # the terminal as it was
    say(f"Recorded {recorded}; nothing left to screen at {stage.replace('_', ' ')}.")
    return recorded


def export_sheet(loaded: dict, protocol: dict, stage: str, path: str | Path) -> int:
    """The spreadsheet route: write the unscreened records, decision columns empty, to a CSV or XLSX file.

    Saved as ``records/screening.xlsx`` (or .csv) once filled, its rows with a decision count; rows left
    empty are still to do. An existing file is never overwritten.
    """
    path = Path(path)
    permit("screen", path)  # a new file outside the review's inputs: filled decisions are never overwritten
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
        from .workbook import text_cell

        for r, values in enumerate([header] + rows, start=1):
            for c, value in enumerate(values, start=1):
                text_cell(sheet, r, c, value)  # a title from a search export is never a live formula
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
        write_atomic(path, csv_text([header] + rows))
    return len(rows)


__all__ = ["Keys", "Stopped", "append_decision", "describe", "export_sheet", "pending", "screen"]
