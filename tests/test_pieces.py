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

from synthesis.common.kept import KeptBlocks, KeptValues, key_of
from synthesis.report.explorer_page import DATA_ID

OUTPUTS = ["tables/evidence.csv", "tables/Q1.csv", "tables/Q2.csv", "tables/Q3.csv", "tables/Q4.csv", "report/state-of-play.md", "report/explorer.html", "build/provenance-body.json"]


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


def kept_explorer(root: Path) -> dict[str, list]:
    """The explorer's kept blocks: each name's key, place, size and description."""
    store = KeptBlocks(root / "kept" / "explorer.blocks")
    store.close()  # nothing put: the file stays as it is
    return store._index


def kept_blocks(path: Path) -> dict[str, tuple]:
    """Every block kept in ``path``: its name's key, description and bytes (wherever the file holds them)."""
    store = KeptBlocks(path)
    blocks = {name: (entry[0], *store.get(name, entry[0])) for name, entry in store._index.items()}
    store.close()
    return blocks


def mark(root: Path, citekey: str) -> bytes:
    """Put a marker in place of 11 bytes of a kept record's context (its key and lengths left alone), kept as a
    block written so (its SHA-256 that of the marked bytes: a block changed in place is not used); return the
    bytes it replaced."""
    path = root / "kept" / "explorer.blocks"
    store = KeptBlocks(path)
    blocks = {name: (entry[0], *store.get(name, entry[0])) for name, entry in store._index.items()}
    store.close()
    key, meta, data = blocks[citekey]
    at = data.index(b'"w":"') + len(b'"w":"')  # "line 3, paragraph 1"
    replaced = data[at:at + 11]
    blocks[citekey] = (key, meta, data[:at] + b"KEPT-MARKER" + data[at + 11:])
    marked = KeptBlocks(path)
    for name, (key, meta, data) in blocks.items():
        marked.put(name, key, meta, data)
    marked.close()
    return replaced


