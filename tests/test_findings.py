"""Review findings: their format, the facts beside each CERQual judgement, contradiction warnings, and
how the report leads with the answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import reviewkit
from synthesis.analysis.cells import analyse
from synthesis.cli import main
from synthesis.common.problems import InputError
from synthesis.evidence.build import build_evidence
from synthesis.report.context import render_markdown, report_context

CODERS = "coders:\n  - {id: AT, name: Ada Tester}\n  - {id: bot, name: First-pass model, draft: true}\n"
SCOPE = "    scope:\n      countries: [DE, \"NO\"]\n      description: Germany and Norway\n"


def finding(fid: str = "RQa-1", evidence: str = "[smith2020:1, smith2020:2]", confidence: str = "low", relevance: str = "minor",
            adequacy: str = "moderate", limitations: str = "moderate", coherence: str = "minor", extra: str = "") -> str:
    return f"""\
  - id: {fid}
    statement: Bills fell for members in the first year.
    evidence: {evidence}
    authors: [AT]
    status: final
    cerqual:
      methodological_limitations: {{concern: {limitations}, explanation: One survey by the scheme itself.}}
      coherence: {{concern: {coherence}, explanation: The excerpts agree.}}
      adequacy: {{concern: {adequacy}, explanation: One study.}}
      relevance: {{concern: {relevance}, explanation: One country.}}
      overall: {{confidence: {confidence}, explanation: One primary study in one country.}}
{extra}"""


def write(question: str, *findings: str, answer: str = "Savings appear real but rest on one scheme.") -> None:
    Path("findings").mkdir(exist_ok=True)
    Path(f"findings/{question}.yaml").write_text(f"question: {question}\nanswer: {answer}\nfindings:\n" + "".join(findings), encoding="utf-8")


@pytest.fixture
def declared(review):
    """The fixture review with declared coders and a scope on RQb."""
    text = Path("review.yaml").read_text(encoding="utf-8")
    text = text.replace("    text: Does local ownership build trust?\n", "    text: Does local ownership build trust?\n" + SCOPE)
    Path("review.yaml").write_text(text + CODERS, encoding="utf-8")
    return review


def problems(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_a_finding_builds_with_its_facts(declared):
    write("RQa", finding())
    data = build_evidence()
    assert [f["id"] for f in data["findings"][0]["findings"]] == ["RQa-1"]
    assessed = analyse(data)["findings"][0]
    assert (assessed["facts"]["documents"], assessed["facts"]["studies"], assessed["facts"]["primary"]) == (["smith2020"], ["smith2020"], 2)
    assert assessed["checks"] == [] and assessed["draft"] is False


def test_every_problem_in_findings_at_once(declared):
    write("RQa", finding(confidence="certain", extra="    addresses: [lower]\n"),
          finding("RQa-1", evidence="[smith2020:9, jones:1]").replace("authors: [AT]", "authors: [ZZ]"))
    Path("findings/RQc.yaml").write_text("question: RQc\nanswer: x\nfindings: []\n", encoding="utf-8")
    broken = finding("RQa-3").replace("      adequacy: {concern: moderate, explanation: One study.}\n", "")
    Path("findings/RQb.yaml").write_text("question: RQa\nanswer: y\nfindings:\n" + broken.replace("evidence: [smith2020:1, smith2020:2]", "evidence: []"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        build_evidence()
    assert problems(err) == [
        "findings/RQa.yaml:14: findings[0].cerqual.overall.confidence: \"certain\" is not allowed: allowed: high, moderate, low, very_low",
        "findings/RQa.yaml:15: findings[0].addresses[0]: 'lower' does not match the pattern ^[A-Z][A-Z0-9_]*$",
        "findings/RQb.yaml:6: findings[0].evidence: needs at least 1 item",
        "findings/RQb.yaml:9: findings[0].cerqual: missing required key 'adequacy'",
        "findings/RQc.yaml:1: no question 'RQc': name the file after a question id (did you mean 'RQb'? allowed: RQa, RQb)",
        "findings/RQc.yaml:3: findings: needs at least 1 item",
    ]


def test_references_authors_and_ids_are_checked(declared):
    write("RQa", finding(), finding("RQa-1", evidence="[smith2020:9, okafor2021:1]").replace("authors: [AT]", "authors: [ZZ]"))
    write("RQb", finding("RQa-2").replace("status: final", "status: draft"))
    Path("findings/RQb.yaml").write_text(Path("findings/RQb.yaml").read_text().replace("question: RQb", "question: RQa"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        build_evidence()
    assert problems(err) == [
        "findings/RQa.yaml:15: finding id 'RQa-1' is used twice (first on line 4)",
        "findings/RQa.yaml:18: finding RQa-1: unknown author 'ZZ' (authors are coders declared in review.yaml): allowed: AT, bot",
        "findings/RQb.yaml:1: question: 'RQa' differs from the file name; this file answers RQb",
    ]
    write("RQa", finding())
    write("RQb", finding("RQa-1", evidence="[smith2020:9]"))
    with pytest.raises(InputError) as err:
        build_evidence()
    assert problems(err) == [
        "findings/RQb.yaml:4: finding id 'RQa-1' is also used at findings/RQa.yaml:4",
        "findings/RQb.yaml:6: finding RQa-1: unknown evidence id 'smith2020:9': did you mean 'smith2020:4'? allowed: okafor2021:1, okafor2021:2, smith2020:1, smith2020:2, smith2020:3, smith2020:4",
    ]


def test_a_finding_cannot_rest_on_the_protocol_document(declared):
    source = Path("sources/okafor2021.txt")
    source.write_bytes(source.read_bytes().replace(b"role: secondary", b"role: protocol"))
    write("RQb", finding("RQb-1", evidence="[okafor2021:1]"))
    with pytest.raises(InputError) as err:
        build_evidence()
    assert problems(err) == ["findings/RQb.yaml:6: finding RQb-1: okafor2021:1 is from okafor2021, the review's protocol document: it frames the questions but is not evidence"]


def test_contradictions_are_warnings_unless_addressed(declared):
    write("RQa", finding(confidence="high", adequacy="no_or_very_minor", limitations="minor", coherence="no_or_very_minor"))
    write("RQb", finding("RQb-1", evidence="[smith2020:2, okafor2021:2]", relevance="no_or_very_minor"))
    Path("extraction/smith2020.csv").write_text(Path("extraction/smith2020.csv").read_text(encoding="utf-8").replace(",AT,", ",bot,"), encoding="utf-8")
    analysis = analyse(build_evidence())
    codes = sorted((w["path"], w["code"]) for w in analysis["warnings"])
    assert codes == [("findings/RQa.yaml", "ADEQUACY_ONE_DOCUMENT"), ("findings/RQa.yaml", "ADEQUACY_ONE_STUDY"), ("findings/RQa.yaml", "CONFIDENCE_DRAFT"),
                     ("findings/RQb.yaml", "RELEVANCE_PARTLY_OUT_OF_SCOPE")]
    messages = {w["code"]: f"{w['path']}:{w['line']}: {w['message']}" for w in analysis["warnings"]}
    assert messages["ADEQUACY_ONE_STUDY"] == "findings/RQa.yaml:14: finding RQa-1: high confidence rests on 1 independent study"
    assert messages["CONFIDENCE_DRAFT"] == "findings/RQa.yaml:14: finding RQa-1: high confidence rests on draft-coded evidence (2 of 2 excerpts)"
    assert messages["ADEQUACY_ONE_DOCUMENT"] == "findings/RQa.yaml:12: finding RQa-1: adequacy has no or very minor concerns but all its evidence comes from one document (smith2020)"
    assert messages["RELEVANCE_PARTLY_OUT_OF_SCOPE"] == ("findings/RQb.yaml:13: finding RQb-1: relevance has no or very minor concerns but 1 of its 2 excerpts "
                                                         "lie outside the question's scope (Germany and Norway)")
    # Naming the codes in 'addresses' answers them; naming one that does not fire is itself a warning.
    write("RQa", finding(confidence="high", adequacy="no_or_very_minor", limitations="minor", coherence="no_or_very_minor",
                         extra="    addresses: [ADEQUACY_ONE_STUDY, ADEQUACY_ONE_DOCUMENT, CONFIDENCE_DRAFT, COHERENCE_CONFLICT]\n"))
    analysis = analyse(build_evidence())
    assert [(w["code"], w["message"]) for w in analysis["warnings"] if w["path"] == "findings/RQa.yaml"] == [
        ("ADDRESSES_UNUSED", "finding RQa-1: addresses COHERENCE_CONFLICT, which its judgements do not raise")]
    assert [c["code"] for c in analysis["findings"][0]["checks"] if c["addressed"]] == ["ADEQUACY_ONE_STUDY", "ADEQUACY_ONE_DOCUMENT", "CONFIDENCE_DRAFT"]


def test_each_remaining_check(declared):
    write("RQb", finding("RQb-1", evidence="[smith2020:2]", relevance="minor", limitations="minor"))
    Path("extraction/smith2020.csv").write_text(Path("extraction/smith2020.csv").read_text(encoding="utf-8").replace("reviewer_note", "stance")
                                                .replace(",checked", ",supports"), encoding="utf-8")
    codes = [w["code"] for w in analyse(build_evidence())["warnings"]]
    assert codes == ["RELEVANCE_OUT_OF_SCOPE"]  # smith2020 is primary, so no LIMITATIONS_NO_PRIMARY
    write("RQb", finding("RQb-1", evidence="[okafor2021:1, okafor2021:2]", limitations="minor", coherence="no_or_very_minor"))
    okafor = [r[:] + [s] for r, s in zip(reviewkit.OKAFOR_ROWS, ["Stance", "supports", None, "contradicts"])]
    reviewkit.write_xlsx(Path("extraction/okafor2021.xlsx"), okafor)
    warnings = {w["code"]: w["message"] for w in analyse(build_evidence())["warnings"]}
    assert warnings == {
        "LIMITATIONS_NO_PRIMARY": "finding RQb-1: methodological limitations have minor concerns but none of its evidence comes from a primary source",
        "COHERENCE_CONFLICT": "finding RQb-1: coherence has no or very minor concerns but its excerpts' stances differ (contradicts, supports)",
    }


def test_indirect_evidence_cannot_carry_more_than_low_confidence(declared):
    write("RQb", finding("RQb-1", evidence="[smith2020:2]", confidence="moderate", relevance="serious", extra="    addresses: [ADEQUACY_ONE_STUDY]\n"))
    with pytest.raises(InputError) as err:
        analyse(build_evidence())
    assert problems(err) == ["findings/RQb.yaml:14: finding RQb-1: moderate confidence, but all its evidence lies outside the question's scope (Germany and Norway): "
                             "indirect evidence supports at most low confidence"]


def test_check_shows_warnings_and_strict_fails_on_them(declared, capsys):
    write("RQa", finding(confidence="high"))
    assert main(["check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["findings/RQa.yaml:14: warning [ADEQUACY_ONE_STUDY]: finding RQa-1: high confidence rests on 1 independent study",
                   "ok: 2 sources, 6 excerpts, every quote located; 1 warning"]
    assert main(["check", "--strict"]) == 1


def test_old_commentary_files_say_how_to_move(declared):
    Path("commentary").mkdir()
    Path("commentary/RQa.md").write_text("Savings [ev:smith2020:1].\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        build_evidence()
    assert problems(err) == ["commentary/RQa.md:1: team commentary is now written as review findings: move each paragraph of commentary/RQa.md "
                             "into a finding of findings/RQa.yaml, with the evidence ids it cites as the finding's evidence (docs/formats.md, \"Review findings\")"]


def report(data=None) -> str:
    return render_markdown(data or build_evidence(), reviewkit.ROOT / "templates")


def test_the_report_leads_with_its_answers(declared):
    write("RQa", finding())
    text = report()
    headings = re.findall(r"^(#+ .*?) \{", text, re.M)
    assert headings[:7] == ["# Summary", "## RQa: Savings", "## RQb: Trust", "# RQa: Savings", "## Review findings: evidence profiles",
                            "## Evidence by theme", "### Bill savings"]
    summary = text[text.index("# Summary"):text.index("\n# RQa: Savings")]
    assert "[Savings appear real but rest on one scheme.]{#claim-RQa.answer}" in summary
    assert "| [Bills fell for members in the first year.](#claim-RQa-1) | low | One primary study in one country. | [@{smith2020}] |" in summary
    assert "The team has not written an answer to this question yet" in summary  # RQb
    # Said once: the answer, the statement and the confidence's explanation are in the summary only.
    for sentence in ("Savings appear real but rest on one scheme.", "Bills fell for members in the first year.", "One primary study in one country."):
        assert text.count(sentence) == 1, sentence
    body = text[text.index("\n# RQa: Savings"):text.index("# How this review was made")]
    assert "**RQa-1: low confidence** ([statement and explanation](#summary-q-RQa))." in body
    assert "| Adequacy | moderate concerns | One study. | 1 independent study (Smith (2020)); 1 document, 2 excerpts. |" in body
    assert ("| Relevance | minor concerns | One country. | Countries: United Kingdom; years of the evidence not recorded; "
            "documents published 2020. |") in body


def test_each_quote_in_full_once_and_every_appendix_entry_links_back(declared):
    write("RQa", finding())
    data = build_evidence()
    text = report(data)
    body, appendix = text.split("# Appendix: the evidence")
    for item in data["evidence"]:
        assert body.count(item["quote"]) == 0  # quotes are in the appendix only
    context = report_context(data)
    for entry in context["appendix"]:
        assert appendix.count(f"{{#{entry['anchor']} .evidence}}") == 1
        assert entry["cited_in"], entry["evidence_id"]
        for link in entry["cited_in"]:
            assert f"{{#{link['anchor']}" in body or f"{{#{link['anchor']} " in body
    smith1 = next(e for e in context["appendix"] if e["evidence_id"] == "smith2020:1")
    assert [c["label"] for c in smith1["cited_in"]] == ["finding RQa-1", "RQa, Bill savings"]


def test_the_banner_names_what_is_unverified(declared):
    assert "::: {.banner}" not in report()
    Path("extraction/smith2020.csv").write_text(Path("extraction/smith2020.csv").read_text(encoding="utf-8").replace(",AT,", ",bot,"), encoding="utf-8")
    write("RQa", finding().replace("status: final", "status: draft"))
    text = report()
    assert text.index("::: {.banner}") < text.index("# Summary")
    assert ("**Draft, not yet verified:** 1 of the 1 review finding below are drafts or rest on draft-coded evidence, and 4 of the 6 excerpts "
            "were coded by a draft coder (First-pass model). Read every answer") in text
    assert '  - "Ada Tester, Test University (research questions)"\n  - "Coded by: Ada Tester; First-pass model (draft, unverified)"' in text


GAP = """\
  - id: RQb-G
    kind: gap
    statement: No document reports trust outside Germany and the UK.
    evidence: [okafor2021:1]
    authors: [AT]
    status: final
