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
        if path.parent.name in (layout.FINDINGS, layout.RECORDS):
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
              Path(layout.APPRAISAL): (".yaml", ".yml")}
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
            f"{layout.FINDINGS}/*.yaml, {layout.APPRAISAL}/*.yaml, or a file in {layout.RECORDS}/ (*.csv, *.ris, *.bib, *.xlsx)")


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
        errors = [p for p in recorded if not p.is_warning]
        if errors:
            return recorded + warnings, f"{_counted(len(errors), 'problem')} in {_counted(len({p.path for p in errors}), 'file')}"
        warnings += recorded  # records read only in part, without a year, or not in the format their name says
        warned = f"; {_counted(len(warnings), 'warning')}" if warnings else ""
        return warnings, f"ok: {_counted(n, 'source')}, {_counted(excerpts, 'excerpt')}, every quote located{warned}"
    total = len(layout.source_files(sources))
    return warnings, f"ok: checked {n} of {total} sources ({_counted(excerpts, 'excerpt')}), every quote located{warned}"


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


def _check_records(data: dict, protocol: str, folder: str = layout.RECORDS) -> list[Problem]:
    """The records stage's problems and warnings (none without a ``records/`` folder)."""
    from ..analysis.prisma import build_records
    from ..common.textio import read_text
    from ..inputs.records import load_records

    try:
        loaded = load_records(folder)
        if loaded is not None:
            build_records(loaded, data["protocol"], data["sources"], protocol, read_text(protocol)[0])
    except InputError as err:
        return err.problems + err.warnings
    return loaded["warnings"] if loaded is not None else []


def as_json(problems: list[Problem], summary: str) -> str:
    """Machine-readable result for editors and CI."""
    return json.dumps({"ok": not any(not p.is_warning for p in problems), "summary": summary,
                       "problems": [p.as_dict() for p in problems]},
                      ensure_ascii=False, indent=2) + "\n"


__all__ = ["as_json", "run_check", "scope"]
