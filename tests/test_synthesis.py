"""Synthesis rules: honest counting, strength and its cap, comparison, avenues, snowball, gap map."""

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
from synthesis.analysis.counting import facts
from synthesis.analysis.strength import rate

SOURCES = {
    "a": {"type": "report", "role": "primary", "countries": ["GB"], "year": "2020"},
    "b": {"type": "blog_post", "role": "secondary", "countries": ["GB"], "year": "2021"},
    "c": {"type": "report", "role": "secondary", "countries": ["US"], "year": "2019"},
    "p": {"type": "conference_abstract", "role": "protocol", "countries": ["GB"], "year": ""},
}
RULES = {"strength": {"evaluation_types": ["rct"], "agreement_column": "stance", "ratings": [
    {"rating": "strong", "min_sources": 3, "requires_evaluation": True, "agreement": True},
    {"rating": "moderate", "min_sources": 2, "min_evidence_types": 2},
    {"rating": "weak", "min_sources": 1},
]}}


def item(key: str, evidence_type: str = "", stance: str = "", study: str = "", countries: tuple = (), n: int = 1) -> dict:
    return {"citekey": key, "evidence_id": f"{key}:{n}", "evidence_type": [evidence_type] if evidence_type else [], "countries": list(countries),
            "study": study, "study_design": [], "extra": {"stance": stance} if stance else {}}


def rated(items: list[dict], protocol: dict, scope: list[str] | None = None, description: str = "") -> dict:
    return rate(facts(items, SOURCES, scope), protocol, description)


def test_strength_rules_in_order_with_reasons():
    strong = rated([item("a", "rct", "supports"), item("b"), item("c")], RULES)
    assert (strong["rating"], strong["reasons"], strong["capped"]) == ("strong", ["3 documents (needs 3)", "evaluation evidence: rct", "no disagreement coded in 'stance'"], False)
    moderate = rated([item("a", "rct", "supports"), item("b", "", "contradicts"), item("c")], RULES)
    assert moderate["rating"] == "moderate"
    assert moderate["not_higher"] == ["not strong: findings disagree (stance: contradicts, supports)"]
    assert moderate["reasons"] == ["3 documents (needs 2)", "3 evidence types (needs 2)"]  # rct, blog_post, report (source types stand in)
    weak = rated([item("a"), item("a", "rct", n=2)], RULES)
    assert weak["rating"] == "weak"
    assert weak["not_higher"] == ["not strong: 1 document (needs 3)", "not moderate: 1 document (needs 2)"]


def test_default_rules_count_studies_not_documents():
    assert rated([], {})["rating"] == "none"
    # a is primary (its own study); b and c report the same study, which counts once.
    same_study = rated([item("a"), item("b", study="trial"), item("c", study="trial", n=2)], {})
    assert same_study["rating"] == "moderate"
    assert same_study["not_higher"] == ["not strong: 2 independent studies (needs 3)"]
    assert rated([item("a"), item("b", study="t1"), item("c", "survey", study="t2")], {})["rating"] == "strong"
    assert rated([item("a")], {"strength": {"ratings": [{"rating": "any", "min_sources": 2}]}})["rating"] == "unrated"


def test_no_rating_above_the_lowest_without_direct_primary_evidence():
    capped = rated([item("b", "rct"), item("c", "survey"), item("b", "blog", n=2)], {"strength": {"ratings": [
        {"rating": "high", "min_sources": 2}, {"rating": "low", "min_sources": 1}]}})
    assert (capped["rating"], capped["capped"]) == ("low", True)
    assert capped["reasons"] == ["capped at low: no excerpt comes from a primary source (one reporting its own study)",
                                 "the rules alone would give high: 2 documents (needs 2)"]


def test_evidence_outside_the_scope_is_indirect_and_never_strong():
    european = ["DE", "FR"]
    outside = rated([item("a", "rct"), item("b"), item("c")], RULES, european, "European countries other than the UK")
    assert (outside["rating"], outside["capped"]) == ("weak", True)
    assert outside["reasons"] == ["all 3 excerpts lie outside the question's scope (European countries other than the UK): indirect evidence only"]
    # In scope but secondary: still capped, and the reason names the scope.
    inside = rated([item("b", countries=("DE",)), item("c", countries=("FR",))], RULES, european, "Europe")
    assert inside["reasons"][0] == "capped at weak: no excerpt comes from a primary source (one reporting its own study) within the question's scope (Europe)"
    # An excerpt is in scope only when all its countries are.
    assert facts([item("a", countries=("DE", "GB"))], SOURCES, european)["in_scope"] == 0


