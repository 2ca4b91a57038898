"""A plain workbook read without openpyxl (inputs/plain_workbook.py) gives exactly what openpyxl gives, on
real workbooks made by Excel, LibreOffice and other programs; anything else is read by openpyxl."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from synthesis.common.problems import InputError
from synthesis.inputs import plain_workbook, sheets
from synthesis.inputs.plain_workbook import NotPlain, plain_rows

HERE = Path(__file__).parent / "workbooks"
# xlrd's (ORIGIN.md) and calamine's (calamine/ORIGIN.md) test workbooks: Excel for Windows and Mac,
# LibreOffice, openpyxl and programs that do not say, with rich text, phonetic runs, inline strings, _x000D_ escapes,
# entities, namespace prefixes, dates, formulas, errors, merged cells, a password-protected (encrypted) file.
REAL = sorted(HERE.glob("*.xlsx")) + sorted((HERE / "calamine").glob("*.xlsx"))
# Those read without openpyxl; every other one falls back to it (each for a reason plain_rows names).
PLAIN = {"any_sheets", "empty_s_attribute", "empty_shared_string", "empty_shared_string_value",
         "empty_sheet", "encoded_entities", "has_x000D_", "has_x000D_inline", "header-row", "hyperlinks",
         "inlineStr_cdata", "inlineStr_with_value", "inventory-table", "issue127", "issue438", "issue9",
         "merge_cells", "merged_range", "no-header", "nonstandard-xml-ns-prefix", "readings",
         "richtext-after-plain", "richtext-namespaced", "rph", "sharedstrings_alt_location", "string-ref",
         "table-multiple", "table_with_absolute_paths", "temperature", "temperature-fallible",
         "temperature-in-middle", "temperature-table", "test_comments_excel_sheet2", "text_bar",
         "whitespace_trim"}


def openpyxl_values(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(path, read_only=True, data_only=False)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        return [[getattr(cell, "value", None) for cell in row] for row in sheet.iter_rows()]
    finally:
        book.close()


def read_with(path: Path) -> object:
    """read_table's rows, or its problems."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return sheets.read_table(str(path))
    except InputError as err:
        return [str(p) for p in err.problems]


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_a_real_workbook_reads_as_openpyxl_reads_it(path, monkeypatch):
    try:
        plain = [values for _n, values in plain_rows(str(path))]
    except Exception as err:  # noqa: BLE001 - NotPlain, or a file that is no workbook at all
        assert path.stem not in PLAIN, f"{path.name} fell back to openpyxl: {err!r}"
        plain = None
    else:
        assert path.stem in PLAIN, f"{path.name} is read without openpyxl: add it to PLAIN"
        # The same values of the same types (1 and 1.0 and '1' are not the same), row by row.
        reference = openpyxl_values(path)
        typed = [[(type(v), v) for v in row] for row in plain]
        assert typed == [[(type(v), v) for v in row] for row in reference]
    if plain is not None:  # read_table takes the plain way: openpyxl is never asked
        def no_openpyxl():
            raise AssertionError(f"{path.name}: openpyxl was asked for")

        monkeypatch.setattr(sheets, "_openpyxl", no_openpyxl)
    ours = read_with(path)
    monkeypatch.undo()

    def not_plain(_path):
        raise NotPlain("as before")

    monkeypatch.setattr(plain_workbook, "plain_rows", not_plain)
    assert ours == read_with(path)  # what read_table gave with openpyxl alone: rows, or the same problems


def test_most_of_the_real_workbooks_are_plain():
    assert (len(REAL), len(PLAIN)) == (59, 35)  # the rest have formulas, errors, dates, or are damaged


@pytest.mark.parametrize("kind, cell, reason", [
    ("formula", '<c r="A2"><f>1+1</f><v>2</v></c>', "a formula"),
    ("error", '<c r="A2" t="e"><v>#N/A</v></c>', "an error"),
    ("date style", '<c r="A2" s="1"><v>45000</v></c>', "a date or custom format"),
    ("missing string", '<c r="A2" t="s"><v>7</v></c>', "a shared string that is not there"),
    ("missing style", '<c r="A2" s="5"><v>1</v></c>', "a style that is not there"),
    ("reference without a column", '<c r="2"><v>1</v></c>', "a cell reference 2"),
    ("lower-case reference", '<c r="a2"><v>1</v></c>', "a cell reference a2"),
    ("row again", '<c r="A1"><v>1</v></c>', "rows out of order"),
])
def test_what_only_openpyxl_should_read_is_not_plain(tmp_path, kind, cell, reason):
    path = sheet_with(tmp_path, cell, row=1 if kind == "row again" else 2)
    with pytest.raises(NotPlain, match=reason):
        list(plain_rows(str(path)))


def test_a_dtd_is_not_plain(tmp_path):
    path = sheet_with(tmp_path, '<c r="A2" t="s"><v>0</v></c>', doctype='<!DOCTYPE x [<!ENTITY a "b">]>')
    with pytest.raises(NotPlain, match="a DTD"):
        list(plain_rows(str(path)))


def test_missing_rows_and_cells_are_empty_as_openpyxl_gives_them(tmp_path):
    path = sheet_with(tmp_path, '<c r="B3" t="s"><v>0</v></c><c r="D3"><v>1.5</v></c>', row=3)
    assert list(plain_rows(str(path))) == [(1, ["id"]), (2, []), (3, [None, "id", None, 1.5])]
    assert [values for _n, values in plain_rows(str(path))] == openpyxl_values(path)


def sheet_with(tmp_path: Path, cells: str, row: int = 2, doctype: str = "") -> Path:
    """A workbook written by hand: a header row of one shared string, then ``cells`` in row ``row``."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(f'<Override PartName="/xl/{name}.xml" ContentType="{kind}.{type_}+xml"/>' for name, type_ in
                        (("workbook", "sheet.main"), ("worksheets/sheet1", "worksheet"),
                         ("sharedStrings", "sharedStrings"), ("styles", "styles")))
    targets = "".join(f'<Relationship Id="rId{i}" Type="{rel}/{type_}" Target="{target}"/>' for i, (type_, target) in
                      enumerate((("worksheet", "worksheets/sheet1.xml"), ("sharedStrings", "sharedStrings.xml"),
                                 ("styles", "styles.xml")), start=1))
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0"?><Types xmlns="{package}/content-types">{overrides}</Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{package}/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{package}/relationships">'
        f"{targets}</Relationships>",
        "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst xmlns="{main}"><si><t>id</t></si></sst>',
        "xl/styles.xml": f'<?xml version="1.0"?><styles xmlns="{main}"><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styles>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?>{doctype}<worksheet xmlns="{main}"><sheetData>'
        f'<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="{row}">{cells}</row></sheetData></worksheet>',
    }
    path = tmp_path / "sheet.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path
