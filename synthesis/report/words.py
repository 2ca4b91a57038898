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


def studies(facts: dict, names: dict[str, str] | None = None, most: int = 4) -> str:
    """Independent studies, counted once, and how many are known only second-hand, e.g. "2 independent
    studies, both known only second-hand (Berry (2014); Finn (2003))"; names given for at most ``most``."""
    found, second = facts["studies"], facts["second_hand_studies"]
    if not found:
        return "no named study"
    said = plural(len(found), "independent study", "independent studies")
    if second and len(second) == len(found):
        said += ", known only second-hand" if len(found) == 1 else f", {'both' if len(found) == 2 else 'all'} known only second-hand"
    elif second:
        said += f" ({len(second)} known only second-hand)"
    if names is not None and len(found) <= most:
        said += " (" + "; ".join(names.get(s, s) for s in found) + ")"
    return said


def _span(periods: list[str]) -> str:
    """Years or spans of years as one span, e.g. ["1999-2003", "2011"] -> "1999-2011"; one year as itself."""
    bounds = [int(y) for p in periods for y in p.split("-")]
    first, last = min(bounds), max(bounds)
    return str(first) if first == last else f"{first}-{last}"


def years(facts: dict) -> str:
    """The years of the evidence (coded periods) apart from the documents' publication years."""
    covered = f"evidence from {_span(facts['periods'])}" if facts["periods"] else "years of the evidence not recorded"
    published = f"documents published {_span(facts['years'])}" if facts["years"] else "publication years not recorded"
    return f"{covered}; {published}"


__all__ = ["ROLES", "ROLE_GROUPS", "ROLE_WORDS", "by_role", "cerqual", "countries", "country", "kind", "plural", "role", "studies", "years"]
