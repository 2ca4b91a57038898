"""The report's method section: searches, the PRISMA 2020 flow and what it says about the evidence base.

A review without ``records/`` has no method section (the context is None and the template prints nothing).
"""

from __future__ import annotations

from typing import Any

from . import markdown
from .prisma import KIND_LABELS


def _plural(n: int, word: str, many: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def _reasons(reasons: list[list]) -> str:
    return "; ".join(f"{reason.replace('_', ' ')}: {n}" for reason, n in reasons)


def arm_sentences(name: str, arm: dict) -> list[str]:
    """What happened to one arm's records, one sentence per step of the flow."""
    found = ", ".join(f"{KIND_LABELS[k].lower()} {n}" for k, n in arm["identified"].items())
    out = [f"{name}: {_plural(arm['records'], 'record')} identified ({found}); {_plural(arm['duplicates'], 'duplicate')} removed."]
    if arm.get("partial"):
        n = arm["partial"]
        out[0] += (f" {_plural(n, 'record')} could not be read whole from {'its' if n == 1 else 'their'} export and "
                   f"{'was' if n == 1 else 'were'} read as far as possible (key, title, year); the build's warnings name {'it' if n == 1 else 'each'}.")
    screened = f"{_plural(arm['screened'], 'record')} screened on title and abstract"
    if arm["screened_title_only"]:
        screened += f" ({arm['screened_title_only']} with no abstract on record, screened on the title alone"
        screened += f"; {arm['screened_no_title']} with no title either, on the authors, year and citing sentence)" if arm["screened_no_title"] else ")"
    screened += f"; {arm['excluded']} excluded" + (f" ({_reasons(arm['excluded_reasons'])})" if arm["excluded_reasons"] else "") + "."
    if arm["awaiting_screening"]:
        screened += f" {_plural(arm['awaiting_screening'], 'record')} still await screening."
    out.append(screened)
    retrieval = f"{_plural(arm['sought'], 'report')} sought for retrieval; {arm['not_retrieved']} not retrieved"
    if arm["awaiting_retrieval"]:
        retrieval += f"; {arm['awaiting_retrieval']} not yet sought"
    out.append(retrieval + ".")
    assessed = f"{_plural(arm['assessed'], 'report')} assessed for eligibility in full text; {arm['assessed_excluded']} excluded"
    assessed += (f" ({_reasons(arm['assessed_reasons'])})" if arm["assessed_reasons"] else "") + f"; {arm['included']} included."
    if arm["awaiting_classification"]:
        assessed += f" {arm['awaiting_classification']} await classification."
    out.append(assessed)
    return out


def method_context(summary: dict[str, Any] | None) -> dict[str, Any] | None:
    """The method section's content from ``records.json``; None when the review keeps no records."""
    if summary is None:
        return None
    flow = summary["flow"]
    searches = [{"id": s["id"], "source": KIND_LABELS[s["source"]], "name": s["name"], "date": s["date"] or "not recorded",
                 "query": s["query"], "results": s["results"]} for s in summary["searches"]]
    steps = []
    if flow["uses_databases"]:
        steps += arm_sentences("Databases and registers", flow["arms"]["databases"])
    if flow["uses_other"]:
        steps += arm_sentences("Other methods", flow["arms"]["other"])
    included = f"The review includes {_plural(flow['total_sources'], 'source')}"
    if flow["added_otherwise"]:
        included += f", {len(flow['added_otherwise'])} of them added without a record ({', '.join(flow['added_otherwise'])})"
    protocol = flow.get("protocol_sources", [])
    if protocol:
        included += f"; {', '.join(protocol)} {'is' if len(protocol) == 1 else 'are'} the review's protocol document{'s' if len(protocol) > 1 else ''}, framing the questions, and not a record"
    steps.append(included + ".")
    missing = sum(a["not_retrieved"] + a["awaiting_retrieval"] for a in flow["arms"].values())
    waiting = sum(a["awaiting_screening"] + a["awaiting_classification"] for a in flow["arms"].values())
    needs = []
    if missing:
        needs.append(f"{_plural(missing, 'report')} passed screening but {'is' if missing == 1 else 'are'} not in the repository: "
                     "retrieving and coding them is where the evidence base can grow first (records.csv lists them)")
    if waiting:
        needs.append(f"{_plural(waiting, 'record')} still await a decision")
    return {"searches": searches, "steps": steps, "png": markdown.Markdown("prisma.png"),
            "needs": "; ".join(needs) + "." if needs else ""}


__all__ = ["arm_sentences", "method_context"]
