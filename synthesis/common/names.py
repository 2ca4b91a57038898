"""Country names for people (ISO 3166-1 alpha-2 codes to English names, from babel's CLDR data).

Loading babel's English locale costs about 0.27 CPU s (its pickled data), in every job that names a country.
The names are also shipped in ``territories.json`` with the babel version they were taken from, and read from
there when that is the installed version (else from babel): the same names either way. After upgrading babel,
refresh the file with ``python -m synthesis.common.names``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SHIPPED = Path(__file__).with_name("territories.json")


def babel_territories() -> dict[str, str]:
    """The names as the installed babel gives them."""
    from babel import Locale

    return dict(Locale("en").territories)


@lru_cache(maxsize=None)
def _territories() -> dict[str, str]:
    from .installed import version

    try:
        shipped = json.loads(SHIPPED.read_text(encoding="utf-8"))
        if shipped.get("babel") == version("babel"):
            return shipped["territories"]
    except (OSError, ValueError, KeyError, AttributeError):
        pass  # no usable copy: babel's own
    return babel_territories()


def country(code: str) -> str:
    """``GB`` -> "United Kingdom"; a comparator-group column ``group:European`` -> "European comparators";
    an unknown code stays as it is."""
    if code.startswith("group:"):
        return f"{code.removeprefix('group:')} comparators"
    return _territories().get(code, code)


def countries(codes: list[str]) -> str:
    """Names joined with commas."""
    return ", ".join(country(c) for c in codes)


def write_shipped(path: Path = SHIPPED) -> None:
    """Write the installed babel's names, and its version, to ``path`` (the shipped copy)."""
    from .installed import version

    data = {"babel": version("babel"), "territories": babel_territories()}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_shipped()

__all__ = ["babel_territories", "countries", "country", "write_shipped"]
