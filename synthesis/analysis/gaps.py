"""Where to look next: avenues for further research and snowball candidates.

Both are generated from the data, and each item names the data that produced
it (its ``basis``), so a reader can check it in the tables.
"""

from __future__ import annotations

from typing import Any

from .strength import evaluation_found, rules_of


ROLE_WORDS = {"secondary": "secondary reports", "commentary": "commentary", "primary": "primary studies"}
# Gap kinds in the order a question lists them; avenues are grouped by kind in the same order.
KINDS = ("no-evidence-in-scope", "no-primary", "no-evaluation", "one-document", "one-study", "no-evidence")


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1] if names else ""


def _gap(question: str, kind: str, text: str, basis: str, evidence: list[str], codes=(), findings=(), target: str = "") -> dict[str, Any]:
    """One gap; ``target`` says briefly what it concerns (the question as a whole when empty)."""
    return {"question": question, "kind": kind, "text": text, "basis": basis, "evidence": sorted(set(evidence)),
            "codes": list(codes), "findings": list(findings), "target": target or "the question as a whole"}


def question_gaps(protocol: dict, question: dict, cells: list[dict], findings: list[dict], question_facts: dict) -> list[dict[str, Any]]:
    """What one question's evidence lacks, each gap once, from the facts: no evidence in its scope, no primary
    evidence, no evaluation, themes or findings resting on one document or at most one study, codebook themes
    without evidence. ``findings``: the question's assessed review findings of kind ``finding``."""
    qid, facts = question["id"], question_facts
    mine = [c for c in cells if c["question"] == qid]
    rated = [c for c in mine if c["facts"]["excerpts"]]
    found = []
    if not facts["excerpts"]:
        return [_gap(qid, "no-evidence", f"No coded excerpt addresses {qid}.", f"cells.csv: every {qid} cell has 0 excerpts", [],
                     [c["code"] for c in mine]) | {"id": f"{qid}-G1"}]
    scope = question.get("scope")
    if scope and not facts["in_scope"]:
        found.append(_gap(qid, "no-evidence-in-scope",
                          f"No evidence from the question's scope ({scope['description']}): all {_n(facts['excerpts'], 'excerpt is', 'excerpts are')} "
                          "about other countries, so they are indirect evidence at most.",
                          f"cells.csv: every {qid} cell has 0 excerpts in scope", facts["evidence"]))
    if not facts["primary"]:
        roles = _listed([ROLE_WORDS.get(r, r) for r in facts["roles"]])
        named = facts["second_hand_studies"]
        studies = (f"; the {_n(len(named), 'study', 'studies')} they name {'is' if len(named) == 1 else 'are'} known only second-hand"
                   if named else "; they name no study")
        found.append(_gap(qid, "no-primary", f"No primary evidence: every excerpt comes from {roles}{studies}.",
                          f"cells.csv: 0 primary excerpts in every {qid} cell", facts["evidence"]))
    settings = rules_of(protocol)
    designs = settings["evaluation_designs"] + settings["evaluation_types"]
    if designs:
        lacking = [c for c in rated if not evaluation_found(c["facts"], settings)]
        wanted = " or ".join(designs)
        if len(lacking) == len(rated):
            found.append(_gap(qid, "no-evaluation", f"No evaluation ({wanted}) reports on this question{' within its scope' if scope else ''}: "
                              "its evidence is description, second-hand summary and argument.",
                              f"cells.csv: no {qid} cell has evaluation evidence", facts["evidence"], [c["code"] for c in lacking]))
        elif lacking:
            found.append(_gap(qid, "no-evaluation", f"No evaluation ({wanted}) on {_listed([c['label'] for c in lacking])}.",
                              "cells.csv: " + ", ".join(f"{qid} x {c['code']}" for c in lacking) + " without evaluation evidence",
                              [e for c in lacking for e in c["facts"]["evidence"]], [c["code"] for c in lacking],
                              target=_listed([c["label"] for c in lacking])))
    # Thin evidence, by cell and by review finding: resting on one document, or naming at most one study.
    thin = (("one-document", "Resting on one document: {}.", "cells.csv and findings.csv: documents = 1",
             lambda f: len(f["documents"]) == 1, lambda f: f["documents"][0]),
            ("one-study", "Naming at most one study (the number in brackets): {}.", "cells.csv and findings.csv: studies <= 1",
             lambda f: len(f["studies"]) <= 1, lambda f: len(f["studies"])))
    for kind, text, rule, thin_enough, shown in thin:
        cells = [c for c in rated if thin_enough(c["facts"])]
        named = [f for f in findings if thin_enough(f["facts"])]
        if cells or named:
            parts = [f"{c['label']} ({shown(c['facts'])})" for c in cells] + [f"{f['id']} ({shown(f['facts'])})" for f in named]
            found.append(_gap(qid, kind, text.format(_listed(parts)), rule,
                              [e for c in cells for e in c["facts"]["evidence"]] + [e for f in named for e in f["facts"]["evidence"]],
                              [c["code"] for c in cells], [f["id"] for f in named], _listed(parts)))
    empty = [c for c in mine if not c["facts"]["excerpts"]]
    if empty:
        found.append(_gap(qid, "no-evidence", f"No coded excerpt on {_listed([c['label'] for c in empty])}.",
                          "cells.csv: " + ", ".join(f"{qid} x {c['code']}" for c in empty) + " with 0 excerpts", [], [c["code"] for c in empty],
                          target=_listed([c["label"] for c in empty])))
    for n, gap in enumerate(found, start=1):
        gap["id"] = f"{qid}-G{n}"
    return found


