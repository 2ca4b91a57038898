"""Appraisals: the format and its messages, the facts beside each finding's methodological-limitations
judgement and their warnings, the report's appraisal table, and the ALMP review's appraisals."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest

import reviewkit
from synthesis.analysis.cells import analyse
from synthesis.cli import main
from synthesis.common.problems import InputError
from synthesis.evidence.build import build_evidence
from synthesis.inputs.appraisals import scaffold, shipped_tools
from synthesis.inputs.schemacheck import shipped_schema
from synthesis.report.context import render_markdown

DECLARED = "coders:\n  - {id: AT, name: Ada Tester}\n  - {id: bot, name: First-pass model, draft: true}\n" \
           "appraisal:\n  tools: [aacods, casp_qualitative, mmat]\n"
AACODS = ("authority", "accuracy", "coverage", "objectivity", "date", "significance")


def aacods(answers: dict[str, str] | None = None, concern: str = "minor", appraiser: str = "AT") -> str:
    """An AACODS appraisal: every item 'yes' but those in ``answers``."""
    chosen = {k: "yes" for k in AACODS} | (answers or {})
    items = "".join(f"  {k}: {{answer: {v}, note: Seen in the text.}}\n" for k, v in chosen.items())
    return f"tool: aacods\nappraiser: {appraiser}\nitems:\n{items}overall: {{concern: {concern}, explanation: One sentence.}}\n"


def put(name: str, text: str) -> None:
    Path("appraisal").mkdir(exist_ok=True)
    Path(f"appraisal/{name}").write_text(text, encoding="utf-8")


@pytest.fixture
def appraising(review):
    """The fixture review with declared coders and three appraisal tools."""
    Path("review.yaml").write_text(Path("review.yaml").read_text(encoding="utf-8") + DECLARED, encoding="utf-8")
    return review


def problems(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


def test_the_shipped_tools_cite_their_sources_and_match_the_protocol_schema():
    tools = shipped_tools()
    assert set(tools) == {"aacods", "casp_qualitative", "mmat", "jbi_text_opinion"}
    enum = shipped_schema("review.schema.json")["properties"]["appraisal"]["properties"]["tools"]["items"]["enum"]
    assert set(enum) == set(tools)
    for name, tool in tools.items():
        assert tool["citation"] and tool["url"].startswith("http") and "own words" in tool["wording"], name
        ids = [i["id"] for i in tool["items"]]
        assert len(ids) == len(set(ids)) and all("?" in i["prompt"] for i in tool["items"]), name
        assert any(a["concern"] for a in tool["answers"]) and not all(a["concern"] for a in tool["answers"]), name
    assert len(tools["aacods"]["items"]) == 6 and len(tools["casp_qualitative"]["items"]) == 10
    assert len(tools["jbi_text_opinion"]["items"]) == 6 and len(tools["mmat"]["items"]) == 27  # 2 screening + 5 x 5
    assert "Tyndall" in tools["aacods"]["citation"] and "Hong" in tools["mmat"]["citation"] and "2018" in tools["casp_qualitative"]["title"]


def test_every_problem_of_an_appraisal_at_once(appraising):
    put("okafor2021.yaml", """\
tool: aacods
appraiser: ZZ
parts: [x]
score: 3
items:
  authority: {answer: yes, note: Named.}
  accuracy: {answer: maybe, note: Unclear.}
  coverge: {answer: no, note: Typo.}
  coverage: {answer: no}
  objectivity: {answer: true, note: A boolean.}
  date: {answer: yes, note: Dated.}
