"""The cache of checked sources (synthesis/evidence/located.py): a unit whose files are unchanged is reused, with
the same result as checking it again; one whose files, protocol, bibliography keys or code changed is checked
again; an entry that cannot be read is ignored. `review check` gives the same output and exit status with the
build's cache as without it, on every hostile case of `review check` about a source or a sheet, and of its arguments."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import orjson
import pytest

import reviewkit

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
from cases import CASES  # noqa: E402
from cases_second import CASES as SECOND  # noqa: E402
from cases_appraisal import CASES as APPRAISALS  # noqa: E402
from cases_releases import CASES as RELEASES  # noqa: E402
from test_hostile import run, set_up  # noqa: E402

from synthesis.evidence import build, located  # noqa: E402
from synthesis.inputs import layout  # noqa: E402
from synthesis.common.kept import KeptBlocks  # noqa: E402

# The cases of what a unit is made of (sources, sheets) and of `review check` itself; the others (protocol,
# bibliography, findings, appraisals, records, releases, coders) are checked outside the units, and a changed
# bibliography's keys change every unit's key (test_what_every_unit_depends_on_changes_every_key).
UNITS = ("source-", "sources-", "sheet-", "xlsx-", "check-")
CHECKS = [c for c in CASES + SECOND + APPRAISALS + RELEASES
          if c[2][0] == "check" and not hasattr(c[1], "stdin") and c[0].startswith(UNITS)]


def _shard(write: bool) -> dict:
    """The whole review as one shard, as a locate job checks it (``write``) or `review check` reads it."""
    prepared = build.prepare_cached(layout.PROTOCOL, layout.BIBLIOGRAPHY, layout.LOCATED_CACHE, write=write)
    paths = layout.source_files(layout.SOURCES) + layout.sidecar_files(layout.SOURCES)
    return build.check_sources(prepared, paths, layout.sheet_files(layout.EXTRACTION), layout.SOURCES, layout.TEXT_CACHE,
                               write_cache=write, located=located.LocatedCache(layout.LOCATED_CACHE, writable=write))


@pytest.fixture
def review(tmp_path, monkeypatch):
    root = reviewkit.make_review(tmp_path / "review")
    monkeypatch.chdir(root)
    return root


def kept_units() -> dict[str, list[str]]:
    """Each file of the located cache and the names of the units it keeps, sorted."""
    return {path.name: sorted(index) for path in sorted(Path(layout.LOCATED_CACHE).glob("*.blocks"))
            if (index := _index(path)) is not None}


def _index(path: Path) -> dict | None:
    store = KeptBlocks(path)
    store.close()
    return store._index


def blocks() -> list[tuple[str, int, int]]:
    """Each unit's place: its file, offset and size."""
    return [(path.name, entry[1], entry[2]) for path in sorted(Path(layout.LOCATED_CACHE).glob("*.blocks"))
            for entry in _index(path).values()]


