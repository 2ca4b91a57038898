"""The evidence stage: validate every input, locate every quote, join them.

Three pure-ish steps, so a large review can be split into shards:

1. :func:`prepare` checks the protocol and the bibliography once;
2. :func:`check_sources` checks a set of sources and their sheets and
   locates every quote (one shard of the review, or all of it);
3. :func:`merge` joins shards, checks the review findings, and raises
   :class:`InputError` listing every problem in every file.

Steps 1 and 2 *record* problems instead of raising, so every shard runs and
the merge reports all problems at once. :func:`build_evidence` runs all three
in one process (``review check``, tests).
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path
from typing import Any, Callable, TypeVar

from ..inputs import layout
from ..inputs import door
from ..inputs.door import layout_problems, link_problem
from .located import PREPARED, LocatedCache, prepared_key, unit_context, unit_key
from .rows import locate_rows
from .shard_file import Spliced
from ..common.problems import InputError, Problem, split
from ..inputs.protocol import load_protocol, theme_pairs
from ..inputs.sheets import check_sheet
from ..inputs.sources import Source, load_source

T = TypeVar("T")


def _collect(problems: list[Problem], step: Callable[[], T]) -> T | None:
    """Run ``step``; on :class:`InputError` keep its problems and return None."""
    try:
        return step()
    except InputError as err:
        problems.extend(err.problems)
        return None


def _file_sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _problem_dicts(problems: list[Problem]) -> list[dict[str, Any]]:
    return [p.as_dict() for p in problems]


def prepare(protocol_path: str = layout.PROTOCOL, bibliography_path: str = layout.BIBLIOGRAPHY) -> dict[str, Any]:
    """Check the protocol and bibliography; return them (None when broken) with their problems."""
    from ..inputs.bibliography import load_bibliography, split_name_warnings  # not in a locate job

    problems: list[Problem] = []
    refused = door.refused(protocol_path, what="the review protocol")  # a folder, or a link out of the review
    if refused:
        raise InputError(refused)
    if not Path(protocol_path).is_file():
        raise InputError([Problem(protocol_path, 1, f"no review protocol here: {Path(protocol_path).resolve()} does not exist; run this in the review's folder (the one holding review.yaml)")])
    protocol = _collect(problems, lambda: load_protocol(protocol_path))
    bibliography = None
    if door.refused(bibliography_path, what="the bibliography"):
        problems += door.refused(bibliography_path, what="the bibliography")
    elif not Path(bibliography_path).is_file():
        problems.append(Problem(bibliography_path, 1, "bibliography not found: every source needs an entry in this BibTeX file"))
    else:
        entries = _collect(problems, lambda: load_bibliography(bibliography_path)[0])
        if entries is not None:
            problems += [w for e in entries.values() for w in split_name_warnings(e, bibliography_path)]
            bibliography = {key: {"citation": e.citation(), "title": e.title, "short_title": e.short_title, "year": e.year,
                                  "type": e.entry_type, "line": e.line} for key, e in sorted(entries.items())}
    inputs = {"protocol": {"path": protocol_path, "sha256": _file_sha256(protocol_path) if Path(protocol_path).is_file() else ""},
              "bibliography": {"path": bibliography_path, "sha256": _file_sha256(bibliography_path) if Path(bibliography_path).is_file() and not door.refused(bibliography_path) else ""}}
    return {"protocol": protocol, "bibliography": bibliography, "inputs": inputs, "problems": _problem_dicts(problems)}


def prepare_cached(protocol_path: str, bibliography_path: str, located: str | None, write: bool = False) -> dict[str, Any]:
    """:func:`prepare`, or what it gave before for the same files (kept in ``located`` when ``write``: the build)."""
    cache = LocatedCache(located, write, "prepared")
    key = prepared_key(protocol_path, bibliography_path) if located else None
    prepared = cache.get(PREPARED, key)
    if prepared is None:
        prepared = prepare(protocol_path, bibliography_path)
        cache.put(PREPARED, key, prepared)
    cache.close()
    return prepared


def check_sources(prepared: dict[str, Any], source_paths: list[str], sheet_paths: list[str], sources_dir: str = layout.SOURCES,
                  text_cache: str | None = None, write_cache: bool = False, located: LocatedCache | None = None) -> dict[str, Any]:
    """Check these sources and sheets and locate their quotes (one shard).

    A sheet must have its source among ``source_paths``: shards are cut by
    citekey, so a source and its sheet always share a shard. A PDF's sidecar
    is among ``source_paths`` too; its text is read from ``text_cache`` when
    extracted before, and written there when ``write_cache`` (the build only).
    ``located``: the units checked before (:mod:`.located`), reused where their files
    are unchanged (and those checked now kept there, if it is writable).
    """
    protocol, bibliography = prepared["protocol"], prepared["bibliography"]
    bib_keys = set(bibliography) if bibliography is not None else None
    countries = protocol.get("vocabularies", {}).get("countries") if protocol else None
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    bases: dict[str, dict[str, Any]] = {}  # each loaded source's record, without what the bibliography adds
    sidecars = [p for p in source_paths if Path(p).suffix.lower() == layout.SIDECAR_SUFFIX]
    source_paths = [p for p in source_paths if p not in sidecars]
    stems = {Path(p).stem for p in source_paths}
    refusals = [r for r in (link_problem(p) for p in source_paths + sheet_paths) if r]  # never read
    problems += refusals
    outside = {r.path for r in refusals}
    source_paths = [p for p in source_paths if p not in outside]
    sheet_paths = [p for p in sheet_paths if p not in outside]
    pdf_stems = {Path(p).stem for p in source_paths if Path(p).suffix.lower() == ".pdf"}
    for path in sorted(sidecars):
        if Path(path).stem not in pdf_stems:
            problems.append(Problem(path, 1, f"front matter for a PDF source, but there is no {Path(path).with_suffix('.pdf')}: add the PDF, or remove this file"))
    cache = located or LocatedCache(None)
    keys = _unit_keys(prepared, source_paths, sheet_paths, sidecars, sources_dir, text_cache) if cache.directory else {}
    units = {stem: cache.get(stem, key) for stem, key in keys.items()}
    first_sheet: dict[str, str] = {}
    for path in sorted(sheet_paths):
        first_sheet.setdefault(Path(path).stem, path)
    made: dict[str, dict[str, Any]] = {}  # units checked now, to be kept for the next run
    for path in sorted(source_paths):
        stem = Path(path).stem
        if stem in bases:
            problems.append(Problem(path, 1, f"two source files for '{stem}': keep one of {bases[stem]['path']} and {path}"))
            continue
        unit = units.get(stem)
        if unit is not None:
            problems += [Problem(**p) for p in unit["source_problems"]]
            if unit["record"] is not None:
                bases[stem] = unit["record"]
            continue
        start = len(problems)
        if Path(path).suffix.lower() == ".pdf":
            from ..inputs.pdf_source import load_pdf_source  # only for a PDF source (a job start-up's import)

            source = _collect(problems, lambda: load_pdf_source(path, bib_keys, countries, text_cache, write_cache))
        else:
            source = _collect(problems, lambda: load_source(path, bib_keys, countries))
        if source is not None:
            sources[stem] = source
            problems += source.warnings
        record = _record_base(source, first_sheet.get(stem, "")) if source is not None else None
        made[stem] = {"source_problems": problems[start:], "record": record, "sheet_problems": [], "row_ids": [], "evidence": []}
        if record is not None:
            bases[stem] = record
    evidence, sheet_of, row_ids = [], {}, []
    for path in sorted(sheet_paths):
        stem = Path(path).stem
        if stem in sheet_of:
            problems.append(Problem(path, 1, f"two sheets for '{stem}': keep one of {sheet_of[stem]} and {path}"))
            continue
        sheet_of[stem] = path
        if stem not in stems:
            problems.append(Problem(path, 1, f"no source for this sheet: expected {sources_dir}/{stem}.md, {sources_dir}/{stem}.txt or {sources_dir}/{stem}.pdf"))
            continue
        if protocol is None:
            continue  # rows cannot be checked against a broken protocol
        unit = units.get(stem)
        if unit is not None:
            problems += [Problem(**p) for p in unit["sheet_problems"]]
            row_ids += unit["row_ids"]
            evidence += unit["evidence"]
            continue
        start, first_row, first_item = len(problems), len(row_ids), len(evidence)
        checked = _collect(problems, lambda: check_sheet(path, protocol, bib_keys))
        if checked is not None:
            rows, row_problems = checked
            problems += row_problems
            row_ids += [f"{stem}:{r['id']}" for r in rows if r["id"]]
            if stem in sources:
                # Rows with other problems are located too, so one pass shows everything.
                evidence += locate_rows([r for r in rows if r["quote"]], sources[stem], path, problems)
        if stem in made:
            made[stem] |= {"sheet_problems": problems[start:], "row_ids": row_ids[first_row:], "evidence": evidence[first_item:]}
    for stem, unit in made.items():
        if stem in keys:
            cache.put(stem, keys[stem], unit | {"source_problems": _problem_dicts(unit["source_problems"]),
                                                "sheet_problems": _problem_dicts(unit["sheet_problems"])})
    cache.close()  # the units used and made kept (a writable cache's file written)
    records = [base | _bibliography_fields(base["citekey"], bibliography) for key, base in sorted(bases.items())] if bibliography else []
    mapped = {c["id"]: c["questions"] for c in protocol["codes"]} if evidence else None
    for item in evidence:
        item["pairs"] = [list(pair) for pair in theme_pairs(item, protocol, mapped)]
        item["evidence_id"] = f"{item['citekey']}:{item['id']}"
        item["citation"] = bibliography[item["citekey"]]["citation"] if bibliography and item["citekey"] in bibliography else item["citekey"]
        del item["line"]
    return {"sources": records, "evidence": evidence, "row_ids": row_ids, "problems": _problem_dicts(problems),
            "source_count": len(source_paths)}


def _unit_keys(prepared: dict[str, Any], source_paths: list[str], sheet_paths: list[str], sidecars: list[str],
               sources_dir: str, text_cache: str | None) -> dict[str, str]:
    """Each cacheable unit's key, by stem: one source file and at most one sheet (a duplicate is reported, not kept)."""
    if prepared["protocol"] is None:
        return {}
    stem = _stem
    source_count = Counter(stem(p) for p in source_paths)
    sheets: dict[str, list[str]] = {}
    for path in sheet_paths:
        sheets.setdefault(stem(path), []).append(path)
    sidecar = {stem(p): p for p in sidecars}
    context = unit_context(prepared, sources_dir, text_cache)
    keys = {}
    for path in source_paths:
        name = stem(path)
        if source_count[name] == 1 and len(sheets.get(name, ())) <= 1:
            key = unit_key(context, [path, sidecar.get(name), (sheets.get(name) or [None])[0]])
            if key is not None:
                keys[name] = key
    return keys


