"""Records from a database's or reference manager's BibTeX export (Scopus, Web of Science, EBSCO, Zotero).

bibtexparser v2 reads what it can and hands back the blocks it could not; such a block is read here as
far as it goes (key, title, year) and reported, so one malformed entry never refuses the rest of the file.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Iterator

_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s{}()]*)")
_FIELD = r"\b{name}\s*=\s*(?:\{{(?P<braced>(?:[^{{}}]|\{{[^{{}}]*\}})*)\}}|\"(?P<quoted>[^\"]*)\"|(?P<bare>\w+))"
_SKIP = ("comment", "string", "preamble")


class _Quiet(logging.Handler):
    """bibtexparser logs each failed block; the reader reports them itself, at their lines."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _unwrap(value: Any) -> str:
    value = str(value).strip()
    if len(value) > 1 and ((value[0] == "{" and value[-1] == "}") or (value[0] == '"' and value[-1] == '"')):
        return value[1:-1]
    return value


def _fields(fields: dict[str, str]) -> dict[str, Any]:
    from bibtexparser.middlewares.names import split_multiple_persons_names

    from .record_fields import clean, doi_of, year_of

    import html

    given = fields.get("keywords") or fields.get("author_keywords") or ""
    given = html.unescape(given) if "&" in given else given  # "&#x2013;" is not a separator
    # Scopus separates keywords with ";" (and keeps "Models, Theoretical" whole); Zotero with ",".
    keywords = given.split(";") if ";" in given else given.split(",")
    return {"title": fields.get("title", ""), "authors": [clean(n) for n in split_multiple_persons_names(fields.get("author") or fields.get("editor") or "")],
            "year": year_of(fields.get("year"), fields.get("date")), "date": fields.get("date", ""),
            "given_year": fields.get("year") or fields.get("date") or "",
            "doi": doi_of(fields.get("doi"), fields.get("url")), "abstract": fields.get("abstract", ""),
            "journal": fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle", ""),
            "keywords": [k for k in (clean(k) for k in keywords) if k], "notes": fields.get("note", "")}


def _recovered(raw: str) -> dict[str, Any]:
    """What a broken entry still says: its key, title and year (the first of each, read loosely)."""
    from .record_fields import year_of

    found = {}
    for name in ("title", "year", "date", "author", "doi"):
        match = re.search(_FIELD.format(name=name), raw, re.I | re.S)
        if match:
            found[name] = match.group("braced") or match.group("quoted") or match.group("bare") or ""
    key = _KEY.match(raw.lstrip())
    out = _fields(found)
    out["year"] = year_of(found.get("year"), found.get("date"))
    return out | {"key": key.group(1) if key else ""}


def bib_records(text: str) -> Iterator[dict[str, Any]]:
    """Each entry's raw fields with its ``line`` and ``end``; ``partial`` says why a block was read only in part."""
    import bibtexparser

    quiet, logger = _Quiet(), logging.getLogger("bibtexparser")
    logger.addHandler(quiet)
    previous = logger.propagate
    logger.propagate = False
    try:
        library = bibtexparser.parse_string(text, parse_stack=[])
    finally:
        logger.removeHandler(quiet)
        logger.propagate = previous
    blocks = [(e.start_line, e, "") for e in library.entries]
    for block in library.failed_blocks:
        entry = getattr(block, "ignore_error_block", None)
        if entry is not None and hasattr(entry, "fields"):  # a repeated key: the entry itself is whole
            blocks.append((block.start_line, entry, ""))
        else:
            blocks.append((block.start_line, block, _reason(quiet.messages, block.start_line)))
    blocks.sort(key=lambda b: b[0])
    lines = text.splitlines()
    for n, (start, block, broken) in enumerate(blocks):
        raw = getattr(block, "raw", "") or ""
        end = start + 1 + max(raw.rstrip().count("\n"), 0)
        if broken:
            if raw.lstrip()[1:].lstrip().lower().startswith(_SKIP):
                continue
            # bibtexparser stops a broken block where it broke: the entry's text runs on to the next block.
            upto = blocks[n + 1][0] if n + 1 < len(blocks) else len(lines)
            rest = lines[start:upto]
            while rest and not rest[-1].strip():
                rest.pop()
            yield _recovered("\n".join(rest)) | {"line": start + 1, "end": start + max(len(rest), 1), "partial": broken}
            continue
        if block.entry_type.lower() in _SKIP:
            continue
        fields = {f.key.lower(): _unwrap(f.value) for f in block.fields}
        yield _fields(fields) | {"key": block.key.strip(), "line": start + 1, "end": end, "partial": ""}


def _reason(messages: list[str], start_line: int) -> str:
    # bibtexparser logs 0-based lines: "... block (line 5) aborted on line 7 due to ...".
    for message in messages:
        match = re.search(rf"\(line {start_line}\) aborted on line (\d+) due to (.*)", message, re.S)
        if match:
            return f"the BibTeX entry is broken near line {int(match.group(1)) + 1} (" + " ".join(match.group(2).split()) + ")"
    return "the BibTeX entry could not be parsed"


__all__ = ["bib_records"]
