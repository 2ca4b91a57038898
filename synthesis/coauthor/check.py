"""``review check``: validate a review, or only the files a co-author changed, without building."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

from ..inputs import door, layout
from ..common.problems import InputError, Problem


def scope(paths: Iterable[str], protocol: str = layout.PROTOCOL, bibliography: str = layout.BIBLIOGRAPHY) -> set[str] | None:
    """The citekeys to check for the given files; None means the whole review.

    A changed protocol or bibliography can break any sheet, and a review finding can rest on any
    source's evidence, so any of them means a full check.
    """
    keys: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.resolve() in (Path(protocol).resolve(), Path(bibliography).resolve()):
            return None
        if path.parent.name in (layout.FINDINGS, layout.RECORDS, layout.RELEASES):
            return None  # a review finding may rest on any source's evidence; records are checked against all sources
        if path.suffix.lower() in layout.SOURCE_SUFFIXES + layout.SHEET_SUFFIXES + (layout.SIDECAR_SUFFIX, ".yml"):
            keys.add(path.stem)  # a source, its sheet, a PDF's front matter or its appraisal
    return keys


def _not_checked(raw: str, sources: str, extraction: str) -> str:
    """Why ``review check`` cannot check this file, or '' when it can."""
    path = Path(raw)
    refused = door.refused(path)  # a link out of the review, a folder: said as such, never read
    if refused:
        return refused[0].message
    if not path.exists():
        return "no such file"
    if path.name in (Path(layout.PROTOCOL).name, Path(layout.BIBLIOGRAPHY).name):
        return ""
    inputs = {Path(layout.FINDINGS): (".yaml", ".yml"), Path(layout.RECORDS): layout.RECORD_SUFFIXES,
              Path(layout.APPRAISAL): (".yaml", ".yml"), Path(layout.RELEASES): (".json",)}
    if any(path.suffix.lower() in suffixes and path.resolve().parent == folder.resolve() for folder, suffixes in inputs.items()):
        return ""  # review findings; searches, records and screening decisions
    if path.suffix.lower() == layout.SIDECAR_SUFFIX and path.resolve().parent == Path(sources).resolve():
        return ""  # a PDF source's front matter
    folders = {layout.SOURCE_SUFFIXES: Path(sources), layout.SHEET_SUFFIXES: Path(extraction)}
    for suffixes, folder in folders.items():
        if path.suffix.lower() in suffixes and path.resolve().parent == folder.resolve():
            return ""
    if path.suffix.lower() in layout.SHEET_SUFFIXES and path.resolve().parent.parent == (Path(extraction) / layout.CODERS).resolve():
        return ""  # an independent coder's sheet
    return (f"not a file review check checks: give review.yaml, {layout.BIBLIOGRAPHY}, "
            f"{sources}/*.md, *.txt, *.pdf or *.yaml, {extraction}/*.csv or *.xlsx, {extraction}/{layout.CODERS}/<coder>/*.csv or *.xlsx, "
            f"{layout.FINDINGS}/*.yaml, {layout.APPRAISAL}/*.yaml, {layout.RELEASES}/*.json, or a file in {layout.RECORDS}/ (*.csv, *.ris, *.bib, *.xlsx)")


def _counted(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def run_check(paths: list[str], protocol: str = layout.PROTOCOL, bibliography: str = layout.BIBLIOGRAPHY,
              sources: str = layout.SOURCES, extraction: str = layout.EXTRACTION) -> tuple[list[Problem], str]:
    """Every problem (errors, then warnings), and a one-line summary."""
    from ..evidence.build import build_evidence

    unknown = [Problem(p, 1, _not_checked(p, sources, extraction)) for p in paths if _not_checked(p, sources, extraction)]
    if unknown:
        return unknown, f"{_counted(len(unknown), 'problem')} in {_counted(len(unknown), 'file')}"
    only = scope(paths, protocol, bibliography) if paths else None
    try:
        data = build_evidence(protocol, bibliography, sources, extraction, only=only)
    except InputError as err:
        files = len({p.path for p in err.problems})
        warned = f" and {_counted(len(err.warnings), 'warning')}" if err.warnings else ""
        return err.problems + err.warnings, f"{_counted(len(err.problems), 'problem')} in {_counted(files, 'file')}{warned}"
    coded = _check_coders(data, sources, extraction, only)
    if coded:
        return coded, f"{_counted(len(coded), 'problem')} in {_counted(len({p.path for p in coded}), 'file')}"
    warnings = [Problem(**w) for w in data["warnings"]]
    if only is None:  # the review findings' facts need every source
        from ..analysis.cells import analyse

        try:
            warnings += [Problem(**w) for w in analyse(data)["warnings"]]
        except InputError as err:
            return err.problems + err.warnings, f"{_counted(len(err.problems), 'problem')} in {_counted(len({p.path for p in err.problems}), 'file')}"
    warned = f"; {_counted(len(warnings), 'warning')}" if warnings else ""
    n, excerpts = len(data["sources"]), len(data["evidence"])
    if only is None:
        recorded = _check_records(data, protocol)
        released = _check_releases(data, protocol)
        errors = [p for p in recorded if not p.is_warning] + released
        if errors:
            return recorded + released + warnings, f"{_counted(len(errors), 'problem')} in {_counted(len({p.path for p in errors}), 'file')}"
        warnings += recorded  # records read only in part, without a year, or not in the format their name says
        warned = f"; {_counted(len(warnings), 'warning')}" if warnings else ""
        return warnings, f"ok: {_counted(n, 'source')}, {_counted(excerpts, 'excerpt')}, every quote located{warned}"
    # What the given files take part in beyond themselves: the records stage (every source must be a
    # record or added otherwise) and the review findings that cite their evidence.
    from .intake import source_roles

    roles = {s["citekey"]: s for s in source_roles(sources)} | {s["citekey"]: s for s in data["sources"]}
    findings = layout.findings_files()
    recorded = _check_records(data, protocol, sorted(roles.values(), key=lambda s: s["citekey"]))
    found = _findings_citing(data, only, findings) + [p for p in recorded if not p.is_warning]
    warnings += [p for p in recorded if p.is_warning]
    if found:
        return found + warnings, f"{_counted(len(found), 'problem')} in {_counted(len({p.path for p in found}), 'file')}"
    warned = f"; {_counted(len(warnings), 'warning')}" if warnings else ""
    total = len(layout.source_files(sources))
    also = [part for part, present in (("records and screening", Path(layout.RECORDS).is_dir()),
                                       ("review findings citing them", bool(findings))) if present]
    skipped = [("the other source and its sheet" if total - n == 1 else f"the other {total - n} sources and their sheets")] if total > n else []
    skipped += ["whether a study named in these sheets has the same design in the other sheets"] if total > n else []
    skipped += ["the review findings' judgements against the facts counted over every source"] if findings else []
    summary = f"ok: checked {n} of {total} sources ({_counted(excerpts, 'excerpt')}), every quote located{warned}"
    summary += f"; also checked: {', '.join(also)}" if also else ""
    return warnings, summary + (f"\nnot checked: {'; '.join(skipped)} (`review check` without files checks the whole review, as the build does)" if skipped else "")


def _findings_citing(data: dict, only: set[str], paths: list[str]) -> list[Problem]:
    """Problems of the review findings that cite evidence of the checked sources (an id that is gone,
    the protocol document's excerpts), and of the findings files themselves."""
    from ..inputs.findings import load_findings, reference_problems

    if not paths:
        return []
    protocol = data["protocol"]
    coders = [c["id"] for c in protocol.get("coders") or []] or None
    findings, problems = load_findings(paths, [q["id"] for q in protocol["questions"]], coders)
    mine = {}
    for question, record in findings.items():
        kept = []
        for finding in record["findings"]:
            pairs = [(e, line) for e, line in zip(finding["evidence"], finding["evidence_lines"]) if e.rpartition(":")[0] in only]
            kept.append(finding | {"evidence": [e for e, _line in pairs], "evidence_lines": [line for _e, line in pairs]})
        mine[question] = record | {"findings": kept}
    protocol_keys = {s["citekey"] for s in data["sources"] if s["role"] == "protocol"}
    return problems + reference_problems(mine, {e["evidence_id"] for e in data["evidence"]}, protocol_keys)


def _check_coders(data: dict, sources: str, extraction: str, only: set[str] | None) -> list[Problem]:
    """The independent coders' sheets' problems (none without ``extraction/coders/``)."""
    from ..evidence.coders import locate_coders

    if not layout.coder_sheet_files(extraction):
        return []
    prepared = {"protocol": data["protocol"], "bibliography": data["bibliography"], "problems": []}
    try:
        locate_coders(prepared, sources, extraction, only)
    except InputError as err:
        return err.problems
    return []


def _check_records(data: dict, protocol: str, sources: list[dict] | None = None, folder: str = layout.RECORDS) -> list[Problem]:
    """The records stage's problems and warnings (none without a ``records/`` folder); ``sources``: every
    source's citekey, path and role (default: the checked ones)."""
    from ..common.textio import read_text
    from .intake import records_problems

    return records_problems(folder, data["protocol"], protocol, read_text(protocol)[0], data["sources"] if sources is None else sources)


def _check_releases(data: dict, protocol: str) -> list[Problem]:
    """The releases' problems (releases/*.json through the door), and review.yaml's report.changes_since naming none."""
    from ..inputs.releases import chosen, load_releases

    releases, problems = load_releases(layout.release_files())
    if not problems:
        try:
            chosen(releases, data["protocol"], protocol)
        except InputError as err:
            problems = err.problems
    return problems


def as_json(problems: list[Problem], summary: str) -> str:
    """Machine-readable result for editors and CI."""
    summary, _newline, skipped = summary.partition("\n")
    return json.dumps({"ok": not any(not p.is_warning for p in problems), "summary": summary,
                       "not_checked": skipped.removeprefix("not checked: "),
                       "problems": [p.as_dict() for p in problems]},
                      ensure_ascii=False, indent=2) + "\n"


__all__ = ["as_json", "run_check", "scope"]
