"""review audit and review trace on a built fixture review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import reviewkit
from synthesis.cli import main
from synthesis.evidence.build import build_evidence
from synthesis.common.problems import InputError


@pytest.fixture
def built(review):
    """The fixture review with its evidence set and provenance written (no Snakemake needed)."""
    assert main(["evidence", "--output", "output/build/evidence.json"]) == 0
    assert main(["provenance", "--evidence", "output/build/evidence.json", "--output", "output/provenance.json"]) == 0
    return review


def audit_output(capsys) -> tuple[int, list[str]]:
    status = main(["audit"])
    return status, capsys.readouterr().out.splitlines()


def edit(path: str, old: str, new: str) -> None:
    data = Path(path).read_bytes()
    assert old.encode() in data
    Path(path).write_bytes(data.replace(old.encode(), new.encode(), 1))


def test_clean_build_has_no_drift(built, capsys):
    status, lines = audit_output(capsys)
    assert (status, lines) == (0, ["audit: 13 claims, 6 excerpts, 2 sources checked; no drift."])


def test_editing_a_coded_sentence_names_exactly_the_affected_evidence(built, capsys):
    edit("sources/smith2020.md", "Uptake was highest among", "Uptake was lowest among")
    status, lines = audit_output(capsys)
    assert status == 1
    assert lines[0].startswith("sources/smith2020.md:1: the source changed since the build (sha256 ")
    assert lines[1] == 'sources/smith2020.md:13: smith2020:2: quote no longer in the source (recorded at characters 188-247): "Uptake was highest among homeowners; renters rarely joined."'
    assert "note: claim RQa.uptake rests on drifted evidence: smith2020:2" in lines
    assert "note: sources/smith2020.md:15: smith2020:3: quote moved from characters 249-302 to 248-301; rebuild to record its new place" in lines
    assert lines[-1].endswith("; 2 problems; evidence affected: smith2020:2")
    # The build fails on the same edit, naming the same evidence id.
    with pytest.raises(InputError) as err:
        build_evidence()
    assert [p.message.split(":")[0] for p in err.value.problems] == ["row 2 (smith2020"]
    assert err.value.problems[0].message.startswith("row 2 (smith2020:2): quote not found in sources/smith2020.md")


def test_an_edit_inside_an_elision_is_only_a_note(built, capsys):
    edit("sources/smith2020.md", "renters rarely joined", "tenants rarely joined")
    status, lines = audit_output(capsys)
    assert status == 1  # the file's hash changed
    assert "note: sources/smith2020.md:13: smith2020:2: text inside a [...] elision changed; the quoted words are unchanged" in lines
    assert lines[-1].endswith("; 1 problem; evidence affected: none")


def test_a_longer_edit_moves_later_quotes_without_affecting_them(built, capsys):
    edit("sources/smith2020.md", "fall by 12 per cent", "fall by twelve per cent")
    status, lines = audit_output(capsys)
    assert status == 1
    assert lines[-1].endswith("evidence affected: smith2020:1")
    moved = [line for line in lines if "quote moved" in line]
    assert [line.split(": ")[2] for line in moved] == ["smith2020:2", "smith2020:3", "smith2020:4"]


def test_an_edited_sheet_row_and_a_removed_bib_entry(built, capsys):
    reviewkit.write_smith_sheet(Path("."), {(3, 3): "A different finding."})
    bib = Path("sources/references.bib")
    bib.write_text(bib.read_text(encoding="utf-8").split("@book{lee2019")[0], encoding="utf-8")
    status, lines = audit_output(capsys)
    assert status == 1
    assert "extraction/smith2020.csv:4: smith2020:3: row 3 was edited since the build (quote, finding or codes)" in lines
    assert "sources/references.bib:1: smith2020:4: cited key lee2019 no longer in the bibliography" in lines
    assert lines[-1].endswith("evidence affected: smith2020:3, smith2020:4")


def test_audit_without_a_build(review, capsys):
    assert main(["audit"]) == 1
    assert "output/provenance.json:1: no provenance record: build the review first (snakemake --cores 2)" in capsys.readouterr().err


def test_trace_a_claim(built, capsys):
    assert main(["trace", "RQa.bill_savings.smith2020:1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Claim RQa.bill_savings.smith2020:1 (finding, question RQa, code bill_savings)\n"
                          "  Report: \"Members' bills fell by 12% in year one.\" (output/report/state-of-play.html#claim-RQa.bill_savings.smith2020:1)\n"
                          "  Rests on 1 excerpt: smith2020:1\n")
    record = json.loads(Path("output/provenance.json").read_text(encoding="utf-8"))
    sha = record["inputs"]["sources"][1]["sha256"]
    assert f"  SHA-256: {sha} (matches the file)" in out
    assert "  >    10 | Members of the cooperative »saw bills fall by 12 per cent\n  >    11 | in the first year«." in out
    assert "  Coded:   extraction/smith2020.csv:2 (row 1) by AT; codes bill_savings; questions RQa" in out
    assert "    @report{smith2020} at sources/references.bib:1 -> Smith (2020)" in out


def test_trace_an_evidence_id_lists_its_claims_and_cited_works(built, capsys):
    assert main(["trace", "smith2020:3"]) == 0
    out = capsys.readouterr().out
    assert "  The passage cites lee2019:\n    @book{lee2019} at sources/references.bib:15 -> Lee (2019)" in out
    assert out.endswith("  Claims resting on it: RQa.evidence-base, RQa.bill_savings, RQa.bill_savings.smith2020:3\n")


def test_trace_shows_a_changed_source(built, capsys):
    edit("sources/smith2020.md", "renters rarely", "tenants rarely")
    assert main(["trace", "smith2020:2"]) == 0
    out = capsys.readouterr().out
    assert "(CHANGED: the file is now " in out
    assert "NO LONGER AT ITS RECORDED PLACE" in out


def test_trace_unknown_id_suggests(built, capsys):
    assert main(["trace", "smith202:1"]) == 1
    assert "output/provenance.json:1: no claim or evidence id 'smith202:1': did you mean 'smith2020:1'?" in capsys.readouterr().err
