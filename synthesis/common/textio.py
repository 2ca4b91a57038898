"""Reading inputs strictly and writing outputs atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Iterable

from .problems import InputError, Problem

BOM = "\ufeff"


def decode(data: bytes, path: str) -> str:
    """Decode UTF-8 (with or without BOM); name the first bad byte otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError([Problem(path, line, f"not valid UTF-8: byte 0x{data[err.start]:02x} at byte offset {err.start}; save the file as UTF-8")]) from None
    return text[1:] if text.startswith(BOM) else text


def read_text(path: str | Path) -> tuple[str, str]:
    """Return the decoded text of ``path`` and the SHA-256 of its bytes."""
    data = Path(path).read_bytes()
    return decode(data, str(path)), hashlib.sha256(data).hexdigest()


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: str | bytes | Iterable[str | bytes]) -> None:
    """Write ``data`` (or an iterable of chunks, streamed) to ``path`` via a temporary
    file and rename. A crash or a failed step therefore never leaves a half-written output.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    chunks = [data] if isinstance(data, (str, bytes)) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs should be shareable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
