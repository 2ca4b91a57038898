"""Co-author tooling: add-source, Excel sheets, the pre-commit hook."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import reviewkit
from synthesis.cli import main
from synthesis.inputs.protocol import load_protocol
from synthesis.inputs.sheets import load_sheet

ENTRY = """@article{nguyen2022,
  author = {Nguyen, Thi and Berg, Ola},
  title = {Local energy, local power},
  journal = {Energy Research},
  year = {2022},
  doi = {10.1000/XYZ123}
}
"""


def test_add_source_creates_four_files_and_appends_the_entry(review, capsys):
    bib_before = Path("sources/references.bib").read_text(encoding="utf-8")
    Path("new.bib").write_text(ENTRY, encoding="utf-8")
    assert main(["add-source", "new.bib"]) == 0
    out = capsys.readouterr().out
    assert "wrote sources/nguyen2022.md\nwrote sources/references.bib\nwrote extraction/nguyen2022.csv\nwrote appraisal/nguyen2022.yaml\n" in out
    assert Path("sources/references.bib").read_text(encoding="utf-8") == bib_before + "\n" + ENTRY
    source = Path("sources/nguyen2022.md").read_text(encoding="utf-8")
    assert source.startswith("---\ncitekey: nguyen2022\ntype: journal_article\nrole:  # primary (reports its own study), secondary (reports others' studies), commentary, or protocol\n")
    assert 'url: "https://doi.org/10.1000/XYZ123"' in source
    assert Path("extraction/nguyen2022.csv").read_text(encoding="utf-8") == "id,quote,codes,finding,questions,locator,evidence_type,study,study_design,countries,cites,coder,notes\n"
    # Until the text is pasted, the check says so.
    assert main(["check", "sources/nguyen2022.md"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("sources/nguyen2022.md:4: role is empty: say what this document is to the review (allowed: primary")
    assert lines[1] == "sources/nguyen2022.md:12: the document's text is missing: replace the placeholder line with the document's text"


def test_add_source_refuses_an_existing_key_and_never_overwrites(review, capsys):
    entry = ENTRY.replace("nguyen2022", "smith2020")
    Path("new.bib").write_text(entry, encoding="utf-8")
    before = reviewkit.file_hashes(review)
    assert main(["add-source", "new.bib"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "extraction/smith2020.csv:1: already exists; add-source never overwrites a file (key 'smith2020')",
        "new.bib:1: key 'smith2020' already exists in sources/references.bib (line 1): choose another key",
        "sources/smith2020.md:1: already exists; add-source never overwrites a file (key 'smith2020')",
        "3 problems in 3 files; nothing was written.",
    ]
    assert reviewkit.file_hashes(review) == before


def test_add_source_warns_on_a_probable_duplicate(review, capsys):
    Path("new.bib").write_text(ENTRY.replace("Local energy, local power", "Community Energy in {Practice}").replace("2022}", "2020}"), encoding="utf-8")
    assert main(["add-source", "new.bib"]) == 0
    assert capsys.readouterr().err == "warning: new.bib:1: 'nguyen2022' is probably the same work as smith2020 (same title and year); check before coding it twice\n"


def test_add_source_from_standard_input_with_an_excel_sheet(review):
    cmd = [sys.executable, "-m", "synthesis", "add-source", "--xlsx"]
    result = subprocess.run(cmd, input=ENTRY, capture_output=True, text=True, cwd=review)
    assert result.returncode == 0, result.stderr
    assert Path("extraction/nguyen2022.xlsx").is_file()


def test_malformed_entry(review, capsys):
    Path("new.bib").write_text("@article{x, title = {unclosed}\n", encoding="utf-8")
    assert main(["add-source", "new.bib"]) == 1
    assert capsys.readouterr().err.startswith("new.bib:1: malformed BibTeX entry:")
    Path("two.bib").write_text(ENTRY + ENTRY.replace("nguyen2022", "other"), encoding="utf-8")
    assert main(["add-source", "two.bib"]) == 1
    assert capsys.readouterr().err.startswith("two.bib:1: expected exactly one BibTeX entry, found 2")


def test_excel_sheet_has_dropdowns_codebook_and_reads_back_like_the_csv(review, capsys):
    assert main(["sheet", "smith2020", "--xlsx", "--output", "copy.xlsx"]) == 0
    assert capsys.readouterr().out == "wrote copy.xlsx with the 4 rows of extraction/smith2020.csv\n"
    from openpyxl import load_workbook

    book = load_workbook("copy.xlsx")
    assert book.sheetnames == ["extraction", "codebook", "lists"]
    lists = book["lists"]
    offered = {}
    for rule in book["extraction"].data_validations.dataValidation:
        column = book["extraction"].cell(row=1, column=next(iter(rule.sqref.ranges)).min_col).value
        cells = lists[rule.formula1.split("!")[1].replace("$", "")]  # e.g. =lists!$A$2:$A$5
        offered[column] = [row[0].value for row in cells]
    assert offered == {"codes": ["bill_savings", "uptake", "local_trust", "grid_access"], "questions": ["RQa", "RQb"],
                       "evidence_type": ["survey", "case_study"], "countries": ["DE", "GB", "NO"]}
    codebook = [[c.value for c in row] for row in book["codebook"].iter_rows(max_row=3)]
    assert codebook == [["code", "label", "definition", "questions"], ["bill_savings", "Bill savings", "Changes in household energy bills.", "RQa"],
                        ["uptake", "Uptake", "Who joins schemes.", "RQa; RQb"]]
    protocol = load_protocol("review.yaml")
    strip = lambda rows: [{k: v for k, v in r.items() if k != "line"} for r in rows]  # noqa: E731
    assert strip(load_sheet("copy.xlsx", protocol, None)) == strip(load_sheet("extraction/smith2020.csv", protocol, None))


def test_sheet_refuses_an_unknown_source_and_an_existing_sheet(review, capsys):
    assert main(["sheet", "smith2021", "--xlsx"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "sources:1: no source 'smith2021': did you mean 'smith2020'? allowed: okafor2021, smith2020"
    assert main(["sheet", "smith2020", "--xlsx"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "extraction/smith2020.csv:1: 'smith2020' already has a sheet (4 rows): `review sheet smith2020 --xlsx --replace` turns it into "
        "extraction/smith2020.xlsx with every row and removes extraction/smith2020.csv; --output FILE writes a copy elsewhere")


def test_pre_commit_hook_checks_only_review_files(review):
    config = yaml.safe_load((reviewkit.ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hook = config["repos"][0]["hooks"][0]
    assert hook["entry"] == ".venv/bin/review check" and hook["pass_filenames"] is True
    pattern = re.compile(hook["files"])
    changed = ["review.yaml", "sources/a.md", "sources/references.bib", "extraction/a.xlsx", "findings/Q1.yaml", "records/team.csv",
               "README.md", "synthesis/cli.py", "output/tables/x.csv"]
    assert [f for f in changed if pattern.search(f)] == changed[:6]
    shared = yaml.safe_load((reviewkit.ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert shared[0]["files"] == hook["files"] and shared[0]["entry"] == "review check"
    # The hook's command, as pre-commit would call it with the changed files.
    review_script = Path(sys.executable).parent / "review"
    rows = Path("extraction/smith2020.csv").read_text(encoding="utf-8").replace("bill_savings,Members", "bill_saving,Members")
    Path("extraction/smith2020.csv").write_text(rows, encoding="utf-8")
    result = subprocess.run([str(review_script), "check", "extraction/smith2020.csv"], capture_output=True, text=True, cwd=review)
    assert result.returncode == 1
    assert result.stdout.startswith("extraction/smith2020.csv:2: C2 (id 1): unknown code 'bill_saving': did you mean 'bill_savings'?")


@pytest.mark.parametrize("command", ["check", "evidence", "tables", "report", "render", "provenance", "trace", "audit", "add-source", "sheet"])
def test_help_has_an_example(command, capsys):
    with pytest.raises(SystemExit) as err:
        main([command, "--help"])
    assert err.value.code == 0
    text = capsys.readouterr().out
    assert "\nexample:\n  " in text and ("review " + command in text or "synthesis " + command in text)
