"""What changed since a release: a version of the review as data, and two versions compared.

:func:`snapshot` is what ``review release`` records of a built review (the evidence set, and the records'
flow when the review has ``records/``); :func:`compare` lists what changed between two snapshots, each
change one :class:`Change`, in a fixed order (answers, then findings by question and id, sources, records),
so the report, ``review diff`` and ``output/tables/changes.csv`` say the same, byte for byte, every time.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, TypedDict

from ..inputs.findings import COMPONENTS, WORDS

# What an excerpt's coding is: a change to any of these is a changed excerpt (its quote is hashed apart).
CODING = ("codes", "finding", "questions", "countries", "evidence_type", "study", "study_design", "cites", "locator")
# The screened records' counts a release keeps (PRISMA 2020 flow, all arms summed), with their words.
RECORD_COUNTS = {"identified": "records identified", "duplicates": "duplicates removed",
                 "screened": "records screened", "excluded": "records excluded on screening", "assessed": "reports assessed for eligibility",
                 "included": "reports included"}
FLOW_KEYS = {"identified": "records", "duplicates": "duplicates", "screened": "screened", "excluded": "excluded",
             "assessed": "assessed", "included": "included"}


class Change(TypedDict):
    """One change since a release: ``change`` is a stable code (docs/formats.md, "changes.csv")."""

    change: str  # answer, finding_added, statement, confidence, judgements, evidence, source_added, records, ...
    question: str  # the question it concerns ('' for a source or a count)
    item: str  # a question id, finding id, citekey or count
    before: str
    after: str
    why: str  # for a finding: the judgements that moved and the evidence added, removed or changed


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _coding(item: dict) -> str:
    return _sha(json.dumps({k: item.get(k) for k in CODING}, sort_keys=True, ensure_ascii=False))


def snapshot(data: dict[str, Any], flow: dict[str, Any] | None = None) -> dict[str, Any]:
    """The review as a release records it: answers, findings with their judgements and evidence ids, each
    excerpt's quote and coding hashes, each source's SHA-256, role and citation, and the records' counts."""
    answers, findings = {}, {}
    for record in sorted(data.get("findings", []), key=lambda r: r["question"]):
        answers[record["question"]] = record["answer"]
        for f in record["findings"]:
            findings[f["id"]] = {
                "question": record["question"], "kind": f["kind"], "statement": f["statement"],
                "confidence": f["overall"]["confidence"] if f.get("overall") else "not_rated",  # an evidence gap
                "components": {c: f["components"][c]["concern"] for c in COMPONENTS} if f.get("components") else {},
                "evidence": list(f["evidence"])}
    evidence = {i["evidence_id"]: {"citekey": i["citekey"], "quote_sha256": _sha(i["quote"]),
                                   "coding_sha256": _coding(i)} for i in data["evidence"]}
    sources = {s["citekey"]: {"sha256": s["sha256"], "role": s["role"], "citation": s.get("citation", "")}
               for s in data["sources"]}
    records = {}
    if flow:
        arms = flow["arms"].values()
        records = {name: sum(int(arm[key]) for arm in arms) for name, key in FLOW_KEYS.items()}
    return {"answers": answers, "findings": dict(sorted(findings.items())),
            "evidence": dict(sorted(evidence.items())), "sources": dict(sorted(sources.items())), "records": records}