def gaps(protocol: dict, cells: list[dict], assessed: list[dict], questions: dict[str, dict]) -> list[dict[str, Any]]:
    """Every question's gaps, in question order."""
    return [g for q in protocol["questions"]
            for g in question_gaps(protocol, q, cells, [f for f in assessed if f["question"] == q["id"] and f["kind"] == "finding"], questions[q["id"]])]


AVENUES = {
    "no-evidence-in-scope": "Sources from {scope}: cross-national comparisons and national studies, to answer {questions} directly.",
    "no-primary": "Primary studies, reporting their own data, on {questions}; retrieving the studies the documents name, known "
                  "only second-hand, is the first step.",
    "no-evaluation": "Evaluations ({designs}): {targets}.",
    "one-document": "Further documents on the findings and themes that rest on one document.",
    "one-study": "Further studies on the findings and themes that name at most one study.",
    "no-evidence": "Sources or coding for the themes with no excerpt: {targets}.",
}


def avenues(protocol: dict, found: list[dict], comparison: list[dict]) -> list[dict[str, Any]]:
    """Research avenues, one per kind of gap across the questions (so at most one per gap, never repeated),
    each naming the gaps it would fill; a comparator group with no evidence adds to the avenue for evidence
    from a question's scope when that scope is the group, else is an avenue of its own."""
    settings = rules_of(protocol)
    designs = " or ".join(settings["evaluation_designs"] + settings["evaluation_types"])
    scopes = {q["id"]: q["scope"] for q in protocol["questions"] if q.get("scope")}
    groups = (protocol.get("comparison") or {}).get("groups", {})
    out = []
    for kind in KINDS:
        mine = [g for g in found if g["kind"] == kind]
        if not mine:
            continue
        questions = _listed(sorted({g["question"] for g in mine}, key=[q["id"] for q in protocol["questions"]].index))
        targets = _targets(mine)
        scope = _listed(sorted({scopes[g["question"]]["description"] for g in mine if g["question"] in scopes}))
        text = AVENUES[kind].format(scope=scope, questions=questions, designs=designs, targets=targets)
        out.append({"kind": kind, "question": "; ".join(dict.fromkeys(g["question"] for g in mine)),
                    "code": "; ".join(dict.fromkeys(c for g in mine for c in g["codes"])), "text": text,
                    "basis": "gaps.csv: " + ", ".join(g["id"] for g in mine), "gaps": [g["id"] for g in mine],
                    "evidence": sorted({e for g in mine for e in g["evidence"]})})
    in_scope_avenue = next((a for a in out if a["kind"] == "no-evidence-in-scope"), None)
    for statement in comparison:
        if statement["covered"]:
            continue
        members = set(groups.get(statement["group"], []))
        if in_scope_avenue and any(set(scopes[q]["countries"]) == members for q in in_scope_avenue["question"].split("; ")):
            in_scope_avenue["basis"] += "; countries.csv: no row for any of the group's countries"
            continue
        out.append({"kind": "missing-comparator", "question": "", "code": "", "gaps": [],
                    "text": statement["text"] + " Comparative research with these countries would fill this gap.",
                    "basis": "countries.csv: no row for any of the group's countries", "evidence": []})
    for n, item in enumerate(out, start=1):
        item["id"] = f"A{n}"
    return out


def _targets(found: list[dict]) -> str:
    """What some gaps concern: the questions they concern as a whole, then the parts of the others."""
    whole = [g["question"] for g in found if g["target"] == "the question as a whole"]
    parts = [f"for {g['question']}, {g['target']}" for g in found if g["target"] != "the question as a whole"]
    return "; ".join(([f"{_listed(whole)} as a whole"] if whole else []) + parts)


def snowball(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Works the sources cite that are not themselves sources, most-cited first.

    Cited means named in a sheet's ``cites`` column; bibliography entries that
    no excerpt cites are listed too (cited by 0 included sources).
    """
    included = {s["citekey"] for s in data["sources"]}
    cited_by: dict[str, set[str]] = {}
    excerpts: dict[str, list[str]] = {}
    for item in data["evidence"]:
        for key in item["cites"]:
            if key not in included:
                cited_by.setdefault(key, set()).add(item["citekey"])
                excerpts.setdefault(key, []).append(item["evidence_id"])
    return snowball_rows(data, cited_by, excerpts)


def snowball_rows(data: dict[str, Any], cited_by: dict[str, set[str]], excerpts: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The snowball's rows from who cites each work that is not a source, and in which excerpts."""
    included = {s["citekey"] for s in data["sources"]}
    rows = []
    for key, entry in data["bibliography"].items():
        if key in included:
            continue
        rows.append({"key": key, "citation": entry["citation"], "title": entry["title"], "year": entry["year"],
                     "cited_by": sorted(cited_by.get(key, ())), "excerpts": excerpts.get(key, [])})
    return sorted(rows, key=lambda r: (-len(r["cited_by"]), -len(r["excerpts"]), r["key"]))


__all__ = ["AVENUES", "KINDS", "avenues", "gaps", "question_gaps", "snowball", "snowball_rows"]
