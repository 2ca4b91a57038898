"""What checking and locating one source cost, kept for the next run (``output/build/located/``).

The unit is a source with its sheet (and a PDF's sidecar): its problems, its record and its located
excerpts. The build's ``locate`` jobs write one entry per source; a later shard and ``review check`` reuse an
entry whose key matches, so an edited sheet re-checks one source, not its whole shard, and a check after a
build reads what the build found. The key hashes everything the unit's result depends on: the package's
code, the libraries that read the files, the protocol, the bibliography's keys (suggestions name them), and
each file's path and bytes. Not the review's folder: a moved or copied review (a cluster's) keeps its entries,
so a unit with a symbolic link among its files, whose messages may name where it leads, is never kept. An
entry that does not match, or cannot be read, is ignored: the unit is checked again, so the cache changes only
the time taken.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

import orjson

from ..common.kept import KeptBlocks

SUFFIX = ".blocks"  # a job's file of units

# What reads a unit's files, besides this package: a new version may read them differently.
READERS = ("openpyxl", "pypdfium2", "PyYAML", "rapidfuzz")
PROTOCOL_READERS = ("PyYAML", "jsonschema", "bibtexparser", "pylatexenc")
PREPARED = "\0prepared"  # the entry of the checked protocol and bibliography (no source's stem holds a NUL)


def _shared(readers: tuple[str, ...]) -> dict[str, Any]:
    from ..common.installed import version
    from ..inputs.layout import package_fingerprint

    return {"code": package_fingerprint(), "python": sys.version,
            "readers": [version(name) for name in readers]}


def unit_context(prepared: dict[str, Any], sources_dir: str, text_cache: str | None) -> bytes:
    """The part of every unit's key that the review shares."""
    bibliography = prepared["bibliography"]
    shared = _shared(READERS) | {
        "protocol": prepared["protocol"],
        "bib_keys": sorted(bibliography) if bibliography is not None else None,
        "sources": sources_dir, "text_cache": text_cache,
    }
    return orjson.dumps(shared, option=orjson.OPT_SORT_KEYS, default=str)


def prepared_key(protocol_path: str, bibliography_path: str) -> str | None:
    """The key of the checked protocol and bibliography; None unless both are files (else the door speaks)."""
    if not all(Path(p).is_file() for p in (protocol_path, bibliography_path)):
        return None
    context = orjson.dumps(_shared(PROTOCOL_READERS), option=orjson.OPT_SORT_KEYS)
    return unit_key(context, [protocol_path, bibliography_path])


def unit_key(context: bytes, paths: list[str | None]) -> str | None:
    """The key of the unit made of these files (None: absent); None if one is a link or cannot be read."""
    digest = hashlib.sha256(context)
    for path in paths:
        if path is None:
            digest.update(b"\0-")
            continue
        try:
            if os.path.islink(path):
                return None
            data = Path(path).read_bytes()
        except OSError:
            return None
        digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


class LocatedCache:
    """Units by source stem, kept in files of blocks (:class:`~synthesis.common.kept.KeptBlocks`) in
    ``directory``: a writing job keeps its units in one file of its own, ``<part>.blocks`` (a locate job's is
    its shard's, ``3-of-8``; the prepare job's ``prepared``), not one file per source, whose creation cost a
    full build 0.25 CPU s per 600 sources (and more on a cluster's shared file system). A unit is looked for
    in every file of the folder, so it is found whichever job kept it (after the shard count changed), and
    `review check` reads them all. A writing job's file holds the units it read or made (its shard's, with a
    key), written anew at :meth:`close` (what is put is read from there after that, not before);
    :func:`prune` removes the files of another shard count."""

    def __init__(self, directory: str | None, writable: bool = False, part: str = "all"):
        self.directory = Path(directory) if directory else None
        self.writable = writable and self.directory is not None
        self.part = part
        self._stores: list[KeptBlocks] | None = None  # every file of the folder, opened when first asked
        self._own: KeptBlocks | None = None  # the file this job writes (also read)

    def _files(self) -> list[KeptBlocks]:
        if self._stores is None:
            own = f"{self.part}{SUFFIX}"
            try:
                names = [e.name for e in os.scandir(self.directory) if e.name.endswith(SUFFIX)
                         and not e.name.startswith(".") and e.is_file(follow_symlinks=False)]
            except OSError:
                names = []
            names.sort(key=lambda n: (n != own, n))  # its own file first: after an edit, the units asked for are there
            self._stores = [KeptBlocks(self.directory / name) for name in names]
            if self.writable:
                mine = [s for s in self._stores if s.path is not None and s.path.name == own]
                self._own = mine[0] if mine else KeptBlocks(self.directory / own)
        return self._stores

    def get(self, stem: str, key: str | None) -> dict[str, Any] | None:
        if self.directory is None or key is None:
            return None
        found = None
        for store in self._files():
            kept = store.get(stem, key)
            if kept is not None:
                found = kept[1]
                break
        if found is None:
            return None
        try:
            entry = orjson.loads(found)
        except orjson.JSONDecodeError:
            return None
        # The key inside the block too: bytes damaged into other JSON are not a unit.
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("unit"), dict):
            return None
        unit = entry["unit"]
        text_path = (unit.get("record") or {}).get("text_path")
        if text_path and not Path(text_path).is_file():  # a PDF's cached text was removed: extract again
            return None
        self._keep(stem, key, found)  # used now: kept for the next run
        return unit

    def put(self, stem: str, key: str | None, unit: dict[str, Any]) -> None:
        if not self.writable or key is None:
            return
        try:
            data = orjson.dumps({"key": key, "unit": unit})  # now: the caller changes the excerpts next
        except TypeError:  # not JSON (a value YAML read as a date): not kept, checked again next time
            return
        self._keep(stem, key, data)

    def _keep(self, stem: str, key: str, data: bytes) -> None:
        if self.writable:
            self._files()
            self._own.put(stem, key, None, data)  # a file that cannot be written costs time, not correctness

    def close(self) -> None:
        """Write this job's file (left as it is when its units are the same) and close the others."""
        if self._own is not None:
            self._own.close()
        for store in self._stores or ():
            store.close()
        self._stores, self._own = None, None


def prune(directory: str | Path, shards: int) -> None:
    """Remove the files of another shard count (``K-of-M.blocks``, M not ``shards``), once the shards of this
    count are written, and the file per unit that builds before kept (``*.json``)."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        count = name[:-len(SUFFIX)].rpartition("-of-")[2] if name.endswith(SUFFIX) and "-of-" in name else None
        per_unit = name.endswith(".json") and not name.startswith(".")
        stale = (count is not None and count != str(shards)) or per_unit
        if stale and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)


__all__ = ["PREPARED", "SUFFIX", "LocatedCache", "prepared_key", "prune", "unit_context", "unit_key"]
