"""The listings and stamps the Snakefile's jobs depend on instead of thousands of input files and of params
(synthesis.inputs.layout): each is rewritten exactly when what it lists changes, and only then."""

from __future__ import annotations

import os
from pathlib import Path, PurePath

from synthesis.inputs import layout


def _review(root: Path, keys: list[str]) -> None:
    for folder in ("sources", "extraction", "findings"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for key in keys:
        (root / "sources" / f"{key}.md").write_text(f"# {key}\n", encoding="utf-8")
        (root / "extraction" / f"{key}.csv").write_text("id\n", encoding="utf-8")
    (root / "findings" / "Q1.yaml").write_text("question: Q1\n", encoding="utf-8")


def _times(root: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in sorted((root / "output/build/shards").glob("*.files"))}


def _age(root: Path) -> None:
    """Set every listing's time back, so that a rewrite shows even on a coarse clock."""
    for p in (root / "output/build").rglob("*"):
        if p.is_file():
            os.utime(p, ns=(1_000_000_000, 1_000_000_000))


def test_listed_paths_are_those_of_the_path_join(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _review(tmp_path, ["a", "b"])
    for folder in ("sources", "sources/", "./sources", str(tmp_path / "sources"), Path("sources")):
        assert layout.source_files(folder) == sorted(str(Path(folder) / n) for n in ("a.md", "b.md"))
    monkeypatch.chdir(tmp_path / "sources")
    assert layout.source_files(".") == ["a.md", "b.md"]


def test_stem_is_the_path_stem():
    names = ["a.md", "a.b.csv", "x.", ".hidden", "noext", "src00001.xlsx", "dir/sub/k.yaml", "a..md", "ü.md", "a b.md"]
    for name in names:
        assert layout._stem(name) == PurePath(name).stem, name


def test_a_listing_is_rewritten_only_when_its_files_change(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    keys = [f"k{i}" for i in range(40)]
    _review(tmp_path, keys)
    shards = layout.write_listings(4)
    assert sorted(p for ps in shards.values() for p in ps) == sorted(layout.source_files() + layout.sheet_files())
    for k, paths in shards.items():  # the same files as the locate step reads
        assert sorted(paths) == sorted(sum(layout.shard_files(k, 4), []))
    _age(tmp_path)
    before = _times(tmp_path)
    layout.write_listings(4)
    assert _times(tmp_path) == before  # nothing changed: nothing rewritten

    edited = tmp_path / "extraction/k7.csv"
    edited.write_text("id\n1\n", encoding="utf-8")
    layout.write_listings(4)
    changed = {n for n, t in _times(tmp_path).items() if t != before[n]}
    assert changed == {f"{layout.shard_of('k7', 4)}.files"}

    _age(tmp_path)
    os.utime(edited, ns=(5, 5))  # an older file put in its place (cp -p): Snakemake's time check would miss it
    layout.write_listings(4)
    assert {n for n, t in _times(tmp_path).items() if t != 1_000_000_000} == {f"{layout.shard_of('k7', 4)}.files"}

    for change in (lambda: (tmp_path / "sources/new.md").write_text("# new\n", encoding="utf-8"),
                   lambda: (tmp_path / "sources/k3.md").unlink()):
        _age(tmp_path)
        change()
        layout.write_listings(4)
        assert len([t for t in _times(tmp_path).values() if t != 1_000_000_000]) == 1

    _age(tmp_path)
    layout.write_listings(8)  # another count: every shard holds other files
    assert all(t != 1_000_000_000 for n, t in _times(tmp_path).items() if n[0].isdigit() and int(n.split(".")[0]) < 4)


def test_the_merge_listing_follows_findings_and_refused_entries(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _review(tmp_path, ["a"])
    layout.write_listings(2)
    merge = tmp_path / layout.MERGE_LISTING
    first = merge.read_text(encoding="utf-8")
    assert "findings/Q1.yaml" in first
    (tmp_path / "findings/Q2.yaml").mkdir()  # a folder named like a file: the door refuses it
    from synthesis.inputs.door import misplaced

    layout.write_listings(2, misplaced())
    assert "findings/Q2.yaml" in merge.read_text(encoding="utf-8") != first


def test_a_stamp_is_rewritten_only_when_its_value_changes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = layout.write_stamp(layout.CODE_STAMP, "abc")
    assert Path(path).read_text(encoding="utf-8") == "abc\n"
    os.utime(path, ns=(5, 5))
    layout.write_stamp(layout.CODE_STAMP, "abc")
    assert Path(path).stat().st_mtime_ns == 5
    layout.write_stamp(layout.CODE_STAMP, "abd")
    assert Path(path).stat().st_mtime_ns != 5 and Path(path).read_text(encoding="utf-8") == "abd\n"


def test_a_link_listing_changes_with_its_target(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t1").write_text("one", encoding="utf-8")
    (tmp_path / "t2").write_text("two", encoding="utf-8")
    os.utime(tmp_path / "t2", ns=(7, 7))
    os.utime(tmp_path / "t1", ns=(7, 7))
    os.symlink("t1", "link")
    first = layout.listing(["link", "gone"])
    os.remove("link")
    os.symlink("t2", "link")
    assert layout.listing(["link", "gone"]) != first
    assert first.splitlines()[1] == '["gone", null]'