def test_the_protocol_document_counts_nowhere():
    counted = facts([item("p"), item("p", n=2), item("a")], SOURCES, None)
    assert (counted["excerpts"], counted["documents"], counted["evidence"]) == (1, ["a"], ["a:1"])
    assert rated([item("p"), item("p", n=2)], RULES)["rating"] == "none"


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
        "No excerpt concerns a Nordic comparator country (Norway). The only comparator evidence is from Germany, outside this group.",
        "German-speaking comparators covered: Germany (2 excerpts).",
    ]


def test_avenues_come_from_the_gaps_with_their_basis(compared):
    avenues = analyse(build_evidence())["avenues"]
    assert [(a["id"], a["kind"], a["question"], a["code"], a["basis"]) for a in avenues] == [
        ("A1", "weak-evidence", "RQa", "bill_savings", "cells.csv: RQa x bill_savings rated thin"),
        ("A2", "weak-evidence", "RQa", "uptake", "cells.csv: RQa x uptake rated thin"),
        ("A3", "weak-evidence", "RQb", "local_trust", "cells.csv: RQb x local_trust rated thin"),
        ("A4", "no-evidence", "RQb", "grid_access", "cells.csv: RQb x grid_access has 0 excerpts"),
        ("A5", "missing-comparator", "", "", "countries.csv: no row for any of the group's countries"),
    ]
    assert avenues[0]["text"] == "Evidence on 'Bill savings' for RQa is thin (1 document (needs 2)): further, independent studies would test it."
    assert avenues[0]["evidence"] == ["smith2020:1", "smith2020:2", "smith2020:3", "smith2020:4"]


def test_a_question_without_evaluation_evidence_is_an_avenue(compared):
    rows = [r[:] for r in reviewkit.SMITH_ROWS]
    for row in rows[1:]:
        row[5] = "case_study" if row[5] else ""
    Path("extraction/smith2020.csv").write_text(reviewkit.csv_text(rows), encoding="utf-8")
    avenues = analyse(build_evidence())["avenues"]
    no_eval = [a for a in avenues if a["kind"] == "no-evaluation"]
    assert [a["question"] for a in no_eval] == ["RQa", "RQb"]
    assert no_eval[0]["basis"] == "cells.csv: no RQa cell has evaluation evidence"


def test_changing_a_sheet_changes_the_synthesis(compared):
    before = analyse(build_evidence())
    reviewkit.write_smith_sheet(Path("."), {(2, 2): "uptake; grid_access"})
    after = analyse(build_evidence())
    cell = lambda a, q, c: next(x for x in a["cells"] if (x["question"], x["code"]) == (q, c))  # noqa: E731
    assert (cell(before, "RQb", "grid_access")["facts"]["documents"], cell(after, "RQb", "grid_access")["facts"]["documents"]) == ([], ["smith2020"])
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


def test_gap_map_table_and_figure(compared, tmp_path):
    from synthesis.analysis.gapmap import gap_columns, gap_map
    from synthesis.report.tables import write_tables

    data = build_evidence()
    write_tables(data, "tables")
    cells = list(csv.DictReader(io.StringIO(Path("tables/cells.csv").read_text(encoding="utf-8"))))
    assert [(r["question"], r["code"], r["documents"], r["rating"]) for r in cells] == [
        ("RQa", "bill_savings", "1", "thin"), ("RQa", "uptake", "1", "thin"),
        ("RQb", "uptake", "2", "good"), ("RQb", "local_trust", "1", "thin"), ("RQb", "grid_access", "0", "none"),
    ]
    rows = list(csv.DictReader(io.StringIO(Path("tables/gap-map.csv").read_text(encoding="utf-8"))))
    assert [(r["code"], r["country"], r["documents"], r["directness"]) for r in rows] == [
        ("bill_savings", "GB", "1", "primary"), ("uptake", "GB", "1", "primary"), ("uptake", "DE", "1", "secondary"), ("local_trust", "DE", "1", "secondary"),
    ]
    sources = {s["citekey"]: s for s in data["sources"]}
    columns = gap_columns(data["protocol"], data["evidence"], sources)
    assert columns == ["GB", "DE", "group:Nordic"]  # home first; a group with no evidence gets its own empty column
    grid = gap_map(data["protocol"], data["evidence"], sources, columns)
    write_gap_map(data["protocol"], grid, columns, tmp_path / "a.svg", tmp_path / "a.png")
    write_gap_map(data["protocol"], grid, columns, tmp_path / "b.svg", tmp_path / "b.png")
    svg = (tmp_path / "a.svg").read_text(encoding="utf-8")
    assert "Grid access" in svg and "United Kingdom" in svg and "Nordic" in svg and "<dc:date>" not in svg
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
