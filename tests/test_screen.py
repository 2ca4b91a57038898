"""``review screen`` in a pseudo-terminal, its spreadsheet route, and ``review snowball-records``."""

from __future__ import annotations

import csv
import io
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import recordskit
from synthesis.cli.main import main
from synthesis.coauthor.screen import pending
from synthesis.inputs.records import load_records

ONLY_S1 = "record,stage,decision,reason,screener,date,source,notes\nscopus:S1,title_abstract,include,,AT,2024-06-01,,\n"


class Terminal:
    """A command running in a pseudo-terminal: read its screen, press keys."""

    def __init__(self, *args: str):
        self.master, slave = os.openpty()
        self.process = subprocess.Popen([sys.executable, "-m", "synthesis", *args], stdin=slave, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 30) -> str:
        """Read until ``text`` appears; return everything read so far."""
        end = time.monotonic() + timeout
        while text not in self.seen:
            assert time.monotonic() < end, f"timed out waiting for {text!r}; screen so far:\n{self.seen}"
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += os.read(self.master, 4096).decode("utf-8", "replace")
                except OSError:  # the command ended
                    break
        assert text in self.seen, self.seen
        return self.seen

    def press(self, key: str) -> None:
        os.write(self.master, key.encode())

    def close(self) -> int:
        code = self.process.wait(timeout=30)
        os.close(self.master)
        return code


def _screening_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO(Path("records/screening.csv").read_text(encoding="utf-8"))))


def test_screen_records_a_decision_quits_and_resumes(review):
    recordskit.add_records(review, recordskit.FILES | {"screening.csv": ONLY_S1})
    term = Terminal("screen", "--screener", "AT", "--date", "2024-07-01")
    term.expect("[q] quit")
    assert "Record scopus:S2" in term.seen and "Owning the grid" in term.seen and "Okafor, Chidi; Weber, Lena" in term.seen
    assert "From: Scopus (database), records/scopus.ris:10" in term.seen and "Ownership and trust." in term.seen
    term.press("e")  # exclude: single key, no Enter
    term.expect("[1] wrong_topic  [2] not_empirical")
    term.press("2")
    term.expect("Record scopus:S3")
    term.press("q")
    term.expect("Recorded 1;")
    assert term.close() == 0
    assert _screening_rows()[-1] == {"record": "scopus:S2", "stage": "title_abstract", "decision": "exclude", "reason": "not_empirical",
                                     "screener": "AT", "date": "2024-07-01", "source": "", "notes": ""}
    # Run again: it resumes at the next unscreened record.
    term = Terminal("screen", "--screener", "AT", "--date", "2024-07-02")
    first = term.expect("[q] quit")
    assert "Record scopus:S3" in first and "Record scopus:S2" not in first
    term.press("i")
    term.expect("Record scopus:S4")
    term.press("q")
    term.expect("Recorded 1;")
    assert term.close() == 0
    assert [(r["record"], r["decision"], r["date"]) for r in _screening_rows()] == [
        ("scopus:S1", "include", "2024-06-01"), ("scopus:S2", "exclude", "2024-07-01"), ("scopus:S3", "include", "2024-07-02")]


def test_full_text_screening_offers_not_retrieved(review):
    recordskit.add_records(review, recordskit.FILES | {"screening.csv": ONLY_S1})
    term = Terminal("screen", "--screener", "AT", "--date", "2024-07-03", "--stage", "full_text")
    term.expect("[n] not retrieved")
    assert "Record scopus:S1" in term.seen
    term.press("n")
    term.expect("[enter] none")
    term.press("\r")
    term.expect("nothing left to screen at full text")
    assert term.close() == 0
    assert _screening_rows()[-1]["decision"] == "not_retrieved"


def test_spreadsheet_route(review, capsys):
    recordskit.add_records(review, recordskit.FILES | {"screening.csv": ONLY_S1})
    assert main(["screen", "--export", "todo.xlsx"]) == 0
    from openpyxl import load_workbook

    sheet = load_workbook("todo.xlsx").active
    rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ["record", "stage", "decision", "reason", "screener"]
    assert [r[0] for r in rows[1:]] == ["scopus:S2", "scopus:S3", "scopus:S4", "wos:greensolar", "hand:lee2019"]  # duplicates left out
    # Filled in and saved into records/, its decided rows count; the rest stay to do.
    sheet.cell(2, 3, "include")
    sheet.cell(2, 5, "KB")
    sheet.parent.save("records/screening.xlsx")
    assert [r["id"] for r in pending(load_records(), "title_abstract", 95)] == ["scopus:S3", "scopus:S4", "wos:greensolar", "hand:lee2019"]
    assert main(["screen", "--export", "todo.xlsx"]) == 1
    assert "todo.xlsx:1: already exists" in capsys.readouterr().err


def test_snowball_candidates_become_records(review, capsys):
    from synthesis.cli.steps import cmd_evidence  # noqa: F401  (the evidence step writes what the command reads)

    assert main(["evidence", "--output", "output/build/evidence.json"]) == 0
    Path("records").mkdir()
    Path("records/searches.csv").write_text("id,source,name,date,query,results,notes\n", encoding="utf-8")
    assert main(["snowball-records", "--date", "2024-08-01"]) == 0
    assert "Added 1 citation-searching records" in capsys.readouterr().out
    loaded = load_records()
    assert [(r["id"], r["title"], r["authors"], r["year"]) for r in loaded["records"]] == [("citations:lee2019", "Feed-in tariffs", ["Lee, Min"], "2019")]
    assert [(s["id"], s["source"], s["date"], s["results"]) for s in loaded["searches"]] == [("citations", "citation_searching", "2024-08-01", 1)]
    assert main(["snowball-records"]) == 0  # again: nothing new, nothing doubled
    assert len(load_records()["records"]) == 1


def test_an_exclusion_needs_declared_reasons(review):
    from synthesis.coauthor.screen import screen

    recordskit.add_records(review, recordskit.FILES | {"screening.csv": ONLY_S1})
    said = []
    keys = iter("e")
    assert screen(load_records(), {"screening": {}}, "title_abstract", "AT", "2024-07-01", "records/screening.csv", lambda: next(keys), said.append) == 0
    assert said[-1] == "review.yaml declares no screening.reasons, and an exclusion needs one: add them, then screen again."
    assert len(_screening_rows()) == 1
