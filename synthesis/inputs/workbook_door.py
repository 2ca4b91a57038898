"""An Excel workbook at the door: refused when too large to open safely, and openpyxl imported lightly."""

from __future__ import annotations

from pathlib import Path

from ..common.problems import Problem
from .door import refused

# Largest workbook accepted (docs/formats.md, "Limits"), with sheets.MAX_SHEET_ROWS.
MAX_WORKBOOK_BYTES = 20_000_000  # the .xlsx file
MAX_WORKBOOK_UNZIPPED = 200_000_000  # its parts once decompressed (a zip bomb is far larger)


def _workbook_problems(path: str) -> list[Problem]:
    """Refuse a workbook too large to open safely, before openpyxl decompresses it."""
    import zipfile

    door = refused(path)  # a link out of the review, or a folder: never opened
    if door:
        return door
    size = Path(path).stat().st_size
    if size > MAX_WORKBOOK_BYTES:
        return [Problem(path, 1, f"workbook too large: {size:,} bytes; at most {MAX_WORKBOOK_BYTES:,} are accepted")]
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as err:
        return [Problem(path, 1, f"cannot read as an Excel workbook: {err}")]
    if unzipped > MAX_WORKBOOK_UNZIPPED:
        return [Problem(path, 1, f"workbook too large once decompressed: {unzipped:,} bytes; at most {MAX_WORKBOOK_UNZIPPED:,} are accepted")]
    return []


def _openpyxl():
    """openpyxl, imported without numpy and Pillow where they are not imported yet: openpyxl imports them
    when installed only to write their number types and images, which reading a sheet never does, and they
    cost 0.15 CPU s a process, more than reading a sheet. Once openpyxl is in, they import as usual."""
    import sys

    if "openpyxl" not in sys.modules:
        blocked = [name for name in ("numpy", "PIL") if name not in sys.modules]
        sys.modules.update(dict.fromkeys(blocked))  # None: their import fails, which openpyxl allows for
        try:
            import openpyxl  # noqa: F401
        finally:
            for name in blocked:
                if name in sys.modules and sys.modules[name] is None:
                    del sys.modules[name]
    import openpyxl

    return openpyxl
