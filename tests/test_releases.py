"""Releases: `review release NAME` records a version, and the report, `review diff` and changes.csv say what
changed since, exactly; without a release the section is absent and changes.csv is only its header."""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import reviewkit
from synthesis.analysis.releases import compare
from synthesis.cli.main import main
from synthesis.inputs.releases import fingerprint, parse_release
from synthesis.report.changes import COLUMNS, section, sentence, summary, table, text

LEE = """\
---
citekey: lee2019
type: book
role: primary
tags: [tariffs]
countries: [GB]
---
# Tariffs

Feed-in tariffs paid members of every scheme we studied.
"""
LEE_SHEET = ("id,quote,codes,finding,evidence_type,countries,coder\n"
             "1,Feed-in tariffs paid members of every scheme we studied.,bill_savings,Tariffs paid members.,survey,GB,AT\n")
NEW_ANSWER = "Members' bills fell in two studies; whether renters gain is unknown."
# What the report, `review diff` and changes.csv say after the change: a source added, a finding's confidence moved.
LEAD = "Since release v1 (2024-06-01): 1 answer changed, 1 confidence level moved, 1 new source."
SENTENCES = [
    "The answer to RQa changed. It was: “Members' bills fell in one scheme; whether renters gain is unknown.” "
    f"It is now: “{NEW_ANSWER}”",
    "RQa-1: confidence moved from low to moderate. What changed: adequacy from moderate concerns to minor concerns; "
    "evidence added: lee2019:1 (from new source lee2019).",
    "New source: lee2019, Lee (2019) (primary; 1 excerpt).",
]
CHANGES_CSV = (
    "change,question,item,before,after,why\n"
    f"answer,RQa,RQa,Members' bills fell in one scheme; whether renters gain is unknown.,{NEW_ANSWER},\n"
    "confidence,RQa,RQa-1,low,moderate,adequacy from moderate concerns to minor concerns; evidence added: lee2019:1 "
    "(from new source lee2019)\n"
    "source_added,,lee2019,,Lee (2019),primary; 1 excerpt\n"
)


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def change_the_review(root: Path) -> None:
    """A source added (lee2019, in the bibliography already) and coded; RQa-1 rests on it too, and its
    adequacy and confidence move; the answer is rewritten."""
    (root / "sources/lee2019.md").write_text(LEE, encoding="utf-8")
    (root / "extraction/lee2019.csv").write_text(LEE_SHEET, encoding="utf-8")
    path = root / "findings/RQa.yaml"
    findings = path.read_text(encoding="utf-8")
    for old, new in (("evidence: [smith2020:1, smith2020:2]", "evidence: [smith2020:1, smith2020:2, lee2019:1]"),
                     ("adequacy: {concern: moderate, explanation: One study.}", "adequacy: {concern: minor, explanation: Two studies.}"),
                     ("overall: {confidence: low,", "overall: {confidence: moderate,"),
                     ("answer: Members' bills fell in one scheme; whether renters gain is unknown.", f"answer: {NEW_ANSWER}")):
        assert old in findings
        findings = findings.replace(old, new)
    path.write_text(findings, encoding="utf-8")


@pytest.fixture
def released(named_built, tmp_path):
    """A copy of the built fixture review with findings (times kept, so the build is up to date), released as v1."""
    root = shutil.copytree(named_built, tmp_path / "review", symlinks=True)
    code, out, err = run(root, "release", "v1", "--date", "2024-06-01")
    assert code == 0, err
    assert out == ("Wrote releases/v1.json: release v1 of 2024-06-01, no git commit (the review is not in git); "
                   "1 answer, 1 finding, 6 excerpts, 2 sources.\n")
    return root


