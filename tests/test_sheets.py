"""Extraction sheets: reading CSV and XLSX, and row-by-row checks."""

from __future__ import annotations

from pathlib import Path

import pytest

import reviewkit
from synthesis.common.problems import InputError
from synthesis.inputs.protocol import load_protocol
from synthesis.inputs.sheets import load_sheet, split_list

BIB = {"smith2020", "okafor2021", "lee2019"}
HEADER = ["id", "quote", "codes", "finding", "evidence_type", "countries"]


@pytest.fixture
def protocol(tmp_path):
    path = tmp_path / "review.yaml"
    path.write_text(reviewkit.PROTOCOL, encoding="utf-8")
    return load_protocol(str(path))


def sheet(tmp_path, rows, name="smith2020.csv") -> str:
    path = tmp_path / name
    if name.endswith(".xlsx"):
        reviewkit.write_xlsx(path, rows)
    else:
        path.write_text(reviewkit.csv_text(rows), encoding="utf-8")
    return str(path)


def messages(path: str, protocol) -> list[str]:
    with pytest.raises(InputError) as err:
        load_sheet(path, protocol, BIB)
    return [str(p).rsplit("/", 1)[1] for p in err.value.problems]


def test_split_list_ignores_spaces_and_empty_items():
    assert split_list(" a ;b;; c ") == ["a", "b", "c"]


