"""A locate job's shard file and the merge that splices each source's evidence items from it without parsing
them (evidence/shard_file.py): the evidence set written is the bytes of the one merged in memory; the studies'
designs are still checked across shards; a file that is not such a shard is a problem, not a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from synthesis.common.problems import InputError
from synthesis.common.textio import write_atomic
from synthesis.evidence.build import check_sources, merge, prepare
from synthesis.evidence.shard_file import STUDY_KEYS, evidence_set_pieces, read_shard, read_shards, shard_lines
from synthesis.inputs import layout

SHARDS = 2


@pytest.fixture
def shards(almp_built, monkeypatch):
    """This repository's review checked as 2 shards (read only: no cache written)."""
    monkeypatch.chdir(almp_built)
    prepared = prepare()
    return prepared, [check_sources(prepared, *layout.shard_files(k, SHARDS)) for k in range(SHARDS)]


def through_files(tmp_path: Path, shards: list[dict]) -> list[dict]:
    paths = []
    for n, shard in enumerate(shards):
        write_atomic(tmp_path / f"{n}.jsonl", shard_lines(shard))
        paths.append(tmp_path / f"{n}.jsonl")
    return [read_shard(p) for p in paths]


def merged(prepared: dict, shards: list[dict]) -> dict:
    return merge(prepared, shards, layout.findings_files(), layout.SOURCES, [], layout.appraisal_files(), layout.APPRAISAL)


def test_the_evidence_set_spliced_from_shard_files_is_the_bytes_of_the_one_merged_in_memory(shards, tmp_path):
    prepared, checked = shards
    assert all(s["evidence"] for s in checked)  # each shard holds evidence: the splice joins both
    whole = merged(prepared, checked)
    spliced = b"".join(evidence_set_pieces(merged(prepared, through_files(tmp_path, checked))))
    assert spliced == orjson.dumps(whole) + b"\n"
    assert b"".join(evidence_set_pieces(whole)) == spliced  # an evidence set of items, written as it is
    data = orjson.loads(spliced)
    assert [e["evidence_id"] for e in data["evidence"]] == [e["evidence_id"] for e in whole["evidence"]]
    studied = [e for e in whole["evidence"] if e.get("study") and e.get("study_design")]
    assert studied and [s["evidence"] for s in through_files(tmp_path, checked)] != [[]] * SHARDS
    assert sorted((e for s in through_files(tmp_path, checked) for e in s["evidence"]),
                  key=lambda e: (e["citekey"], e["sheet_line"])) == [{k: e.get(k) for k in STUDY_KEYS} for e in studied]


def test_one_study_given_two_designs_in_two_shards_is_reported_from_the_files(shards, tmp_path):
    prepared, checked = shards
    first, second = (next(e for e in s["evidence"]) for s in checked[:2])
    first.update(study="The one study", study_design="qualitative")
    second.update(study="The one study", study_design="survey")
    with pytest.raises(InputError) as in_memory:
        merged(prepared, checked)
    with pytest.raises(InputError) as from_files:
        merged(prepared, through_files(tmp_path, checked))
    assert [str(p) for p in from_files.value.problems] == [str(p) for p in in_memory.value.problems]
    assert any("one study has one design" in str(p) for p in from_files.value.problems)


def test_a_file_that_is_not_a_shard_is_a_problem_asking_to_build_again(shards, tmp_path):
    _prepared, checked = shards
    write_atomic(tmp_path / "0.jsonl", shard_lines(checked[0]))
    whole = (tmp_path / "0.jsonl").read_bytes()
    lines = whole.split(b"\n")
    head = orjson.loads(lines[0])
    wrong_count = orjson.dumps(head | {"blocks": [[c, 0] for c, _n in head["blocks"]]})
    bad = {
        "cut short": whole[: len(whole) // 2],
        "a source's line missing": b"\n".join(lines[:1] + lines[2:]),
        "no last line end": whole[:-1],
        "its first line not JSON": b"{" + whole,
        "another JSON file": orjson.dumps({"evidence": []}) + b"\n",
        "no excerpts said of a source": b"\n".join([wrong_count] + lines[1:]),
        "empty": b"",
    }
    message = "not a shard the locate step writes (cut short or another file): build the review again"
    for name, data in bad.items():
        (tmp_path / "bad.jsonl").write_bytes(data)
        with pytest.raises(InputError) as err:
            read_shard(tmp_path / "bad.jsonl")
        assert [str(p) for p in err.value.problems] == [f"{tmp_path / 'bad.jsonl'}:1: {message}"], name
    # A folder where a shard goes, a shard missing: each said, with the file that is not a shard, together.
    (tmp_path / "folder.jsonl").mkdir()
    with pytest.raises(InputError) as err:
        read_shards([str(tmp_path / "folder.jsonl"), str(tmp_path / "gone.jsonl"), str(tmp_path / "bad.jsonl")])
    assert [str(p) for p in err.value.problems] == [  # in the order of their paths, as every problem list
        f"{tmp_path / 'bad.jsonl'}:1: {message}",
        f"{tmp_path / 'folder.jsonl'}:1: cannot be read (Is a directory): build the review again",
        f"{tmp_path / 'gone.jsonl'}:1: no such file or folder"]
    # The command says so, and writes nothing.
    write_atomic(tmp_path / "inputs.json", orjson.dumps(prepare()))
    result = subprocess.run([sys.executable, "-m", "synthesis", "merge", "--inputs", "inputs.json", "--output",
                             "evidence.json", "bad.jsonl"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert f"bad.jsonl:1: {message}" in result.stderr
    assert not (tmp_path / "evidence.json").exists()


def test_a_source_given_by_two_shards_is_a_problem(shards, tmp_path):
    """Shards of two counts given together (a source in each): refused, not merged with its evidence twice."""
    prepared, checked = shards
    whole = check_sources(prepared, *layout.shard_files(0, 1))
    paths = []
    for name, shard in (("0.jsonl", checked[0]), ("1.jsonl", checked[1]), ("all.jsonl", whole)):
        write_atomic(tmp_path / name, shard_lines(shard))
        paths.append(str(tmp_path / name))
    assert len(read_shards(paths[:2])) == 2
    with pytest.raises(InputError) as err:
        read_shards(paths)
    again = sorted(s["citekey"] for s in whole["sources"])
    assert sorted(str(p) for p in err.value.problems) == sorted(
        f"{paths[2]}:1: source '{c}' is also in {paths[0] if any(s['citekey'] == c for s in checked[0]['sources']) else paths[1]}: "
        "give the shards of one build (one count of shards)" for c in again)
