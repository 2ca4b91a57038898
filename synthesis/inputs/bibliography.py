"""The bibliography (``sources/references.bib``): parse, check, short citations."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from ..common.problems import InputError, Problem, raise_if_any
from ..common.textio import read_text

# Common LaTeX in BibTeX fields; enough for short citations and tables.
# The reference list itself is rendered by pandoc, which decodes LaTeX fully.
_ACCENTS = {"`": "\u0300", "'": "\u0301", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328"}
_ACCENT_RX = re.compile(r"\\([`'^\"~=.uvHck])\s*\{?\\?([A-Za-z])\}?")


@dataclass(frozen=True)
class BibEntry:
    """One bibliography entry, with fields as written (LaTeX undecoded)."""

    key: str
    entry_type: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def year(self) -> str:
        """The year, from ``year`` or the start of a BibLaTeX ``date``; '' when absent."""
        match = re.match(r"\s*(\d{4})", self.fields.get("year") or self.fields.get("date") or "")
        return match.group(1) if match else ""

    @property
    def title(self) -> str:
        """The title as plain text."""
        return plain(self.fields.get("title", ""))

    def names(self) -> list[str]:
        """Authors (else editors) as written, plain text; a corporate name whole."""
        names = self.fields.get("author") or self.fields.get("editor") or ""
        return [plain(n) for n in _split_names(names)] if names.strip() else []

    def surnames(self) -> list[str]:
        """Family names of the authors (else editors); corporate names whole."""
        names = self.fields.get("author") or self.fields.get("editor") or ""
        return [_surname(n) for n in _split_names(names)] if names.strip() else []

    def citation(self) -> str:
        """Short narrative citation, e.g. ``Green and Sissons (2023)``."""
        names = self.surnames()
        if not names:
            who = self.fields.get("organization") or self.fields.get("institution") or self.fields.get("publisher") or self.title
            names = [plain(who)] if who else [self.key]
        if len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        return f"{who} ({self.year or 'n.d.'})"


def plain(value: str) -> str:
    """LaTeX-ish BibTeX field text to plain Unicode (braces dropped)."""
    import unicodedata

    value = _ACCENT_RX.sub(lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)]), value)
    value = value.replace("\\&", "&").replace("~", "\u00a0").replace("--", "\u2013")
    value = re.sub(r"\\[A-Za-z]+\s*", "", value)
    return re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")).strip()


def _split_names(names: str) -> list[str]:
    """Split an author list on ``and`` outside braces."""
    parts, depth, current = [], 0, []
    for token in re.split(r"(\{|\}|\s+and\s+)", names):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        if depth == 0 and re.fullmatch(r"\s+and\s+", token or ""):
            parts.append("".join(current))
            current = []
        else:
            current.append(token)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _surname(name: str) -> str:
    if name.startswith("{") and name.endswith("}"):
        return plain(name)  # corporate author, e.g. {Learning and Work Institute}
    if "," in name:
        return plain(name.split(",")[0])
    words = name.split()
    # "First von Last": the family name starts at the first lower-case particle.
    for i, word in enumerate(words[:-1]):
        if word[:1].islower():
            return plain(" ".join(words[i:]))
    return plain(words[-1])


class _Capture(logging.Handler):
    """bibtexparser reports why a block failed only through logging."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def parse_bibliography(text: str, path: str) -> dict[str, BibEntry]:
    """Parse BibTeX text; raise :class:`InputError` for malformed or duplicate entries."""
    import bibtexparser

    capture = _Capture()
    logger = logging.getLogger("bibtexparser")
    logger.addHandler(capture)
    try:
        library = bibtexparser.parse_string(text)
    finally:
        logger.removeHandler(capture)
    problems = []
    for block in library.failed_blocks:
        line = block.start_line + 1
        if hasattr(block, "previous_block"):  # DuplicateBlockKeyBlock
            first = block.previous_block.start_line + 1
            problems.append(Problem(path, line, f"duplicate key '{block.key}' (first defined on line {first}); keys must be unique"))
        else:
            problems.append(Problem(path, line, f"malformed BibTeX entry: {_logged_reason(capture.messages, block.start_line)}"))
    raise_if_any(problems)
    return {
        e.key: BibEntry(e.key, e.entry_type.lower(), e.start_line + 1, {f.key.lower(): str(f.value) for f in e.fields})
        for e in library.entries
    }


def _logged_reason(messages: list[str], start_line: int) -> str:
    # bibtexparser logs 0-based lines: "... block (line 5) aborted on line 7 due to ...".
    for message in messages:
        match = re.search(rf"\(line {start_line}\) aborted on line (\d+) due to (.*)", message, re.S)
        if match:
            return f"broken near line {int(match.group(1)) + 1}: " + " ".join(match.group(2).split())
    return "could not be parsed"


def load_bibliography(path: str) -> tuple[dict[str, BibEntry], str]:
    """Read and parse the bibliography file; return entries and the file's SHA-256."""
    text, sha = read_text(path)
    return parse_bibliography(text, path), sha


__all__ = ["BibEntry", "InputError", "load_bibliography", "parse_bibliography", "plain"]
