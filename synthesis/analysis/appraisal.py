"""Methodological limitations from appraisals: the appraisals a finding's evidence rests on, weighted.

GRADE-CERQual's methodological-limitations judgement is about the sources that contribute to a finding, and
the guidance asks it to rest on their appraisals (Munthe-Kaas et al. 2018, Implementation Science 13(Suppl
1):9, paper 3 of the series). For each finding this module lists each source its evidence comes from with
the share of the finding's excerpts it supplies, its tool, its overall concern and the items that raise
concern, and warns where the finding's judgement contradicts them. Pure functions over the evidence set.
"""

from __future__ import annotations

from collections import Counter

from ..inputs.appraisals import WEAK
from ..inputs.findings import CONCERNS, WORDS
from .shapes import LimitationFacts, SourceAppraisal

LOW_CONCERN = ("no_or_very_minor", "minor")
CODES = {
    "LIMITATIONS_WEAK_SOURCES": "methodological-limitations concern below moderate while most of the evidence comes from "
                                "sources appraised with moderate or serious concerns",
    "LIMITATIONS_BELOW_APPRAISALS": "methodological-limitations concern less serious than the appraisal of every source of the evidence",
    "LIMITATIONS_UNAPPRAISED": "methodological-limitations concern below moderate while most of the evidence comes from sources "
                               "not yet appraised (in a review that appraises its sources)",
}


def limitation_facts(items: list[dict], appraisals: dict[str, dict], sources: dict[str, dict], drafts: set[str]) -> LimitationFacts:
    """The appraisals of the sources ``items`` come from, each with its share of the excerpts (the protocol
    document counts nowhere), largest share first."""
    counted = Counter(i["citekey"] for i in items if sources[i["citekey"]]["role"] != "protocol")
    total = sum(counted.values())
    rows: list[SourceAppraisal] = []
    for key, n in sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])):
        a = appraisals.get(key)
        rows.append({"citekey": key, "excerpts": n, "share": round(n / total, 4), "appraised": a is not None,
                     "tool": a["tool"] if a else "", "tool_name": a["tool_name"] if a else "",
                     "concern": a["overall"]["concern"] if a else "", "appraiser": a["appraiser"] if a else "",
                     "draft": bool(a) and a["appraiser"] in drafts,
                     "concerns": [{"item": i["id"], "label": i["label"], "answer": i["answer"], "note": i["note"]}
                                  for i in (a["items"] if a else []) if i["concern"]]})
    by_concern = {c: sum(r["excerpts"] for r in rows if r["concern"] == c) for c in CONCERNS}
    return {"excerpts": total, "sources": rows, "by_concern": by_concern,
            "weak_excerpts": sum(by_concern[c] for c in WEAK),
            "unappraised_excerpts": sum(r["excerpts"] for r in rows if not r["appraised"])}


def _keys(rows: list[SourceAppraisal]) -> str:
    return "; ".join(f"{r['citekey']} ({r['excerpts']}" + (f", {WORDS[r['concern']]})" if r["concern"] else ")") for r in rows)


def limitation_checks(finding: dict, facts: LimitationFacts, appraising: bool) -> list[tuple[str, int, str]]:
    """The finding's methodological-limitations judgement against its sources' appraisals: (code, line, message)."""
    judged = finding["components"]["methodological_limitations"]
    concern, line, who, n = judged["concern"], judged["line"], f"finding {finding['id']}", facts["excerpts"]
    if not n:
        return []
    found = []
    weak = [r for r in facts["sources"] if r["concern"] in WEAK]
    if concern in LOW_CONCERN and facts["weak_excerpts"] * 2 > n:
        found.append(("LIMITATIONS_WEAK_SOURCES", line, f"{who}: methodological limitations have {WORDS[concern]} but {facts['weak_excerpts']} "
                                                        f"of its {n} excerpts come from sources appraised with moderate or serious concerns: {_keys(weak)}"))
    elif not facts["unappraised_excerpts"]:
        least = min(facts["sources"], key=lambda r: CONCERNS.index(r["concern"]))
        if CONCERNS.index(concern) < CONCERNS.index(least["concern"]):
            found.append(("LIMITATIONS_BELOW_APPRAISALS", line, f"{who}: methodological limitations have {WORDS[concern]}, less than "
                                                                f"the appraisal of every one of its sources gives (the least, {least['citekey']}'s: "
                                                                f"{WORDS[least['concern']]})"))
    missing = [r for r in facts["sources"] if not r["appraised"]]
    if appraising and concern in LOW_CONCERN and facts["unappraised_excerpts"] * 2 > n:
        found.append(("LIMITATIONS_UNAPPRAISED", line, f"{who}: methodological limitations have {WORDS[concern]} but {facts['unappraised_excerpts']} "
                                                       f"of its {n} excerpts come from sources not yet appraised: {_keys(missing)}"))
    return found


__all__ = ["CODES", "limitation_checks", "limitation_facts"]
