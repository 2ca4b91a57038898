"""Tagged exports, one field per line: RIS, Web of Science plain text, PubMed/MEDLINE (.nbib) and Ovid.

The file is cut into records here, so each keeps its lines and one broken record never swallows the next
(rispy alone would read a record without ``ER`` into its neighbour, and drop a last record without it);
each record's lines are then read by rispy, with its own RIS and Web of Science mappings and a MEDLINE
and an Ovid mapping in rispy's documented way (a parser subclass with its tag table). ``nbib`` on PyPI
stopped in 2021 and refuses a whole file for one odd line, so it is not used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import rispy

from .tagged_fields import FIELDS, fields_of

_RIS_TAG = re.compile(r"^\s{0,2}([A-Z][A-Z0-9])  -(?: ?(.*))?$")
_WOS_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_MEDLINE_TAG = re.compile(r"^([A-Z][A-Z0-9]{1,3}) {0,3}- ?(.*)$")
_TITLES = {"TI", "T1", "CT", "BT"}
_OVID_START = re.compile(r"^<\s*\d+\.?\s*>\s*$")


class MedlineParser(rispy.RisParser):
    """PubMed's MEDLINE/.nbib format: four-character tags (``PMID-``, ``FAU -``), continuations indented."""

    START_TAG = "TY"  # a record is handed over framed by TY and ER (MEDLINE has neither)
    DEFAULT_MAPPING = {"TY": "type_of_reference", "ER": "end_of_reference", "UK": "unknown_tag", "PMID": "pmid",
                       "TI": "title", "BTI": "book_title", "TT": "transliterated_title", "AB": "abstract",
                       "FAU": "full_authors", "AU": "authors", "CN": "corporate_author", "DP": "date",
                       "DEP": "electronic_date", "LID": "location_id", "AID": "article_id", "JT": "journal",
                       "TA": "journal_abbreviation", "SO": "source", "OT": "other_terms", "MH": "mesh_terms",
                       "OID": "other_id", "OWN": "owner"}
    DEFAULT_LIST_TAGS = ["FAU", "AU", "CN", "AID", "LID", "OT", "MH"]
    DEFAULT_DELIMITER_MAPPING: dict = {}

    def parse_line(self, line: str):
        match = _MEDLINE_TAG.match(line)
        return (match.group(1), match.group(2).strip()) if match else (None, line.strip())


class OvidParser(rispy.RisParser):
    """Ovid's own tagged export (``VN  - Ovid Technologies``): RIS-like tags, records numbered ``<1. >``."""

    DEFAULT_MAPPING = {"TY": "type_of_reference", "ER": "end_of_reference", "UK": "unknown_tag", "UI": "id",
                       "AN": "accession_number", "TI": "title", "AU": "authors", "AB": "abstract", "YR": "year",
                       "PD": "date", "DP": "date", "DO": "doi", "JN": "journal", "JT": "journal", "SO": "source",
                       "KW": "keywords", "MH": "headings", "ID": "identifiers", "DB": "database"}
    DEFAULT_LIST_TAGS = ["AU", "KW", "MH"]
    DEFAULT_DELIMITER_MAPPING: dict = {}


@dataclass(frozen=True)
class Chunk:
    """One record's lines: ``(line number, tag, value)``; tag None for a continuation line."""

    start: int
    end: int
    fields: list[tuple[int, str | None, str]]
    partial: str = ""
    orphan: bool = False  # neither opened nor closed by its tags: fields after a record's end, or a record's remains


