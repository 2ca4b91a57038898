"""Text of a PDF source, in reading order, with a page map.

pypdfium2 (PDFium; Apache-2.0/BSD-3) gives each page's characters with their
boxes (:mod:`.pdf_runs`); running headers, footers and page numbers are removed
and the printed page numbers read (:mod:`.pdf_pages`); each page is put in
reading order and its footnotes, tables, captions, margin text and first-page
furniture set aside (:mod:`.pdf_layout`); the text is assembled with words split
at line ends joined (:mod:`.pdf_assemble`). Quotes are matched against the
result, so it must be deterministic: the same PDF bytes and the same extractor
version give the same text, and the cache is keyed by both.

The page map gives each page its place in the file (``index``, 1-based), its
``/PageLabels`` entry (``label``, ``""`` when none), the number printed on it
(``printed``: read from its header or footer, or inferred from its neighbours'
(``printed_from``), ``""`` when none) and the number it is cited by
(``number``: printed, else label, else index); ``spans`` say which page each
stretch of the text comes from, by its place in the page map (a page's
set-aside blocks may follow the next page's first paragraph). A sheet that prints
two pages side by side (a preprint copied two to a sheet) is two entries, its
halves (``part``: ``left``, ``right``), each with its own printed number; else
an entry's place is its page's place in the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..common.problems import InputError, Problem

ALGORITHM = "8"  # bump when the text this module produces changes for the same PDF


def extractor_version() -> str:
    """The extractor's name and version: part of the cache key and of provenance."""
    from ..common.installed import version

    return f"pypdfium2-{version('pypdfium2')}+s{ALGORITHM}"


def layout_pages(data: bytes, admit: Callable | None = None) -> tuple[list, list, list]:
    """The PDF's pages (runs), each page's classed blocks in reading order, and the pages as printed: one
    ``(page, part, printed number)`` per page of blocks: ``part`` is ``""``, or ``"left"``/``"right"`` for the
    halves of a sheet that prints two pages side by side (each half is a page of blocks; the number ``""``
    unless read so). ``admit``: as :func:`.pdf_runs.page_runs` takes it."""
    from .pdf_runs import page_runs

    pages = page_runs(data, admit)
    return (pages, *lay_out(pages))


def lay_out(pages: list) -> tuple[list, list]:
    """Pages of runs as pages of blocks, and the pages as printed (see :func:`layout_pages`; pure)."""
    from .pdf_layout import body_size, page_blocks
    from .pdf_pages import furniture, number_runs, two_up

    drop = furniture(pages) | number_runs(pages)
    kept = [[run for n, run in enumerate(page.runs) if (page.index, n) not in drop] for page in pages]
    body = body_size(kept)
    sheets = two_up(pages)
    blocks, printed = [], []
    for page, runs in zip(pages, kept):
        if page.index not in sheets:
            blocks.append(page_blocks(page, runs, body, page.index == 1))
            printed.append((page.index, "", ""))
            continue
        middle, left, right = sheets[page.index]
        for part, number, half in (("left", left, [r for r in runs if (r.x0 + r.x1) / 2 < middle]),
                                   ("right", right, [r for r in runs if (r.x0 + r.x1) / 2 >= middle])):
            blocks.append(page_blocks(page, half, body, page.index == 1))
            printed.append((page.index, part, number))
    return blocks, printed


def assemble(pages: list, blocks: list, sheets: list | None = None) -> dict[str, Any]:
    """The text, page map, spans, hyphen breaks and unmapped glyphs (pure, for tests). ``sheets``: as
    :func:`layout_pages` gives them (by default one page of blocks per page)."""
    from .pdf_assemble import assemble as join
    from .pdf_pages import printed_numbers

    joined = join(blocks)
    printed = dict(zip((page.index for page in pages), printed_numbers(pages)))
    by_index = {page.index: page for page in pages}
    page_map = []
    shown = sheets or [(page.index, "", "") for page in pages]
    for place, (index, part, number) in enumerate(shown, start=1):
        page = by_index[index]
        own = [s for s in joined.spans if s[2] == place]
        start = own[0][0] if own else next((s[0] for s in joined.spans if s[2] > place),
                                           len(joined.text))
        end = own[-1][1] if own else start
        while end > start and joined.text[end - 1] == "\n":  # the break after a page's text is not on it
            end -= 1
        number, how = (number, "page") if number else printed[index]
        entry = {"index": index, "label": page.label, "labelled": bool(page.label), "printed": number,
                 "printed_from": how, "number": number or page.label or str(index), "start": start,
                 "end": end}
        page_map.append({**entry, "part": part} if part else entry)
    glyphs = [[page.index, page.unmapped] for page in pages if page.unmapped]
    return {"text": joined.text, "pages": page_map, "spans": joined.spans, "breaks": joined.breaks, "glyphs": glyphs}


