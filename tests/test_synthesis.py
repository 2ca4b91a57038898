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


def test_gaps_are_computed_per_question_each_once(compared):
    found = analyse(build_evidence())["gaps"]
    assert [(g["id"], g["kind"], g["codes"], g["text"]) for g in found] == [
        ("RQa-G1", "one-document", ["bill_savings", "uptake"], "Resting on one document: Bill savings (smith2020) and Uptake (smith2020)."),
        ("RQa-G2", "one-study", ["bill_savings", "uptake"], "Naming at most one study (the number in brackets): Bill savings (1) and Uptake (1)."),
        ("RQb-G1", "no-evaluation", ["local_trust"], "No evaluation (survey) on Local trust."),
        ("RQb-G2", "one-document", ["local_trust"], "Resting on one document: Local trust (okafor2021)."),
        ("RQb-G3", "one-study", ["uptake", "local_trust"], "Naming at most one study (the number in brackets): Uptake (1) and Local trust (0)."),
        ("RQb-G4", "no-evidence", ["grid_access"], "No coded excerpt on Grid access."),
    ]
    assert found[2]["basis"] == "cells.csv: RQb x local_trust without evaluation evidence"


def test_avenues_one_per_kind_of_gap_with_the_gaps_they_fill(compared):
    avenues = analyse(build_evidence())["avenues"]
    assert [(a["id"], a["kind"], a["question"], a["gaps"]) for a in avenues] == [
        ("A1", "no-evaluation", "RQb", ["RQb-G1"]),
        ("A2", "one-document", "RQa; RQb", ["RQa-G1", "RQb-G2"]),
        ("A3", "one-study", "RQa; RQb", ["RQa-G2", "RQb-G3"]),
        ("A4", "no-evidence", "RQb", ["RQb-G4"]),
        ("A5", "missing-comparator", "", []),
    ]
    assert avenues[0]["text"] == "Evaluations (survey): for RQb, Local trust."
    assert avenues[1]["basis"] == "gaps.csv: RQa-G1, RQb-G2"
    # Every gap is filled by exactly one avenue: none repeated, none left out.
    filled = [g for a in avenues for g in a["gaps"]]
    assert sorted(filled) == sorted(g["id"] for g in analyse(build_evidence())["gaps"]) and len(filled) == len(set(filled))


def test_a_question_without_evaluation_evidence_is_a_gap(compared):
    rows = [r[:] for r in reviewkit.SMITH_ROWS]
    for row in rows[1:]:
        row[5] = "case_study" if row[5] else ""
    Path("extraction/smith2020.csv").write_text(reviewkit.csv_text(rows), encoding="utf-8")
    found = analyse(build_evidence())
    no_eval = [g for g in found["gaps"] if g["kind"] == "no-evaluation"]
    assert [g["question"] for g in no_eval] == ["RQa", "RQb"]
    assert no_eval[0]["basis"] == "cells.csv: no RQa cell has evaluation evidence"
    assert no_eval[0]["text"] == "No evaluation (survey) reports on this question: its evidence is description, second-hand summary and argument."
    assert next(a for a in found["avenues"] if a["kind"] == "no-evaluation")["text"] == "Evaluations (survey): RQa and RQb as a whole."


def test_a_question_wholly_out_of_scope_and_without_primary_evidence(compared):
    text = Path("review.yaml").read_text(encoding="utf-8").replace(
        "    text: Does local ownership build trust?\n", "    text: Does local ownership build trust?\n    scope:\n      countries: [\"NO\"]\n      description: Norway\n")
    Path("review.yaml").write_text(text, encoding="utf-8")
    Path("sources/smith2020.md").write_text(Path("sources/smith2020.md").read_text(encoding="utf-8").replace("role: primary", "role: secondary"), encoding="utf-8")
    found = analyse(build_evidence())
    rqb = [(g["kind"], g["text"]) for g in found["gaps"] if g["question"] == "RQb"]
    assert rqb[:2] == [
        ("no-evidence-in-scope", "No evidence from the question's scope (Norway): all 3 excerpts are about other countries, so they are indirect evidence at most."),
        ("no-primary", "No primary evidence: every excerpt comes from secondary reports; they name no study."),
    ]
    # The Nordic group is Norway, RQb's scope: its missing comparator adds to that avenue, not one of its own.
    kinds = [a["kind"] for a in found["avenues"]]
    assert "missing-comparator" not in kinds and kinds[0] == "no-evidence-in-scope"
    assert found["avenues"][0]["basis"] == "gaps.csv: RQb-G1; countries.csv: no row for any of the group's countries"


def test_changing_a_sheet_changes_the_synthesis(compared):
    before = analyse(build_evidence())
    reviewkit.write_smith_sheet(Path("."), {(2, 2): "uptake; grid_access"})
    after = analyse(build_evidence())
    cell = lambda a, q, c: next(x for x in a["cells"] if (x["question"], x["code"]) == (q, c))  # noqa: E731
    assert (cell(before, "RQb", "grid_access")["facts"]["documents"], cell(after, "RQb", "grid_access")["facts"]["documents"]) == ([], ["smith2020"])
    assert "no-evidence" in [g["kind"] for g in before["gaps"]] and "no-evidence" not in [g["kind"] for g in after["gaps"]]


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


def test_the_gap_map_s_dots_draw_as_scatter_draws_them():
    # Each cell's dot is the collection Axes.scatter makes, made directly: the same SVG and PNG bytes as the
    # figure with every dot drawn by scatter instead (random cells, every shade, empty comparator columns).
    import io
    import random

    from synthesis.report.figures import SHADES, gap_map_figure

    rng = random.Random(5)
    codes = [{"id": f"c{i}", "label": f"Theme {i}"} for i in range(6)]
    columns = ["GB", "DE", "FR", "group:Nordic"]
    for _ in range(3):
        cells = [{"code": c["id"], "country": country, "documents": rng.choice([0, 1, 2, 7]), "studies": rng.choice([0, 1, 3]),
                  "directness": rng.choice(list(SHADES))} for c in codes for country in columns[:3]]
        drawn = []
        for by_scatter in (False, True):
            figure = gap_map_figure({"codes": codes}, cells, columns)
            axes = figure.axes[0]
            if by_scatter:
                for dots in list(axes.collections):
                    (x, y), = dots.get_offsets()
                    dots.remove()
                    axes.scatter([x], [y], s=dots.get_sizes()[0], color=dots.get_facecolor(), edgecolors="#555555",
                                 linewidths=0.4, zorder=2)
            out = []
            for fmt, metadata in (("svg", {"Date": None, "Creator": None}), ("png", {"Software": None})):
                buffer = io.BytesIO()
                figure.savefig(buffer, format=fmt, metadata=metadata)
                out.append(buffer.getvalue())
            drawn.append(out)
        assert len(axes.collections) == sum(1 for c in cells if c["documents"])
        assert drawn[0][0] == drawn[1][0] and drawn[0][1] == drawn[1][1]