def _stem(path: str) -> str:
    """``Path(path).stem`` without making a Path (thousands of files a job)."""
    name = os.path.basename(path)
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def _record_base(source: Source, sheet: str) -> dict[str, Any]:
    pdf = {"text_path": source.text_path, "extractor": source.extractor, "page_count": len(source.pages),
           "text_sha256": hashlib.sha256(source.text.encode("utf-8")).hexdigest(),
           "sidecar": {"path": source.sidecar, "sha256": _file_sha256(source.sidecar)}} if source.pages is not None else {}
    return pdf | {
        "citekey": source.citekey, "path": source.path, "sha256": source.sha256, "body_start": source.body_start, "sheet": sheet,
        "sheet_sha256": _file_sha256(sheet) if sheet else "",
        "type": source.meta["type"], "role": source.meta["role"], "tags": source.meta["tags"], "countries": source.meta.get("countries", []),
        "url": source.meta.get("url", ""), "accessed": source.meta.get("accessed", ""), "notes": source.meta.get("notes", ""),
    }


def _bibliography_fields(citekey: str, bibliography: dict[str, dict]) -> dict[str, Any]:
    entry = bibliography.get(citekey, {"title": "", "year": "", "citation": citekey})
    return {"title": entry["title"], "year": entry["year"], "citation": entry["citation"]}


