"""Values kept between builds, one file per name, each under the key of what it was made from.

A later run reuses a value whose stored key matches the key of its inputs now; a file that is missing, cannot
be read or holds another key (or a block that is not the bytes written: :class:`KeptBlocks`) is ignored (the
value is made again), and one that cannot be written is not kept: the store changes only the time taken, never
a result. A name's new value replaces its file, so the folder holds one file per name (``prune`` removes the
names no longer made).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

import orjson

try:
    import fcntl
except ImportError:  # not on Windows: appends are not locked there
    fcntl = None


def write_quietly(path: Path, data: bytes, prefix: str = ".kept.") -> None:
    """Write ``data`` to ``path`` through a temporary file beside it (``prefix``...``.json``) and a rename. A
    store that cannot be written costs time, not correctness: a failure is not raised, and leaves no file."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".json")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp:
            Path(tmp).unlink(missing_ok=True)


def key_of(*parts: bytes | str) -> str:
    """A key hashing ``parts`` in order (each ended by a NUL, so no two lists of parts give the same
    bytes)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update((part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part) + b"\0")
    return digest.hexdigest()


class KeptValues:
    """JSON values by name in ``directory`` (None: nothing is kept or read)."""

    PREFIX = ".kept."  # a file being written; left by a killed run, removed by prune

    def __init__(self, directory: str | Path | None):
        self.directory = Path(directory) if directory else None

    def _path(self, name: str) -> Path:
        digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()
        return self.directory / f"{digest[:32]}.json"

    def get(self, name: str, key: str) -> Any | None:
        if self.directory is None:
            return None
        try:
            entry = orjson.loads(self._path(name).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        return entry.get("value") if isinstance(entry, dict) and entry.get("key") == key else None

    def put(self, name: str, key: str, value: Any) -> None:
        if self.directory is None:
            return
        try:
            data = orjson.dumps({"key": key, "value": value})
        except TypeError:  # not JSON: not kept, made again next time
            return
        self._write(name, data)

    def _write(self, name: str, data: bytes) -> None:
        if self.directory is not None:
            write_quietly(self._path(name), data, self.PREFIX)

    def get_raw(self, name: str, key: str) -> tuple[Any, bytes] | None:
        """A value kept by :meth:`put_raw`: its description and its bytes (None: not kept under ``key``)."""
        if self.directory is None:
            return None
        try:
            data = self._path(name).read_bytes()
            head, _, payload = data.partition(b"\n")
            entry = orjson.loads(head)
        except (OSError, orjson.JSONDecodeError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        return entry.get("meta"), payload

    def put_raw(self, name: str, key: str, meta: Any, payload: bytes) -> None:
        """Keep ``payload`` as it is, after one line of JSON (the key and ``meta``, which says how to read
        it): bytes are not escaped into a JSON string and read back out of one."""
        self._write(name, orjson.dumps({"key": key, "meta": meta}) + b"\n" + payload)

    def prune(self, names: Iterable[str]) -> None:
        """Remove every file but those of ``names`` (a source since removed, a temporary file left behind)."""
        if self.directory is None:
            return
        keep = {self._path(name).name for name in names}
        try:
            found = list(os.scandir(self.directory))
        except OSError:
            return
        for entry in found:
            ours = entry.name.endswith(".json") and entry.is_file(follow_symlinks=False)
            if ours and entry.name not in keep:
                Path(entry.path).unlink(missing_ok=True)


class KeptBlocks:
    """Blocks of bytes by name in one file (``path``; None: nothing is kept or read): the blocks, then an
    index of them (JSON: each name's key, place, size, description and SHA-256), then the index's place
    (``TRAILER``). A block is read when asked for (one file opened, not one per name: thousands of files cost
    their creation each on a cold build, and more on a cluster's shared file system), and checked against its
    SHA-256: one changed in place since it was written (a flipped bit, an edit that left the JSON whole) is
    not kept. Names not put are gone from the next index.

    The first file is written beside the old one and renamed over it at :meth:`close`. After that a run
    appends: a block put as it is kept stays where it is, a new or changed one goes after the file's end, then
    the new index and trailer (rewriting every block for one source's change cost a 5,000-source edit 0.6 CPU
    s of writing 290 MB). Appending never changes a byte already in the file, so a reader holding the old
    index still reads its blocks, and one opening the file mid-append finds no trailer and keeps nothing; the
    file is written anew, compacted, once its dead bytes outweigh the live ones or a damaged block was met."""

    MAGIC = b"\nkept-blocks:"
    TRAILER = len(MAGIC) + 20  # the magic, then the index's offset in 20 digits

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self._old = None  # the kept file, opened to read (and to append to, where it may be written)
        self._end = 0  # its size: where the next appended block goes
        self._index: dict[str, list] = {}
        self._out = None  # a new file being written (no file was kept, or compacting)
        self._at = 0  # where the next block goes in it (the writer's tell() asks the system each time)
        self._tmp: str | None = None
        self._locked = False  # the kept file locked for appending
        self._new: dict[str, list] = {}
        self._live = 0  # bytes of the blocks in the new index
        self._got: dict[str, tuple[bytes, str]] = {}  # blocks read and their digests (put back: not hashed)
        self._changed = False
        self._damaged = False
        if self.path is not None:
            self._open()

    def _open(self) -> None:
        try:
            handle = open(self.path, "r+b")
        except PermissionError:  # read-only: read, and not kept
            try:
                handle = open(self.path, "rb")
            except OSError:
                return
        except OSError:
            return
        try:
            size = os.fstat(handle.fileno()).st_size
            end = size - self.TRAILER
            trailer = os.pread(handle.fileno(), self.TRAILER, end) if end >= 0 else b""
            digits = trailer[len(self.MAGIC):]
            at = int(digits) if trailer.startswith(self.MAGIC) and digits.isdigit() else -1
            index = orjson.loads(os.pread(handle.fileno(), end - at, at)) if 0 <= at <= end else None
        except (OSError, ValueError):
            index = None
        if isinstance(index, dict) and all(_entry(e, at) for e in index.values()):
            self._old, self._index, self._end = handle, index, size
        else:
            handle.close()

    def get(self, name: str, key: str) -> tuple[Any, bytes] | None:
        """The description and bytes kept for ``name`` under ``key``; None when not kept so or unreadable."""
        entry = self._index.get(name)
        if entry is None or entry[0] != key:
            return None
        try:
            data = os.pread(self._old.fileno(), entry[2], entry[1])
        except OSError:
            return None
        if len(data) != entry[2] or hashlib.sha256(data).hexdigest() != entry[4]:
            self._changed = self._damaged = True  # made again by the caller, and the file compacted
            return None
        self._got[name] = (data, entry[4])
        return entry[3], data

    def put(self, name: str, key: str, meta: Any, data: bytes) -> None:
        """Keep ``data`` with ``meta`` (JSON) for the next run (a block used as kept is put again)."""
        if self.path is None or name in self._new:
            return
        got = self._got.pop(name, None)
        read = got is not None and got[0] is data  # the block read (and checked) in this run, put back
        digest = got[1] if read else hashlib.sha256(data).hexdigest()
        old = self._index.get(name)
        if read and old[0] == key and old[3] == meta:
            entry = old  # where it is (a block made again is written: the kept one may be damaged)
        else:
            try:
                entry = [key, self._write(data), len(data), meta, digest]
            except OSError:  # not kept: the next run makes them again
                self._discard()
                self.path = None
                return
        self._changed |= old != entry
        self._new[name] = entry
        self._live += len(data)

    def _write(self, data: bytes) -> int:
        """Write a block: after the kept file's end, or into a new file when none was kept; its place."""
        return self._append(data) if self._old is not None else self._write_new(data)

    def _write_new(self, data: bytes) -> int:
        if self._out is None:
            self._start_new()
        at = self._at
        self._out.write(data)
        self._at += len(data)
        return at

    def _append(self, data: bytes) -> int:
        if not self._locked:
            _lock(self._old)  # one appender at a time; a second is refused (OSError) and keeps nothing
            self._locked = True
        at = self._end
        os.pwrite(self._old.fileno(), data, at)
        self._end += len(data)
        return at

    def _remove_stale(self) -> None:
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):  # left by a killed run
            stale.unlink(missing_ok=True)

    def _start_new(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._remove_stale()
        fd, self._tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        self._out = os.fdopen(fd, "wb")
        self._at = 0

    def close(self) -> None:
        """Write the index of the blocks put (nothing, when they are the same, in the same order)."""
        try:
            if self.path is None:  # a block could not be written: nothing is kept
                pass
            elif self._old is None:
                if self._out is not None:
                    self._finish_new()
            elif self._new and (self._changed or list(self._new) != list(self._index)):  # nothing put: left
                # The index first, so that a compaction that fails leaves a whole file.
                self._append(orjson.dumps(self._new) + self.MAGIC + b"%020d" % self._end)
                self._remove_stale()
                if self._damaged or self._end > 2 * self._live + (1 << 20):
                    self._compact()
        except OSError:
            self._discard()
        if self._old is not None:
            self._old.close()  # and its lock
            self._old = None

    def _compact(self) -> None:
        """The live blocks, copied into a new file renamed over the old one."""
        for entry in self._new.values():
            entry[1] = self._write_new(os.pread(self._old.fileno(), entry[2], entry[1]))
        self._finish_new()

    def _finish_new(self) -> None:
        self._out.write(orjson.dumps(self._new) + self.MAGIC + b"%020d" % self._at)
        self._out.close()
        self._out = None
        os.replace(self._tmp, self.path)
        self._tmp = None

    def _discard(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        if self._tmp:
            Path(self._tmp).unlink(missing_ok=True)
            self._tmp = None


def _lock(handle) -> None:
    """An exclusive lock on ``handle``'s file, or OSError at once when another process holds it."""
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _entry(entry: Any, size: int) -> bool:
    return (isinstance(entry, list) and len(entry) == 5 and isinstance(entry[0], str)
            and isinstance(entry[4], str) and entry[1].__class__ is int and entry[2].__class__ is int
            and 0 <= entry[1] <= entry[1] + entry[2] <= size)


__all__ = ["KeptBlocks", "KeptValues", "key_of", "write_quietly"]
