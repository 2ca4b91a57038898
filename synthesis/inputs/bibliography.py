"""The bibliography (``sources/references.bib``): parse, check, short citations."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..common.problems import InputError, Problem, raise_if_any, warning
from .door import read_input

# Fields that citeproc (pandoc's BibTeX reader) splits at an unbraced "and": name lists, and the
# literal lists of BibLaTeX (institution = {Learning and Work Institute} -> "Learning; Work Institute").
NAME_FIELDS = ("author", "editor")
LIST_FIELDS = ("institution", "organization", "publisher")
# Lower-case words that start a family name ("van der Berg"); other lower-case words in a split-off
# name ("Department for Work") mean a corporate name was split.
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "dos", "du", "la", "le", "ten", "ter", "zu", "y", "d'", "al", "el", "bin", "ibn"}
_ORGANISATION_WORDS = {"department", "ministry", "institute", "office", "council", "agency", "foundation", "commission", "university",
                       "centre", "center", "trust", "association", "society", "organisation", "organization", "government", "committee",
                       "board", "service", "services", "group", "authority", "fund", "bank", "network", "partnership", "unit", "union"}


@dataclass(frozen=True)
class BibEntry:
    """One bibliography entry, with fields as written (LaTeX undecoded)."""

    key: str
    entry_type: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    field_lines: dict[str, int] = field(default_factory=dict, compare=False)

    @property
    def year(self) -> str:
        """The year, from ``year`` or the start of a BibLaTeX ``date``; '' when absent."""
        match = re.match(r"\s*(\d{4})", self.fields.get("year") or self.fields.get("date") or "")
        return match.group(1) if match else ""

    @property
    def title(self) -> str:
        """The title as plain text."""
        return plain(self.fields.get("title", ""))

    @property
    def short_title(self) -> str:
        """The title a work without author or editor is cited by in text: its ``shorttitle``, else ''."""
        if (self.fields.get("author") or self.fields.get("editor") or "").strip():
            return ""
        return plain(self.fields.get("shorttitle", ""))

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
            who = self.fields.get("organization") or self.fields.get("institution") or self.fields.get("publisher") or self.short_title or self.title
            names = [plain(who)] if who else [self.key]
        if names[-1] == "others":  # BibTeX's "and others": citeproc writes "et al."
            who = f"{names[0]} et al."
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        return f"{who} ({self.year or 'n.d.'})"


def plain(value: str) -> str:
    """BibTeX field text (LaTeX) to plain Unicode: ``{\\O}deg{\\aa}rd`` -> "Ødegård", braces dropped."""
    if not any(ch in value for ch in "\\{}~$-%"):
        return " ".join(value.split())  # most fields: no LaTeX at all
    return " ".join(_latex_to_text(value).split())


@lru_cache(maxsize=1)
def _converter():
    from pylatexenc.latex2text import LatexNodes2Text

    # Math is kept as written; a lone "%" is a percent sign in a title, not a comment.
    return LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def _latex_to_text(value: str) -> str:
    return _converter().latex_to_text(re.sub(r"(?<!\\)%", r"\\%", value))


def _split_names(names: str) -> list[str]:
    """A name list split on ``and`` outside braces (bibtexparser's splitter, as BibTeX does it)."""
    from bibtexparser.middlewares.names import split_multiple_persons_names

    return [n.strip() for n in split_multiple_persons_names(names) if n.strip()]


def _surname(name: str) -> str:
    """The family name as pandoc's citeproc shows it in a citation: the last name, without the
    particle (BibLaTeX reads ``van der Berg, Anna`` with a dropping particle: "Berg"); a braced
    corporate name (``{Learning and Work Institute}``) whole."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    parts = parse_single_name_into_parts(name, strict=False)
    return plain(" ".join(parts.last)) or plain(name)


def _looks_corporate(name: str) -> bool:
    # "Jones and Carson" and "Hughes and others" are people; "Department for Work" is not.
    words = re.findall(r"[^\s{}]+", name)
    if "," in name or not words or name.strip() == "others":
        return False
    lowered = [w for w in words[:-1] if w[:1].islower() and w.lower() not in _PARTICLES]
    return bool(lowered) or any(w.lower().strip(".,") in _ORGANISATION_WORDS for w in words)


def _braced(name: str) -> bool:
    """The whole name is one brace group, e.g. ``{Department for Education}``."""
    name = name.strip()
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for n, char in enumerate(name):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and n < len(name) - 1:
            return False
    return True


def split_name_warnings(entry: BibEntry, path: str) -> list[Problem]:
    """Warnings for a corporate name citeproc will cut at an unbraced "and"
    (``institution = {Department for Work and Pensions}``): brace it to keep it whole."""
    found = []
    for name in NAME_FIELDS + LIST_FIELDS:
        value = entry.fields.get(name, "")
        parts = _split_names(value) if re.search(r"\sand\s", value) else []
        # Braced parts ({A} and {B}) are organisations named apart on purpose: two authors, not one cut in two.
        if len(parts) < 2 or all(_braced(p) for p in parts) or (name in NAME_FIELDS and not any(_looks_corporate(p) and not _braced(p) for p in parts)):
            continue
        shown = "; ".join(f'"{plain(p)}"' for p in parts)
        found.append(warning(path, entry.field_lines.get(name, entry.line), "UNBRACED_CORPORATE_NAME",
                             f"{entry.key}: {name} = {{{plain(value)}}} will be read as {len(parts)} {'names' if name in NAME_FIELDS else 'parts'} ({shown}); "
                             f"if it is one organisation, brace it: {name} = {{{{{value.strip()}}}}}"))
    return found


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")  # BibTeX's built-in macros


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
    from bibtexparser.middlewares import RemoveEnclosingMiddleware, ResolveStringReferencesMiddleware

    try:
        # Braces are removed only after the check below: a bare word is an @string macro.
        library = bibtexparser.parse_string(text, parse_stack=[ResolveStringReferencesMiddleware(True)])
    finally:
        logger.removeHandler(capture)
    problems = []
    for entry in library.entries:
        if not entry.key.strip():
            problems.append(Problem(path, entry.start_line + 1, f"@{entry.entry_type} entry without a key: write one after the brace, e.g. @{entry.entry_type}{{smith2024,"))
        for f in entry.fields:
            value = f.value.strip() if isinstance(f.value, str) else ""
            if value and value[0] not in "{\"" and not value.isdigit() and value.lower() not in _MONTHS:
                what = "joins strings with #, which is not supported" if "#" in value else f"'{value}' is not a defined @string macro"
                problems.append(Problem(path, entry.start_line + 1, f"{entry.key}: field {f.key} = {value}: {what}; put the text in braces: {f.key} = {{...}}"))
    problems += macro_problems(library.strings, path) + date_field_problems(library.entries, path)
    library = RemoveEnclosingMiddleware(True).transform(library)
    for block in library.failed_blocks:
        line = block.start_line + 1
        if hasattr(block, "previous_block") and not block.key.strip():
            problems.append(Problem(path, line, "entry without a key: write one after the brace, e.g. @report{smith2024,"))
        elif hasattr(block, "previous_block"):  # DuplicateBlockKeyBlock
            first = block.previous_block.start_line + 1
            problems.append(Problem(path, line, f"duplicate key '{block.key}' (first defined on line {first}); keys must be unique"))
        else:
            problems.append(Problem(path, line, f"malformed BibTeX entry: {_logged_reason(capture.messages, block.start_line)}"))
    raise_if_any(problems)
    return {
        e.key: BibEntry(e.key, e.entry_type.lower(), e.start_line + 1, {f.key.lower(): str(f.value) for f in e.fields},
                        {f.key.lower(): f.start_line + 1 for f in e.fields})
        for e in library.entries
    }


# How bibtexparser and pandoc's reader both read a macro: @string{name = {text}} (or "text", or a number), the
# name a letter, then letters, digits, _ or - (pandoc refuses "a.b"). Anything else (an empty name, a second
# definition, a month redefined, several macros in one block) the two read differently, or pandoc not at all.
_MACRO = re.compile(r'(?is)^@string\s*\{\s*([a-z][a-z0-9_-]*)\s*=\s*(\{.*\}|"[^"]*"|\d+)\s*\}$')


def macro_problems(strings, path: str) -> list[Problem]:
    """Every ``@string`` definition that BibTeX, bibtexparser and pandoc would not read alike."""
    problems, first = [], {}
    for block in strings:
        line, raw = block.start_line + 1, " ".join(block.raw.split())
        match = _MACRO.match(block.raw.strip())
        if not match or not _balanced(match.group(2)):
            problems.append(Problem(path, line, f"@string macro not understood: {raw[:80]}: write one macro per @string, "
                                                'as @string{name = {text}}, the name a letter followed by letters, digits, _ or -'))
            continue
        name = match.group(1).lower()
        if name in _MONTHS:
            problems.append(Problem(path, line, f"@string{{{match.group(1)} = ...}} redefines the month abbreviation '{name}': choose another name"))
        elif name in first:
            problems.append(Problem(path, line, f"@string macro '{match.group(1)}' is defined twice (first on line {first[name]}; "
                                                "names ignore case): keep one"))
        first.setdefault(name, line)
    return problems


def _balanced(value: str) -> bool:
    """A braced value whose braces pair up inside (``{a} # {b}`` is two values, not one)."""
    if not value.startswith("{"):
        return True
    depth = 0
    for n, char in enumerate(value):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and n < len(value) - 1 or depth < 0:
            return False
    return depth == 0


DATE_FIELDS = ("date", "urldate", "eventdate", "origdate")  # BibLaTeX's date fields (ISO 8601, as pandoc reads them)
_BIB_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def date_field_problems(entries, path: str) -> list[Problem]:
    """BibLaTeX date fields that are not a real date: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``, or a range ``a/b``."""
    from ..common.dates import date_problem

    problems = []
    for entry in entries:
        for f in entry.fields:
            if f.key.lower() not in DATE_FIELDS or not isinstance(f.value, str):
                continue
            value = f.value.strip()
            value = value[1:-1].strip() if value[:1] in "{\"" and len(value) > 1 else value
            parts = value.split("/") if "/" in value else [value]
            bad = [p for p in parts if p and (not _BIB_DATE.match(p) or date_problem((p + "-01-01")[:10]))]
            if bad or not any(parts):
                problems.append(Problem(path, f.start_line + 1, f"{entry.key}: {f.key} = {{{value}}} is not a real date: write "
                                                               "YYYY-MM-DD (or YYYY-MM, or YYYY; a range as 2020-01/2020-03)"))
    return problems


def _logged_reason(messages: list[str], start_line: int) -> str:
    # bibtexparser logs 0-based lines: "... block (line 5) aborted on line 7 due to ...".
    for message in messages:
        match = re.search(rf"\(line {start_line}\) aborted on line (\d+) due to (.*)", message, re.S)
        if match:
            return f"broken near line {int(match.group(1)) + 1}: " + " ".join(match.group(2).split())
    return "could not be parsed"


def load_bibliography(path: str) -> tuple[dict[str, BibEntry], str]:
    """Read and parse the bibliography file; return entries and the file's SHA-256."""
    text, sha = read_input(path)
    return parse_bibliography(text, path), sha


__all__ = ["BibEntry", "InputError", "load_bibliography", "parse_bibliography", "plain", "split_name_warnings"]
