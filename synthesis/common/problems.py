"""Input problems, reported all at once as ``path:line: message``."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, at a 1-based line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class InputError(Exception):
    """Raised with every problem found, so a user can fix them in one pass."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def raise_if_any(problems: list[Problem]) -> None:
    """Raise :class:`InputError` when ``problems`` is not empty."""
    if problems:
        raise InputError(problems)


# Common non-ISO country codes people type (ISO 3166-1: United Kingdom is GB, Greece GR).
COUNTRY_ALIASES = {"UK": "GB", "EL": "GR", "EN": "GB", "USA": "US", "AUS": "AU", "GER": "DE"}


def suggest(value: str, allowed: Iterable[str], limit: int = 12, aliases: dict[str, str] | None = None) -> str:
    """Explain which values are allowed, with a did-you-mean when one is close.

    >>> suggest("emplyer", ["employer", "silos"])
    "did you mean 'employer'? allowed: employer, silos"
    """
    allowed = list(allowed)
    alias = (aliases or {}).get(value.upper())
    close = [alias] if alias in allowed else difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
    if not close:
        lowered = {a.lower(): a for a in allowed}
        close = [lowered[value.lower()]] if value.lower() in lowered else []
    shown = ", ".join(allowed[:limit]) + (f", … ({len(allowed)} in all)" if len(allowed) > limit else "")
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}allowed: {shown}" if allowed else "nothing is allowed here yet"