def test_a_release_then_a_change_in_the_report_diff_and_changes_csv(released):
    change_the_review(released)
    code, out, err = run(released, "diff")
    assert code == 0, err
    assert out == "\n".join(["Changes since v1", LEAD, *(f"- {s}" for s in SENTENCES)]) + "\n"
    assert run(released, "diff", "v1")[1] == out
    # The build as far as the HTML and changes.csv (the DOCX, provenance and crate are tested elsewhere).
    result = reviewkit.snakemake(released, "output/report/state-of-play.html", "output/tables/changes.csv")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (released / "output/tables/changes.csv").read_text(encoding="utf-8") == CHANGES_CSV
    report = (released / "output/report/state-of-play.md").read_text(encoding="utf-8")
    expected = "\n".join(["# Changes since v1 {#changes}", "", LEAD, "",
                          "- The answer to RQa changed. It was: “Members' bills fell in one scheme; whether renters gain is "
                          f"unknown.” It is now: “{NEW_ANSWER}”",
                          "- RQa-1: confidence moved from low to moderate. What changed: adequacy from moderate concerns to "
                          "minor concerns; evidence added: lee2019:1 (from new source lee2019).",
                          "- New source: lee2019, Lee (2019) (primary; 1 excerpt).", "", "# Summary {#summary}"])
    assert expected in report
    assert report.index("# Changes since v1") < report.index("# Summary")
    html = (released / "output/report/state-of-play.html").read_text(encoding="utf-8")
    assert 'id="changes">Changes since v1</h1>' in html
    # Deterministic: the report step run again gives the same bytes.
    code, _out, err = run(released, "report", "--evidence", "output/build/evidence.json", "--templates", str(reviewkit.ROOT / "templates"),
                          "--output", "output/again.md", "--changes", "output/again.csv")
    assert code == 0, err
    assert (released / "output/again.md").read_text(encoding="utf-8") == report
    assert (released / "output/again.csv").read_text(encoding="utf-8") == CHANGES_CSV


def test_without_a_release_there_is_no_section_and_changes_csv_is_its_header(named_built, almp_built):
    for root in (named_built, almp_built):
        assert (root / "output/tables/changes.csv").read_text(encoding="utf-8") == "change,question,item,before,after,why\n"
        report = (root / "output/report/state-of-play.md").read_text(encoding="utf-8")
        assert "Changes since" not in report and "{#changes}" not in report
    assert not (almp_built / "releases").exists()


def test_the_release_file_is_checked_and_deterministic(released):
    path = released / "releases/v1.json"
    data = parse_release(path.read_text(encoding="utf-8"), "releases/v1.json")
    assert data["format"] == "synthesis-release/1" and data["commit"] == "" and data["date"] == "2024-06-01"
    assert data["fingerprint"] == fingerprint(data["review"])
    assert data["review"]["findings"]["RQa-1"] == {
        "question": "RQa", "kind": "finding", "statement": "Bills fell for members in the first year.", "confidence": "low",
        "components": {"methodological_limitations": "moderate", "coherence": "minor", "adequacy": "moderate", "relevance": "minor"},
        "evidence": ["smith2020:1", "smith2020:2"]}
    assert sorted(data["review"]["sources"]) == ["okafor2021", "smith2020"] and data["review"]["records"] == {}
    # The same review released again under another name differs only in its name.
    assert run(released, "release", "v2", "--date", "2024-06-01")[0] == 0
    again = (released / "releases/v2.json").read_text(encoding="utf-8")
    assert again == path.read_text(encoding="utf-8").replace('"name": "v1"', '"name": "v2"')
    # Nothing changed since v1 (report.changes_since) while v2 is the latest; both say nothing changed.
    code, out, _err = run(released, "diff")
    assert out == "Changes since v2\nNothing the report states has changed since release v2 (2024-06-01).\n"


def test_report_changes_since_names_the_release(released):
    change_the_review(released)
    assert run(released, "release", "v2", "--date", "2024-07-01")[0] == 0
    assert run(released, "diff")[1].splitlines()[1] == "Nothing the report states has changed since release v2 (2024-07-01)."
    protocol = released / "review.yaml"
    protocol.write_text(protocol.read_text(encoding="utf-8") + "report:\n  changes_since: v1\n", encoding="utf-8")
    assert run(released, "diff")[1].splitlines()[:2] == ["Changes since v1", LEAD]
    assert run(released, "check")[0] == 0


def test_a_release_in_git_names_its_commit_and_refuses_uncommitted_changes(tmp_path):
    root = reviewkit.make_named_review(tmp_path / "review")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "first", "--date", "2024-05-04T10:00:00Z"], cwd=root, check=True,
                   env=os.environ | {"GIT_COMMITTER_DATE": "2024-05-04T10:00:00Z"})
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    code, out, _err = run(root, "release", "v1")
    assert code == 0
    assert out == (f"Wrote releases/v1.json: release v1 of 2024-05-04, commit {head[:12]}; 1 answer, 1 finding, 6 excerpts, "
                   "2 sources. Commit it: git add releases/v1.json && git commit -m 'Release v1'\n")
    data = json.loads((root / "releases/v1.json").read_text(encoding="utf-8"))
    assert data["commit"] == head and data["date"] == "2024-05-04"
    # The new release is itself uncommitted: the next one waits for it.
    code, _out, err = run(root, "release", "v2")
    assert code == 1 and err.splitlines()[0] == ("releases/v1.json:1: not committed: commit the review's changes first, so that "
                                                 "release v2 names the commit it records (git status lists them)")
    assert not (root / "releases/v2.json").exists()
    assert run(root, "diff")[1].splitlines()[1] == f"Nothing the report states has changed since release v1 (2024-05-04, commit {head[:12]})."


