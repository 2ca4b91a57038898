"""``review text CITEKEY``: the text a source's quotes are matched against.

For a PDF source that is the extracted text (reading order, running headers and
footers removed, footnotes, tables and other set-aside blocks after their page's
body, words split at line ends joined); for a Markdown or text source, the file
itself. A quote may be copied from here or from a PDF viewer.
"""

from __future__ import annotations

from pathlib import Path

from ..common.problems import InputError, Problem, suggest
from ..inputs import door
from ..inputs.door import read_input
from ..inputs import layout
from ..inputs.pdf_text import cached_extraction


def page_marker(page: dict) -> str:
    """The line shown before a page with ``--pages``: the page's number (as cited) and its place in the file."""
    label = f"p. {page['number']}" if page["number"] == str(page["index"]) else f"p. {page['number']} (page {page['index']} of the file)"
    return f"=== {label} ==="


def with_page_markers(text: str, pages: list[dict], spans: list[list[int]]) -> str:
    """The text with a marker line before each stretch from a page (a page's set-aside blocks may
    follow the next page's first paragraph: its marker then shows again); an empty page shows its marker."""
    out, shown = [], set()
    stretches = [(s, e, i) for s, e, i in spans]  # i: the page's place in the page map
    for place, page in enumerate(pages, start=1):  # pages without text, in their place
        if not any(i == place for _s, _e, i in stretches):
            stretches.append((page["start"], page["start"], place))
    for start, end, place in sorted(stretches, key=lambda s: (s[0], s[2])):
        body = text[start:end].strip("\n")
        marker = page_marker(pages[place - 1]) + (" (continued)" if place in shown else "")
        shown.add(place)
        out.append(marker + "\n" + (body + "\n" if body else ""))
    return "\n".join(out)


def source_text(citekey: str, sources_dir: str = layout.SOURCES, cache_dir: str | None = layout.TEXT_CACHE,
                pages: bool = False) -> str:
    """The text quotes in ``citekey``'s sheet are matched against (read from the build's cache
    when it holds the PDF, else extracted now; never written)."""
    found = [p for p in layout.source_files(sources_dir) if Path(p).stem == citekey]
    if not found:
        known = sorted({Path(p).stem for p in layout.source_files(sources_dir)})
        raise InputError([Problem(sources_dir, 1, f"no source '{citekey}': {suggest(citekey, known)}")])
    path = found[0]
    if door.refused(path):  # a link out of the review: never read, a PDF neither
        raise InputError(door.refused(path))
    if not path.lower().endswith(".pdf"):
        text = read_input(path)[0]
        return text if text.endswith("\n") else text + "\n"
    extraction, _cache = cached_extraction(path, cache_dir, write=False)
    if pages:
        return with_page_markers(extraction["text"], extraction["pages"], extraction["spans"])
    return extraction["text"] + "\n"


__all__ = ["page_marker", "source_text", "with_page_markers"]
