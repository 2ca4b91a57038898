"""Input problems, reported all at once as ``path:line: message``.

Errors stop a build. Warnings (``path:line: warning [CODE]: message``) are for things an issue defines as
worth a look but not wrong: they never stop a build, and ``review check --strict`` makes them fail. Each
warning has a stable code, so a review finding can name the warnings its explanation addresses.
"""

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
    severity: str = "error"  # or "warning"
    code: str = ""  # a warning's stable code, e.g. ADEQUACY_ONE_STUDY

    def __str__(self) -> str:
        if self.severity == "warning":
            return f"{self.path}:{self.line}: warning [{self.code}]: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"

    @property
    def is_warning(self) -> bool:
        return self.severity == "warning"

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "message": self.message, "severity": self.severity, "code": self.code}


def warning(path: str, line: int, code: str, message: str) -> Problem:
    """A warning with its stable code."""
    return Problem(path, line, message, "warning", code)


def split(problems: Iterable[Problem]) -> tuple[list[Problem], list[Problem]]:
    """Errors and warnings, each sorted."""
    problems = sorted(set(problems))
    return [p for p in problems if not p.is_warning], [p for p in problems if p.is_warning]


class InputError(Exception):
    """Raised with every problem found, so a user can fix them in one pass."""

    def __init__(self, problems: Iterable[Problem], warnings: Iterable[Problem] = ()):
        self.problems = sorted(set(problems))
        self.warnings = sorted(set(warnings))  # found alongside, shown with the errors
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
