"""The evidence stage on a whole review: every problem in every file at once."""

from __future__ import annotations

from pathlib import Path

import pytest

import reviewkit
from synthesis.evidence.build import build_evidence
from synthesis.common.problems import InputError


def messages() -> list[str]:
    with pytest.raises(InputError) as err:
        build_evidence()
    return [str(p) for p in err.value.problems]


def test_fixture_review_locates_every_quote(review):
    data = build_evidence()
    ids = [e["evidence_id"] for e in data["evidence"]]
    assert ids == ["okafor2021:1", "okafor2021:2", "smith2020:1", "smith2020:2", "smith2020:3", "smith2020:4"]
    smith = Path("sources/smith2020.md").read_bytes().decode("utf-8-sig")
    okafor = Path("sources/okafor2021.txt").read_bytes().decode("utf-8")
    for item in data["evidence"]:
        text = smith if item["citekey"] == "smith2020" else okafor
        assert text[item["start"]:item["end"]] == item["exact"]
        assert text.count("\n", 0, item["start"]) + 1 == item["source_line"]
    first = data["evidence"][2]
    assert (first["exact"], first["paragraph"], first["heading"], first["locator"]) == ("saw bills fall by 12 per cent\nin the first year", 1, "Findings", "p. 3")
    assert data["evidence"][1]["exact"] == "Trust rose after the scheme's first annual meeting."  # CRLF source, curly quote in sheet
    assert [s["citation"] for s in data["sources"]] == ["Okafor and Weber (2021)", "Smith (2020)"]


def test_quote_not_found_shows_the_closest_passage(review):
    reviewkit.write_smith_sheet(Path("."), {(4, 1): "depended on the feed-in tarif", (1, 1): "saw bills fall by 15 per cent"})
    assert messages() == [
        'extraction/smith2020.csv:2: B2 (smith2020:1): quote not found in sources/smith2020.md; closest passage, line 10 (similarity 0.97), differs at: "saw bills fall by [source: 12 | quote: 15] per cent"',
        'extraction/smith2020.csv:5: B5 (smith2020:4): quote not found in sources/smith2020.md; closest passage, line 19 (similarity 0.97), differs at: "depended on the feed-in [source: tariff, | quote: tarif]"',
    ]


def test_quote_must_be_in_the_body_not_the_front_matter(review):
    rows = [reviewkit.SMITH_ROWS[0], ["1", "cooperatives", "uptake", "f", "", "", "", "", "", ""]]
    Path("extraction/smith2020.csv").write_text(reviewkit.csv_text(rows), encoding="utf-8")
    assert messages()[0] == "extraction/smith2020.csv:2: B2 (smith2020:1): quote not found in sources/smith2020.md; no similar passage"


def test_problems_across_files_are_reported_together(review):
    Path("extraction/nobody2000.csv").write_text("id,quote,codes,finding\n", encoding="utf-8")
    Path("sources/okafor2021.txt").write_bytes(b"---\r\ncitekey: okafor2021\r\ntype: x\r\ntags: [a]\r\n---\r\nbad \x92 byte\r\n")
    bib = Path("sources/references.bib")
    bib.write_text(bib.read_text(encoding="utf-8").replace("@report{smith2020", "@report{smith2020a"), encoding="utf-8")
    assert messages() == [
        "extraction/nobody2000.csv:1: no source for this sheet: expected sources/nobody2000.md, sources/nobody2000.txt or sources/nobody2000.pdf",
        "sources/okafor2021.txt:6: not valid UTF-8: byte 0x92 at byte offset 55; save the file as UTF-8",
        "sources/smith2020.md:2: citekey 'smith2020' has no entry in references.bib: did you mean 'smith2020a'? allowed: lee2019, okafor2021, smith2020a",
    ]


def test_missing_bibliography_and_no_sources(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("review.yaml").write_text(reviewkit.PROTOCOL, encoding="utf-8")
    assert messages() == [
        "sources:1: no source documents (*.md, *.txt or *.pdf) found",
        "sources/references.bib:1: bibliography not found: every source needs an entry in this BibTeX file",
    ]


def test_sheet_problems_are_reported_even_when_the_source_is_broken(review):
    Path("sources/smith2020.md").write_text("no front matter\n", encoding="utf-8")
    reviewkit.write_smith_sheet(Path("."), {(1, 2): "bill_saving"})
    assert messages() == [
        "extraction/smith2020.csv:2: C2 (id 1): unknown code 'bill_saving': did you mean 'bill_savings'? allowed: bill_savings, uptake, local_trust, grid_access",
        "sources/smith2020.md:1: missing front matter: the file must start with a '---' line, then YAML (citekey, type, tags), then '---'",
    ]


def test_sharded_evidence_equals_the_single_process_result(review):
    from synthesis.inputs import layout
    from synthesis.evidence.build import check_sources, merge, prepare

    whole = build_evidence()
    prepared = prepare()
    shards = [check_sources(prepared, *layout.shard_files(k, 3)) for k in range(3)]
    assert sorted(len(s["evidence"]) for s in shards) == [0, 2, 4]  # the fixture's two sources land in different shards
    assert merge(prepared, shards, layout.commentary_files()) == whole


def test_problems_of_every_shard_are_reported_together(review):
    from synthesis.inputs import layout
    from synthesis.evidence.build import check_sources, merge, prepare

    Path("sources/okafor2021.txt").write_text("no front matter\n", encoding="utf-8")
    Path("extraction/smith2020.csv").write_text("id,quote\n", encoding="utf-8")
    prepared = prepare()
    shards = [check_sources(prepared, *layout.shard_files(k, 2)) for k in range(2)]
    with pytest.raises(InputError) as err:
        merge(prepared, shards, [])
    assert [p.path for p in err.value.problems] == ["extraction/smith2020.csv", "extraction/smith2020.csv", "sources/okafor2021.txt"]
