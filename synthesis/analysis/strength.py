"""Strength of evidence per theme, by explicit rules from review.yaml, then a cap no review can lift.

A rule names a rating and the conditions it needs; rules are tried in order and the first whose conditions
all hold gives the rating. Conditions count only the evidence within the question's scope (evidence outside
it is indirect). Then the cap: nothing rates above the lowest positive rating without primary evidence from
the question's scope, because second-hand reports and commentary cannot make evidence look strong. Every
rating names its reasons and what the stronger rules lacked.
"""

from __future__ import annotations

from typing import Any

from .shapes import Facts, Rating

DEFAULT_RULES = [
    {"rating": "strong", "min_studies": 3, "min_sources": 3, "min_evidence_types": 2},
    {"rating": "moderate", "min_studies": 2, "min_sources": 2},
    {"rating": "weak", "min_sources": 1},
]
UNRATED = "unrated"
NONE = "none"


def rules_of(protocol: dict) -> dict[str, Any]:
    """The review's strength settings, with defaults filled in."""
    settings = protocol.get("strength", {})
    return {
        "ratings": settings.get("ratings", DEFAULT_RULES),
        "evaluation_types": settings.get("evaluation_types", []),
        "evaluation_designs": settings.get("evaluation_designs", []),
        "agreement_column": settings.get("agreement_column", "stance"),
    }


def _n(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s" if not word.endswith("y") else f"{n} {word[:-1]}ies"


def evaluation_found(facts: Facts, settings: dict) -> list[str]:
    """Study designs or evidence types of the in-scope evidence that count as evaluations."""
    return sorted(set(facts["study_designs"]) & set(settings["evaluation_designs"])) + \
        sorted(set(facts["evidence_types"]) & set(settings["evaluation_types"]))


def _conditions(rule: dict, facts: Facts, settings: dict) -> list[tuple[bool, str]]:
    """Each condition of ``rule``: (holds, reason)."""
    checks = []
    if "min_studies" in rule:
        n = len(facts["in_scope_studies"])
        checks.append((n >= rule["min_studies"], f"{_n(n, 'independent study')} (needs {rule['min_studies']})"))
    if "min_sources" in rule:
        n = len(facts["in_scope_documents"])
        checks.append((n >= rule["min_sources"], f"{_n(n, 'document')} (needs {rule['min_sources']})"))
    if "min_evidence_types" in rule:
        n = len(facts["evidence_types"])
        checks.append((n >= rule["min_evidence_types"], f"{_n(n, 'evidence type')} (needs {rule['min_evidence_types']})"))
    if rule.get("requires_evaluation"):
        found = evaluation_found(facts, settings)
        wanted = " or ".join(settings["evaluation_designs"] + settings["evaluation_types"]) or "none declared"
        checks.append((bool(found), f"evaluation evidence: {', '.join(found)}" if found else f"no evaluation evidence ({wanted})"))
    if rule.get("agreement"):
        stances = facts["stances"]
        if len(stances) > 1:
            checks.append((False, f"findings disagree ({settings['agreement_column']}: {', '.join(stances)})"))
        else:
            checks.append((True, f"no disagreement coded in '{settings['agreement_column']}'"))
    return checks


def rate(facts: Facts, protocol: dict, scope: str = "") -> Rating:
    """The rating of a theme's evidence, with its reasons. ``scope`` describes the question's scope
    (empty when it covers every country)."""
    settings = rules_of(protocol)
    rules = settings["ratings"]
    lowest = rules[-1]["rating"]
    within = f" within the question's scope ({scope})" if scope else ""
    if not facts["excerpts"]:
        return {"rating": NONE, "reasons": ["no evidence"], "not_higher": [], "capped": False, "uncapped": ""}
    if not facts["in_scope"]:
        return {"rating": lowest, "capped": True, "not_higher": [], "uncapped": "",
                "reasons": [f"all {_n(facts['excerpts'], 'excerpt')} lie outside the question's scope ({scope}): indirect evidence only"]}
    missed = []
    for position, rule in enumerate(rules):
        checks = _conditions(rule, facts, settings)
        if not all(ok for ok, _reason in checks):
            missed.append(f"not {rule['rating']}: " + "; ".join(reason for ok, reason in checks if not ok))
            continue
        reasons = [reason for _ok, reason in checks]
        if position < len(rules) - 1 and not facts["direct_primary"]:
            return {"rating": lowest, "capped": True, "not_higher": missed, "uncapped": rule["rating"],
                    "reasons": [f"capped at {lowest}: no excerpt comes from a primary source (one reporting its own study){within}",
                                f"the rules alone would give {rule['rating']}: " + "; ".join(reasons)]}
        return {"rating": rule["rating"], "reasons": reasons, "not_higher": missed, "capped": False, "uncapped": ""}
    return {"rating": UNRATED, "reasons": ["no rule holds"], "not_higher": missed, "capped": False, "uncapped": ""}


def scale(protocol: dict) -> list[str]:
    """Ratings from strongest to weakest, then 'unrated'."""
    return [r["rating"] for r in rules_of(protocol)["ratings"]] + [UNRATED]


__all__ = ["DEFAULT_RULES", "NONE", "UNRATED", "evaluation_found", "rate", "rules_of", "scale"]
