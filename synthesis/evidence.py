"""The evidence stage: validate every input, locate every quote, join them.

The result is one JSON-serialisable dict that later stages (tables, report,
provenance) read, so the inputs are parsed once per build.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any, Callable, TypeVar

from . import layout
from .bibliography import BibEntry, load_bibliography
from .commentary import load_commentary
from .locate import closest_passage, find_quote, normalise
from .problems import InputError, Problem
from .protocol import load_protocol
from .sheets import check_sheet
from .sources import Source, load_source

CONTEXT = 32  # characters of prefix/suffix kept for each quote (W3C TextQuoteSelector)
READING_CONTEXT = 240  # characters either side shown to a reader of the report's appendix
T = TypeVar("T")


def _collect(problems: list[Problem], step: Callable[[], T]) -> T | None:
    """Run ``step``; on :class:`InputError` keep its problems and return None."""
    try:
        return step()
    except InputError as err:
        problems.extend(err.problems)
        return None


def build_evidence(protocol_path: str = layout.PROTOCOL, bibliography_path: str = layout.BIBLIOGRAPHY,
                   sources_dir: str = layout.SOURCES, extraction_dir: str = layout.EXTRACTION,
                   only: set[str] | None = None, commentary_dir: str = layout.COMMENTARY) -> dict[str, Any]:
    """Validate a review's inputs and return its evidence set.

    ``only`` limits the sources and sheets checked to those citekeys (for a
    fast check of the files a co-author changed). Raises :class:`InputError`
    listing every problem found in any file.
    """
    problems: list[Problem] = []
    protocol = _collect(problems, lambda: load_protocol(protocol_path))
    if not Path(bibliography_path).is_file():
        problems.append(Problem(bibliography_path, 1, "bibliography not found: every source needs an entry in this BibTeX file"))
        bib = None
    else:
        bib = _collect(problems, lambda: load_bibliography(bibliography_path)[0])
    bib_keys = set(bib) if bib is not None else None
    countries = protocol.get("vocabularies", {}).get("countries") if protocol else None
    sources: dict[str, Source] = {}
    source_paths = layout.source_files(sources_dir)
    source_stems = {Path(p).stem for p in source_paths}
    for path in source_paths:
        stem = Path(path).stem
        if only is not None and stem not in only:
            continue
        if stem in sources:
            problems.append(Problem(path, 1, f"two source files for '{stem}': keep one of {sources[stem].path} and {path}"))
            continue
        source = _collect(problems, lambda: load_source(path, bib_keys, countries))
        if source is not None:
            sources[stem] = source
    if not source_paths:
        problems.append(Problem(sources_dir, 1, "no source documents (*.md or *.txt) found"))
    evidence, sheet_of, row_ids = [], {}, set()
    for path in layout.sheet_files(extraction_dir):
        stem = Path(path).stem
        if stem in sheet_of:
            problems.append(Problem(path, 1, f"two sheets for '{stem}': keep one of {sheet_of[stem]} and {path}"))
            continue
        sheet_of[stem] = path
        if only is not None and stem not in only:
            continue
        if stem not in source_stems:
            problems.append(Problem(path, 1, f"no source for this sheet: expected {sources_dir}/{stem}.md or {sources_dir}/{stem}.txt"))
            continue
        if protocol is None:
            continue  # rows cannot be checked against a broken protocol
        checked = _collect(problems, lambda: check_sheet(path, protocol, bib_keys))
        if checked is not None:
            rows, row_problems = checked
            problems += row_problems
            row_ids.update(f"{stem}:{r['id']}" for r in rows if r["id"])
            if stem in sources:
                # Rows with other problems are located too, so one pass shows everything.
                evidence += _locate_rows([r for r in rows if r["quote"]], sources[stem], path, problems)
    commentary = {}
    if protocol is not None and only is None:  # commentary may cite any source's evidence
        commentary, commentary_problems = load_commentary(layout.commentary_files(commentary_dir), [q["id"] for q in protocol["questions"]], row_ids)
        problems += commentary_problems
    if problems:
        raise InputError(problems)
    inputs = {"protocol": {"path": protocol_path, "sha256": _file_sha256(protocol_path)},
              "bibliography": {"path": bibliography_path, "sha256": _file_sha256(bibliography_path)},
              "commentary": [{"path": p, "sha256": _file_sha256(p)} for p in layout.commentary_files(commentary_dir)] if only is None else []}
    return _assemble(protocol, bib, sources, sheet_of, evidence) | {"inputs": inputs, "commentary": commentary}


def _locate_rows(rows: list[dict], source: Source, sheet: str, problems: list[Problem]) -> list[dict]:
    norm = normalise(source.text)
    located = []
    for row in rows:
        span = find_quote(norm, row["quote"], start=source.body_start)
        if span is None:
            passage, score = closest_passage(norm, row["quote"], start=source.body_start)
            shown = passage if len(passage) <= 240 else passage[:237] + "..."
            problems.append(Problem(sheet, row["line"], f"row {row['id']} ({source.citekey}:{row['id']}): quote not found in {source.path}; closest passage (similarity {score:.2f}): \"{shown}\""))
            continue
        start, end = span
        paragraph, heading = source.place(start)
        text = source.text
        located.append({
            **row, "citekey": source.citekey, "start": start, "end": end, "paragraph": paragraph, "heading": heading,
            "source_line": text.count("\n", 0, start) + 1, "exact": text[start:end],
            "prefix": text[max(source.body_start, start - CONTEXT):start], "suffix": text[end:end + CONTEXT],
            "context_before": _clip_start(text[max(source.body_start, start - READING_CONTEXT):start]),
            "context_after": _clip_end(text[end:end + READING_CONTEXT]),
            "sheet": sheet, "sheet_line": row["line"],
        })
    return located


def _clip_start(text: str) -> str:
    # Start the reader's context at a word, not mid-word.
    cut = text.find(" ")
    return text[cut + 1:] if len(text) == READING_CONTEXT and cut >= 0 else text


def _clip_end(text: str) -> str:
    cut = text.rfind(" ")
    return text[:cut] if len(text) == READING_CONTEXT and cut >= 0 else text


def _file_sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _assemble(protocol: dict, bib: dict[str, BibEntry], sources: dict[str, Source], sheet_of: dict[str, str], evidence: list[dict]) -> dict[str, Any]:
    counts = Counter(item["citekey"] for item in evidence)
    for item in evidence:
        item["evidence_id"] = f"{item['citekey']}:{item['id']}"
        item["citation"] = bib[item["citekey"]].citation()
        del item["line"]
    return {
        "protocol": protocol,
        "sources": [
            {
                "citekey": key, "path": s.path, "sha256": s.sha256, "sheet": sheet_of.get(key, ""),
                "sheet_sha256": _file_sha256(sheet_of[key]) if key in sheet_of else "",
                "type": s.meta["type"], "tags": s.meta["tags"], "countries": s.meta.get("countries", []),
                "url": s.meta.get("url", ""), "accessed": s.meta.get("accessed", ""), "notes": s.meta.get("notes", ""),
                "title": bib[key].title, "year": bib[key].year, "citation": bib[key].citation(), "excerpts": counts[key],
            }
            for key, s in sorted(sources.items())
        ],
        "bibliography": {key: {"citation": e.citation(), "title": e.title, "year": e.year, "type": e.entry_type, "line": e.line} for key, e in sorted(bib.items())},
        "evidence": evidence,
    }


__all__ = ["build_evidence"]