def merge(prepared: dict[str, Any], shards: list[dict[str, Any]], findings_paths: list[str] | None,
          sources_dir: str = layout.SOURCES, legacy_paths: list[str] = (), appraisal_paths: list[str] | None = None,
          appraisal_dir: str = layout.APPRAISAL) -> dict[str, Any]:
    """Join checked shards into the evidence set; raise :class:`InputError` with every problem.

    ``findings_paths`` None skips the review findings (a partial check). ``legacy_paths`` are
    commentary files from before review findings, each reported with how to move it. ``appraisal_paths``
    are the sources' appraisals (None: none read); each of the shards' evidence sources without one is a warning.
    Shards read from their files (:func:`.shard_file.read_shard`) give an evidence set whose items are their
    blocks (:class:`.shard_file.Spliced`), written by :func:`.shard_file.evidence_set_pieces`.
    """
    # Here, not at the top: a locate job needs none of them.
    from ..inputs import appraisals as appraising
    from ..inputs.findings import legacy_commentary_problems, load_findings, reference_problems

    problems = [Problem(**p) for p in prepared["problems"]] + [Problem(**p) for s in shards for p in s["problems"]]
    problems += legacy_commentary_problems(list(legacy_paths))
    problems += layout_problems(Path(sources_dir).parent)  # a folder named like an input, a link out of the review
    if not any(s["source_count"] for s in shards):
        problems.append(Problem(sources_dir, 1, "no source documents (*.md, *.txt or *.pdf) found"))
    protocol = prepared["protocol"]
    sources = sorted((r for s in shards for r in s["sources"]), key=lambda r: r["citekey"])
    # A shard read from its file gives as "evidence" only what study_problems checks (its blocks are spliced in).
    spliced = any("blocks" in s for s in shards)
    evidence = sorted((e for s in shards for e in s["evidence"]), key=lambda e: (e["citekey"], e["sheet_line"]))
    problems += study_problems(evidence)
    findings = {}
    if protocol is not None and findings_paths is not None:  # findings may rest on any source's evidence
        coders = [c["id"] for c in protocol.get("coders") or []] or None
        findings, finding_problems = load_findings(findings_paths, [q["id"] for q in protocol["questions"]], coders)
        protocol_keys = {r["citekey"] for r in sources if r["role"] == "protocol"}
        row_ids = {i for s in shards for i in s["row_ids"]}
        problems += finding_problems + reference_problems(findings, row_ids, protocol_keys)
    appraisals = {}
    if protocol is not None and appraisal_paths is not None:
        known = sorted({r["citekey"] for r in sources} | {Path(p).stem for p in layout.source_files(sources_dir)})
        appraisals, found = appraising.check_appraisals(appraisal_paths, protocol, sources, known, appraisal_dir)
        problems += found
    errors, warnings = split(problems)
    if errors:
        raise InputError(errors, warnings)
    blocks = sorted((b for s in shards for b in s.get("blocks", ())), key=lambda b: b.citekey) if spliced else []
    counts = Counter({b.citekey: b.count for b in blocks} if spliced else (item["citekey"] for item in evidence))
    order = {q["id"]: n for n, q in enumerate(protocol["questions"])}
    inputs = prepared["inputs"] | {"findings": [{"path": f["path"], "sha256": f["sha256"]} for f in sorted(findings.values(), key=lambda f: f["path"])]}
    inputs["appraisals"] = [{"path": a["path"], "sha256": a["sha256"]} for _k, a in sorted(appraisals.items())]
    return {
        "protocol": protocol,
        "sources": [r | {"excerpts": counts[r["citekey"]]} for r in sources],
        "bibliography": prepared["bibliography"],
        "evidence": Spliced(blocks) if spliced else evidence,
        "inputs": inputs,
        "findings": [{k: v for k, v in f.items() if k != "sha256"} for f in sorted(findings.values(), key=lambda f: order[f["question"]])],
        "appraisals": [{k: v for k, v in a.items() if k != "filled"} for _k, a in sorted(appraisals.items()) if a["filled"]],
        "appraisal_tools": appraising.tool_summaries(protocol),
        "warnings": [w.as_dict() for w in warnings],
    }