def test_kept_pieces_give_the_same_bytes_and_are_reused_until_their_source_changes(review):
    plain = report(review, "plain", "")
    assert not (review / "kept").exists()
    assert report(review, "cold", "kept") == plain  # made and kept
    data = orjson.loads((review / "build/evidence.json").read_bytes())
    assert list(kept_explorer(review)) == list(dict.fromkeys(e["citekey"] for e in data["evidence"]))
    stamp = (review / "kept" / "explorer.blocks").stat().st_mtime_ns
    assert report(review, "warm", "kept") == plain  # read back
    assert (review / "kept" / "explorer.blocks").stat().st_mtime_ns == stamp  # the same blocks: not written again
    # A kept record with a marker is what the next run writes: the pieces are used, not made again.
    citekey = data["evidence"][0]["citekey"]
    mark(review, citekey)
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
    path = review / "kept" / "explorer.blocks"
    whole = path.read_bytes()
    blocks = kept_blocks(path)
    index = kept_explorer(review)
    first, second = list(index)[:2]
    damaged = [whole[:-1], whole[:len(whole) // 2], b"\xff not blocks", whole.replace(b"kept-blocks:", b"kept-blocks;")]
    # An index whose first block runs past the blocks, and which describes one record too few of the second.
    at = whole.rindex(b"\nkept-blocks:")
    start = int(whole[at + 13:])
    for name, field, value in ((first, 2, len(whole)), (second, 3, None)):
        table = orjson.loads(whole[start:at])
        table[name][field] = value if value else table[name][field] | {"r": table[name][field]["r"][1:]}
        damaged.append(whole[:start] + orjson.dumps(table) + b"\nkept-blocks:%020d" % start)
    at = whole.index(b'"w":"') + len(b'"w":"')  # a record's reading place changed in place: its block's SHA-256 not
    damaged.append(whole[:at] + whole[at:at + 1].swapcase() + whole[at + 1:])  # its bytes', so made again
    # The CSV's lines of the first source kept with lengths that do not cut its block into its lines (a line
    # fewer, then one too long), and a folder of the one JSON file builds before kept them in.
    lines = KeptBlocks(review / "kept" / "evidence-csv.blocks")
    kept = {name: (entry[0], *lines.get(name, entry[0])) for name, entry in lines._index.items()}
    lines.close()
    assert list(kept) == list(index) and all(sum(meta) == len(block) for _key, meta, block in kept.values())
    for wrong in (kept[first][1][1:], [kept[first][1][0] + 1] + kept[first][1][1:]):
        again = KeptBlocks(review / "kept" / "evidence-csv.blocks")
        for name, (key, meta, block) in kept.items():
            again.put(name, key, wrong if name == first else meta, block)
        again.close()
        assert report(review, "lines", "kept") == plain
    (review / "kept" / "csv").mkdir()
    (review / "kept" / "csv" / "0123.json").write_bytes(b"{}")
    for bad in damaged:
        path.write_bytes(bad)
        (review / "kept" / ".explorer.blocks.left-by-a-killed-run.tmp").write_bytes(b"{")
        assert report(review, "damaged", "kept") == plain
        assert kept_blocks(path) == blocks  # made again, as they were (in a new file, or appended to this one)
        assert not list((review / "kept").glob(".explorer.blocks.*"))
        assert not (review / "kept" / "csv").exists()
    # The folder of a file per source that builds before kept goes.
    (review / "kept" / "explorer").mkdir()
    (review / "kept" / "explorer" / "0123.json").write_bytes(b"{}")
    assert report(review, "again", "kept") == plain
    assert not (review / "kept" / "explorer").exists()
    # A source removed from the evidence set: its kept records go, the others stay.
    data = orjson.loads((review / "build/evidence.json").read_bytes())
    cited = {e.split(":")[0] for r in data["findings"] for f in r["findings"] for e in f["evidence"]}
    gone = next(e["citekey"] for e in data["evidence"] if e["citekey"] not in cited)
    before = set(kept_explorer(review))
    # The last source moves up one place: its kept records are used with their position put in again (a
    # marker in them shows they are not made again), the rest of the bytes as without pieces.
    assert [s["citekey"] for s in data["sources"]].index(gone) < len(data["sources"]) - 1
    replaced = mark(review, data["evidence"][-1]["citekey"])
    data["evidence"] = [e for e in data["evidence"] if e["citekey"] != gone]
    data["sources"] = [s for s in data["sources"] if s["citekey"] != gone]
    (review / "build/evidence.json").write_bytes(orjson.dumps(data))
    fewer = report(review, "fewer", "kept")
    assert fewer["report/explorer.html"].count(b"KEPT-MARKER") == 1
    fewer["report/explorer.html"] = fewer["report/explorer.html"].replace(b"KEPT-MARKER", replaced)
    assert fewer == report(review, "fewer-plain", "")
    assert before - set(kept_explorer(review)) == {gone}


def test_a_block_changed_in_place_is_not_used_and_the_file_is_written_anew(tmp_path):
    path = tmp_path / "kept.blocks"
    blocks = KeptBlocks(path)
    blocks.put("r", "k", [3], b'{"n":1}')
    blocks.put("s", "k", None, b"abc")
    blocks.close()
    whole = path.read_bytes()
    path.write_bytes(whole.replace(b'{"n":1}', b'{"n":2}', 1))  # the JSON whole, the index as it was
    again = KeptBlocks(path)
    assert again.get("r", "k") is None and again.get("s", "k") == (None, b"abc")
    again.put("r", "k", [3], b'{"n":1}')  # made again; the other put back as read
    again.put("s", "k", None, b"abc")
    again.close()
    assert path.read_bytes() == whole  # written anew, though its index is the same


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
    stuck = KeptBlocks(tmp_path / "file" / "kept.blocks")
    stuck.put("r", "k", [3], b"abc")
    stuck.close()
    assert KeptBlocks(tmp_path / "file" / "kept.blocks").get("r", "k") is None and KeptBlocks(None).get("r", "k") is None
    blocks = KeptBlocks(tmp_path / "kept.blocks")
    blocks.put("r", "k", [3], b"abc")
    blocks.put("s", "k", None, b"")
    blocks.close()
    again = KeptBlocks(tmp_path / "kept.blocks")
    assert again.get("r", "k") == ([3], b"abc") and again.get("s", "k") == (None, b"") and again.get("r", "no") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "kept", "kept.blocks"]


def test_provenance_records_are_kept_per_source_and_made_again_when_it_changes_or_they_are_damaged(review):
    """provenance.json's evidence records (audit/kept_provenance.py) are written from the kept blocks (a marker
    put in one shows they are used, not made again), made again for an edited source, a block changed in place
    or one holding another number of records, and are the bytes made without pieces throughout."""
    plain = report(review, "plain", "")
    assert report(review, "cold", "kept") == plain
    path = review / "kept" / "provenance.blocks"
    data = orjson.loads((review / "build/evidence.json").read_bytes())
    store = KeptBlocks(path)
    kept = {name: (entry[0], *store.get(name, entry[0])) for name, entry in store._index.items()}
    store.close()
    runs = list(dict.fromkeys(e["citekey"] for e in data["evidence"]))
    assert list(kept) == runs and all(meta == sum(e["citekey"] == c for e in data["evidence"])
                                      for c, (_key, meta, _block) in kept.items())
    first, second = runs[:2]

    def rewrite(name: str, meta, block: bytes) -> None:
        again = KeptBlocks(path)
        for n, (key, m, b) in kept.items():
            again.put(n, key, meta if n == name else m, block if n == name else b)
        again.close()

    key, meta, block = kept[first]
    at = block.index(b'"finding":"') + len(b'"finding":"')
    rewrite(first, meta, block[:at] + b"KEPT-MARKER" + block[at + 11:])
    marked = report(review, "marked", "kept")["build/provenance-body.json"]
    assert marked.count(b"KEPT-MARKER") == 1  # used as kept
    rewrite(first, meta + 1, block[:at] + b"KEPT-MARKER" + block[at + 11:])  # a record more said than it holds
    assert report(review, "counted", "kept") == plain and kept_blocks(path) == kept
    rewrite(first, meta, block[:at] + b"KEPT-MARKER" + block[at + 11:])
    path.write_bytes(path.read_bytes().replace(b"KEPT-MARKER", b"KEPT-MARKEX"))  # changed in place: its SHA-256
    assert report(review, "damaged", "kept") == plain and kept_blocks(path) == kept
    # The second source's finding edited: its records are made again, the first's (marked) used.
    rewrite(first, meta, block[:at] + b"KEPT-MARKER" + block[at + 11:])
    item = next(e for e in data["evidence"] if e["citekey"] == second)
    item["finding"] += " (edited)"
    (review / "build/evidence.json").write_bytes(orjson.dumps(data))
    edited = report(review, "edited", "kept")["build/provenance-body.json"]
    assert edited.count(b"KEPT-MARKER") == 1
    assert edited.replace(b"KEPT-MARKER", block[at:at + 11]) == report(review, "edited-plain", "")["build/provenance-body.json"]
    assert b" (edited)" in edited


def test_provenance_records_of_sources_not_together_are_made_one_by_one(review):
    """An evidence set whose sources' excerpts are not together (the merge sorts them so; another writer might
    not): provenance's records are made one by one, in its order, not from kept blocks."""
    data = orjson.loads((review / "build/evidence.json").read_bytes())
    data["evidence"] = data["evidence"][1:] + data["evidence"][:1]
    (review / "build/evidence.json").write_bytes(orjson.dumps(data))
    plain = report(review, "plain", "")
    assert report(review, "kept", "kept")["build/provenance-body.json"] == plain["build/provenance-body.json"]
    assert report(review, "again", "kept")["build/provenance-body.json"] == plain["build/provenance-body.json"]
    assert not (review / "kept" / "provenance.blocks").exists()
