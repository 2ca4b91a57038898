"""Strength of evidence per theme, by explicit rules from review.yaml.

A rule names a rating and the conditions it needs; rules are tried in order
and the first whose conditions all hold gives the rating. Every rating comes
with its reasons: each condition of the matched rule, and what the stronger
rules above it lacked. Without a ``strength`` section the defaults below apply.
"""

from __future__ import annotations

from typing import Any

DEFAULT_RULES = [
    {"rating": "strong", "min_sources": 3, "min_evidence_types": 2},
    {"rating": "moderate", "min_sources": 2},
    {"rating": "weak", "min_sources": 1},
]
UNRATED = "unrated"


def rules_of(protocol: dict) -> dict[str, Any]:
    """The review's strength settings, with defaults filled in."""
    settings = protocol.get("strength", {})
    return {
        "ratings": settings.get("ratings", DEFAULT_RULES),
        "evaluation_types": settings.get("evaluation_types", []),
        "agreement_column": settings.get("agreement_column", "stance"),
    }


def evidence_types(items: list[dict], sources: dict[str, dict]) -> set[str]:
    """Evidence types present: each excerpt's evidence_type, else (when uncoded) its source's type."""
    found: set[str] = set()
    for item in items:
        value = item.get("evidence_type") or []
        values = value if isinstance(value, list) else [value] if value else []
        found.update(values or [sources[item["citekey"]]["type"]])
    return found


def _stances(items: list[dict], column: str) -> set[str]:
    values: set[str] = set()
    for item in items:
        raw = item.get(column) if column in item else item.get("extra", {}).get(column, "")
        values.update(v.strip() for v in (raw if isinstance(raw, list) else str(raw or "").split(";")) if v.strip())
    return values


def _conditions(rule: dict, facts: dict, settings: dict) -> list[tuple[bool, str]]:
    """Each condition of ``rule``: (holds, reason)."""
    checks = []
    if "min_sources" in rule:
        n = facts["sources"]
        checks.append((n >= rule["min_sources"], f"{n} independent source{'s' if n != 1 else ''} (needs {rule['min_sources']})"))
    if "min_evidence_types" in rule:
        n = len(facts["types"])
        checks.append((n >= rule["min_evidence_types"], f"{n} evidence type{'s' if n != 1 else ''} (needs {rule['min_evidence_types']})"))
    if rule.get("requires_evaluation"):
        found = sorted(facts["types"] & set(settings["evaluation_types"]))
        wanted = " or ".join(settings["evaluation_types"]) or "an evaluation type (none declared)"
        checks.append((bool(found), f"evaluation evidence: {', '.join(found)}" if found else f"no evaluation evidence ({wanted})"))
    if rule.get("agreement"):
        stances = facts["stances"]
        if len(stances) > 1:
            checks.append((False, f"findings disagree ({settings['agreement_column']}: {', '.join(sorted(stances))})"))
        else:
            checks.append((True, f"no disagreement coded in '{settings['agreement_column']}'"))
    return checks


def rate(items: list[dict], sources: dict[str, dict], protocol: dict) -> dict[str, Any]:
    """The rating of a theme's excerpts, with its reasons and the facts behind it."""
    settings = rules_of(protocol)
    facts = {"sources": len({i["citekey"] for i in items}), "types": evidence_types(items, sources),
             "stances": _stances(items, settings["agreement_column"])}
    missed = []
    for rule in settings["ratings"]:
        checks = _conditions(rule, facts, settings)
        if all(ok for ok, _reason in checks):
            return {"rating": rule["rating"], "reasons": [reason for _ok, reason in checks],
                    "not_higher": missed, "sources": facts["sources"], "types": sorted(facts["types"])}
        missed.append(f"not {rule['rating']}: " + "; ".join(reason for ok, reason in checks if not ok))
    return {"rating": UNRATED, "reasons": ["no rule holds"], "not_higher": missed, "sources": facts["sources"], "types": sorted(facts["types"])}


def scale(protocol: dict) -> list[str]:
    """Ratings from strongest to weakest, then 'unrated'."""
    return [r["rating"] for r in rules_of(protocol)["ratings"]] + [UNRATED]


__all__ = ["DEFAULT_RULES", "UNRATED", "evidence_types", "rate", "rules_of", "scale"]
