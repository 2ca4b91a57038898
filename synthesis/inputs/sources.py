"""Tagged source documents: YAML front matter, then the document's text."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import yamlio
from ..common.dates import date_problem
from ..common.problems import COUNTRY_ALIASES, InputError, Problem, suggest
from .door import read_input

CITEKEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
REQUIRED = ("citekey", "type", "role", "tags")
# What a document is to the review; counting rules depend on it (docs/formats.md, "Honest counting").
ROLES = {
    "primary": "reports its own study or data",
    "secondary": "reviews or reports others' studies",
    "commentary": "argues or comments without reporting studies",
    "protocol": "the review's own framing document: quoted to frame the questions, never evidence",
}
OPTIONAL = ("countries", "url", "accessed", "notes")
_FENCE = re.compile(r"^---[ \t]*\r?$", re.M)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
# Starts at the "\n" (a leading "\r?" would be tried at every character, ten times slower); a "\r" before it
# belongs to the break (:func:`structure`).
_BLOCK_BREAK = re.compile(r"\n(?:[ \t]*\r?\n)+")
# Written by `review add-source` where the document's text belongs.
PLACEHOLDER = "<!-- Paste the document's text here, replacing this line. -->"


@dataclass
class Source:
    """A parsed source: its metadata, full text and where its body starts."""

    citekey: str
    path: str
    sha256: str
    text: str
    body_start: int
    meta: dict[str, Any]
    blocks: list[tuple[int, int, str | None]] = field(default_factory=list)  # (start, paragraph no., heading text)
    # A PDF source: ``text`` is its extracted text, ``pages`` the page map
    # (see inputs.pdf_text), ``text_path`` the cached extraction, ``sidecar`` the front matter's file.
    pages: list[dict] | None = None
    text_path: str = ""
    extractor: str = ""
    sidecar: str = ""
    # A PDF source: which page each stretch of ``text`` comes from ([start, end, page index]),
    # the offsets of its line-end hyphens and joins, and warnings about its extraction.
    spans: list[list[int]] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)
    warnings: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        # place() runs once per quote; bisect over precomputed block starts, each block's nearest heading.
        self._starts = [b[0] for b in self.blocks]
        self._headings, heading = [], ""
        for block in self.blocks:
            heading = block[2] if block[2] is not None else heading
            self._headings.append(heading)

    def place(self, offset: int) -> tuple[int, str]:
        """Paragraph number (headings not counted) and nearest heading at ``offset``."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return 1, ""
        return max(self.blocks[i][1], 1), self._headings[i]


def split_front_matter(text: str, path: str) -> tuple[str, int, int]:
    """Return the front matter's YAML, the line it starts on, and the body offset."""
    first = _FENCE.match(text)
    if not first:
        raise InputError([Problem(path, 1, "missing front matter: the file must start with a '---' line, then YAML (citekey, type, tags), then '---'")])
    closing = _FENCE.search(text, first.end())
    if not closing:
        raise InputError([Problem(path, 1, "front matter is not closed: add a '---' line after the YAML")])
    body = closing.end() + (1 if text[closing.end():closing.end() + 1] == "\n" else 0)
    # The YAML starts after the opening fence's newline, i.e. on file line 2.
    return text[first.end() + 1:closing.start()], 2, body


def structure(text: str, body_start: int) -> list[tuple[int, int, str | None]]:
    """Blocks of the body separated by blank lines: (start, paragraph number, heading).

    Headings are not numbered as paragraphs; a heading block carries its text.
    """
    blocks, paragraph, pos = [], 0, body_start
    breaks = [(m.start() - (m.start() > body_start and text[m.start() - 1] == "\r"), m.end())
              for m in _BLOCK_BREAK.finditer(text, body_start)]
    for chunk_end, next_start in breaks + [(len(text), len(text))]:
        chunk = text[pos:chunk_end]
        stripped = chunk.strip()
        if stripped:
            start = pos + (len(chunk) - len(chunk.lstrip()))
            # Only a block starting with "#" can be a heading (no line of it split off for the others).
            heading = None
            if stripped[0] == "#" and "\n" not in stripped:
                heading = _HEADING.match(stripped.splitlines()[0])
            if heading:
                blocks.append((start, paragraph, heading.group(2).strip()))
            else:
                paragraph += 1
                blocks.append((start, paragraph, None))
        pos = next_start
    return blocks


