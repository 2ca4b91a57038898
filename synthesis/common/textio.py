"""Reading inputs strictly and writing outputs atomically."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Iterable

from .problems import InputError, Problem

BOM = "\ufeff"
# Control characters other than tab and line ends: invisible in an editor, but an
# ESC or BEL reaches a terminal (`review trace`) and a NUL breaks CSV and HTML readers.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NAMES = {0: "NUL", 7: "BEL", 8: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI"}


def control_problems(text: str, path: str, line: int | None = None, limit: int = 5) -> list[Problem]:
    """One problem per control character (the first ``limit``), at its line (or ``line``)."""
    problems = []
    for match in CONTROL.finditer(text):
        if len(problems) == limit:
            break
        char = match.group()
        where = line if line is not None else text.count("\n", 0, match.start()) + 1
        column = match.start() - text.rfind("\n", 0, match.start())
        name = _NAMES.get(ord(char), "control character")
        at = f" at column {column}" if line is None else ""
        problems.append(Problem(path, where, f"control character U+{ord(char):04X} ({name}){at}: remove it; only tab and line breaks are accepted"))
    return problems


def decode(data: bytes, path: str) -> str:
    """Decode UTF-8 (with or without BOM); name the first bad byte otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputError([Problem(path, line, f"not valid UTF-8: byte 0x{data[err.start]:02x} at byte offset {err.start}; save the file as UTF-8")]) from None
    text = text[1:] if text.startswith(BOM) else text
    if CONTROL.search(text):
        raise InputError(control_problems(text, path))
    return text


# A cell starting with one of these is a formula to Excel, LibreOffice and Google
# Sheets (OWASP "CSV injection"): such text is written with a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")  # -0.235 is a number to a spreadsheet, not a formula: kept a number


def inert(value):
    """A CSV table cell that a spreadsheet shows as text, never evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


_FORMULA_FIRST = frozenset(FORMULA_START)


def inert_row(row: Iterable) -> list:
    """:func:`inert` of every cell of a row, in one pass: a table of 20,000 rows has half a million cells, and
    only a string whose first character starts a formula is looked at further (a non-string is never live)."""
    return ["'" + v if isinstance(v, str) and v[:1] in _FORMULA_FIRST and not _NUMBER.match(v) else v
            for v in row]


def csv_text(rows: Iterable[Iterable], kept: int = 0) -> str:
    """CSV text (``\\n`` line ends) of ``rows``, every cell made :func:`inert`: the one writer of every CSV file
    the tool writes. The first ``kept`` rows are a file's own rows, rewritten as they were read (an input the
    command updates keeps its bytes' meaning); only cells the tool adds are neutralised."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for n, row in enumerate(rows):
        writer.writerow(row if n < kept else inert_row(row))
    return out.getvalue()


def visible(text: str) -> str:
    """``text`` safe for a terminal: control characters shown as ``\\xNN``, never sent."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


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
    for stale in path.parent.glob(f".{path.name}.*.tmp"):  # left by a killed earlier run
        stale.unlink(missing_ok=True)
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