"""


def test_an_evidence_gap_is_shown_without_a_rating(declared):
    write("RQb", GAP, answer="Trust is reported in two countries only.")
    data = build_evidence()
    analysis = analyse(data)
    assessed = next(a for a in analysis["findings"] if a["id"] == "RQb-G")
    assert (assessed["kind"], assessed["checks"]) == ("gap", [])
    text = report(data)
    summary = text[text.index("# Summary"):text.index("\n# RQa: Savings")]
    assert "| [No document reports trust outside Germany and the UK.](#claim-RQb-G) | evidence gap | A statement of what the documents lack: not rated. | [@{okafor2021}] |" in summary
    assert "**RQb-G: evidence gap**, not rated" in text and "The team's evidence gap [RQb-G](#claim-RQb-G), above." in text
    # A gap with a CERQual assessment, and a finding without one, are errors that say which kind needs what.
    write("RQb", GAP + "    cerqual:" + finding().split("    cerqual:")[1], finding("RQb-2").split("    cerqual:")[0])
    with pytest.raises(InputError) as err:
        build_evidence()
    assert problems(err) == [
        "findings/RQb.yaml:10: finding RQb-G is an evidence gap (kind: gap), which has no confidence rating: CERQual assesses what evidence "
        "shows, not its absence; remove cerqual",
        "findings/RQb.yaml:16: finding RQb-2: no cerqual assessment: a review finding needs one (a statement that evidence is absent is an "
        "evidence gap: write kind: gap and no cerqual)",
    ]


def test_levels_above_the_table_or_uneven_are_warned(declared):
    # Two serious concerns allow at most low (from high, one level down for each).
    write("RQa", finding(confidence="moderate", limitations="serious", adequacy="serious"))
    warnings = {w["code"]: f"{w['path']}:{w['line']}: {w['message']}" for w in analyse(build_evidence())["warnings"]}
    assert warnings["CONFIDENCE_ABOVE_TABLE"] == ("findings/RQa.yaml:14: finding RQa-1: moderate confidence with 2 serious concerns; the level "
                                                  "table allows at most low (one level down from high for each serious concern)")
    # The same concerns rated differently: the higher rating is uneven with the lower, unless its explanation answers it.
    write("RQa", finding(confidence="low"), finding("RQa-2", confidence="very_low"))
    warnings = [(w["code"], w["message"]) for w in analyse(build_evidence())["warnings"]]
    assert warnings == [("CONFIDENCE_UNEVEN", "finding RQa-1: low confidence, above RQa-2 (very low), whose concerns are each at most as serious as its own")]
    write("RQa", finding(confidence="low", extra="    addresses: [CONFIDENCE_UNEVEN]\n"), finding("RQa-2", confidence="very_low"))
    assert analyse(build_evidence())["warnings"] == []
    # Less serious concerns may be rated higher; more serious ones may not.
    write("RQa", finding(confidence="low", coherence="serious"), finding("RQa-2", confidence="very_low"))
    assert [w["code"] for w in analyse(build_evidence())["warnings"]] == ["CONFIDENCE_UNEVEN"]
    write("RQa", finding(confidence="very_low", coherence="serious"), finding("RQa-2", confidence="low"))
    assert analyse(build_evidence())["warnings"] == []