def _counting(monkeypatch) -> dict[str, int]:
    calls = {"source": 0, "sheet": 0}

    def counted(name, real):
        def call(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(build, "load_source", counted("source", build.load_source))
    monkeypatch.setattr(build, "check_sheet", counted("sheet", build.check_sheet))
    return calls


def test_an_unchanged_unit_is_reused_with_the_same_result(review, monkeypatch):
    cold = _shard(write=True)
    assert kept_units() == {"all.blocks": ["okafor2021", "smith2020"], "prepared.blocks": [located.PREPARED]}
    calls = _counting(monkeypatch)
    assert orjson.dumps(_shard(write=False)) == orjson.dumps(cold)
    assert calls == {"source": 0, "sheet": 0}


def test_an_edited_sheet_rechecks_its_source_only(review, monkeypatch):
    _shard(write=True)
    reviewkit.write_smith_sheet(review, {(1, 3): "An edited finding"})
    calls = _counting(monkeypatch)
    hot = _shard(write=False)
    assert calls == {"source": 1, "sheet": 1}
    monkeypatch.undo()
    monkeypatch.chdir(review)
    cold = build.check_sources(build.prepare(), layout.source_files(layout.SOURCES), layout.sheet_files(layout.EXTRACTION))
    assert orjson.dumps(hot) == orjson.dumps(cold)
    assert any(e["finding"] == "An edited finding" for e in hot["evidence"])


@pytest.mark.parametrize("change", ["protocol", "bibliography", "code"])
def test_what_every_unit_depends_on_changes_every_key(review, monkeypatch, tmp_path, change):
    _shard(write=True)
    if change == "protocol":
        text = Path("review.yaml").read_text(encoding="utf-8")
        Path("review.yaml").write_text(text.replace("definition: Who joins schemes.", "definition: Who joins."), encoding="utf-8")
    elif change == "bibliography":  # a suggestion for an unknown key names the others
        with open("sources/references.bib", "a", encoding="utf-8") as handle:
            handle.write("\n@report{smith2021,\n  title = {Another},\n  year = {2021}\n}\n")
    else:
        monkeypatch.setattr(layout, "package_fingerprint", lambda: "another")
    calls = _counting(monkeypatch)
    _shard(write=False)
    assert calls == {"source": 2, "sheet": 2}


def test_a_moved_review_keeps_its_entries_but_a_linked_file_is_never_kept(review, monkeypatch, tmp_path):
    cold = _shard(write=True)
    moved = tmp_path / "moved"  # as a cluster's copy of the review: the same files elsewhere
    review.rename(moved)
    monkeypatch.chdir(moved)
    calls = _counting(monkeypatch)
    assert orjson.dumps(_shard(write=False)) == orjson.dumps(cold)
    assert calls == {"source": 0, "sheet": 0}
    monkeypatch.undo()
    monkeypatch.chdir(moved)
    shutil.rmtree(layout.LOCATED_CACHE)
    Path("sources/smith2020.md").rename("sources/smith2020.original")
    Path("sources/smith2020.md").symlink_to("smith2020.original")  # a link inside the review: read, never kept
    _shard(write=True)
    calls = _counting(monkeypatch)
    _shard(write=False)
    assert calls == {"source": 1, "sheet": 1}


def test_an_entry_that_cannot_be_read_is_ignored(review, monkeypatch):
    cold = _shard(write=True)
    for n, (name, offset, size) in enumerate(blocks()):  # each unit's bytes damaged, the index left as it is
        with open(Path(layout.LOCATED_CACHE) / name, "r+b") as handle:
            handle.seek(offset)
            handle.write([b"{not json", b'{"key": 1}', b"[]"][n % 3].ljust(size, b" ")[:size])
    calls = _counting(monkeypatch)
    assert orjson.dumps(_shard(write=False)) == orjson.dumps(cold)
    assert calls == {"source": 2, "sheet": 2}


def test_a_unit_changed_in_place_is_checked_again(review, monkeypatch):
    """A digit of a kept unit changed (its JSON whole, the index as it was: a flipped bit): not the bytes its
    SHA-256 says, so its source and sheet are checked again and the result is the same."""
    cold = _shard(write=True)
    name, offset, size = next(b for b in blocks() if b[0] == "all.blocks")
    path = Path(layout.LOCATED_CACHE) / name
    whole = path.read_bytes()
    block = whole[offset:offset + size]
    at = block.index(b'"body_start":') + len(b'"body_start":')  # where the source's body starts
    path.write_bytes(whole[:offset + at] + (b"1" if block[at:at + 1] != b"1" else b"2") + whole[offset + at + 1:])
    calls = _counting(monkeypatch)
    assert orjson.dumps(_shard(write=False)) == orjson.dumps(cold)
    assert calls == {"source": 1, "sheet": 1}


def test_review_check_only_reads_the_cache(review):
    assert run(["check"])[0] == 0
    assert not Path(layout.LOCATED_CACHE).exists()


@pytest.mark.parametrize("name, setup, argv, code, expected", CHECKS, ids=[c[0] for c in CHECKS])
def test_review_check_says_the_same_with_the_build_s_cache(tmp_path, monkeypatch, name, setup, argv, code, expected):
    """A case of `review check` itself (its arguments) is run whole, with and without the cache; for the others the
    shard and the checked protocol read from the cache must be what checking them gives (what check prints is
    made from these alone)."""
    set_up(tmp_path, monkeypatch, setup)
    whole = name.startswith("check-")
    without = run(argv) if whole else None
    if not (Path(layout.PROTOCOL).is_file() and Path(layout.SOURCES).is_dir()):
        return
    try:
        cold = _shard(write=True)
    except build.InputError:  # the protocol refused at the door: nothing to keep
        return
    if whole:
        assert run(argv) == without
    else:
        assert orjson.dumps(_shard(write=False)) == orjson.dumps(cold)
        prepared = build.prepare_cached(layout.PROTOCOL, layout.BIBLIOGRAPHY, layout.LOCATED_CACHE)
        assert orjson.dumps(prepared) == orjson.dumps(build.prepare(layout.PROTOCOL, layout.BIBLIOGRAPHY))


def test_a_unit_s_stem_is_the_path_s_stem():
    for path in ["sources/b.c.md", "x", "a/.hidden", "a/b.", "é/ü.md", "a/b.tar.gz", "..", "a/..md", "sources/x y.MD"]:
        assert build._stem(path) == Path(path).stem, path


def test_an_entry_that_cannot_be_written_is_skipped(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder\n", encoding="utf-8")
    located.LocatedCache(str(blocked), writable=True).put("smith2020", "k", {"record": None})  # mkdir fails: no error
    cache = located.LocatedCache(str(tmp_path / "cache"), writable=True)
    cache.put("smith2020", "k", {"record": None, "values": {1, 2}})  # not JSON (a set): not kept, no error
    assert not (tmp_path / "cache").exists() or not list((tmp_path / "cache").iterdir())
    cache.put("smith2020", "k", {"record": None})
    cache.close()
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["all.blocks"]  # no temporary file left
    again = located.LocatedCache(str(tmp_path / "cache"))
    assert again.get("smith2020", "k") == {"record": None} and again.get("smith2020", "other") is None


def test_each_shard_keeps_its_units_in_a_file_and_finds_those_kept_by_another_shard_count(review, monkeypatch):
    """A locate job's file holds its shard's units; after the shard count changes the units are found in the old
    files, and the merge's prune removes those once the new ones are written (and the files per unit of before)."""
    prepared = build.prepare_cached(layout.PROTOCOL, layout.BIBLIOGRAPHY, layout.LOCATED_CACHE, write=True)
    paths, sheets = layout.source_files(layout.SOURCES), layout.sheet_files(layout.EXTRACTION)

    def shard(k: int, n: int) -> dict:
        def mine(files):
            return [p for p in files if layout.shard_of(Path(p).stem, n) == k]
        return build.check_sources(prepared, mine(paths), mine(sheets),
                                   located=located.LocatedCache(layout.LOCATED_CACHE, True, f"{k}-of-{n}"))

    one = shard(0, 1)
    assert kept_units() == {"0-of-1.blocks": ["okafor2021", "smith2020"], "prepared.blocks": [located.PREPARED]}
    Path(layout.LOCATED_CACHE, "0123abcd.json").write_bytes(b"{}")  # as builds before kept a unit
    calls = _counting(monkeypatch)
    two = [shard(k, 2) for k in range(2)]
    assert calls == {"source": 0, "sheet": 0}  # every unit read from the file of one shard
    in_two = {name: units for name, units in kept_units().items() if name.endswith("-of-2.blocks")}
    assert sorted(u for units in in_two.values() for u in units) == ["okafor2021", "smith2020"]
    evidence = [e for s in two for e in s["evidence"]]
    assert sorted(orjson.dumps(e) for e in evidence) == sorted(orjson.dumps(e) for e in one["evidence"])
    located.prune(layout.LOCATED_CACHE, 2)
    assert sorted(kept_units()) == sorted(in_two) + ["prepared.blocks"]
    assert not list(Path(layout.LOCATED_CACHE).glob("*.json"))