# ---- the comparison, unit by unit ------------------------------------------------------------------

BEFORE = {
    "answers": {"Q1": "Yes.", "Q2": "No."},
    "findings": {
        "Q1-F1": {"question": "Q1", "kind": "finding", "statement": "A.", "confidence": "low", "evidence": ["a:1", "a:2"],
                  "components": {"methodological_limitations": "serious", "coherence": "minor", "adequacy": "moderate", "relevance": "minor"}},
        "Q1-F2": {"question": "Q1", "kind": "finding", "statement": "B.", "confidence": "moderate", "evidence": ["a:1"],
                  "components": {"methodological_limitations": "minor", "coherence": "minor", "adequacy": "minor", "relevance": "minor"}},
        "Q2-F1": {"question": "Q2", "kind": "gap", "statement": "Nothing on C.", "confidence": "not_rated", "evidence": [], "components": {}},
        "Q10-F1": {"question": "Q10", "kind": "finding", "statement": "D.", "confidence": "high", "evidence": ["b:1"],
                   "components": {"methodological_limitations": "minor", "coherence": "minor", "adequacy": "minor", "relevance": "minor"}},
    },
    "evidence": {"a:1": {"citekey": "a", "quote_sha256": "1" * 64, "coding_sha256": "2" * 64},
                 "a:2": {"citekey": "a", "quote_sha256": "3" * 64, "coding_sha256": "4" * 64},
                 "b:1": {"citekey": "b", "quote_sha256": "5" * 64, "coding_sha256": "6" * 64}},
    "sources": {"a": {"sha256": "a" * 64, "role": "primary", "citation": "A (2020)"},
                "b": {"sha256": "b" * 64, "role": "secondary", "citation": "B (2021)"}},
    "records": {"identified": 10, "duplicates": 1, "screened": 9, "excluded": 5, "assessed": 4, "included": 3},
}


def test_nothing_changed_is_no_change():
    assert compare(BEFORE, copy.deepcopy(BEFORE)) == []


def test_every_kind_of_change_in_a_fixed_order():
    after = copy.deepcopy(BEFORE)
    after["answers"]["Q2"] = "Perhaps."
    f1, f2 = after["findings"]["Q1-F1"], after["findings"]["Q1-F2"]
    f1["components"]["coherence"] = "moderate"  # judgements moved, confidence did not
    f2["evidence"] = ["a:1", "c:1"]  # evidence only
    after["evidence"]["a:1"]["coding_sha256"] = "7" * 64
    after["evidence"]["c:1"] = {"citekey": "c", "quote_sha256": "8" * 64, "coding_sha256": "9" * 64}
    after["sources"]["c"] = {"sha256": "c" * 64, "role": "commentary", "citation": "C (2022)"}
    after["sources"]["a"]["sha256"] = "d" * 64
    del after["sources"]["b"], after["evidence"]["b:1"], after["findings"]["Q10-F1"]
    after["findings"]["Q2-F2"] = {"question": "Q2", "kind": "finding", "statement": "E.", "confidence": "very_low",
                                  "evidence": ["c:1"], "components": dict(f1["components"])}
    after["findings"]["Q2-F1"]["statement"] = "Nothing on C or D."
    after["records"] |= {"identified": 12, "screened": 11}
    rows = compare(BEFORE, after)
    assert table(rows) == (
        "change,question,item,before,after,why\n"
        "answer,Q2,Q2,No.,Perhaps.,\n"
        "judgements,Q1,Q1-F1,low,low,coherence from minor concerns to moderate concerns; evidence changed: a:1 (coding)\n"
        "evidence,Q1,Q1-F2,,,evidence added: c:1 (from new source c); evidence changed: a:1 (coding)\n"
        "statement,Q2,Q2-F1,Nothing on C.,Nothing on C or D.,\n"
        "finding_added,Q2,Q2-F2,,E.,very low confidence; evidence: c:1\n"
        "finding_removed,Q10,Q10-F1,D.,,\n"
        "source_changed,,a,aaaaaaaaaaaa,dddddddddddd,its file changed\n"
        "source_removed,,b,B (2021),,\n"
        "source_added,,c,,C (2022),commentary; 1 excerpt\n"
        "records,,identified,10,12,\n"
        "records,,screened,9,11,\n")
    assert [sentence(r) for r in rows] == [
        "The answer to Q2 changed. It was: “No.” It is now: “Perhaps.”",
        "Q1-F1: confidence unchanged (low), its judgements changed. What changed: coherence from minor concerns to moderate "
        "concerns; evidence changed: a:1 (coding).",
        "Q1-F2: judgements unchanged, its evidence changed. What changed: evidence added: c:1 (from new source c); evidence "
        "changed: a:1 (coding).",
        "Q2-F1's statement changed. It was: “Nothing on C.” It is now: “Nothing on C or D.”",
        "Q2-F2 (Q2) is new, very low confidence; evidence: c:1: “E.”",
        "Q10-F1 (Q10) was removed: “D.”",
        "Source changed: a (its file's SHA-256 was aaaaaaaaaaaa…, is now dddddddddddd…).",
        "Source removed: b, B (2021).",
        "New source: c, C (2022) (commentary; 1 excerpt).",
        "Records identified: 10, now 12.",
        "Records screened: 9, now 11.",
    ]
    assert summary(rows) == ("1 answer changed, 1 finding added, 1 finding removed, 3 other changes to findings, 1 new source, "
                             "2 sources removed or changed, 2 record counts changed")
    assert list(COLUMNS) == next(csv.reader(io.StringIO(table(rows))))