def check_front_matter(meta: Any, node, path: str, first_line: int, bib_keys: set[str] | None = None,
                       countries: list[str] | None = None) -> list[Problem]:
    """Every problem with a source's front matter (a Markdown file's, or a PDF's sidecar)."""
    stem = Path(path).stem
    if not isinstance(meta, dict):
        return [Problem(path, first_line, "front matter must be a mapping with citekey, type and tags")]
    problems = [Problem(path, first_line, f"front matter: missing required key '{key}'" + (f" ({_allowed_roles()})" if key == "role" else ""))
                for key in REQUIRED if key not in meta]
    for key in meta:
        if key not in REQUIRED + OPTIONAL:
            problems.append(Problem(path, yamlio.key_line(node, [], key, first_line), f"front matter: unknown key '{key}': {suggest(str(key), REQUIRED + OPTIONAL)}"))
    line = lambda key: yamlio.line_of(node, [key], first_line)  # noqa: E731
    citekey = meta.get("citekey")
    if "citekey" in meta:
        if not isinstance(citekey, str) or not re.match(CITEKEY_PATTERN, citekey):
            problems.append(Problem(path, line("citekey"), f"citekey {citekey!r} does not match the pattern {CITEKEY_PATTERN}"))
        elif citekey != stem:
            problems.append(Problem(path, line("citekey"), f"citekey '{citekey}' differs from the file name: rename the file to {citekey}{Path(path).suffix} or set citekey: {stem}"))
        elif bib_keys is not None and citekey not in bib_keys:
            problems.append(Problem(path, line("citekey"), f"citekey '{citekey}' has no entry in references.bib: {suggest(citekey, sorted(bib_keys))}"))
    if "role" in meta and meta["role"] in (None, ""):
        problems.append(Problem(path, line("role"), f"role is empty: say what this document is to the review ({_allowed_roles()})"))
    elif "role" in meta and meta["role"] not in ROLES:
        problems.append(Problem(path, line("role"), f"role: unknown role {_shown(meta['role'])}: {suggest(str(meta['role']), list(ROLES))}"))
    if "type" in meta and (not isinstance(meta["type"], str) or not meta["type"].strip()):
        problems.append(Problem(path, line("type"), "type must be a non-empty string, e.g. report"))
    for key in ("tags", "countries"):
        value = meta.get(key)
        if key in meta and (not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value)):
            problems.append(Problem(path, line(key), f"{key} must be a list of strings, e.g. {key}: [a, b] (quote values YAML could read otherwise)"))
        elif key == "countries" and value and countries is not None:
            for v in value:
                if v not in countries:
                    problems.append(Problem(path, line(key), f"countries: unknown value '{v}': {suggest(v, countries, aliases=COUNTRY_ALIASES)}"))
    for key in ("url", "accessed", "notes"):
        if key in meta and not isinstance(meta[key], str):
            problems.append(Problem(path, line(key), f"{key} must be a string (quote it)"))
        elif key == "accessed" and key in meta and meta[key] and date_problem(meta[key]):
            problems.append(Problem(path, line(key), f"accessed: {date_problem(meta[key])} (the day the document was retrieved)"))
    return problems


def parse_source(text: str, path: str, sha256: str, bib_keys: set[str] | None = None, countries: list[str] | None = None) -> Source:
    """Parse one source file's text; raise :class:`InputError` with every problem."""
    yaml_text, first_line, body_start = split_front_matter(text, path)
    meta, node = yamlio.load(yaml_text, path, first_line)
    problems = check_front_matter(meta, node, path, first_line, bib_keys, countries)
    if not isinstance(meta, dict):
        raise InputError(problems)
    marker = text.find(PLACEHOLDER, body_start)
    if not text[body_start:].strip():
        problems.append(Problem(path, text.count("\n", 0, body_start) + 1, "the source has no text after its front matter: paste the document's text below the closing '---'"))
    elif marker >= 0:
        problems.append(Problem(path, text.count("\n", 0, marker) + 1, "the document's text is missing: replace the placeholder line with the document's text"))
    if problems:
        raise InputError(problems)
    return Source(meta["citekey"], path, sha256, text, body_start, meta, structure(text, body_start))


def _allowed_roles() -> str:
    return "allowed: " + "; ".join(f"{name} ({what})" for name, what in ROLES.items())


def _shown(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def load_source(path: str, bib_keys: set[str] | None = None, countries: list[str] | None = None) -> Source:
    """Read and parse one source file."""
    text, sha = read_input(path)
    return parse_source(text, path, sha, bib_keys, countries)


__all__ = ["CITEKEY_PATTERN", "PLACEHOLDER", "ROLES", "Source", "check_front_matter", "load_source", "parse_source", "split_front_matter", "structure"]
