"""The versions (and other metadata headers) of installed distributions, as ``importlib.metadata`` gives
them, without its cost in every job.

Each build job asks for a few versions, for its caches' keys and for provenance. ``importlib.metadata``
costs a job 40-70 ms of CPU: its import, the e-mail parser it reads ``METADATA`` with (which also parses the
long description after the headers: 80 KB for matplotlib) and a scan of every folder on ``sys.path``. A
distribution installed the usual way, one ``NAME-VERSION.dist-info`` folder on ``sys.path`` holding
``METADATA``, is read here directly: its headers, up to the first blank line. Anything else is asked of
``importlib.metadata``, so that the answer is always the one it gives: an ``.egg-info`` (this repository's
root holds one), two folders for one name, a zip file on ``sys.path``, a line that is not a header.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache

_SEPARATORS = re.compile(r"[-_.]+")
# The importlib_metadata backport's finder, which (once imported, as by some test tools) searches sys.path in
# the standard finder's place, as it does.
_BACKPORT = ("importlib_metadata", "MetadataPathFinder")


def _normalised(name: str) -> str:
    """A distribution's name as ``importlib.metadata`` compares it (PEP 503, with underscores)."""
    return _SEPARATORS.sub("_", name).lower()


@lru_cache(maxsize=1)
def _folders() -> dict[str, list[str]] | None:
    """Each normalised name's metadata folders on ``sys.path`` (``.dist-info`` and ``.egg-info``, in the order
    found), listed once a process; None if an entry of ``sys.path`` is a file (a zip archive, read only by
    ``importlib.metadata``) or an import hook other than the standard one may find distributions itself."""
    from importlib.machinery import PathFinder

    if any(hasattr(finder, "find_distributions") and finder is not PathFinder
           and (type(finder).__module__, type(finder).__name__) != _BACKPORT for finder in sys.meta_path):
        return None
    found: dict[str, list[str]] = {}
    for entry in sys.path:
        folder = entry or "."
        try:
            children = os.listdir(folder)
        except NotADirectoryError:
            return None
        except OSError:  # a missing folder holds nothing
            continue
        for child in children:
            low = child.lower()
            if low.endswith((".dist-info", ".egg-info")):
                key = _normalised(low.rpartition(".")[0].partition("-")[0])
                found.setdefault(key, []).append(os.path.join(folder, child))
    return found


@lru_cache(maxsize=None)
def _headers(name: str) -> tuple[tuple[str, str], ...] | None:
    """The ``METADATA`` headers of the one ``.dist-info`` folder for ``name``, in order; a folded header's
    value is None (``importlib.metadata`` unfolds and dedents it: asked of it); None where this module
    leaves the answer to ``importlib.metadata``."""
    folders = _folders()
    places = folders.get(_normalised(name), []) if folders is not None else []
    if len(places) != 1 or not places[0].endswith(".dist-info"):
        return None
    try:
        with open(os.path.join(places[0], "METADATA"), encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError):
        return None
    if "\r" in text:
        return None
    headers: list[tuple[str, str | None]] = []
    for line in text.partition("\n\n")[0].rstrip("\n").split("\n"):
        if line[:1] in (" ", "\t") and headers:  # a folded line: the header above goes on
            headers[-1] = (headers[-1][0], None)
            continue
        key, colon, value = line.partition(":")
        if not colon or not key or key != key.strip():  # not a header line the e-mail parser reads as one
            return None
        headers.append((key, value.lstrip(" \t")))
    return tuple(headers)


def _values(name: str, header: str) -> list[str] | None:
    """The values of ``header`` read here (``[]``: none), or None: ask ``importlib.metadata`` (which also
    gives the text after the headers as a ``Description``)."""
    headers = _headers(name) if header.lower() != "description" else None
    values = [value for key, value in headers or () if key.lower() == header.lower()]
    return None if headers is None or None in values else values


def version(name: str) -> str:
    """The installed version of ``name``, as ``importlib.metadata.version`` (which raises its
    ``PackageNotFoundError`` for a distribution not installed)."""
    found = _values(name, "version")
    if found:
        return found[0]
    from importlib import metadata

    return metadata.version(name)


def version_or_none(name: str) -> str | None:
    """:func:`version`, or None for a distribution not installed."""
    try:
        return version(name)
    except ModuleNotFoundError:  # importlib.metadata's PackageNotFoundError is one
        return None


def header_values(name: str, header: str) -> list[str] | None:
    """Every value of a ``METADATA`` header (e.g. ``Project-URL``), as ``metadata(name).get_all`` gives
    them (None for none), or None if ``name`` is not installed."""
    values = _values(name, header)
    if values is not None:
        return values or None
    from importlib import metadata

    try:
        return metadata.metadata(name).get_all(header)
    except metadata.PackageNotFoundError:
        return None


__all__ = ["header_values", "version", "version_or_none"]