def test_a_confidence_move_says_why_and_the_section_escapes_markdown():
    after = copy.deepcopy(BEFORE)
    f1 = after["findings"]["Q1-F1"]
    f1["confidence"], f1["components"]["adequacy"] = "very_low", "serious"
    f1["evidence"] = ["a:1"]
    after["evidence"]["a:1"]["quote_sha256"] = "0" * 64
    rows = compare(BEFORE, after)
    assert [sentence(r) for r in rows] == [
        "Q1-F1: confidence moved from low to very low. What changed: adequacy from moderate concerns to serious concerns; "
        "evidence removed: a:2; evidence changed: a:1 (quote).",
        "Q1-F2: judgements unchanged, its evidence changed. What changed: evidence changed: a:1 (quote)."]  # it rests on a:1 too
    rows = rows[:1]
    release = {"name": "v1_*x*", "date": "2024-06-01", "commit": "f" * 40}
    assert section(release, rows) == (
        "# Changes since v1\\_\\*x\\* {#changes}\n\n"
        "Since release v1\\_\\*x\\* (2024-06-01, commit ffffffffffff): 1 confidence level moved.\n\n"
        "- Q1-F1: confidence moved from low to very low. What changed: adequacy from moderate concerns to serious concerns; "
        "evidence removed: a:2; evidence changed: a:1 (quote).")
    assert section(None, []) == ""
    assert text(release, []) == ("Changes since v1_*x*\n"
                                 "Nothing the report states has changed since release v1_*x* (2024-06-01, commit ffffffffffff).\n")


def test_new_sources_and_screened_records_since_a_release(tmp_path):
    """A review with records/: a new record screened out, and lee2019 retrieved, included and coded."""
    import recordskit

    root = reviewkit.make_named_review(tmp_path / "review")
    recordskit.add_records(root)
    assert run(root, "release", "v1", "--date", "2024-06-01")[0] == 0
    (root / "sources/lee2019.md").write_text(LEE, encoding="utf-8")
    (root / "extraction/lee2019.csv").write_text(LEE_SHEET, encoding="utf-8")
    records = root / "records"
    (records / "hand.csv").write_text(recordskit.HAND + "ng2023,Heat networks,\"Ng, Jo\",2023,cited by lee2019\n", encoding="utf-8")
    (records / "searches.csv").write_text(recordskit.SEARCHES.replace("backward citation searching,2,", "backward citation searching,3,"),
                                          encoding="utf-8")
    screening = recordskit.SCREENING.replace("hand:lee2019,full_text,exclude,not_empirical,AT,2024-06-11,,",
                                             "hand:lee2019,full_text,include,,AT,2024-06-11,lee2019,")
    (records / "screening.csv").write_text(screening + "hand:ng2023,title_abstract,exclude,wrong_topic,AT,2024-07-01,,\n",
                                           encoding="utf-8")
    code, out, err = run(root, "diff")
    assert code == 0, err
    assert out == ("Changes since v1\n"
                   "Since release v1 (2024-06-01): 1 new source, 4 record counts changed.\n"
                   "- New source: lee2019, Lee (2019) (primary; 1 excerpt).\n"
                   "- Records identified: 9, now 10.\n"
                   "- Records screened: 6, now 7.\n"
                   "- Records excluded on screening: 2, now 3.\n"
                   "- Reports included: 2, now 3.\n")
