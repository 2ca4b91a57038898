"""Words for people: country names, document types, roles and CERQual levels instead of ids."""

from __future__ import annotations

from ..common.names import countries, country
from ..inputs.findings import WORDS as CERQUAL_WORDS
from ..inputs.sources import ROLES

ROLE_WORDS = {"primary": "primary study", "secondary": "secondary report", "commentary": "commentary", "protocol": "the review's framing document"}
ROLE_GROUPS = {"primary": "primary studies", "secondary": "secondary reports", "commentary": "commentary", "protocol": "the framing document"}


def kind(value: str) -> str:
    """A document type or other id as words: ``book_chapter`` -> "book chapter"."""
    return value.replace("_", " ").replace("-", " ")


def role(value: str) -> str:
    return ROLE_WORDS.get(value, kind(value))


def by_role(counts: dict[str, int]) -> str:
    """Excerpts by their source's role, e.g. "4 from primary studies, 2 from secondary reports"."""
    return ", ".join(f"{n} from {ROLE_GROUPS.get(r, kind(r))}" for r, n in counts.items())


def cerqual(value: str) -> str:
    """A CERQual level or component in words, e.g. ``no_or_very_minor`` -> "no or very minor concerns"."""
    return CERQUAL_WORDS.get(value, kind(value))


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {words or word + 's'}"


__all__ = ["ROLES", "ROLE_GROUPS", "ROLE_WORDS", "by_role", "cerqual", "countries", "country", "kind", "plural", "role"]
