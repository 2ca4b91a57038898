"""``review text CITEKEY``: the text a source's quotes are matched against.

For a PDF source that is the extracted text (reading order, running headers and
footers removed, hyphenated words joined), which a coder should copy quotes from;
for a Markdown or text source, the file itself.
"""

from __future__ import annotations

from pathlib import Path

from ..common.problems import InputError, Problem, suggest
from ..inputs import door
from ..inputs.door import read_input
from ..inputs import layout
from ..inputs.pdf_text import cached_extraction


def page_marker(page: dict) -> str:
    """The line shown before a page with ``--pages``: the page's label and its place in the file."""
    label = f"p. {page['label']}" if page["label"] == str(page["index"]) else f"p. {page['label']} (page {page['index']} of the file)"
    return f"=== {label} ==="


def with_page_markers(text: str, pages: list[dict]) -> str:
    """The text with a marker line before each page."""
    out = []
    for page in pages:
        body = text[page["start"]:page["end"]]
        out.append(page_marker(page) + "\n" + (body + "\n" if body else ""))
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
        return with_page_markers(extraction["text"], extraction["pages"])
    return extraction["text"] + "\n"


__all__ = ["page_marker", "source_text", "with_page_markers"]