def _chunks(lines: list[str], tag_of: Callable[[str], tuple[str, str] | None], starts: Callable[[str, str], bool],
            end_tag: str, continued: Callable[[str], bool], name: str, blank_ends: bool = False,
            ignore: tuple[str, ...] = ()) -> Iterator[Chunk]:
    """Cut ``lines`` into records: a start tag opens one, ``end_tag`` (or a blank line) closes it."""
    current: list[tuple[int, str | None, str]] = []
    start, partial, odd = 0, "", []

    def close(end: int, why: str = "") -> Chunk:
        reasons = [r for r in (partial, why) if r] + ([f"line {odd[0]} is not a {name} field"] if odd else [])
        return Chunk(start, end, list(current), "; ".join(reasons), bool(partial) and bool(why))

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if current and blank_ends:
                yield close(number - 1)
                current, odd = [], []
            continue
        parsed = tag_of(line)
        if parsed is None:
            if current:  # kept as the last field's text; a format that indents them says where one is not
                current.append((number, None, line.strip()))
                if not continued(line):
                    odd.append(number)
            continue  # text between records: a header ("Provider: JSTOR"), a record number ("2.")
        tag, value = parsed
        if tag in ignore:
            continue
        if starts(tag, value):
            if current:
                yield close(number - 1, f"no {end_tag} line before the next record (line {number})" if end_tag else "")
            current, start, partial, odd = [], number, "", []
        elif not current:  # in MEDLINE a blank line is what ends a record: any tag may open the next
            start, partial, odd = number, "" if blank_ends else f"no {_start_name(name)} line: the record starts with {tag}", []
        if end_tag and tag == end_tag:
            yield close(number)
            current, odd = [], []
            continue
        current.append((number, tag, value))
    if current:
        yield close(len(lines), f"the file ends before its {end_tag} line" if end_tag else "")


def _ris_records(lines: list[str]) -> tuple[list[tuple[int, int, str]], list[str]]:
    """RIS cut into records by its TY and ER lines in one pass: each record's first and last line and why
    it is not whole, and the lines rispy is to read (a missing TY or ER put in, a tag indented by a space or
    two moved to the margin, blank lines and text between records left out)."""
    spans: list[tuple[int, int, str]] = []
    out: list[str] = []
    start, pending, pending_start, titled = 0, [], 0, False

    def orphan(end: int, why: str) -> None:  # tagged lines outside a record, closed by ER, a TY or the end
        nonlocal pending, titled
        if pending and (why == "" or titled):  # Ovid's "NL  - ..." after an ER is no record of its own
            out.extend(["TY  - ", *pending, "ER  - "])
            reason = f"no TY line: the record starts with {pending[0][:2]}" + (f"; {why}" if why else "")
            spans.append((pending_start, end, reason))
        pending, titled = [], False

    for number, line in enumerate(lines, start=1):
        if not line or line.isspace():
            continue
        if line[0] == " " and _RIS_TAG.match(line):
            line = line.lstrip()
        if line.startswith("TY  -"):
            if start:
                out.append("ER  - ")
                spans.append((start, number - 1, f"no ER line before the next record (line {number})"))
            elif pending:
                orphan(number - 1, f"no ER line before the next record (line {number})")
            start = number
            out.append(line)
        elif line.startswith("ER  -"):
            if start:
                out.append(line)
                spans.append((start, number, ""))
                start = 0
            elif pending:
                orphan(number, "")
        elif start:
            out.append(line)
        elif line[2:5] == "  -" and line[:2].isupper() and line[:1].isalpha():
            if not pending:
                pending_start = number
            pending.append(line)
            titled = titled or line[:2] in _TITLES
        elif pending:
            pending.append(line)
    if start:
        out.append("ER  - ")
        spans.append((start, len(lines), "the file ends before its ER line"))
    elif pending:
        orphan(len(lines), "the file ends before its ER line")
    return spans, out


def _start_name(name: str) -> str:
    return {"RIS": "TY", "Web of Science plain text": "PT", "PubMed/MEDLINE": "PMID", "Ovid": "record number"}.get(name, "start")


def _ris_tag(line: str):
    if line[2:5] == "  -" and line[:1].isalpha():  # the usual "TI  - Title": no regular expression
        return (line[:2], line[6:].strip()) if line[:2].isupper() and line[5:6] in (" ", "") else None
    match = _RIS_TAG.match(line)
    return (match.group(1), (match.group(2) or "").strip()) if match else None