def test_csv_rows_with_defaults_and_extra_columns(tmp_path, protocol):
    rows = load_sheet(sheet(tmp_path, reviewkit.SMITH_ROWS), protocol, BIB)
    assert [r["id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[1]["codes"] == ["uptake", "bill_savings"]
    assert rows[1]["questions"] == ["RQa", "RQb"]  # from the codes' mapping
    assert rows[0]["extra"] == {"reviewer_note": "checked"}
    assert rows[2]["cites"] == ["lee2019"]
    assert rows[3]["line"] == 5


def test_xlsx_reads_like_csv_integer_ids_and_skips_blank_rows(tmp_path, protocol):
    rows = load_sheet(sheet(tmp_path, reviewkit.OKAFOR_ROWS, "okafor2021.xlsx"), protocol, BIB)
    assert [(r["id"], r["line"]) for r in rows] == [("1", 2), ("2", 4)]
    assert rows[1]["questions"] == ["RQb"]


def test_multiline_csv_cells_keep_line_numbers(tmp_path, protocol):
    path = tmp_path / "smith2020.csv"
    path.write_text('id,quote,codes,finding\n1,"two\nlines",uptake,f\n2,x,uptake_,f\n', encoding="utf-8")
    assert messages(str(path), protocol) == [
        "smith2020.csv:4: C3 (id 2): unknown code 'uptake_': did you mean 'uptake'? allowed: bill_savings, uptake, local_trust, grid_access"
    ]


def test_missing_required_column(tmp_path, protocol):
    path = sheet(tmp_path, [["id", "quote", "code", "finding"], ["1", "q", "uptake", "f"]])
    assert messages(path, protocol) == [
        "smith2020.csv:1: missing required column 'codes': a sheet needs id, quote, codes, finding; it has id, quote, code, finding"
    ]


def test_every_row_problem_at_once(tmp_path, protocol):
    rows = [
        HEADER + ["questions", "cites"],
        ["1", "a quote", "uptake", "f", "survey", "GB", "", ""],
        ["1", "", "local_trust", "f", "surveys", "UK", "RQc", "lee2020"],
        ["2", "[...]", "trust", "", "", "", "", ""],
    ]
    assert messages(sheet(tmp_path, rows), protocol) == [
        "smith2020.csv:3: A3 (id 1): duplicate id '1' (first used on line 2)",
        "smith2020.csv:3: B3 (id 1): empty quote",
        "smith2020.csv:3: E3 (id 1): unknown evidence_type value 'surveys': did you mean 'survey'? allowed: survey, case_study",
        "smith2020.csv:3: F3 (id 1): unknown country 'UK': did you mean 'GB'? allowed: DE, GB, NO",
        "smith2020.csv:3: G3 (id 1): unknown question 'RQc': did you mean 'RQb'? allowed: RQa, RQb",
        "smith2020.csv:3: H3 (id 1): cites 'lee2020', which has no entry in references.bib: did you mean 'lee2019'? allowed: lee2019, okafor2021, smith2020",
        "smith2020.csv:4: B4 (id 2): the quote is only an elision mark",
        "smith2020.csv:4: C4 (id 2): unknown code 'trust': did you mean 'local_trust'? allowed: bill_savings, uptake, local_trust, grid_access",
        "smith2020.csv:4: D4 (id 2): empty finding",
    ]


def test_empty_sheet(tmp_path, protocol):
    path = tmp_path / "smith2020.csv"
    path.write_text("", encoding="utf-8")
    assert messages(str(path), protocol) == ["smith2020.csv:1: empty sheet: the first row must name the columns id, quote, codes, finding"]


def test_sheet_that_is_not_utf8(tmp_path, protocol):
    path = tmp_path / "smith2020.csv"
    path.write_bytes("id,quote,codes,finding\n1,caf\u00e9,uptake,f\n".encode("cp1252"))
    assert messages(str(path), protocol) == ["smith2020.csv:2: not valid UTF-8: byte 0xe9 at byte offset 28; save the file as UTF-8"]


def test_a_damaged_workbook_and_a_repeated_column(tmp_path, protocol):
    path = tmp_path / "smith2020.xlsx"
    path.write_bytes(b"not a zip file")
    assert messages(str(path), protocol) == ["smith2020.xlsx:1: cannot read as an Excel workbook: File is not a zip file"]
    repeated = sheet(tmp_path, [["id", "quote", "codes", "finding", "Quote"], ["1", "q", "uptake", "f", "q"]])
    assert messages(repeated, protocol) == ["smith2020.csv:1: column 'quote' appears twice (columns 2 and 5)"]


REAL_WORKBOOKS = sorted((Path(__file__).parent / "workbooks").glob("*.xlsx"))  # Excel and LibreOffice files: ORIGIN.md


def test_workbooks_made_by_excel_and_libreoffice_read_the_same_with_openpyxl_imported_lightly():
    import json
    import subprocess
    import sys

    read = ("import json, sys{}; from synthesis.inputs.sheets import read_table;"
            " print(json.dumps([[p, read_table(p)] for p in sys.argv[1:]])); print('numpy' in sys.modules)")
    paths = [str(p) for p in REAL_WORKBOOKS]
    light, usual = (subprocess.run([sys.executable, "-W", "ignore", "-c", read.format(extra), *paths],
                                   capture_output=True, text=True) for extra in ("", "; import numpy, PIL, openpyxl"))
    assert light.returncode == usual.returncode == 0, light.stderr + usual.stderr
    assert light.stdout.splitlines()[1] == "False" and usual.stdout.splitlines()[1] == "True"
    assert light.stdout.splitlines()[0] == usual.stdout.splitlines()[0]
    tables = dict(json.loads(light.stdout.splitlines()[0]))
    assert tables[str(REAL_WORKBOOKS[0])][:3] == [[1, ["Test", "Values"]], [2, ["1", "a"]], [3, ["2", "b"]]]
    assert [tables[p] for p in paths[1:]] == [[[1, ["Foo"]]], [[1, ["bar"]]]]


def test_a_workbook_is_read_without_numpy_and_pillow_which_import_as_usual_after(tmp_path):
    import subprocess
    import sys

    path = sheet(tmp_path, [HEADER, ["1", "A quote.", "ALMP-TRAIN", "A finding."]], "smith2020.xlsx")
    code = ("import sys; from synthesis.inputs.sheets import read_table; rows = read_table(sys.argv[1]);"
            " assert 'numpy' not in sys.modules and 'PIL' not in sys.modules, sorted(sys.modules);"
            " import numpy, PIL; print(rows[1][1][1])")
    done = subprocess.run([sys.executable, "-c", code, path], capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "A quote.\n", "")
