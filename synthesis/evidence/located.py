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

from ..common.kept import write_quietly

# What reads a unit's files, besides this package: a new version may read them differently.
READERS = ("openpyxl", "pypdfium2", "PyYAML", "rapidfuzz")
PROTOCOL_READERS = ("PyYAML", "jsonschema", "bibtexparser", "pylatexenc")
PREPARED = "\0prepared"  # the entry of the checked protocol and bibliography (no source's stem holds a NUL)


def _shared(readers: tuple[str, ...]) -> dict[str, Any]:
    from importlib import metadata

    from ..inputs.layout import package_fingerprint

    return {"code": package_fingerprint(), "python": sys.version,
            "readers": [metadata.version(name) for name in readers]}


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
    """Units by source stem, one file each (an edit replaces its source's file: the folder does not grow)."""

    def __init__(self, directory: str | None, writable: bool = False):
        self.directory = Path(directory) if directory else None
        self.writable = writable and self.directory is not None

    def _path(self, stem: str) -> Path:
        name = hashlib.sha256(stem.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        return self.directory / f"{name}.json"

    def get(self, stem: str, key: str | None) -> dict[str, Any] | None:
        if self.directory is None or key is None:
            return None
        try:
            entry = orjson.loads(self._path(stem).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key or not isinstance(entry.get("unit"), dict):
            return None
        unit = entry["unit"]
        text_path = (unit.get("record") or {}).get("text_path")
        if text_path and not Path(text_path).is_file():  # a PDF's cached text was removed: extract again
            return None
        return unit

    def put(self, stem: str, key: str | None, unit: dict[str, Any]) -> None:
        if not self.writable or key is None:
            return
        try:
            data = orjson.dumps({"key": key, "unit": unit})  # now: the caller changes the excerpts next
        except TypeError:  # not JSON (a value YAML read as a date): not kept, checked again next time
            return
        write_quietly(self._path(stem), data, ".unit.")  # not written: costs time, not correctness


__all__ = ["PREPARED", "LocatedCache", "prepared_key", "unit_context", "unit_key"]
