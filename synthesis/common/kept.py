"""Values kept between builds, one file per name, each under the key of what it was made from.

A later run reuses a value whose stored key matches the key of its inputs now; a file that is missing, cannot
be read or holds another key is ignored (the value is made again), and one that cannot be written is not kept:
the store changes only the time taken, never a result. A name's new value replaces its file, so the folder
holds one file per name (``prune`` removes the names no longer made).
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


__all__ = ["KeptValues", "key_of", "write_quietly"]
