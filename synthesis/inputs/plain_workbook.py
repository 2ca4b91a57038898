"""The first sheet of a plain workbook, read with the standard library: cell values as openpyxl reads them.

Importing openpyxl costs about 0.2 CPU s a process and opening a workbook with it ~13 ms (styles, theme,
properties), more than reading a coded sheet's cells. A coded sheet is plain: text and numbers. This reads
such a sheet's cells from its XML, exactly as openpyxl (read-only, not data-only) gives them, and gives up
(:class:`NotPlain`) on anything whose value openpyxl would make otherwise or that it does not know for sure:
a formula, an error or ISO date cell, a number in a date or custom format, a DTD, rows out of order, a part
it cannot find. The caller then reads the workbook with openpyxl, as before. tests/test_plain_workbook.py
compares the two on real workbooks made by Excel, LibreOffice and other programs.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import Iterator
from xml.etree.ElementTree import XMLPullParser

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
OFFICE_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
# The workbook part's content types, in the order openpyxl looks for them.
WORKBOOK_TYPES = tuple(f"application/vnd.{kind}.main+xml" for kind in (
    "ms-excel.template.macroEnabled", "openxmlformats-officedocument.spreadsheetml.template",
    "ms-excel.sheet.macroEnabled", "openxmlformats-officedocument.spreadsheetml.sheet"))
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
STYLES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
# Built-in number formats that are not dates or times: openpyxl gives such a cell's number as it is.
PLAIN_FORMATS = frozenset({0, 1, 2, 3, 4, 9, 10, 11, 12, 13, 37, 38, 39, 40, 48, 49})
NUMBER_CODE = re.compile(r"[0#?.,%Ee+\- ]+$")
CHUNK = 1 << 16


class NotPlain(Exception):
    """The workbook holds something only openpyxl should read."""


def _xml(archive: zipfile.ZipFile, name: str, events=("start", "end")) -> Iterator[tuple[str, object]]:
    """(event, element) of a part, read in chunks; a DTD (where entities are declared) is not plain."""
    try:
        handle = archive.open(name)
    except KeyError:
        raise NotPlain(f"no part {name}") from None
    parser = XMLPullParser(events)
    with handle:
        while chunk := handle.read(CHUNK):
            if b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk:
                raise NotPlain("a DTD")
            parser.feed(chunk)
            yield from parser.read_events()
    parser.close()
    yield from parser.read_events()


def _elements(archive: zipfile.ZipFile, name: str) -> Iterator[object]:
    """Each element of a part when it ends."""
    for _event, element in _xml(archive, name, ("end",)):
        yield element


def _target(part: str, target: str) -> str:
    """A relationship's target as a zip name (relative to its part's folder unless absolute)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, zip name of the target)."""
    name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    return {e.get("Id"): (e.get("Type"), _target(part, e.get("Target", "")))
            for e in _elements(archive, name) if e.tag == f"{RELS}Relationship"}


def _text(element) -> str | None:
    """What openpyxl's Text.content gives: the plain <t>, then each run's <t> (phonetic runs left out)."""
    snippets = []
    plain = element.find(f"{MAIN}t")
    if plain is not None and plain.text is not None:
        snippets.append(plain.text)
    for run in element.findall(f"{MAIN}r"):
        t = run.find(f"{MAIN}t")
        if t is not None and t.text is not None:
            snippets.append(t.text)
    return "".join(snippets)


def _shared_strings(archive: zipfile.ZipFile, name: str | None) -> list[str]:
    if name is None:
        return []
    strings = []
    for element in _elements(archive, name):
        if element.tag == f"{MAIN}si":
            strings.append(_text(element).replace("x005F_", ""))
            element.clear()
    return strings


def _plain_code(code: str) -> bool:
    """A number format of the workbook's own that cannot show a date or time: ``General`` (LibreOffice defines
    it as format 164), or digits' placeholders, separators, percent and exponent only (``#,##0.00``)."""
    return code.lower() == "general" or bool(NUMBER_CODE.match(code))


def _number_formats(archive: zipfile.ZipFile, name: str | None) -> tuple[list[int], frozenset[int]]:
    """Each cell style's number format id, and the ids of formats that cannot show a date or time (the
    built-in ones, as the workbook may define them again, and its own)."""
    if name is None:
        return [], PLAIN_FORMATS
    formats, plain, in_xfs = [], set(PLAIN_FORMATS), False
    for event, element in _xml(archive, name):
        if element.tag == f"{MAIN}cellXfs":
            in_xfs = event == "start"
        elif event == "end" and element.tag == f"{MAIN}numFmt":
            number_format = int(element.get("numFmtId", "0"))
            if _plain_code(element.get("formatCode", "")):
                plain.add(number_format)
            else:
                plain.discard(number_format)
        elif event == "end" and in_xfs and element.tag == f"{MAIN}xf":
            formats.append(int(element.get("numFmtId", "0")))
    return formats, frozenset(plain)