overall: {concern: weak, explanation: One sentence.}
""")
    put("smith2020.yaml", "tool: mmat\nappraiser: AT\nitems:\n  s1: {answer: yes, note: a}\n  qual1: {answer: yes, note: b}\n"
                          "overall: {concern: minor, explanation: c}\n")
    with pytest.raises(InputError) as err:
        build_evidence()
    significance = shipped_tools()["aacods"]["items"][-1]["prompt"]
    s2 = shipped_tools()["mmat"]["items"][1]["prompt"]
    assert problems(err) == [
        "appraisal/okafor2021.yaml:2: appraiser: unknown coder 'ZZ' (appraisers are coders declared in review.yaml): allowed: AT, bot",
        "appraisal/okafor2021.yaml:3: parts: AACODS has no parts: remove 'parts'",
        "appraisal/okafor2021.yaml:4: unknown key 'score' in top level: allowed: appraiser, items, overall, parts, tool, tool_reason",
        f"appraisal/okafor2021.yaml:5: items: no answer to 'significance' (Significance: {significance})",
        "appraisal/okafor2021.yaml:7: items.accuracy.answer: 'maybe' is not an answer AACODS allows: allowed: yes, no, unclear",
        "appraisal/okafor2021.yaml:8: items: 'coverge' is not an item of AACODS here: did you mean 'coverage'? "
        "allowed: authority, accuracy, coverage, objectivity, date, significance",
        "appraisal/okafor2021.yaml:9: items.coverage: missing required key 'note'",
        "appraisal/okafor2021.yaml:10: items.objectivity.answer: expected a string, got true (quote it: YAML reads some bare words as other types)",
        "appraisal/okafor2021.yaml:12: overall.concern: \"weak\" is not allowed: allowed: no_or_very_minor, minor, moderate, serious",
        "appraisal/smith2020.yaml:1: parts: name the parts of MMAT this source is appraised with (its study design; a mixed-methods "
        "study names each component too): allowed: qualitative, randomized, non_randomized, descriptive, mixed_methods",
        f"appraisal/smith2020.yaml:3: items: no answer to 's2' (Data fit the questions: {s2})",
        "appraisal/smith2020.yaml:5: items: 'qual1' is not an item of MMAT here: it belongs to part 'qualitative', which 'parts' does not name",
    ]


def test_the_tool_the_source_and_the_file_are_checked(appraising):
    put("smith2020.yaml", aacods().replace("tool: aacods", "tool: aacod"))
    put("smith2020.yml", aacods())
    put("okafor2021.yaml", aacods().replace("tool: aacods", "tool: jbi_text_opinion"))
    put("smith2021.yaml", aacods())
    with pytest.raises(InputError) as err:
        build_evidence()
    assert problems(err) == [
        "appraisal/okafor2021.yaml:1: tool: 'jbi_text_opinion' is not among review.yaml's appraisal.tools (aacods, casp_qualitative, mmat): "
        "add it there to appraise with it (docs/formats.md, \"Appraisals\")",
        "appraisal/smith2020.yaml:1: tool: 'aacod' is not an appraisal tool: did you mean 'aacods'? allowed: aacods, casp_qualitative, mmat",
        "appraisal/smith2020.yml:1: two appraisals for 'smith2020': keep one of appraisal/smith2020.yaml and appraisal/smith2020.yml",
        "appraisal/smith2021.yaml:1: no source 'smith2021': name the file after the citekey of the source it appraises "
        "(did you mean 'smith2020'? allowed: okafor2021, smith2020)",
    ]


def test_the_protocol_document_is_never_appraised_and_never_missed(appraising):
    source = Path("sources/okafor2021.txt")
    source.write_bytes(source.read_bytes().replace(b"role: secondary", b"role: protocol"))
    put("okafor2021.yaml", aacods())
    with pytest.raises(InputError) as err:
        build_evidence()
    assert problems(err) == ["appraisal/okafor2021.yaml:1: okafor2021 is the review's protocol document: it frames the questions "
                             "and is never appraised; remove this file"]
    put("okafor2021.yaml", scaffold(None))  # an empty scaffold of it is harmless, and it is not listed as unappraised
    assert [w["message"] for w in build_evidence()["warnings"]] == [
        "smith2020 is not appraised: write appraisal/smith2020.yaml with one of review.yaml's appraisal.tools (aacods, casp_qualitative, "
        "mmat) (docs/formats.md, \"Appraisals\")"]


def test_check_lists_unappraised_sources(appraising, capsys):
    put("okafor2021.yaml", scaffold({"appraisal": {"tools": ["aacods"]}}))
    assert main(["check"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "appraisal/okafor2021.yaml:1: warning [NOT_APPRAISED]: okafor2021 is not appraised yet: this file is not filled in; give its tool "
        "(aacods, casp_qualitative, mmat), appraiser, each item's answer and note, and the overall concern",
        "sources/smith2020.md:1: warning [NOT_APPRAISED]: smith2020 is not appraised: write appraisal/smith2020.yaml with one of "
        "review.yaml's appraisal.tools (aacods, casp_qualitative, mmat) (docs/formats.md, \"Appraisals\")",
        "ok: 2 sources, 6 excerpts, every quote located; 2 warnings"]
    # Checking the one appraisal file checks that source (and its appraisal) only.
    put("okafor2021.yaml", aacods())
    assert main(["check", "appraisal/okafor2021.yaml"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ok: checked 1 of 2 sources (2 excerpts), every quote located",
        "not checked: the other source and its sheet; whether a study named in these sheets has the same design in the other "
        "sheets (`review check` without files checks the whole review, as the build does)"]


def test_a_review_that_does_not_appraise(review, capsys):
    assert main(["check"]) == 0
    assert capsys.readouterr().out.splitlines() == ["ok: 2 sources, 6 excerpts, every quote located"]
    put("smith2020.yaml", aacods(appraiser="anyone"))  # no coders declared: any appraiser
    with pytest.raises(InputError) as err:
        build_evidence()
    assert problems(err) == ["appraisal/smith2020.yaml:1: tool: 'aacods' is not among review.yaml's appraisal.tools (none): "
                             "add it there to appraise with it (docs/formats.md, \"Appraisals\")"]


def test_add_source_scaffolds_an_empty_appraisal(appraising, capsys):
    Path("new.bib").write_text("@report{new2024,\n  title = {New},\n  year = {2024}\n}\n", encoding="utf-8")
    Path("frame.bib").write_text("@report{frame2024,\n  title = {Frame},\n  year = {2024}\n}\n", encoding="utf-8")
    assert main(["add-source", "--role", "secondary", "new.bib"]) == 0
    out = capsys.readouterr().out
    assert "wrote appraisal/new2024.yaml\n" in out and "appraise it in appraisal/new2024.yaml" in out
    written = Path("appraisal/new2024.yaml").read_text(encoding="utf-8")
    assert written == scaffold({"appraisal": {"tools": ["aacods", "casp_qualitative", "mmat"]}})
    assert "tool:        # one of review.yaml's appraisal.tools: aacods, casp_qualitative, mmat\n" in written
    assert main(["add-source", "--role", "protocol", "frame.bib"]) == 0  # the protocol document is never appraised
    assert not Path("appraisal/frame2024.yaml").exists()
    assert main(["add-source", "--role", "secondary", "new.bib"]) == 1
    assert "appraisal/new2024.yaml:1: already exists; add-source never overwrites a file (key 'new2024')" in capsys.readouterr().err


FINDING = """\
question: RQa
answer: Bills fell.
findings:
  - id: RQa-1
    statement: Bills fell for members.
    evidence: [smith2020:1, smith2020:2, okafor2021:1]
    authors: [AT]
    status: final
    cerqual:
      methodological_limitations: {{concern: {concern}, explanation: One sentence.}}
      coherence: {{concern: minor, explanation: They agree.}}
      adequacy: {{concern: moderate, explanation: Two studies.}}
      relevance: {{concern: minor, explanation: Two countries.}}
      overall: {{confidence: low, explanation: Some concerns.}}
{extra}"""


def assessed(concern: str, extra: str = "") -> tuple[dict, list[tuple[str, str]]]:
    Path("findings").mkdir(exist_ok=True)
    Path("findings/RQa.yaml").write_text(FINDING.format(concern=concern, extra=extra), encoding="utf-8")
    analysis = analyse(build_evidence())
    return analysis["findings"][0], [(w["code"], w["message"]) for w in analysis["warnings"]]


def test_limitations_facts_weigh_each_source_by_its_share(appraising):
    put("smith2020.yaml", aacods({"accuracy": "no", "coverage": "unclear"}, concern="serious", appraiser="bot"))
    put("okafor2021.yaml", aacods(concern="minor"))
    finding, warnings = assessed("minor")
    assert finding["limitations"] == {
        "excerpts": 3, "weak_excerpts": 2, "unappraised_excerpts": 0,
        "by_concern": {"no_or_very_minor": 0, "minor": 1, "moderate": 0, "serious": 2},
        "sources": [
            {"citekey": "smith2020", "excerpts": 2, "share": 0.6667, "appraised": True, "tool": "aacods", "tool_name": "AACODS",
             "concern": "serious", "appraiser": "bot", "draft": True,
             "concerns": [{"item": "accuracy", "label": "Accuracy", "answer": "no", "note": "Seen in the text."},
                          {"item": "coverage", "label": "Coverage", "answer": "unclear", "note": "Seen in the text."}]},
            {"citekey": "okafor2021", "excerpts": 1, "share": 0.3333, "appraised": True, "tool": "aacods", "tool_name": "AACODS",
             "concern": "minor", "appraiser": "AT", "draft": False, "concerns": []}]}
    assert warnings == [("LIMITATIONS_WEAK_SOURCES", "finding RQa-1: methodological limitations have minor concerns but 2 of its 3 excerpts "
                                                     "come from sources appraised with moderate or serious concerns: smith2020 (2, serious concerns)")]
    # Named in addresses, it is answered: shown as addressed, not warned about.
    finding, warnings = assessed("minor", "    addresses: [LIMITATIONS_WEAK_SOURCES]\n")
    assert warnings == [] and [(c["code"], c["addressed"]) for c in finding["checks"]] == [("LIMITATIONS_WEAK_SOURCES", True)]
    finding, warnings = assessed("serious")
    assert warnings == []


def test_a_judgement_below_every_appraisal_or_on_unappraised_sources_is_warned(appraising):
    put("smith2020.yaml", aacods(concern="minor"))
    put("okafor2021.yaml", aacods(concern="moderate"))
    _finding, warnings = assessed("no_or_very_minor")
    assert warnings == [("LIMITATIONS_BELOW_APPRAISALS", "finding RQa-1: methodological limitations have no or very minor concerns, less "
                                                         "than the appraisal of every one of its sources gives (the least, smith2020's: minor concerns)")]
    assert assessed("minor")[1] == []
    Path("appraisal/smith2020.yaml").unlink()
    _finding, warnings = assessed("minor")
    assert [c for c, _m in warnings] == ["LIMITATIONS_UNAPPRAISED"]
    assert warnings[0][1] == ("finding RQa-1: methodological limitations have minor concerns but 2 of its 3 excerpts come from "
                              "sources not yet appraised: smith2020 (2)")


def test_the_report_shows_appraisals_beside_the_judgement_and_in_a_table(appraising):
    put("smith2020.yaml", aacods({"date": "no"}, concern="moderate"))
    Path("findings").mkdir()
    Path("findings/RQa.yaml").write_text(FINDING.format(concern="moderate", extra=""), encoding="utf-8")
    markdown = render_markdown(build_evidence(), reviewkit.ROOT / "templates")
    row = next(line for line in markdown.splitlines() if line.startswith("| Methodological limitations |"))
    assert row.endswith("[Appraisals](#appraisal): smith2020 2/3 moderate; okafor2021 1/3 not appraised. |")
    section = markdown[markdown.index("## Appraisal of the sources {#appraisal}"):markdown.index("## How the evidence was counted")]
    assert "| @{smith2020} (smith2020) | AACODS | moderate concerns | Date | Ada Tester |" in section
    assert "(AACODS, Tyndall 2010)" in section and "Not yet appraised: okafor2021." in section


def test_a_review_that_does_not_appraise_has_no_appraisal_section(review):
    markdown = render_markdown(build_evidence(), reviewkit.ROOT / "templates")
    assert "{#appraisal}" not in markdown and "Appraisals" not in markdown


def test_the_almp_report_shows_each_limitations_judgement_beside_its_appraisals(almp_built):
    data = orjson.loads((almp_built / "output/build/evidence.json").read_bytes())
    assert {a["citekey"]: (a["tool"], a["appraiser"]) for a in data["appraisals"]} == {
        "green2023": ("jbi_text_opinion", "draft-llm"), "ray2017": ("aacods", "draft-llm"),
        "sectoral-pathways": ("aacods", "draft-llm"), "vincent2024": ("aacods", "draft-llm")}
    assert data["warnings"] == [] and analyse(data)["warnings"] == []  # no unaddressed contradiction, nothing unappraised
    assert all(a["tool_reason"] for a in data["appraisals"])
    markdown = (almp_built / "output/report/state-of-play.md").read_text(encoding="utf-8")
    profiles = re.findall(r"::: \{#claim-(\S+) \.finding\}\n(.*?)\n:::", markdown, re.S)
    rated = [f for r in data["findings"] for f in r["findings"] if f["kind"] == "finding"]
    assert {fid for fid, _text in profiles} >= {f["id"] for f in rated}
    for finding in rated:
        text = dict(profiles)[finding["id"]]
        row = next(line for line in text.splitlines() if line.startswith("| Methodological limitations |"))
        judged = finding["components"]["methodological_limitations"]
        assert row.startswith(f"| Methodological limitations | {judged['concern'].replace('_', ' ')} concerns |"), finding["id"]
        shown = re.search(r"\[Appraisals\]\(#appraisal\): (.*?)\. \|$", row).group(1)
        documents = sorted({e.rpartition(":")[0] for e in finding["evidence"]})
        assert sorted(part.split(" ")[0] for part in shown.split("; ")) == documents, finding["id"]
    table = markdown[markdown.index("{#appraisal}"):markdown.index("{#rating}")]
    assert table.count("| @{") == 4 and "jones-abstract" not in table and "Not yet appraised" not in table
