"""The report's renderings (HTML and DOCX) kept between builds, so pandoc runs only when something it reads
has changed.

pandoc is the largest part of a rebuild after one sheet is edited (1.5-3 CPU s), and most such edits leave the
report's Markdown as it was: the report lists a capped sample of findings and excerpts, the tables hold the
rest. The build's render step (``render --kept FOLDER``) keeps a copy of each file it wrote in that folder, with a
key of everything pandoc read and each copy's SHA-256 (``record.json``); when the key is the same and each copy
is still the one kept, the copies are written as the outputs (Snakemake removes a job's outputs before it runs)
and pandoc does not run.
The key: the package's code (the writer, the filters, the reference document's changes), pandoc's executable,
the formats and output paths, the date pandoc is given (``SOURCE_DATE_EPOCH``) and its run-time options, the
bytes of the Markdown, the bibliography, the citation style (else a ``default.csl`` in pandoc's user data
folder, which replaces pandoc's own), the stylesheet, every image the Markdown names in
the resource folder, and any other file named (``--depends``: the build passes the rule's inputs). A kept
record that is missing, damaged or of another key is no record: pandoc runs, as it would without one.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import orjson

from ..common.kept import key_of

# An image in the Markdown: ![text](target) or ![text](target "title"){attributes}.
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")


def _bytes(path: str | Path | None) -> bytes:
    """A file's bytes, or a marker of its absence (a file appearing changes the key)."""
    if path is None:
        return b"\0none"
    try:
        return Path(path).read_bytes()
    except OSError:
        return b"\0missing"


def images(markdown: str, resource_path: str) -> list[Path]:
    """The files in ``resource_path`` that the Markdown's images name, in the order first named."""
    named = dict.fromkeys(_IMAGE.findall(markdown))
    found = []
    for target in named:
        path = Path(resource_path) / target
        if "://" not in target and path.is_file():
            found.append(path)
    return found


def user_data_folders() -> list[Path]:
    """Where pandoc looks for its user data: ``$XDG_DATA_HOME/pandoc`` (else ``~/.local/share/pandoc``), and
    ``~/.pandoc``."""
    home = Path(os.path.expanduser("~"))
    data = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return [Path(data) / "pandoc", home / ".pandoc"]


def rendering_key(outputs: dict[str, str], markdown: str, bibliography: str, csl: str | None, css: str | None,
                  resource_path: str, depends: list[str], epoch: str, options: str) -> str:
    """The key of everything the renderings are made from (see the module's text)."""
    from ..inputs.layout import package_fingerprint
    from .render import pandoc_path

    pandoc = pandoc_path()
    try:
        found = os.stat(pandoc)
        executable = f"{pandoc}\0{found.st_size}\0{found.st_mtime_ns}"
    except OSError:
        executable = pandoc
    text = _bytes(markdown)
    parts: list[bytes | str] = [package_fingerprint(), executable, orjson.dumps(outputs), epoch, options,
                                text, _bytes(bibliography), _bytes(csl), _bytes(css)]
    if csl is None:  # pandoc's default style, which a default.csl in its user data folder replaces
        parts += [_bytes(folder / "default.csl") for folder in user_data_folders()]
    for path in images(text.decode("utf-8", "replace"), resource_path):
        parts += [path.as_posix(), _bytes(path)]
    for path in sorted(set(depends) - {markdown, bibliography, csl, css}):  # those read above once
        parts += [path, _bytes(path)]
    return key_of(*parts)


RECORD = "record.json"


def reuse(folder: str, key: str, outputs: dict[str, str]) -> bool:
    """Write the renderings kept in ``folder`` under ``key`` as ``outputs`` (format -> path), each copy checked
    against its SHA-256; False (nothing written) when there are none such."""
    from ..common.textio import write_atomic

    try:
        kept = orjson.loads((Path(folder) / RECORD).read_bytes())
    except (OSError, ValueError):
        return False
    if not isinstance(kept, dict) or kept.get("key") != key or kept.get("files") != sorted(outputs):
        return False
    copies = {}
    for fmt in outputs:
        data = _bytes(Path(folder) / fmt)
        if hashlib.sha256(data).hexdigest() != kept.get(fmt):
            return False
        copies[fmt] = data
    for fmt, path in outputs.items():
        write_atomic(path, copies[fmt])
        os.chmod(path, 0o644)  # as render writes a report: for sharing
    return True


def keep(folder: str, key: str, outputs: dict[str, str]) -> None:
    """Keep a copy of each rendering just written (``outputs``: format -> path) under ``key``."""
    from ..common.textio import write_atomic

    record: dict[str, object] = {"key": key, "files": sorted(outputs)}
    for fmt, path in outputs.items():
        data = Path(path).read_bytes()
        write_atomic(Path(folder) / fmt, data)
        record[fmt] = hashlib.sha256(data).hexdigest()
    write_atomic(Path(folder) / RECORD, orjson.dumps(record) + b"\n")  # last: a record names only copies made


__all__ = ["images", "keep", "rendering_key", "reuse"]
