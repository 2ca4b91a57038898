"""``review audit``: re-check a built review against its inputs, without rebuilding.

Reads output/provenance.json and the input files as they are now. Drift is
reported as ``path:line: message`` naming the evidence ids affected: a quote
no longer in its source, a source or sheet edited since the build, a cited
key gone from the bibliography, a claim whose evidence drifted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..evidence.normalise import matchable
from ..evidence.quotes import find_quote
from ..common.problems import Problem
from ..common.textio import decode


@dataclass
class AuditReport:
    """What an audit found: problems, notes (e.g. moved quotes) and the ids affected."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    affected: set[str] = field(default_factory=set)
    checked: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line: what was checked and what drifted."""
        c = self.checked
        head = f"audit: {c.get('claims', 0)} claims, {c.get('evidence', 0)} excerpts, {c.get('sources', 0)} sources checked"
        if not self.problems:
            return head + "; no drift."
        ids = ", ".join(sorted(self.affected)) or "none"
        return head + f"; {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}; evidence affected: {ids}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_file(record: dict, label: str, report: AuditReport) -> bytes | None:
    path = Path(record["path"])
    if not path.is_file():
        report.problems.append(Problem(record["path"], 1, f"{label} is missing since the build"))
        return None
    data = path.read_bytes()
    if _sha(data) != record["sha256"]:
        report.problems.append(Problem(record["path"], 1, f"{label} changed since the build (sha256 {record['sha256'][:12]}... is now {_sha(data)[:12]}...)"))
    return data


def _check_quotes(evidence: list[dict], data: bytes | None, report: AuditReport) -> None:
    if data is None:
        for item in evidence:
            report.affected.add(item["id"])
        return
    source = evidence[0]["source"]
    if "text" in source:  # a PDF: selectors refer to its extracted text
        from ..common.problems import InputError
        from ..inputs.pdf_text import extraction_of_pdf

        try:
            extraction = extraction_of_pdf(data, source["path"], source["text"]["path"])
            text, breaks = extraction["text"], extraction["breaks"]
        except InputError as err:
            report.problems.extend(err.problems)
            report.affected.update(item["id"] for item in evidence)
            return
    else:
        text, breaks = decode(data, source["path"]), None
    norm = None
    for item in evidence:
        quote, position = item["selector"][0], item["selector"][1]
        if text[position["start"]:position["end"]] == quote["exact"]:
            continue
        norm = norm or matchable(text, breaks)
        span = find_quote(norm, item["quote"])
        where = f"{item['source']['path']}:{item['line']}: {item['id']}"
        if span == (position["start"], position["end"]):
            report.notes.append(f"{where}: text inside a [...] elision changed; the quoted words are unchanged")
            continue
        if span is not None:
            report.notes.append(f"{where}: quote moved from characters {position['start']}-{position['end']} to {span[0]}-{span[1]}; rebuild to record its new place")
            continue
        report.affected.add(item["id"])
        report.problems.append(Problem(item["source"]["path"], item["line"], f"{item['id']}: quote no longer in the source (recorded at characters {position['start']}-{position['end']}): \"{quote['exact'][:120]}\""))


def _check_sheet(path: str, evidence: list[dict], report: AuditReport) -> None:
    from ..inputs.sheets import split_list
    from ..inputs.sheets import rows_by_id

    rows = rows_by_id(path) if Path(path).is_file() else {}
    for item in evidence:
        row = rows.get(item["sheet"]["row"])
        if row is None:
            report.problems.append(Problem(path, item["sheet"]["line"], f"{item['id']}: row {item['sheet']['row']} is gone from the sheet"))
        elif row["quote"] != item["quote"] or row["finding"] != item["finding"] or split_list(row["codes"]) != item["codes"]:
            report.problems.append(Problem(path, int(row["line"]), f"{item['id']}: row {item['sheet']['row']} was edited since the build (quote, finding or codes)"))
        else:
            continue
        report.affected.add(item["id"])


def audit(provenance: dict[str, Any]) -> AuditReport:
    """Audit a built review (run in the review folder)."""
    report = AuditReport()
    inputs = provenance["inputs"]
    _check_file(inputs["protocol"], "the protocol", report)
    for record in inputs.get("findings", []):
        _check_file(record, "the review findings", report)
    by_source: dict[str, list[dict]] = {}
    for item in provenance["evidence"]:
        by_source.setdefault(item["citekey"], []).append(item)
    for source in inputs["sources"]:
        data = _check_file(source, "the source", report)
        if source["citekey"] in by_source:
            _check_quotes(by_source[source["citekey"]], data, report)
        if source["sheet"]:
            if Path(source["sheet"]).is_file() and _sha(Path(source["sheet"]).read_bytes()) == source["sheet_sha256"]:
                continue
            if not Path(source["sheet"]).is_file():
                report.problems.append(Problem(source["sheet"], 1, "the sheet is missing since the build"))
            _check_sheet(source["sheet"], by_source.get(source["citekey"], []), report)
    _check_bibliography(inputs["bibliography"], provenance, report)
    known = {item["id"] for item in provenance["evidence"]}
    for claim in provenance["claims"]:
        missing = [e for e in claim["evidence"] if e not in known]
        drifted = [e for e in claim["evidence"] if e in report.affected]
        if not claim["evidence"] or missing:
            report.problems.append(Problem("output/provenance.json", 1, f"claim {claim['id']} is not supported: evidence {', '.join(missing) or 'none'} not in the build"))
        elif drifted:
            report.notes.append(f"claim {claim['id']} rests on drifted evidence: {', '.join(drifted)}")
    report.checked = {"claims": len(provenance["claims"]), "evidence": len(provenance["evidence"]), "sources": len(inputs["sources"])}
    return report


def _check_bibliography(record: dict, provenance: dict, report: AuditReport) -> None:
    from ..inputs.bibliography import parse_bibliography
    from ..common.problems import InputError

    data = _check_file(record, "the bibliography", report)
    if data is None:
        return
    try:
        keys = set(parse_bibliography(decode(data, record["path"]), record["path"]))
    except InputError as err:
        report.problems.extend(err.problems)
        return
    for item in provenance["evidence"]:
        gone = [k for k in [item["citekey"], *item["cites"]] if k not in keys]
        if gone:
            report.affected.add(item["id"])
            report.problems.append(Problem(record["path"], 1, f"{item['id']}: cited key{'s' if len(gone) > 1 else ''} {', '.join(gone)} no longer in the bibliography"))


__all__ = ["AuditReport", "audit"]
