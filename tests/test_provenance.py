"""provenance.json: claims -> evidence -> selectors into hashed files."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import pytest

from synthesis.report.claims import Claims, anchor
from synthesis.evidence.build import build_evidence
from synthesis.common.problems import InputError
from synthesis.audit.provenance import build_provenance, to_json
from synthesis.audit.revision import git_state, revision
from synthesis.report.context import report_context

BUILD = {"review": {"commit": None, "dirty": None}, "pipeline": {"commit": None, "dirty": None}, "packages": {"synthesis": "0"}, "pandoc": "3.9"}


@pytest.fixture
def record(review):
    """provenance.json as the build writes it, read back."""
    return json.loads(to_json(build_provenance(build_evidence(), BUILD)))


def test_record_matches_its_schema(record):
    from jsonschema import Draft202012Validator

    schema = json.loads(resources.files("synthesis").joinpath("schema/provenance.schema.json").read_text("utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(record)) == []


def test_selectors_point_at_the_quote_in_the_hashed_file(record):
    for item in record["evidence"]:
        data = Path(item["source"]["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == item["source"]["sha256"]
        text = data.decode("utf-8-sig")
        quote, position = item["selector"]
        assert text[position["start"]:position["end"]] == quote["exact"]
        assert text[:position["start"]].endswith(quote["prefix"]) and text[position["end"]:].startswith(quote["suffix"])


def test_every_claim_has_evidence_in_the_record(record):
    ids = {e["id"] for e in record["evidence"]}
    kinds = {c["kind"] for c in record["claims"]}
    assert kinds == {"finding", "theme-summary", "evidence-base"}
    assert all(c["evidence"] and set(c["evidence"]) <= ids for c in record["claims"])
    by_id = {c["id"]: c for c in record["claims"]}
    assert by_id["RQb.uptake"]["evidence"] == ["okafor2021:2", "smith2020:2"]
    assert by_id["RQa.bill_savings.smith2020:1"]["text"] == "Members' bills fell by 12% in year one."
    assert by_id["RQb.evidence-base"]["evidence"] == ["okafor2021:1", "okafor2021:2", "smith2020:2"]


def test_claim_ids_do_not_depend_on_other_sources(review):
    before = {c["id"] for c in build_provenance(build_evidence(), BUILD)["claims"]}
    Path("extraction/okafor2021.xlsx").unlink()
    after = {c["id"] for c in build_provenance(build_evidence(), BUILD)["claims"]}
    assert {c for c in after if "smith2020:" in c} == {c for c in before if "smith2020:" in c}


def test_a_claim_without_evidence_fails(review):
    context = report_context(build_evidence())
    context["sections"][0]["themes"][0]["claim"]["evidence"] = []
    with pytest.raises(InputError) as err:
        context["claims"].checked()
    assert [str(p) for p in err.value.problems] == [
        "output/report/state-of-play.md:1: claim RQa.bill_savings has no evidence: Bill savings: 1 document; 1 independent study; 4 primary excerpts; "
        "strength of evidence weak: 1 document (needs 1)."]


def test_anchor_escapes_unsafe_characters():
    assert anchor("ev-", "smith2020:row 1/a") == "ev-smith2020:row_20_1_2f_a"


def test_git_state_outside_and_inside_a_repository(tmp_path):
    import subprocess

    assert git_state(tmp_path) == {"commit": None, "dirty": None}
    run = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    run("add", "a.txt")
    run("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x")
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "x.csv").write_text("built", encoding="utf-8")
    state = git_state(tmp_path)
    assert len(state["commit"]) == 40 and state["dirty"] is False  # build outputs do not make a tree dirty
    (tmp_path / "a.txt").write_text("b", encoding="utf-8")
    assert git_state(tmp_path)["dirty"] is True


def test_revision_names_the_commit_and_a_dirty_tree(tmp_path):
    import subprocess

    assert revision(tmp_path) == ""
    run = lambda *a: subprocess.run(["git", *a], cwd=tmp_path, check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    (tmp_path / "review.yaml").write_text("title: x\n", encoding="utf-8")
    run("add", "review.yaml")
    run("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x")
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True).stdout.strip()
    assert revision(tmp_path) == commit
    (tmp_path / "review.yaml").write_text("title: y\n", encoding="utf-8")
    assert revision(tmp_path) == commit + "+dirty"


def test_a_claim_id_used_twice_fails():
    claims = Claims()
    claims.add("RQa.bill_savings.smith2020:1", "finding", "x", ["smith2020:1"], "RQa")
    claims.add("RQa.bill_savings.smith2020:1", "finding", "x", ["smith2020:1"], "RQa")
    with pytest.raises(InputError) as err:
        claims.checked()
    assert [p.message for p in err.value.problems] == ["claim id RQa.bill_savings.smith2020:1 is used twice; make the sheet row ids distinct"]


def test_review_findings_are_claims_with_their_assessment(review):
    Path("findings").mkdir()
    Path("findings/RQa.yaml").write_text("""\
question: RQa
answer: Savings appear real.
findings:
  - id: RQa-1
    statement: Bills fell.
    evidence: [smith2020:1]
    authors: [AT]
    status: draft
    cerqual:
      methodological_limitations: {concern: minor, explanation: a.}
      coherence: {concern: minor, explanation: b.}
      adequacy: {concern: serious, explanation: c.}
      relevance: {concern: minor, explanation: d.}
      overall: {confidence: low, explanation: e.}
""", encoding="utf-8")
    record = json.loads(to_json(build_provenance(build_evidence(), BUILD)))
    from jsonschema import Draft202012Validator

    schema = json.loads(resources.files("synthesis").joinpath("schema/provenance.schema.json").read_text("utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(record)) == []
    by_id = {c["id"]: c for c in record["claims"]}
    finding = by_id["RQa-1"]
    assert (finding["kind"], finding["status"], finding["draft"], finding["evidence"]) == ("review-finding", "draft", True, ["smith2020:1"])
    assert finding["cerqual"]["adequacy"] == {"concern": "serious", "explanation": "c."}
    assert finding["facts"] == {"documents": ["smith2020"], "studies": ["smith2020"], "excerpts": 1, "primary": 1, "in_scope": 1, "countries": ["GB"]}
    assert by_id["RQa.answer"]["evidence"] == ["smith2020:1"]
    assert record["format"] == "synthesis-provenance/2" and record["inputs"]["findings"][0]["path"] == "findings/RQa.yaml"