def natural(text: str) -> list:
    """A sort key putting Q2 before Q10 and smith2020:9 before smith2020:10."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part]


def _ids(ids) -> str:
    return ", ".join(sorted(ids, key=natural))


def _evidence_why(old: dict, new: dict, before: dict, after: dict) -> list[str]:
    """The evidence a finding gained, lost, or whose quote or coding changed; new sources named."""
    was, now = set(old["evidence"]), set(new["evidence"])
    parts = []
    added = now - was
    if added:
        keys = {after["evidence"][e]["citekey"] for e in added if e in after["evidence"]}
        fresh = sorted(keys - set(before["sources"]))
        new = f" (from new source{'s' if len(fresh) > 1 else ''} {', '.join(fresh)})" if fresh else ""
        parts.append(f"evidence added: {_ids(added)}{new}")
    if was - now:
        parts.append(f"evidence removed: {_ids(was - now)}")
    changed = []
    for e in sorted(was & now, key=natural):
        a, b = before["evidence"].get(e), after["evidence"].get(e)
        if a and b and a != b:
            what = [w for w, k in (("quote", "quote_sha256"), ("coding", "coding_sha256")) if a[k] != b[k]]
            changed.append(f"{e} ({' and '.join(what)})")
    if changed:
        parts.append(f"evidence changed: {', '.join(changed)}")
    return parts


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _components_why(old: dict, new: dict) -> list[str]:
    parts = []
    for c in COMPONENTS:
        a, b = old["components"].get(c, ""), new["components"].get(c, "")
        if a != b:
            parts.append(f"{WORDS[c].lower()} from {WORDS.get(a, 'no judgement')} to {WORDS.get(b, 'no judgement')}")
    return parts


CONFIDENCE_WORDS = {"high": "high", "moderate": "moderate", "low": "low", "very_low": "very low",
                    "not_rated": "not rated"}


def _confidence(value: str) -> str:
    return CONFIDENCE_WORDS.get(value, value)


def _finding_changes(fid: str, old: dict, new: dict, before: dict, after: dict) -> list[Change]:
    q = new["question"]
    out = []
    if old["statement"] != new["statement"]:
        out.append(Change(change="statement", question=q, item=fid, before=old["statement"], after=new["statement"],
                          why=""))
    why = "; ".join(_components_why(old, new) + _evidence_why(old, new, before, after))
    if old["kind"] != new["kind"] or old["confidence"] != new["confidence"]:
        out.append(Change(change="confidence", question=q, item=fid, before=_confidence(old["confidence"]),
                          after=_confidence(new["confidence"]), why=why))
    elif old["components"] != new["components"]:
        out.append(Change(change="judgements", question=q, item=fid, before=_confidence(old["confidence"]),
                          after=_confidence(new["confidence"]), why=why))
    elif why:
        out.append(Change(change="evidence", question=q, item=fid, before="", after="", why=why))
    return out


def compare(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """What changed from snapshot ``before`` (a release's) to ``after`` (the review now), in a fixed order."""
    out: list[Change] = []
    for q in sorted(set(before["answers"]) | set(after["answers"]), key=natural):
        a, b = before["answers"].get(q, ""), after["answers"].get(q, "")
        if a != b:
            out.append(Change(change="answer", question=q, item=q, before=a, after=b, why=""))
    old_f, new_f = before["findings"], after["findings"]
    key = lambda fid: (natural((new_f.get(fid) or old_f[fid])["question"]), natural(fid))  # noqa: E731
    for fid in sorted(set(old_f) | set(new_f), key=key):
        old, new = old_f.get(fid), new_f.get(fid)
        if old is None:
            rated = (f"{_confidence(new['confidence'])} confidence" if new["kind"] == "finding"
                     else "an evidence gap, not rated")
            out.append(Change(change="finding_added", question=new["question"], item=fid, before="",
                              after=new["statement"], why=f"{rated}; evidence: {_ids(new['evidence']) or 'none'}"))
        elif new is None:
            out.append(Change(change="finding_removed", question=old["question"], item=fid, before=old["statement"],
                              after="", why=""))
        else:
            out += _finding_changes(fid, old, new, before, after)
    for key_, old in sorted(before["sources"].items()):
        new = after["sources"].get(key_)
        if new is None:
            out.append(Change(change="source_removed", question="", item=key_, before=old["citation"], after="",
                              why=""))
        elif new["sha256"] != old["sha256"]:
            out.append(Change(change="source_changed", question="", item=key_, before=old["sha256"][:12],
                              after=new["sha256"][:12], why="its file changed"))
    for key_, new in sorted(after["sources"].items()):
        if key_ not in before["sources"]:
            n = sum(1 for e in after["evidence"].values() if e["citekey"] == key_)
            out.append(Change(change="source_added", question="", item=key_, before="", after=new["citation"],
                              why=f"{new['role']}; {_plural(n, 'excerpt')}"))
    for name in RECORD_COUNTS:
        a, b = before["records"].get(name), after["records"].get(name)
        if a != b:
            out.append(Change(change="records", question="", item=name, before="" if a is None else str(a),
                              after="" if b is None else str(b), why=""))
    return out


__all__ = ["CODING", "Change", "RECORD_COUNTS", "compare", "natural", "snapshot"]
