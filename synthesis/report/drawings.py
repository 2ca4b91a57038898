"""A figure drawn once per content: kept in a cache folder under a key of what it depends on, so a build whose
figure is as it was (most edits of a sheet) copies the same bytes instead of starting matplotlib, whose import
and drawing cost 1-2 CPU s a figure."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..common.textio import write_atomic


def drawing_key(content: Any) -> str:
    """What a drawing depends on: ``content`` (JSON), this package's code and matplotlib's version."""
    from ..common.installed import version
    from ..inputs.layout import package_fingerprint

    text = json.dumps([content, package_fingerprint(), version("matplotlib")], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def write_drawn(key: str, draw: Callable[[Path, Path], None], svg: str | Path, png: str | Path,
                cache: str | Path) -> None:
    """Write the SVG and PNG that ``draw(svg, png)`` makes, drawn only when ``cache`` has no drawing for
    ``key``; the cache keeps only the latest drawing."""
    folder = Path(cache)
    kept = {fmt: folder / f"{key}.{fmt}" for fmt in ("svg", "png")}
    if not all(path.is_file() for path in kept.values()):
        draw(kept["svg"], kept["png"])
        for old in folder.iterdir():
            if old.name.split(".")[0] != key:
                old.unlink(missing_ok=True)
    write_atomic(svg, kept["svg"].read_bytes())
    write_atomic(png, kept["png"].read_bytes())


__all__ = ["drawing_key", "write_drawn"]
