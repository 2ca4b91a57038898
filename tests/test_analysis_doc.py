"""The pandas API (``synthesis.open_review``) and the example analysis in docs/analysis.md, run on the
ALMP review and a fixture review; names with LaTeX escapes in every output people read."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

import reviewkit
import synthesis
from synthesis.data.frames import FINDING_COLUMNS, frames

DOC = reviewkit.ROOT / "docs" / "analysis.md"


def table(root: Path, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((root / "output/tables" / name).read_text(encoding="utf-8"))))


def run_doc(root: Path, monkeypatch) -> dict:
    """Every Python block of docs/analysis.md, in order, in the review folder; the names they defined."""
    monkeypatch.chdir(root)
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 5
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    return namespace


def check_against_tables(root: Path, ns: dict) -> None:
    """What the example computes agrees with the pipeline's own tables."""
    review = ns["review"]
    cells = {(r["question"], r["code"]): int(r["excerpts"]) for r in table(root, "cells.csv")}
    by_theme = ns["by_theme"]
    counted = {(q, c): int(by_theme.loc[c, q]) for c in by_theme.index for q in by_theme.columns if by_theme.loc[c, q]}
    assert counted == {k: v for k, v in cells.items() if v}
    assert sorted(review.evidence["evidence_id"]) == sorted(r["evidence_id"] for r in table(root, "evidence.csv"))
    gap = table(root, "gap-map.csv")
    assert int(ns["grid"].to_numpy().sum()) == sum(int(r["documents"]) for r in gap)
    assert ns["empty_themes"] == sorted(set(review.codes["label"]) - {r["label"] for r in gap if int(r["documents"])})
    findings = table(root, "findings.csv")
    assert list(ns["findings"]["finding"]) == [r["id"] for r in findings]
    assert list(ns["findings"]["confidence"].fillna("")) == [r["confidence"] for r in findings]  # an evidence gap has none
    assert list(review.findings.columns) == FINDING_COLUMNS
    assert len(review.sources) == len({r["citekey"] for r in table(root, "evidence.csv")} | set(review.sources["citekey"]))


def test_the_example_analysis_runs_on_the_almp_review(almp_built, monkeypatch):
    ns = run_doc(almp_built, monkeypatch)
    check_against_tables(almp_built, ns)
    # The protocol document (the abstract) is coded but counts nowhere.
    evidence = ns["review"].evidence
    assert set(evidence.loc[~evidence["counts"], "citekey"]) == {"jones-abstract"}
    assert "jones-abstract" not in set(ns["evidence"]["citekey"])


def test_the_example_analysis_runs_on_a_fixture_review_with_findings(named_built, monkeypatch):
    ns = run_doc(named_built, monkeypatch)
    check_against_tables(named_built, ns)
    review = ns["review"]
    row = review.findings.iloc[0]
    assert (row["finding"], row["question"], row["confidence"], row["adequacy_concern"], row["evidence"], row["excerpts"], row["studies"]) == (
        "RQa-1", "RQa", "low", "moderate", ["smith2020:1", "smith2020:2"], 2, 1)
    assert review.questions.set_index("question").loc["RQa", "answer"] == "Members' bills fell in one scheme; whether renters gain is unknown."
    assert review.questions.set_index("question").loc["RQb", "answer"] == ""


def test_the_tidy_form_has_a_row_per_excerpt_question_and_code(named_built):
    review = synthesis.open_review(named_built)
    long = review.evidence_long
    assert list(long.loc[long["evidence_id"] == "smith2020:2", ["question", "code"]].itertuples(index=False, name=None)) == [
        ("RQa", "uptake"), ("RQa", "bill_savings"), ("RQb", "uptake")]
    import json

    built = json.loads((named_built / "output/build/evidence.json").read_text(encoding="utf-8"))
    assert len(long) == sum(len(item["pairs"]) for item in built["evidence"]) == 9
    assert review.evidence.set_index("evidence_id").loc["smith2020:1", ["start", "end", "sheet_line"]].tolist() == [138, 185, 2]


def test_a_review_without_findings_has_an_empty_findings_table(review):
    from synthesis.evidence.build import build_evidence

    data = build_evidence()
    data.pop("findings")  # a build from before review findings
    built = frames(data)
    assert built.findings.empty and list(built.findings.columns) == FINDING_COLUMNS
    assert len(built.evidence) == 6


def test_open_review_says_how_to_build_first(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no built review here; build it first with `snakemake --cores 2`"):
        synthesis.open_review(tmp_path)


def test_open_review_accepts_the_evidence_file(named_built):
    review = synthesis.open_review(named_built / "output" / "build" / "evidence.json")
    assert review.path == named_built
    assert review.provenance()["build"]["review"] is not None


def test_latex_names_come_out_right_in_tables_report_and_trace(named_built):
    rows = table(named_built, "evidence.csv")
    assert {r["citation"] for r in rows} == {"Ødegård and Straßer (2020)", "Department for Work and Pensions (2021)"}
    html = (named_built / "output/report/state-of-play.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "(Ødegård and Straßer 2020, 3)" in text
    assert "(Department for Work and Pensions 2021, para. 1)" in text
    assert "Gemeinschaftsenergie für alle: Études de cas" in text
    assert "\\" not in " ".join(re.findall(r"Ødegård[^<]{0,80}", html))
    trace = subprocess.run([sys.executable, "-m", "synthesis", "trace", "smith2020:1"], cwd=named_built, capture_output=True, text=True)
    assert "-> Ødegård and Straßer (2020)" in trace.stdout, trace.stdout + trace.stderr


def test_add_source_heading_decodes_latex(review):
    from synthesis.cli import main

    Path("entry.bib").write_text("@report{odegard2024,\n  author = {{\\O}deg{\\aa}rd, Ingrid},\n  title = {Stra{\\ss}en und Br{\\\"u}cken},\n  year = {2024}\n}\n", encoding="utf-8")
    assert main(["add-source", "entry.bib"]) == 0
    assert "# Straßen und Brücken\n" in Path("sources/odegard2024.md").read_text(encoding="utf-8")
