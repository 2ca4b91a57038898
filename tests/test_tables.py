"""Evidence tables: columns, per-question rows, theme cells with gaps."""

from __future__ import annotations

import csv
import io

from synthesis.evidence.build import build_evidence
from synthesis.report.tables import write_tables


def read(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_tables_of_the_fixture_review(review):
    paths = write_tables(build_evidence(), "output/tables")
    assert sorted(p.name for p in paths) == ["RQa.csv", "RQb.csv", "avenues.csv", "cells.csv", "countries.csv", "evidence.csv",
                                             "findings.csv", "gap-map.csv", "gaps.csv", "snowball.csv", "sources-questions.csv"]
    evidence = read(review / "output/tables/evidence.csv")
    header = (review / "output/tables/evidence.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("evidence_id,citekey,citation,questions,codes,finding,quote,locator,start,end,paragraph,heading,")
    assert header.endswith(",reviewer_note")  # extra sheet columns are carried
    row = next(r for r in evidence if r["evidence_id"] == "smith2020:2")
    assert (row["codes"], row["questions"], row["citation"], row["paragraph"]) == ("uptake; bill_savings", "RQa; RQb", "Smith (2020)", "2")
    assert [r["evidence_id"] for r in read(review / "output/tables/RQb.csv")] == ["okafor2021:1", "okafor2021:2", "smith2020:2"]
    assert (row["role"], row["study"]) == ("primary", "")
    cells = {(r["question"], r["code"]): (r["excerpts"], r["documents"], r["studies"], r["primary"]) for r in read(review / "output/tables/cells.csv")}
    assert cells == {
        ("RQa", "bill_savings"): ("4", "1", "1", "4"), ("RQa", "uptake"): ("1", "1", "1", "1"),
        ("RQb", "uptake"): ("2", "2", "1", "1"), ("RQb", "local_trust"): ("2", "1", "0", "0"), ("RQb", "grid_access"): ("0", "0", "0", "0"),
    }


def test_tables_are_byte_identical_across_runs(review):
    write_tables(build_evidence(), "a")
    write_tables(build_evidence(), "b")
    for name in ("evidence.csv", "RQa.csv", "RQb.csv", "cells.csv", "gap-map.csv", "findings.csv"):
        assert (review / "a" / name).read_bytes() == (review / "b" / name).read_bytes()
    assert b"\r" not in (review / "a" / "evidence.csv").read_bytes()
