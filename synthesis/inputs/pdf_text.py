"""Text of a PDF source, in reading order, with a page map.

pdfminer.six (MIT) lays each page out into text boxes and orders them (columns
included); from its lines we drop running headers, footers and page numbers
that repeat across pages, and join words hyphenated at line ends. Quotes are
matched against the result, so it must be deterministic: the same PDF bytes and
the same extractor version give the same text, and the cache is keyed by both.

The page map gives each page's character range in the text, its position in
the file (1-based) and its label: the PDF's own page label (/PageLabels, e.g.
a report's roman front matter then arabic numbering) where it has one.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from importlib import metadata
from pathlib import Path
from typing import Any

from ..common.problems import InputError, Problem

ALGORITHM = "1"  # bump when the text this module produces changes for the same PDF
BAND = 0.12  # top and bottom fraction of a page where running headers and footers sit
_DIGITS = re.compile(r"\d+")
_ROMAN = re.compile(r"\b[ivxlcdm]+\b", re.I)
_HYPHENATED = re.compile(r"[^\W\d_]-$")


def extractor_version() -> str:
    """The extractor's name and version: part of the cache key and of provenance."""
    return f"pdfminer.six-{metadata.version('pdfminer.six')}+s{ALGORITHM}"


def _lines(data: bytes) -> list[dict[str, Any]]:
    """Each page's text lines in reading order: [{label, height, lines: [(text, y0, y1, box)]}]."""
    from pdfminer.layout import LAParams, LTTextBox
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings about odd but readable files are noise here
    document = PDFDocument(PDFParser(io.BytesIO(data)))
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=LAParams())
    interpreter = PDFPageInterpreter(manager, device)
    pages = []
    for page in PDFPage.create_pages(document):
        interpreter.process_page(page)
        layout = device.get_result()
        lines = []
        for box_no, box in enumerate(b for b in layout if isinstance(b, LTTextBox)):
            for line in box:
                text = " ".join(line.get_text().split())
                if text:
                    lines.append((text, line.y0, line.y1, box_no))
        pages.append({"label": page.label, "height": layout.height, "bottom": layout.y0, "lines": lines})
    return pages


def _furniture_key(text: str) -> str:
    # Page numbers differ from page to page; the rest of a running header does not.
    return " ".join(_ROMAN.sub("#", _DIGITS.sub("#", text)).casefold().split())


def _in_band(page: dict, y0: float, y1: float) -> bool:
    height = page["height"] or 1.0
    return (y0 - page["bottom"]) / height > 1 - BAND or (y1 - page["bottom"]) / height < BAND


def running_furniture(pages: list[dict]) -> set[tuple[int, int]]:
    """(page, line) positions of headers, footers and page numbers repeated across pages."""
    seen: dict[str, set[int]] = {}
    for p, page in enumerate(pages):
        for text, y0, y1, _box in page["lines"]:
            if _in_band(page, y0, y1):
                seen.setdefault(_furniture_key(text), set()).add(p)
    threshold = max(2, round(0.4 * len(pages)))
    repeated = {key for key, on in seen.items() if len(on) >= threshold}
    return {(p, n) for p, page in enumerate(pages) for n, (text, y0, y1, _box) in enumerate(page["lines"])
            if _in_band(page, y0, y1) and _furniture_key(text) in repeated}


def assemble(pages: list[dict]) -> dict[str, Any]:
    """The text and page map from pages of lines (pure, for tests).

    Lines of a text box are joined by a line break, boxes and pages by a blank
    line; a line ending in letter + '-' followed by a line starting with a
    lower-case letter is joined without the hyphen (also across a page break).
    """
    drop = running_furniture(pages)
    out: list[str] = []
    length = 0
    page_map = []
    previous: tuple[int, int] | None = None  # (page, box) of the last line written
    for p, page in enumerate(pages):
        start = None
        for n, (text, _y0, _y1, box) in enumerate(page["lines"]):
            if (p, n) in drop:
                continue
            if previous is not None:
                if _HYPHENATED.search(out[-1]) and text[:1].islower():
                    out[-1] = out[-1][:-1]
                    length -= 1
                    separator = ""
                else:
                    separator = "\n" if previous == (p, box) else "\n\n"
                out.append(separator)
                length += len(separator)
            if start is None:
                start = length
            out.append(text)
            length += len(text)
            previous = (p, box)
        label = page["label"]
        page_map.append({"index": p + 1, "label": label if label else str(p + 1), "labelled": bool(label),
                         "start": length if start is None else start, "end": length})
    return {"text": "".join(out), "pages": page_map}


def extract(data: bytes, path: str) -> dict[str, Any]:
    """Extract a PDF's text and page map; raise :class:`InputError` when it has no text layer."""
    try:
        pages = _lines(data)
    except Exception as err:  # pdfminer raises many kinds on a damaged file
        raise InputError([Problem(path, 1, f"cannot read this PDF ({type(err).__name__}: {err}); check that it opens, or save it again as PDF")]) from None
    result = assemble(pages)
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


def pages_of(page_map: list[dict], start: int, end: int) -> tuple[dict, dict]:
    """The first and last page of the text span ``start:end``."""
    import bisect

    starts = [p["start"] for p in page_map]
    first = page_map[max(0, bisect.bisect_right(starts, start) - 1)]
    last = page_map[max(0, bisect.bisect_right(starts, max(start, end - 1)) - 1)]
    return first, last


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


def text_of_pdf(data: bytes, path: str, cache_file: str = "") -> str:
    """The extracted text of these PDF bytes: from ``cache_file`` when it is this PDF's, else extracted now."""
    if cache_file and Path(cache_file).is_file():
        cached = json.loads(Path(cache_file).read_text(encoding="utf-8"))
        if cached.get("sha256") == hashlib.sha256(data).hexdigest():
            return cached["text"]
    return extract(data, path)["text"]


_PAGE_REF = re.compile(r"^\s*(?:pp?\.?|pages?)\s*([0-9A-Za-z]+)(?:\s*[-\u2013\u2014]\s*([0-9A-Za-z]+))?\s*$", re.I)


def parse_page_locator(locator: str) -> tuple[str, str] | None:
    """The first and last page a coder's locator names (``p. 4``, ``pp. 4-5``), or None
    when the locator is something else (``table 3``, ``para. 2``)."""
    match = _PAGE_REF.match(locator)
    if not match:
        return None
    return match.group(1), match.group(2) or match.group(1)


__all__ = ["ALGORITHM", "assemble", "cache_path", "cached_extraction", "extract", "extractor_version", "page_locator",
           "page_place", "pages_of", "parse_page_locator", "read_extracted_text", "running_furniture", "text_of_pdf"]
