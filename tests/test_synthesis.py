"""Synthesis rules on the fixture review: strength, comparison, avenues, snowball, commentary, gap map."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

import reviewkit
from synthesis.analysis.cells import analyse
from synthesis.evidence.build import build_evidence
from synthesis.report.figures import write_gap_map
from synthesis.common.problems import InputError
from synthesis.report.context import render_markdown, report_context
from synthesis.analysis.strength import rate

SOURCES = {"a": {"type": "report"}, "b": {"type": "blog_post"}, "c": {"type": "report"}}
RULES = {"strength": {"evaluation_types": ["rct"], "agreement_column": "stance", "ratings": [
    {"rating": "strong", "min_sources": 3, "requires_evaluation": True, "agreement": True},
    {"rating": "moderate", "min_sources": 2, "min_evidence_types": 2},
    {"rating": "weak", "min_sources": 1},
]}}


def item(key: str, evidence_type: str = "", stance: str = "") -> dict:
    return {"citekey": key, "evidence_type": [evidence_type] if evidence_type else [], "extra": {"stance": stance} if stance else {}}


def test_strength_rules_in_order_with_reasons():
    strong = rate([item("a", "rct", "supports"), item("b"), item("c")], SOURCES, RULES)
    assert (strong["rating"], strong["reasons"]) == ("strong", ["3 independent sources (needs 3)", "evaluation evidence: rct", "no disagreement coded in 'stance'"])
    moderate = rate([item("a", "rct", "supports"), item("b", "", "contradicts"), item("c")], SOURCES, RULES)
    assert moderate["rating"] == "moderate"
    assert moderate["not_higher"] == ["not strong: findings disagree (stance: contradicts, supports)"]
    assert moderate["reasons"] == ["3 independent sources (needs 2)", "3 evidence types (needs 2)"]  # rct, blog_post, report (source types stand in)
    weak = rate([item("a"), item("a", "rct")], SOURCES, RULES)
    assert weak["rating"] == "weak"
    assert weak["not_higher"] == ["not strong: 1 independent source (needs 3)", "not moderate: 1 independent source (needs 2)"]


def test_default_rules_apply_without_a_strength_section():
    assert rate([item("a"), item("b")], SOURCES, {})["rating"] == "moderate"
    assert rate([item("a"), item("b"), item("c", "survey")], SOURCES, {})["rating"] == "strong"
    assert rate([], SOURCES, {"strength": {"ratings": [{"rating": "any", "min_sources": 1}]}})["rating"] == "unrated"


@pytest.fixture
def compared(review):
    """The fixture review with a home country, a comparator group and strength rules."""
    text = Path("review.yaml").read_text(encoding="utf-8")
    text += "comparison:\n  home: GB\n  groups:\n    Nordic: [\"NO\"]\n    German-speaking: [DE]\n"
    text += "strength:\n  evaluation_types: [survey]\n  ratings:\n    - rating: good\n      min_sources: 2\n      requires_evaluation: true\n    - rating: fair\n      min_sources: 2\n    - rating: thin\n      min_sources: 1\n"
    Path("review.yaml").write_text(text, encoding="utf-8")
    return review


def test_country_comparison_states_what_is_missing(compared):
    analysis = analyse(build_evidence())
    assert [(r["country"], r["home"], r["excerpts"]) for r in analysis["countries"]] == [("GB", True, 4), ("DE", False, 2)]
    assert [g["text"] for g in analysis["groups"]] == [
        "No excerpt concerns a Nordic comparator country (NO). The only comparator evidence is from DE, outside this group.",
        "German-speaking comparators covered: DE (2 excerpts).",
    ]


def test_avenues_come_from_the_gaps_with_their_basis(compared):
    avenues = analyse(build_evidence())["avenues"]
    assert [(a["id"], a["kind"], a["question"], a["code"], a["basis"]) for a in avenues] == [
        ("A1", "weak-evidence", "RQa", "bill_savings", "gap-map.csv: RQa x bill_savings rated thin"),
        ("A2", "weak-evidence", "RQa", "uptake", "gap-map.csv: RQa x uptake rated thin"),
        ("A3", "weak-evidence", "RQb", "local_trust", "gap-map.csv: RQb x local_trust rated thin"),
        ("A4", "no-evidence", "RQb", "grid_access", "coverage.csv: RQb x grid_access has 0 excerpts"),
        ("A5", "missing-comparator", "", "", "countries.csv: no row for any of the group's countries"),
    ]
    assert avenues[0]["text"] == "Evidence on 'Bill savings' for RQa is thin (1 independent source (needs 2)): further, independent studies would test it."
    assert avenues[0]["evidence"] == ["smith2020:1", "smith2020:2", "smith2020:3", "smith2020:4"]


def test_a_question_without_evaluation_evidence_is_an_avenue(compared):
    rows = [r[:] for r in reviewkit.SMITH_ROWS]
    for row in rows[1:]:
        row[5] = "case_study" if row[5] else ""
    Path("extraction/smith2020.csv").write_text(reviewkit.csv_text(rows), encoding="utf-8")
    avenues = analyse(build_evidence())["avenues"]
    no_eval = [a for a in avenues if a["kind"] == "no-evaluation"]
    assert [a["question"] for a in no_eval] == ["RQa", "RQb"]
    assert no_eval[0]["basis"] == "RQa.csv: evidence types case_study, report"


def test_changing_a_sheet_changes_the_synthesis(compared):
    before = analyse(build_evidence())
    reviewkit.write_smith_sheet(Path("."), {(2, 2): "uptake; grid_access"})
    after = analyse(build_evidence())
    cell = lambda a, q, c: next(x for x in a["cells"] if (x["question"], x["code"]) == (q, c))  # noqa: E731
    assert (cell(before, "RQb", "grid_access")["sources"], cell(after, "RQb", "grid_access")["sources"]) == (0, 1)
    assert "no-evidence" in [a["kind"] for a in before["avenues"]] and "no-evidence" not in [a["kind"] for a in after["avenues"]]


def test_snowball_ranks_cited_works_by_citing_sources(review):
    rows = [r[:] for r in reviewkit.OKAFOR_ROWS]
    rows[0].append("cites")
    rows[1].append("lee2019")
    rows[3].append("")
    reviewkit.write_xlsx(Path("extraction/okafor2021.xlsx"), rows)
    bib = Path("sources/references.bib")
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@misc{zhou2018, title = {Uncited}, year = {2018}}\n", encoding="utf-8")
    snowball = analyse(build_evidence())["snowball"]
    assert [(r["key"], r["cited_by"], r["excerpts"]) for r in snowball] == [
        ("lee2019", ["okafor2021", "smith2020"], ["okafor2021:1", "smith2020:3", "smith2020:4"]),
        ("zhou2018", [], []),
    ]


def test_commentary_is_rendered_and_checked_as_claims(review):
    Path("commentary").mkdir()
    Path("commentary/RQa.md").write_text("## Our reading\n\nSavings are real but fragile [ev:smith2020:1; ev:smith2020:4].\n", encoding="utf-8")
    data = build_evidence()
    text = render_markdown(data, reviewkit.ROOT / "templates")
    assert "::: {#claim-RQa.commentary.2 .commentary}\nSavings are real but fragile [@{smith2020}, p. 3; @{smith2020}, para. 4] ([smith2020:1](#ev-smith2020:1), [smith2020:4](#ev-smith2020:4)).\n:::" in text
    claims = {c["id"]: c for s in report_context(data)["sections"] for c in [x["claim"] for x in s["commentary"] if x["claim"]]}
    assert claims["RQa.commentary.2"]["evidence"] == ["smith2020:1", "smith2020:4"]


def test_commentary_problems(review):
    Path("commentary").mkdir()
    Path("commentary/RQa.md").write_text("A claim with no evidence.\n\nAnother [ev:smith2020:9].\n", encoding="utf-8")
    Path("commentary/RQc.md").write_text("Fine [ev:smith2020:1].\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        build_evidence()
    assert [str(p) for p in err.value.problems] == [
        "commentary/RQa.md:1: this paragraph cites no evidence: add the evidence ids it rests on, e.g. [ev:citekey:1]",
        "commentary/RQa.md:3: unknown evidence id 'smith2020:9': did you mean 'smith2020:4'? allowed: okafor2021:1, okafor2021:2, smith2020:1, smith2020:2, smith2020:3, smith2020:4",
        "commentary/RQc.md:1: no question 'RQc': name the file after a question id (did you mean 'RQb'? allowed: RQa, RQb)",
    ]


def test_gap_map_table_and_figure(compared, tmp_path):
    from synthesis.report.tables import write_tables

    data = build_evidence()
    write_tables(data, "tables")
    rows = list(csv.DictReader(io.StringIO(Path("tables/gap-map.csv").read_text(encoding="utf-8"))))
    assert [(r["question"], r["code"], r["sources"], r["rating"]) for r in rows] == [
        ("RQa", "bill_savings", "1", "thin"), ("RQa", "uptake", "1", "thin"),
        ("RQb", "uptake", "2", "good"), ("RQb", "local_trust", "1", "thin"), ("RQb", "grid_access", "0", "none"),
    ]
    cells = analyse(data)["cells"]
    write_gap_map(data["protocol"], cells, tmp_path / "a.svg", tmp_path / "a.png")
    write_gap_map(data["protocol"], cells, tmp_path / "b.svg", tmp_path / "b.png")
    svg = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert "Grid access" in svg and "no evidence (gap)" in svg and "<dc:date>" not in svg
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
