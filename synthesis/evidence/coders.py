"""Locate the independent coders' quotes: ``output/build/coders.json``.

A separate step from the main evidence path (which it does not slow down): it reads the protocol and
bibliography checked by ``prepare``, loads only the sources that were coded independently, checks every
independent sheet like a sheet and locates each quote with the same machinery. Every problem is raised at
once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..common.problems import InputError, Problem
from ..inputs import layout
from ..inputs.coders import check_coder_sheet, coder_sheets
from ..inputs.door import link_problem
from ..inputs.pdf_source import load_pdf_source
from ..inputs.sources import load_source
from .rows import locate_rows

KEPT = ("id", "quote", "codes", "finding", "questions", "locator", "coder", "start", "end", "exact", "paragraph", "source_line", "sheet", "sheet_line")


def independent_id(coder: str, citekey: str, row: str) -> str:
    """An independent excerpt's id: ``<coder>/<citekey>:<row id>``."""
    return f"{coder}/{citekey}:{row}"


def locate_coders(prepared: dict[str, Any], sources_dir: str = layout.SOURCES, extraction_dir: str = layout.EXTRACTION,
                  only: set[str] | None = None) -> dict[str, Any]:
    """Check and locate every independent sheet (``only``: those citekeys); raise :class:`InputError` on any problem."""
    protocol, bibliography = prepared["protocol"], prepared["bibliography"]
    if protocol is None or bibliography is None:
        raise InputError([Problem(**p) for p in prepared["problems"]])
    bib_keys = set(bibliography)
    source_paths = {Path(p).stem: p for p in layout.source_files(sources_dir)}
    sheets, problems = coder_sheets(extraction_dir, protocol, set(source_paths), sources_dir, only)
    countries = protocol.get("vocabularies", {}).get("countries")
    sources, excerpts, listed = {}, [], []
    for sheet in sheets:
        citekey = sheet["citekey"]
        if citekey not in sources:
            try:
                path = source_paths[citekey]
                if link_problem(path):  # a link out of the review: never read
                    raise InputError([link_problem(path)])
                # A PDF's text comes from the build's cache when the locate step has made it.
                sources[citekey] = (load_pdf_source(path, bib_keys, countries, layout.TEXT_CACHE) if path.lower().endswith(".pdf")
                                    else load_source(path, bib_keys, countries))
            except InputError as err:
                problems += err.problems
                sources[citekey] = None
        try:
            rows, row_problems = check_coder_sheet(sheet, protocol, bib_keys)
        except InputError as err:
            problems += err.problems
            continue
        problems += row_problems
        listed.append(sheet | {"sha256": hashlib.sha256(Path(sheet["path"]).read_bytes()).hexdigest(), "rows": len(rows)})
        if sources[citekey] is None:
            continue
        for item in locate_rows([r for r in rows if r["quote"]], sources[citekey], sheet["path"], problems, sheet["coder"]):
            kept = {key: item[key] for key in KEPT}
            excerpts.append(kept | {"citekey": citekey, "independent_id": independent_id(sheet["coder"], citekey, item["id"])})
    # An independent coder's page locator never reaches the report: no PAGE_MISMATCH warning for it.
    problems = [p for p in problems if p.code != "PAGE_MISMATCH"]
    if problems:
        raise InputError(problems)
    return {
        "coders": sorted({s["coder"] for s in listed}),
        "sources": [{"citekey": k, "path": s.path, "sha256": s.sha256} for k, s in sorted(sources.items())],
        "sheets": listed,
        "excerpts": sorted(excerpts, key=lambda e: (e["citekey"], e["coder"], e["sheet_line"])),
    }


__all__ = ["independent_id", "locate_coders"]
