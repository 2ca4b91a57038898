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
    not kept, and the file is written anew. The blocks put, in the order put, make the next file, written
    beside the old one and renamed over it at :meth:`close`; names not put are gone."""

    MAGIC = b"\nkept-blocks:"
    TRAILER = len(MAGIC) + 20  # the magic, then the index's offset in 20 digits

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path else None
        self._old = None
        self._index: dict[str, list] = {}
        self._out = None
        self._at = 0
        self._tmp: str | None = None
        self._new: dict[str, list] = {}
        self._got: dict[str, tuple[bytes, str]] = {}  # blocks read and their digests (put back: not hashed)
        self._changed = False
        if self.path is not None:
            self._open()

    def _open(self) -> None:
        try:
            handle = open(self.path, "rb")
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
            self._old, self._index = handle, index
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
            self._changed = True  # damaged: made again by the caller, and the file written anew
            return None
        self._got[name] = (data, entry[4])
        return entry[3], data

    def put(self, name: str, key: str, meta: Any, data: bytes) -> None:
        """Keep ``data`` with ``meta`` (JSON) for the next run (a block used as kept is put again)."""
        if self.path is None or name in self._new:
            return
        try:
            if self._out is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):  # left by a killed run
                    stale.unlink(missing_ok=True)
                prefix = f".{self.path.name}."
                fd, self._tmp = tempfile.mkstemp(dir=self.path.parent, prefix=prefix, suffix=".tmp")
                self._out = os.fdopen(fd, "wb")
                self._at = 0  # where the next block goes (the writer's tell() asks the system each time)
            got = self._got.pop(name, None)
            digest = got[1] if got is not None and got[0] is data else hashlib.sha256(data).hexdigest()
            entry = [key, self._at, len(data), meta, digest]
            self._out.write(data)
            self._at += len(data)
        except OSError:  # not kept: the next run makes them again
            self._discard()
            self.path = None
            return
        self._changed |= self._index.get(name) != entry
        self._new[name] = entry

    def close(self) -> None:
        """Replace the file with the blocks put (left as it is when they are the same, in the same places)."""
        if self._old is not None:
            self._old.close()
            self._old = None
        if self._out is None:
            return
        if not self._changed and list(self._new) == list(self._index):
            self._discard()
            return
        try:
            self._out.write(orjson.dumps(self._new) + self.MAGIC + b"%020d" % self._at)
            self._out.close()
            self._out = None
            os.replace(self._tmp, self.path)
        except OSError:
            self._discard()

    def _discard(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
        if self._tmp:
            Path(self._tmp).unlink(missing_ok=True)
            self._tmp = None


def _entry(entry: Any, size: int) -> bool:
    return (isinstance(entry, list) and len(entry) == 5 and isinstance(entry[0], str)
            and isinstance(entry[4], str) and entry[1].__class__ is int and entry[2].__class__ is int
            and 0 <= entry[1] <= entry[1] + entry[2] <= size)


__all__ = ["KeptBlocks", "KeptValues", "key_of", "write_quietly"]
