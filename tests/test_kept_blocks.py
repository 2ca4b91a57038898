"""Files of kept blocks after their first writing (common/kept.py, :class:`KeptBlocks`): a run that changes one
block appends it and a new index, never changing a byte already in the file; the file is compacted once its dead
bytes outweigh the live ones; a second writer, a reader mid-append and a run killed mid-append cost time only."""

import fcntl
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthesis.common.kept import KeptBlocks  # noqa: E402

BLOCKS = {f"s{i}": (f"k{i}", [i], bytes([65 + i]) * 1000) for i in range(5)}


def keep(path: Path, blocks: dict) -> None:
    """One run: every block read where kept under its key and put back as read, the others put as given."""
    store = KeptBlocks(path)
    for name, (key, meta, data) in blocks.items():
        kept = store.get(name, key)
        store.put(name, key, *(kept if kept is not None and kept[1] == data else (meta, data)))
    store.close()


def kept(path: Path) -> dict:
    store = KeptBlocks(path)
    found = {name: (entry[0], *store.get(name, entry[0])) for name, entry in store._index.items()}
    store.close()
    return found


def test_one_changed_block_is_appended_and_the_bytes_there_stay(tmp_path):
    path = tmp_path / "kept.blocks"
    keep(path, BLOCKS)
    first = path.read_bytes()
    keep(path, BLOCKS)
    assert path.read_bytes() == first  # nothing changed: nothing written
    reader = KeptBlocks(path)  # opened before the append: its index still reads its blocks
    changed = BLOCKS | {"s2": ("k2-edited", [2], b"edited" * 10)}
    keep(path, changed)
    after = path.read_bytes()
    assert after.startswith(first) and len(after) < len(first) + 60 + 1000  # the new block and a new index
    assert kept(path) == changed
    assert reader.get("s2", "k2") == ([2], BLOCKS["s2"][2]) and reader.get("s4", "k4") == ([4], BLOCKS["s4"][2])
    reader.close()
    gone = {n: b for n, b in changed.items() if n != "s0"}  # a name not put is gone from the index
    keep(path, gone)
    assert kept(path) == gone and path.read_bytes().startswith(after)


def test_the_file_is_compacted_once_its_dead_bytes_outweigh_the_live_ones(tmp_path):
    path = tmp_path / "kept.blocks"
    big = {f"s{i}": (f"k{i}", None, bytes([65 + i]) * 300_000) for i in range(4)}  # 1.2 MB live
    keep(path, big)
    sizes = []
    for round_ in range(8):  # each round replaces one block: 300 KB more dead bytes
        big[f"s{round_ % 4}"] = (f"k{round_ % 4}-{round_}", None, bytes([97 + round_]) * 300_000)
        keep(path, big)
        sizes.append(path.stat().st_size)
        assert kept(path) == big
    live = 4 * 300_000
    assert max(sizes) <= 2 * live + (1 << 20) and min(sizes) < live + 1000  # grown, then written anew
    assert sizes != sorted(sizes)


def test_a_second_writer_keeps_nothing_and_the_first_ones_blocks_stay_readable(tmp_path):
    path = tmp_path / "kept.blocks"
    keep(path, BLOCKS)
    with open(path, "rb") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)  # another process appending
        store = KeptBlocks(path)
        store.put("s1", "k1-new", None, b"new")
        store.close()
    assert kept(path) == BLOCKS


def test_a_run_killed_mid_append_leaves_a_file_that_is_made_again(tmp_path):
    path = tmp_path / "kept.blocks"
    keep(path, BLOCKS)
    with open(path, "ab") as handle:
        handle.write(b"half a block, no index after it")
    assert kept(path) == {}  # no trailer at the end: nothing kept is used
    keep(path, BLOCKS)
    assert kept(path) == BLOCKS and b"half a block" not in path.read_bytes()  # written anew, not appended to


def test_a_damaged_block_made_again_is_written_not_left_where_it_was(tmp_path):
    path = tmp_path / "kept.blocks"
    keep(path, BLOCKS)
    whole = path.read_bytes()
    path.write_bytes(whole.replace(b"C" * 1000, b"C" * 999 + b"X"))  # s2 changed in place, its index as it was
    keep(path, BLOCKS)  # s2 is not read as kept (its SHA-256): made again with the same bytes and written
    assert kept(path) == BLOCKS and path.read_bytes() == whole  # compacted after damage: as first written


def test_a_compaction_that_fails_leaves_the_appended_file_whole(tmp_path, monkeypatch):
    import synthesis.common.kept as kept_module

    path = tmp_path / "kept.blocks"
    keep(path, BLOCKS)
    path.write_bytes(path.read_bytes().replace(b"C" * 1000, b"C" * 999 + b"X"))  # damaged: compacted at close

    def no_room(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kept_module.tempfile, "mkstemp", no_room)
    keep(path, BLOCKS)
    monkeypatch.undo()
    assert kept(path) == BLOCKS  # the block made again and the index appended before the compaction failed
    assert not list(tmp_path.glob(".kept.blocks.*"))


def test_a_file_that_cannot_be_written_is_read_and_left_as_it_is(tmp_path, monkeypatch):
    # As a read-only file opens (the suite runs as root, whom permissions do not refuse).
    import builtins

    from synthesis.common import kept as module

    path = tmp_path / "kept.blocks"
    keep(path, BLOCKS)
    first = path.read_bytes()

    def read_only(file, mode="r", *args, **kwargs):
        if mode == "r+b":
            raise PermissionError(13, "Permission denied", str(file))
        return builtins.open(file, mode, *args, **kwargs)

    monkeypatch.setattr(module, "open", read_only, raising=False)
    store = KeptBlocks(path)
    assert store.get("s1", "k1") == ([1], BLOCKS["s1"][2])  # read as kept
    store.put("s1", "k1", [1], BLOCKS["s1"][2])
    store.put("s2", "k2-edited", [2], b"edited")  # cannot be appended: nothing is kept this run
    store.close()
    assert path.read_bytes() == first
    monkeypatch.undo()
    assert kept(path) == {name: (key, meta, data) for name, (key, meta, data) in BLOCKS.items()}