def _wos_tag(line: str):
    if line.startswith("   ") or len(line) < 2:
        return None
    match = _WOS_TAG.match(line.rstrip())
    return (match.group(1), (match.group(2) or "").strip()) if match else None


def _medline_tag(line: str):
    match = _MEDLINE_TAG.match(line)
    return (match.group(1), match.group(2).strip()) if match and not line.startswith(" ") else None


def _ovid_tag(line: str):
    if _OVID_START.match(line):
        return ("<>", line.strip())
    return _ris_tag(line) if not line.startswith("   ") else None


def _framed(chunk: Chunk, start: str, end: str, fmt: str = "{tag}  - {value}") -> list[str]:
    lines = [] if chunk.fields and chunk.fields[0][1] == start else [fmt.format(tag=start, value="")]
    lines += [fmt.format(tag=tag, value=value) if tag else "      " + value for _n, tag, value in chunk.fields]
    return lines + [fmt.format(tag=end, value="")]


_RIS = rispy.RisParser(enforce_list_tags=False)
_WOS = rispy.WokParser(enforce_list_tags=False, skip_unknown_tags=True)  # its mapping has no unknown-tag key
_MEDLINE = MedlineParser(enforce_list_tags=False)
_OVID = OvidParser(enforce_list_tags=False)


@dataclass(frozen=True)
class TaggedFormat:
    name: str
    tag_of: Callable[[str], tuple[str, str] | None]
    starts: Callable[[str, str], bool]
    end_tag: str
    continued: Callable[[str], bool]
    frame: Callable[[Chunk], list[str]]
    parser: rispy.RisParser
    blank_ends: bool = False
    ignore: tuple[str, ...] = ()


FORMATS = {
    "ris": TaggedFormat("RIS", _ris_tag, lambda tag, _v: tag == "TY", "ER", lambda line: True,
                        lambda c: _framed(c, "TY", "ER"), _RIS),
    "wos": TaggedFormat("Web of Science plain text", _wos_tag, lambda tag, _v: tag == "PT", "ER", lambda line: line.startswith("  "),
                        lambda c: _framed(c, "PT", "ER", "{tag} {value}"), _WOS, ignore=("FN", "VR", "EF")),
    "medline": TaggedFormat("PubMed/MEDLINE", _medline_tag, lambda tag, _v: tag == "PMID", "", lambda line: line.startswith("  "),
                            lambda c: _framed(c, "TY", "ER", "{tag:<4}- {value}"), _MEDLINE, blank_ends=True),
    "ovid": TaggedFormat("Ovid", _ovid_tag, lambda tag, _v: tag == "<>", "", lambda line: True,
                         lambda c: _framed(Chunk(c.start, c.end, [f for f in c.fields if f[1] != "<>"]), "TY", "ER"),
                         _OVID),
}


def read_tagged(text: str, kind: str) -> Iterator[tuple[Chunk, dict[str, Any]]]:
    """Each record of a tagged export as its chunk of lines and its fields (raw values, not yet cleaned)."""
    spec = FORMATS[kind]
    lines = text.splitlines()
    if kind == "ris":  # rispy reads the whole file at once, its records already cut and mended
        spans, mended = _ris_records(lines)
        entries = _RIS.parse_lines(iter(mended))
        for (start, end, partial), entry in zip(spans, entries):
            yield Chunk(start, end, [], partial), fields_of(entry, kind)
        return
    # Web of Science's file header (FN, VR) and end (EF) are not fields of a record.
    for chunk in _chunks(lines, spec.tag_of, spec.starts, spec.end_tag, spec.continued, spec.name, spec.blank_ends, spec.ignore):
        if chunk.orphan and not any(tag in _TITLES for _n, tag, _v in chunk.fields):
            continue  # Ovid writes "NL  - ..." after a record's ER: no record of its own
        entries = spec.parser.parse_lines(iter(spec.frame(chunk)))
        yield chunk, fields_of(entries[0] if entries else {}, kind)


__all__ = ["FIELDS", "FORMATS", "MedlineParser", "OvidParser", "fields_of", "read_tagged"]