def study_problems(evidence: list[dict]) -> list[Problem]:
    """One study, one design: excerpts that name the same study must not give it different designs."""
    first: dict[str, dict] = {}
    problems = []
    for item in evidence:
        if not item.get("study") or not item.get("study_design"):
            continue
        design = item["study_design"]
        seen = first.setdefault(item["study"], item)
        if seen["study_design"] != design:
            shown = lambda d: "; ".join(d) if isinstance(d, list) else d  # noqa: E731
            problems.append(Problem(item["sheet"], item["sheet_line"], f"row {item['id']}: study '{item['study']}' has study_design '{shown(design)}' here "
                                    f"but '{shown(seen['study_design'])}' at {seen['sheet']}:{seen['sheet_line']}: one study has one design"))
    return problems


def build_evidence(protocol_path: str = layout.PROTOCOL, bibliography_path: str = layout.BIBLIOGRAPHY,
                   sources_dir: str = layout.SOURCES, extraction_dir: str = layout.EXTRACTION,
                   only: set[str] | None = None, findings_dir: str = layout.FINDINGS,
                   text_cache: str | None = layout.TEXT_CACHE, write_cache: bool = False, appraisal_dir: str | None = None,
                   located: str | None = layout.LOCATED_CACHE) -> dict[str, Any]:
    """Validate a whole review in one process and return its evidence set.

    ``only`` limits the sources and sheets checked to those citekeys (for a
    fast check of the files a co-author changed). Raises :class:`InputError`
    listing every problem found in any file.
    """
    prepared = prepare_cached(protocol_path, bibliography_path, located)
    source_paths = layout.source_files(sources_dir) + layout.sidecar_files(sources_dir)
    sheet_paths = layout.sheet_files(extraction_dir)
    if only is not None:
        source_paths = [p for p in source_paths if Path(p).stem in only]
        sheet_paths = [p for p in sheet_paths if Path(p).stem in only]
    # `review check` reads the extractions and checked sources the build cached but never writes them.
    shard = check_sources(prepared, source_paths, sheet_paths, sources_dir, text_cache, write_cache, LocatedCache(located))
    if only is not None:
        shard["source_count"] = shard["source_count"] or len(layout.source_files(sources_dir))
    legacy = layout.commentary_files(Path(findings_dir).parent / layout.COMMENTARY)
    appraisal_dir = appraisal_dir if appraisal_dir is not None else str(Path(findings_dir).parent / layout.APPRAISAL)
    appraisals = [p for p in layout.appraisal_files(appraisal_dir) if only is None or Path(p).stem in only]
    return merge(prepared, [shard], layout.findings_files(findings_dir) if only is None else None, sources_dir, legacy,
                 appraisals, appraisal_dir)


__all__ = ["build_evidence", "check_sources", "merge", "prepare", "prepare_cached"]