def _parts(archive: zipfile.ZipFile) -> tuple[str, str | None, str | None]:
    """The workbook's first sheet's part, the shared strings' and the styles' (found as openpyxl
    finds them: the workbook and shared strings by content type, the sheet and styles by relationship)."""
    overrides: dict[str, str] = {}
    for e in _elements(archive, "[Content_Types].xml"):
        if e.tag == f"{TYPES}Override":
            overrides.setdefault(e.get("ContentType"), e.get("PartName", "")[1:])  # the first of a type
    workbook = next((overrides[t] for t in WORKBOOK_TYPES if t in overrides), None)
    if workbook is None:
        raise NotPlain("no workbook part")
    rels = _rels(archive, workbook)
    known, first = set(archive.namelist()), None
    for e in _elements(archive, workbook):
        rid = e.get(f"{OFFICE_RELS}id") if e.tag == f"{MAIN}sheet" else None
        if rid is None:  # openpyxl leaves out a sheet without one
            continue
        if rid not in rels:
            raise NotPlain("a sheet without its relationship")
        if rels[rid][1] in known:
            first = rels[rid]
            break
    if first is None or first[0] != WORKSHEET_REL:  # a chart sheet first, or a strict-namespace workbook
        raise NotPlain("the first sheet is not a worksheet")
    styles = next((name for kind, name in rels.values() if kind == STYLES_REL), None)
    return first[1], overrides.get(SHARED_STRINGS_TYPE), styles


def _column(reference: str) -> int:
    letters = reference.rstrip("0123456789")
    number = 0
    for letter in letters:
        if not "A" <= letter <= "Z":
            raise NotPlain(f"a cell reference {reference}")
        number = number * 26 + ord(letter) - 64
    if not number:
        raise NotPlain(f"a cell reference {reference}")
    return number


def _number(value: str) -> int | float:
    return float(value) if "." in value or "E" in value or "e" in value else int(value)


def plain_rows(path: str) -> Iterator[tuple[int, list[object]]]:
    """The first sheet's rows as openpyxl's read-only ``iter_rows`` gives them after ``reset_dimensions``:
    ``(row number, values)``, a missing row as no values, a missing cell as None. Raises :class:`NotPlain`,
    possibly after some rows, for a workbook only openpyxl should read."""
    with zipfile.ZipFile(path) as archive:
        sheet, strings_part, styles_part = _parts(archive)
        strings = _shared_strings(archive, strings_part)
        formats, plain = _number_formats(archive, styles_part)
        row_number, counter = 0, 1  # the row read, and the next row to give
        for element in _elements(archive, sheet):
            if element.tag != f"{MAIN}row":
                continue
            row_number = int(element.get("r")) if element.get("r") else row_number + 1
            if row_number < counter:  # openpyxl would leave the row out
                raise NotPlain("rows out of order")
            while counter < row_number:  # rows not in the file are empty
                yield counter, []
                counter += 1
            cells, column = {}, 0
            for cell in element.findall(f"{MAIN}c"):
                reference = cell.get("r")
                column = _column(reference) if reference else column + 1
                cells[column] = _value(cell, strings, formats, plain)
            element.clear()
            # As wide as the last cell's column (openpyxl's width of a row); an empty row has no values.
            yield row_number, [cells.get(i) for i in range(1, column + 1)] if cells else []
            counter = row_number + 1


def _value(cell, strings: list[str], formats: list[int], plain: frozenset[int]) -> object:
    kind = cell.get("t", "n")
    if cell.find(f"{MAIN}f") is not None or kind not in ("n", "s", "str", "b", "inlineStr"):
        raise NotPlain("a formula, an error or a date cell")
    if kind == "inlineStr":
        text = cell.find(f"{MAIN}is")
        return _text(text) if text is not None else None
    value = cell.findtext(f"{MAIN}v", None) or None
    if value is None:
        return None
    if kind == "s":
        index = int(value)
        if not 0 <= index < len(strings):
            raise NotPlain("a shared string that is not there")
        return strings[index]
    if kind == "b":
        return bool(int(value))
    if kind == "str":
        return value
    style = int(cell.get("s") or 0)
    if style < len(formats):
        number_format = formats[style]
    elif not formats and not style:  # no styles part: every number is General
        number_format = 0
    else:
        raise NotPlain("a style that is not there")
    if number_format not in plain:
        raise NotPlain("a number in a date or custom format")
    return _number(value)


__all__ = ["NotPlain", "plain_rows"]
