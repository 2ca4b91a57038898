"""Country names for people (ISO 3166-1 alpha-2 codes to English names, from babel's CLDR data)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def _territories() -> dict[str, str]:
    from babel import Locale

    return dict(Locale("en").territories)


def country(code: str) -> str:
    """``GB`` -> "United Kingdom"; a comparator-group column ``group:European`` -> "European comparators";
    an unknown code stays as it is."""
    if code.startswith("group:"):
        return f"{code.removeprefix('group:')} comparators"
    return _territories().get(code, code)


def countries(codes: list[str]) -> str:
    """Names joined with commas."""
    return ", ".join(country(c) for c in codes)


__all__ = ["countries", "country"]