def extract(data: bytes, path: str) -> dict[str, Any]:
    """Extract a PDF's text and page map; raise :class:`InputError` when it has no text layer, or passes a
    limit on its pages or on what its streams decompress to (:mod:`.pdf_limits`: checked before PDFium
    inflates them)."""
    from .pdf_limits import check_document, check_structure

    structure = check_structure(data, path)
    try:
        pages, blocks, sheets = layout_pages(data, lambda document: check_document(document, data, path, structure))
    except InputError:
        raise
    except Exception as err:  # PDFium raises PdfiumError (and others) on a damaged file
        raise InputError([Problem(path, 1, f"cannot read this PDF ({type(err).__name__}: {str(err).rstrip('.')}); check that it opens, or save it again as PDF")]) from None
    result = assemble(pages, blocks, sheets)
    if not result["text"].strip():
        raise InputError([Problem(path, 1, f"this PDF has no text layer ({len(pages)} page{'s' if len(pages) != 1 else ''}, no extractable text): it is probably scanned; run OCR on it first (e.g. ocrmypdf) and add the OCR'd PDF")])
    return {"extractor": extractor_version(), "sha256": hashlib.sha256(data).hexdigest(), **result}


def cache_path(cache_dir: str | Path, sha256: str) -> Path:
    """Where the extraction of the PDF with this SHA-256 is cached."""
    return Path(cache_dir) / f"{sha256}-{extractor_version()}.json"


def cached_extraction(path: str, cache_dir: str | Path | None, write: bool = False) -> tuple[dict[str, Any], str]:
    """The extraction of the PDF at ``path`` and its cache file (``""`` when there is none).

    Read from ``cache_dir`` when it holds this PDF's extraction, else extracted;
    written to the cache only when ``write`` (the build's locate step, never `review check`).
    """
    from ..common.textio import write_atomic

    data = Path(path).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    cached = cache_path(cache_dir, sha) if cache_dir else None
    if cached is not None and cached.is_file():
        return json.loads(cached.read_text(encoding="utf-8")), str(cached)
    result = extract(data, path)
    if cached is not None and write:
        write_atomic(cached, json.dumps(result, ensure_ascii=False, sort_keys=True, indent=0) + "\n")
        return result, str(cached)
    return result, ""


def pages_of(page_map: list[dict], spans: list[list[int]], start: int, end: int) -> tuple[dict, dict]:
    """The first and last page of the text span ``start:end`` (by the spans the text came from)."""
    import bisect

    if not spans:
        return page_map[0], page_map[0]
    starts = [s[0] for s in spans]
    first = spans[max(0, bisect.bisect_right(starts, start) - 1)][2]
    last = spans[max(0, bisect.bisect_right(starts, max(start, end - 1)) - 1)][2]
    return page_map[first - 1], page_map[last - 1]


def page_locator(first: str, last: str) -> str:
    """A citation locator: ``p. 4`` or ``pp. 4-5``."""
    return f"p. {first}" if first == last else f"pp. {first}-{last}"


def page_place(pages: dict) -> str:
    """An excerpt's page(s), with their place in the file when the labels differ from it:
    ``p. 4 (page 6 of the file)``, ``pp. 1-2`` (a PDF without page labels)."""
    first, last = pages["first_index"], pages["last_index"]
    in_file = f"page {first}" if first == last else f"pages {first}-{last}"
    locator = page_locator(pages["first"], pages["last"])
    same = (pages["first"], pages["last"]) == (str(first), str(last))
    return locator if same else f"{locator} ({in_file} of the file)"


def read_extracted_text(cache_file: str | Path) -> str:
    """The text of a cached extraction."""
    return json.loads(Path(cache_file).read_text(encoding="utf-8"))["text"]


def extraction_of_pdf(data: bytes, path: str, cache_file: str = "") -> dict[str, Any]:
    """The extraction of these PDF bytes: from ``cache_file`` when it is this PDF's, else extracted now."""
    if cache_file and Path(cache_file).is_file():
        cached = json.loads(Path(cache_file).read_text(encoding="utf-8"))
        if cached.get("sha256") == hashlib.sha256(data).hexdigest() and cached.get("extractor") == extractor_version():
            return cached
    return extract(data, path)


def text_of_pdf(data: bytes, path: str, cache_file: str = "") -> str:
    """The extracted text of these PDF bytes: from ``cache_file`` when it is this PDF's, else extracted now."""
    return extraction_of_pdf(data, path, cache_file)["text"]


_PAGE_REF = re.compile(r"^\s*(?:pp?\.?|pages?)\s*([0-9A-Za-z]+)(?:\s*[-\u2013\u2014]\s*([0-9A-Za-z]+))?\s*$", re.I)


def parse_page_locator(locator: str) -> tuple[str, str] | None:
    """The first and last page a coder's locator names (``p. 4``, ``pp. 4-5``), or None
    when the locator is something else (``table 3``, ``para. 2``)."""
    match = _PAGE_REF.match(locator)
    if not match:
        return None
    return match.group(1), match.group(2) or match.group(1)


__all__ = ["ALGORITHM", "assemble", "cache_path", "cached_extraction", "extract", "extraction_of_pdf", "extractor_version", "page_locator",
           "lay_out", "layout_pages", "page_place", "pages_of", "parse_page_locator", "read_extracted_text", "text_of_pdf"]
