"""Where to look next: avenues for further research and snowball candidates.

Both are generated from the data, and each item names the data that produced
it (its ``basis``), so a reader can check it in the tables.
"""

from __future__ import annotations

from typing import Any

from .strength import evaluation_found, rules_of, scale


def avenues(protocol: dict, themes: list[dict], comparison: list[dict]) -> list[dict[str, Any]]:
    """Research avenues from gaps: codes without evidence, weakly supported themes, questions without
    evaluation evidence or without evidence in their scope, comparator groups with no evidence.

    ``themes``: the analysis cells (question, code, label, facts, strength).
    """
    found = []
    # "Weak" means below the two strongest ratings the review declares.
    weak = set(scale(protocol)[2:]) or {"unrated"}
    for cell in themes:
        where = f"{cell['question']} x {cell['code']}"
        strength = cell["strength"]
        if not cell["facts"]["excerpts"]:
            found.append({"kind": "no-evidence", "question": cell["question"], "code": cell["code"],
                          "text": f"No coded evidence on '{cell['label']}' for {cell['question']}: studies of this are needed.",
                          "basis": f"cells.csv: {where} has 0 excerpts", "evidence": []})
        elif strength["rating"] in weak:
            lacking = strength["not_higher"][-1].split(": ", 1)[1] if strength["not_higher"] else "; ".join(strength["reasons"])
            found.append({"kind": "weak-evidence", "question": cell["question"], "code": cell["code"],
                          "text": f"Evidence on '{cell['label']}' for {cell['question']} is {strength['rating']} ({lacking}): "
                                  "further, independent studies would test it.",
                          "basis": f"cells.csv: {where} rated {strength['rating']}", "evidence": cell["facts"]["evidence"]})
    settings = rules_of(protocol)
    for question in protocol["questions"]:
        mine = [c for c in themes if c["question"] == question["id"] and c["facts"]["excerpts"]]
        evidence = sorted({e for c in mine for e in c["facts"]["evidence"]})
        if not mine:
            continue
        if question.get("scope") and not any(c["facts"]["in_scope"] for c in mine):
            found.append({"kind": "out-of-scope", "question": question["id"], "code": "",
                          "text": f"No coded evidence on {question['id']} ({question['short'].lower()}) comes from its scope "
                                  f"({question['scope']['description']}): studies from there are needed to answer it.",
                          "basis": f"cells.csv: every {question['id']} cell has 0 excerpts in scope", "evidence": evidence})
        if (settings["evaluation_types"] or settings["evaluation_designs"]) and not any(evaluation_found(c["facts"], settings) for c in mine):
            wanted = ", ".join(settings["evaluation_designs"] + settings["evaluation_types"])
            found.append({"kind": "no-evaluation", "question": question["id"], "code": "",
                          "text": f"No evaluation evidence ({wanted}) addresses {question['id']} ({question['short'].lower()}) within its scope: "
                                  "its evidence is descriptive or argued, and evaluations are needed.",
                          "basis": f"cells.csv: no {question['id']} cell has evaluation evidence", "evidence": evidence})
    for statement in comparison:
        if not statement["covered"]:
            found.append({"kind": "missing-comparator", "question": "", "code": "",
                          "text": statement["text"] + " Comparative research with these countries would fill this gap.",
                          "basis": "countries.csv: no row for any of the group's countries", "evidence": []})
    for n, item in enumerate(found, start=1):
        item["id"] = f"A{n}"
    return found


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
    rows = []
    for key, entry in data["bibliography"].items():
        if key in included:
            continue
        rows.append({"key": key, "citation": entry["citation"], "title": entry["title"], "year": entry["year"],
                     "cited_by": sorted(cited_by.get(key, ())), "excerpts": excerpts.get(key, [])})
    return sorted(rows, key=lambda r: (-len(r["cited_by"]), -len(r["excerpts"]), r["key"]))


__all__ = ["avenues", "snowball"]
