"""The report's content and template handling."""

from __future__ import annotations

import pytest

import reviewkit
from synthesis.evidence.build import build_evidence
from synthesis.common.problems import InputError
from synthesis.report.context import render_markdown, report_context

TEMPLATES = reviewkit.ROOT / "templates"


def test_context_per_question(review):
    context = report_context(build_evidence())
    rqa, rqb = context["sections"]
    assert rqa["evidence_base"] == ("4 excerpts from 1 document (4 from primary studies); 1 independent study; countries: United Kingdom; "
                                    "years of the evidence not recorded; documents published 2020.")
    assert rqb["evidence_base"] == ("3 excerpts from 2 documents (1 from primary studies, 2 from secondary reports); 1 independent study; "
                                    "countries: Germany, United Kingdom; years of the evidence not recorded; documents published 2020-2021.")
    assert [t["code"] for t in rqb["themes"]] == ["uptake", "local_trust"]
    # What is missing: computed, each gap once.
    assert [(g["id"], g["kind"], g["text"]) for g in rqb["gaps"]] == [
        ("RQb-G1", "one-document", "Resting on one document: Local trust (okafor2021)."),
        ("RQb-G2", "one-study", "Naming at most one study (the number in brackets): Uptake (1) and Local trust (0)."),
        ("RQb-G3", "no-evidence", "No coded excerpt on Grid access."),
    ]
    assert [g["kind"] for g in rqa["gaps"]] == ["one-document", "one-study"]
    first = rqa["themes"][0]["lines"][0]
    assert (first["evidence_id"], first["citation"]) == ("smith2020:1", "[@{smith2020}, p. 3]")
    assert rqa["themes"][0]["lines"][1]["citation"] == "[@{smith2020}, para. 2]"  # no locator: the paragraph
    # smith2020:2 is coded for both RQa themes: listed under the first, counted under the second.
    assert [line["evidence_id"] for line in rqa["themes"][1]["lines"]] == []
    assert (rqa["themes"][1]["elsewhere_count"], rqa["themes"][1]["elsewhere"]) == (1, ["Bill savings"])
    assert context["scope"] == "This review codes 6 excerpts from 2 documents against 4 codes."


def test_markdown_report(review):
    text = render_markdown(build_evidence(), TEMPLATES)
    assert text.startswith('---\ntitle: "Community energy schemes"\nsubtitle: "A fixture review"\n')
    assert "# RQb: Trust {#q-RQb}" in text
    assert ("- [Members' bills fell by 12% in year one.]{#claim-RQa.bill_savings.smith2020:1} [@{smith2020}, p. 3] ([quote](#ev-smith2020:1)) "
            "[RQa.bill\\_savings.smith2020:1](#claim-RQa.bill_savings.smith2020:1){.claim-id}") in text
    assert ("[4 excerpts from 1 document (4 from primary studies); 1 independent study; countries: United Kingdom; years of the evidence "
            "not recorded; documents published 2020.]{#claim-RQa.evidence-base}") in text
    # The context of a quote is plain text within its section: no Markdown heading (the heading is named in "where").
    assert ("::: {#ev-smith2020:1 .evidence}\n**smith2020:1**: Members' bills fell by 12% in year one.\n\n"
            "> ...Members of the cooperative **saw bills fall by 12 per cent in the first year**. Uptake was highest") in text
    assert "- [No coded excerpt on Grid access.]{#gap-RQb-G3} (RQb-G3)" in text
    # Each answer once; the full table of excerpts is in the report itself, linked, never a CSV file.
    assert "](../tables/" not in text and "](#all-excerpts)" in text and "{#all-excerpts}" in text
    assert "Literal text: \\*bold\\* \\[\\@x\\] \\<script\\>alert(1)\\</script\\> \\| \\$5 \\& more" in text


def test_a_review_with_more_excerpts_than_report_excerpt_rows_points_to_the_explorer(review):
    data = build_evidence()
    assert "Table: Every excerpt of the review." in render_markdown(data, TEMPLATES)
    data["protocol"]["report"] = {"excerpt_rows": 5}  # the fixture has 6 excerpts
    text = render_markdown(data, TEMPLATES)
    assert "Table: Every excerpt of the review." not in text and "Every excerpt of the review" not in text
    assert ("# Appendix: every excerpt {#all-excerpts}\n\nThis review has 6 excerpts, more than a document can usefully list "
            "(review.yaml's\n`report.excerpt_rows`, 5): every excerpt, with its quote in context, its claims and its\n"
            "source's SHA-256, is in the evidence explorer (explorer.html, built beside this report) and in\n"
            "output/tables/evidence.csv.\n") in text
    assert "[Every excerpt](#all-excerpts): where to find them." in text


def test_empty_question_says_so(review):
    data = build_evidence()
    data["evidence"] = [e for e in data["evidence"] if "RQb" not in e["questions"]]
    rqb = report_context(data)["sections"][1]
    assert rqb["evidence_base"] == "No excerpt in the coded sources addresses this question."
    assert [(g["kind"], g["codes"]) for g in rqb["gaps"]] == [("no-evidence", ["uptake", "local_trust", "grid_access"])]


def test_undefined_template_value_is_an_error_at_its_line(review, tmp_path):
    (tmp_path / "state-of-play.md.j2").write_text("# {{ title }}\n\n{{ no_such_value }}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        render_markdown(build_evidence(), tmp_path)
    assert [str(p) for p in err.value.problems] == [f"{tmp_path}/state-of-play.md.j2:3: template uses an undefined value: 'no_such_value' is undefined"]


def test_template_syntax_error(review, tmp_path):
    (tmp_path / "state-of-play.md.j2").write_text("{% for x in sections %}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        render_markdown(build_evidence(), tmp_path)
    assert str(err.value.problems[0]).startswith(f"{tmp_path}/state-of-play.md.j2:1: template syntax error: Unexpected end of template.")


def test_missing_template(review, tmp_path):
    with pytest.raises(InputError) as err:
        render_markdown(build_evidence(), tmp_path)
    assert [str(p) for p in err.value.problems] == [f"{tmp_path}/state-of-play.md.j2:1: template not found"]
