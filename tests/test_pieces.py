"""Each source's share of the tables and the explorer kept between builds (report/pieces.py): the report job's
outputs are the same bytes with the pieces kept, reused, damaged or absent; a source's pieces are made again
when it or its excerpts change, and those of a source gone are removed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from synthesis.common.kept import KeptValues, key_of
from synthesis.report.explorer_page import DATA_ID

OUTPUTS = ["tables/evidence.csv", "report/state-of-play.md", "report/explorer.html", "build/provenance-body.json"]


@pytest.fixture
def review(almp_built, tmp_path):
    """This repository's review, built, with its sources and evidence set copied (the report job's inputs)."""
    root = tmp_path / "review"
    for name in ("sources", "review.yaml"):
        (shutil.copytree if (almp_built / name).is_dir() else shutil.copy)(almp_built / name, root / name)
    (root / "build").mkdir()
    shutil.copy(almp_built / "output" / "build" / "evidence.json", root / "build" / "evidence.json")
    return root


def report(root: Path, out: str, pieces: str) -> dict[str, bytes]:
    """Run the build's report job on ``root``'s evidence set into ``out``; return its outputs' bytes."""
    o = root / out
    args = ["--evidence", "build/evidence.json", "--templates", str(Path(__file__).parents[1] / "templates"),
            "--output", f"{out}/report/state-of-play.md", "--claims", f"{out}/build/claims.json", "--records", "",
            "--agreement", "", "--tables", f"{out}/tables", "--provenance-body", f"{out}/build/provenance-body.json",
            "--coders", "", "--explorer", f"{out}/report/explorer.html", "--releases", "releases",
            "--template-cache", "", "--pieces-cache", pieces]
    (o / "report").mkdir(parents=True, exist_ok=True)
    result = subprocess.run([sys.executable, "-m", "synthesis", "report", *args], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return {name: (o / name).read_bytes() for name in OUTPUTS}


def explorer_of(outputs: dict[str, bytes]) -> dict:
    text = outputs["report/explorer.html"].decode("utf-8")
    return orjson.loads(text.split(f'id="{DATA_ID}">', 1)[1].split("</script>", 1)[0])


def test_kept_pieces_give_the_same_bytes_and_are_reused_until_their_source_changes(review):
    plain = report(review, "plain", "")
    assert not (review / "kept").exists()
    assert report(review, "cold", "kept") == plain  # made and kept
    kept = sorted(p.name for p in (review / "kept" / "explorer").iterdir())
    assert len(kept) == len({e["citekey"] for e in orjson.loads((review / "build/evidence.json").read_bytes())["evidence"]})
    assert report(review, "warm", "kept") == plain  # read back
    # A kept record with a marker in place of its context (its key left alone) is what the next run writes:
    # the pieces are used, not made again.
    store = KeptValues(review / "kept" / "explorer")
    data = orjson.loads((review / "build/evidence.json").read_bytes())
    citekey = data["evidence"][0]["citekey"]
    path = store._path(citekey)
    head, _, payload = path.read_bytes().partition(b"\n")
    at = payload.index(b'"w":"') + len(b'"w":"')  # "line 3, paragraph 1": 11 bytes of it replaced, lengths kept
    path.write_bytes(head + b"\n" + payload[:at] + b"KEPT-MARKER" + payload[at + 11:])
    assert b"KEPT-MARKER" in report(review, "marked", "kept")["report/explorer.html"]
    # Its excerpt's finding edited: that source's records (and lines) are made again, the others reused.
    data["evidence"][0]["finding"] += " (edited)"
    (review / "build/evidence.json").write_bytes(orjson.dumps(data))
    edited = report(review, "edited", "kept")
    assert b"KEPT-MARKER" not in edited["report/explorer.html"]
    assert edited == report(review, "edited-plain", "")
    assert explorer_of(edited)["evidence"][0]["f"].endswith(" (edited)")


def test_damaged_pieces_are_made_again_and_a_source_gone_takes_its_pieces_with_it(review):
    plain = report(review, "plain", "")
    report(review, "cold", "kept")
    for n, path in enumerate(sorted((review / "kept").rglob("*.json"))):
        if "csv" in path.parts:  # its key, not its lines
            entry = orjson.loads(path.read_bytes())
            path.write_bytes(orjson.dumps({"key": "not this", "value": entry["value"]}))
            continue
        head, _, payload = path.read_bytes().partition(b"\n")
        entry = orjson.loads(head)
        if n % 4 == 0:  # its key, lengths that do not add up to its bytes
            path.write_bytes(orjson.dumps(entry | {"meta": [[1, 2, -1, 3] for _ in entry["meta"]]}) + b"\n" + payload)
        elif n % 4 == 1:  # its key, one record short
            path.write_bytes(orjson.dumps(entry | {"meta": entry["meta"][1:]}) + b"\n" + payload)
        elif n % 4 == 2:  # its key, its bytes cut short
            path.write_bytes(head + b"\n" + payload[:-1])
        else:
            path.write_bytes(b"\xff not JSON\n" + payload)
    (review / "kept" / "explorer" / ".kept.left-by-a-killed-run.json").write_bytes(b"{")
    assert report(review, "damaged", "kept") == plain
    assert report(review, "again", "kept") == plain
    assert not list((review / "kept" / "explorer").glob(".kept.*"))  # pruned with the rest
    # A source removed from the evidence set: its kept records go, the others stay.
    data = orjson.loads((review / "build/evidence.json").read_bytes())
    cited = {e.split(":")[0] for r in data["findings"] for f in r["findings"] for e in f["evidence"]}
    gone = next(e["citekey"] for e in reversed(data["evidence"]) if e["citekey"] not in cited)
    before = {p.name for p in (review / "kept" / "explorer").iterdir()}
    data["evidence"] = [e for e in data["evidence"] if e["citekey"] != gone]
    (review / "build/evidence.json").write_bytes(orjson.dumps(data))
    report(review, "fewer", "kept")
    after = {p.name for p in (review / "kept" / "explorer").iterdir()}
    assert before - after == {KeptValues(review / "kept" / "explorer")._path(gone).name}


def test_a_store_that_cannot_be_written_or_read_changes_nothing_but_the_time(tmp_path):
    (tmp_path / "file").write_text("a file where the folder goes", encoding="utf-8")
    blocked = KeptValues(tmp_path / "file" / "kept")
    blocked.put("a", "k", [1])
    assert blocked.get("a", "k") is None
    assert not [p for p in tmp_path.iterdir() if p.name != "file"]
    store = KeptValues(tmp_path / "kept")
    store.put("a", "k", {"not": {"json": {1, 2}}})  # a set is not JSON: not kept
    assert store.get("a", "k") is None and not list((tmp_path / "kept").glob("*"))
    store.put("a", "k", [1])
    assert store.get("a", "k") == [1] and store.get("a", "other key") is None and store.get("b", "k") is None
    assert KeptValues(None).get("a", "k") is None
    store.put_raw("r", "k", [3], b'{"\n"}')  # bytes as they are, after a line of JSON
    assert store.get_raw("r", "k") == ([3], b'{"\n"}') and store.get_raw("r", "other key") is None
    blocked.put_raw("r", "k", [3], b"abc")
    assert blocked.get_raw("r", "k") is None and KeptValues(None).get_raw("r", "k") is None
    assert key_of("ab", "c") != key_of("a", "bc")  # each part ended, so parts never run into each other
