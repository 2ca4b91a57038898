"""``review add-source`` in a review that keeps records: the document is recorded as it came in, its coder
declared when asked, nothing half-written; ``review check FILES`` checks what the files take part in;
``review sheet --replace`` and ``--coder-name``."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

import recordskit
import reviewkit
from synthesis.cli.main import main
from synthesis.coauthor.protocol_edit import add_added_otherwise, add_coder
from synthesis.common.problems import InputError
from synthesis.inputs import yamlio
from synthesis.inputs.sources import PLACEHOLDER

ENTRY = """@report{nguyen2022,
  author = {Nguyen, An and Patel, Ravi},
  title = {Wind co-ops and rural trust},
  year = {2022},
  doi = {10.1000/wind}
}
"""


@pytest.fixture
def almp(tmp_path, monkeypatch):
    """This repository's review inputs (no build), as the working directory."""
    root = tmp_path / "almp"
    for name in ("sources", "extraction", "findings", "records", "appraisal"):
        shutil.copytree(reviewkit.ROOT / name, root / name)
    shutil.copy(reviewkit.ROOT / "review.yaml", root / "review.yaml")
    (root / "new.bib").write_text(ENTRY, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def with_records(review):
    """The fixture review with the records of test_records (no 'provided' search)."""
    recordskit.add_records(review)
    (review / "new.bib").write_text(ENTRY, encoding="utf-8")
    return review


def rows(path: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))


def test_add_source_records_the_document_as_provided_by_the_team(almp, capsys):
    before = {p: Path(p).read_bytes() for p in ("records/team.csv", "records/screening.csv", "records/searches.csv")}
    assert main(["add-source", "--role", "primary", "new.bib"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:8] == [
        "wrote sources/nguyen2022.md",
        "wrote sources/references.bib",
        "wrote extraction/nguyen2022.csv",
        "wrote appraisal/nguyen2022.yaml",
        "wrote records/team.csv: record team:nguyen2022 of the search 'team' (Documents provided by the review team)",
        "wrote records/searches.csv: search 'team' now reports 5 results",
        "wrote records/screening.csv: team:nguyen2022 included at title_abstract and full_text (source nguyen2022), screener review-team",
        "coder: the sheet's coder column takes a coder id declared in review.yaml (draft-llm); to declare yourself, add the line "
        "`  - {id: YOUR-ID, name: \"Your Name\"}` under coders: in review.yaml (add-source does it with --add-coder YOUR-ID)"]
    assert out[-1] == ("commit, once the source is coded: sources/nguyen2022.md sources/references.bib extraction/nguyen2022.csv "
                       "appraisal/nguyen2022.yaml records/team.csv records/searches.csv records/screening.csv")
    # Every old line kept, byte for byte; the new ones appended in each file's own format.
    for path, old in before.items():
        assert Path(path).read_bytes().startswith(old) or path.endswith("searches.csv"), path
    team = rows("records/team.csv")[-1]
    assert team == {"id": "nguyen2022", "title": "Wind co-ops and rural trust", "authors": "Nguyen, An; Patel, Ravi", "year": "2022",
                    "notes": "Added with review add-source; full text in sources/nguyen2022.md; doi: 10.1000/wind"}
    screened = [r for r in rows("records/screening.csv") if r["record"] == "team:nguyen2022"]
    assert [(r["stage"], r["decision"], r["source"], r["screener"]) for r in screened] == [
        ("title_abstract", "include", "", "review-team"), ("full_text", "include", "nguyen2022", "review-team")]
    assert rows("records/searches.csv")[0]["results"] == "5"
    assert Path("records/searches.csv").read_text(encoding="utf-8").splitlines()[2:] == before["records/searches.csv"].decode().splitlines()[2:]
    # With its text pasted, the review (records and all: a records file checks the whole review) is fine.
    source = Path("sources/nguyen2022.md")
    source.write_text(source.read_text(encoding="utf-8").replace(PLACEHOLDER, "Wind co-ops build trust."), encoding="utf-8")
    assert main(["check", "records/team.csv"]) == 0


def test_add_coder_declares_the_coder_and_screens_with_it(almp, capsys):
    assert main(["add-source", "--role", "primary", "--add-coder", "jn", "--coder-name", "Jane Ng", "--xlsx", "new.bib"]) == 0
    out = capsys.readouterr().out
    assert "wrote review.yaml: coder jn (Jane Ng) added to coders\n" in out and "coder: write jn in the sheet's coder column\n" in out
    assert "  - {id: jn, name: \"Jane Ng\"}\n" in Path("review.yaml").read_text(encoding="utf-8")
    assert rows("records/screening.csv")[-1]["screener"] == "jn"
    Path("other.bib").write_text(ENTRY.replace("nguyen2022", "nguyen2023").replace("Wind co-ops", "Solar co-ops").replace("10.1000/wind", "10.1000/sun"), encoding="utf-8")
    assert main(["add-source", "--add-coder", "jn", "other.bib"]) == 0
    assert "coder: jn is declared in review.yaml: write jn in the sheet's coder column" in capsys.readouterr().out
    assert Path("review.yaml").read_text(encoding="utf-8").count("id: jn") == 1


def test_add_coder_refuses_what_would_break_the_review(review, capsys):
    Path("new.bib").write_text(ENTRY, encoding="utf-8")
    before = reviewkit.file_hashes(review)
    assert main(["add-source", "--add-coder", "jn", "new.bib"]) == 1  # the fixture declares no coders: its sheets' 'AT' would be unknown
    assert capsys.readouterr().err.startswith("review.yaml:1: review.yaml declares no coders, so every coder id is accepted as it is: leave out --add-coder")
    assert main(["add-source", "--add-coder", "j n", "new.bib"]) == 1
    assert "coder id 'j n' must start with a letter or digit" in capsys.readouterr().err
    assert main(["add-source", "--coder-name", "Jane", "new.bib"]) == 1
    assert "--coder-name names the coder that --add-coder adds" in capsys.readouterr().err
    assert reviewkit.file_hashes(review) == before


def test_a_work_already_among_the_records_is_recorded_as_that_record(almp, capsys):
    Path("taylor.bib").write_text("@report{taylor-review,\n  author = {Taylor, M. and Marsh, G.},\n  title = {Good Work: The Taylor Review of "
                                  "Modern Working Practices},\n  year = {2017}\n}\n", encoding="utf-8")
    before = reviewkit.file_hashes(almp)
    assert main(["add-source", "--role", "secondary", "taylor.bib"]) == 1
    err = capsys.readouterr().err
    assert ("records/citations.csv:2: 'taylor-review' looks like the record 'citations:taylor2017' already in records/ (title 100% similar "
            "(threshold 95), same year 2017 and first author taylor): if the document is that record, run add-source with --record "
            "citations:taylor2017 instead (its full text is then recorded as retrieved)") in err
    assert err.endswith("nothing was written.\n") and reviewkit.file_hashes(almp) == before
    assert main(["add-source", "--role", "secondary", "--record", "citations:taylor2017", "taylor.bib"]) == 0
    assert "wrote records/screening.csv: citations:taylor2017 included at full_text (source taylor-review), screener review-team" in capsys.readouterr().out
    full = [r for r in rows("records/screening.csv") if r["record"] == "citations:taylor2017"]
    assert [(r["stage"], r["decision"], r["source"]) for r in full] == [("title_abstract", "include", ""), ("full_text", "include", "taylor-review")]
    assert full[1]["notes"] == "Full text retrieved later (not_retrieved before): sources/taylor-review.md."
    assert len(rows("records/screening.csv")) == len(rows(str(reviewkit.ROOT / "records/screening.csv")))  # replaced, not added


def test_a_work_the_sources_cite_becomes_a_source_under_its_own_key(almp, capsys):
    Path("taylor.bib").write_text("@report{taylor2017,\n  author = {Taylor, M.},\n  title = {Good Work: The Taylor Review of "
                                  "Modern Working Practices},\n  year = {2017}\n}\n", encoding="utf-8")
    bib = Path("sources/references.bib").read_bytes()
    line = bib.decode().splitlines().index(next(s for s in bib.decode().splitlines() if "{taylor2017," in s)) + 1
    assert main(["add-source", "--role", "secondary", "--record", "citations:taylor2017", "taylor.bib"]) == 0
    assert (f"bibliography: taylor2017 is in sources/references.bib already (line {line}), a work the sources cite: its entry is kept as it is"
            in capsys.readouterr().out)
    assert Path("sources/references.bib").read_bytes() == bib and Path("sources/taylor2017.md").is_file()
    Path("other.bib").write_text("@report{taylor2017,\n  title = {Another work},\n  year = {2017}\n}\n", encoding="utf-8")
    Path("sources/taylor2017.md").unlink()
    Path("extraction/taylor2017.csv").unlink()
    assert main(["add-source", "other.bib"]) == 1  # the same key for another work
    assert f"other.bib:1: key 'taylor2017' already exists in sources/references.bib (line {line}): choose another key" in capsys.readouterr().err


def test_another_search_or_no_record(with_records, capsys):
    before = reviewkit.file_hashes(with_records)
    assert main(["add-source", "new.bib"]) == 1  # no 'provided' search: say how else
    err = capsys.readouterr().err
    assert err.startswith("records/searches.csv:1: no search of source 'provided' (documents the team provided): say how the document came in "
                          "with --search ID (one of scopus, wos, hand), --record ID (it is a record already screened), or --added-otherwise")
    assert main(["add-source", "--search", "scopus", "new.bib"]) == 1  # a RIS file
    assert "add-source appends records to .csv or .bib records files only" in capsys.readouterr().err
    assert main(["add-source", "--search", "nowhere", "new.bib"]) == 1
    assert "no search 'nowhere': " in capsys.readouterr().err
    assert reviewkit.file_hashes(with_records) == before
    assert main(["add-source", "--search", "hand", "new.bib"]) == 0
    out = capsys.readouterr().out
    assert "wrote records/hand.csv: record hand:nguyen2022 of the search 'hand' (Reference lists)" in out
    assert "wrote records/searches.csv: search 'hand' now reports 3 results" in out
    Path("b.bib").write_text(ENTRY.replace("nguyen2022", "wbib").replace("Wind", "Tidal").replace("10.1000/wind", "10.1000/tide"), encoding="utf-8")
    assert main(["add-source", "--search", "wos", "b.bib"]) == 0  # a BibTeX records file: the entry is appended
    assert "@report{wbib," in Path("records/wos.bib").read_text(encoding="utf-8")
    Path("c.bib").write_text(ENTRY.replace("nguyen2022", "other").replace("Wind", "Wave").replace("10.1000/wind", "10.1000/wave"), encoding="utf-8")
    assert main(["add-source", "--added-otherwise", "c.bib"]) == 0
    assert "wrote review.yaml: other listed in screening.added_otherwise (a source that came in without a record of a search)" in capsys.readouterr().out
    assert yamlio.load(Path("review.yaml").read_text(encoding="utf-8"), "review.yaml")[0]["screening"]["added_otherwise"] == ["other"]


def test_unreadable_records_refuse_before_anything_is_written(with_records, capsys):
    Path("records/searches.csv").write_text("id,source,query,results\nscopus,datbase,x,4\n", encoding="utf-8")
    before = reviewkit.file_hashes(with_records)
    assert main(["add-source", "--search", "hand", "new.bib"]) == 1
    err = capsys.readouterr().err
    assert "records/searches.csv:2: unknown source 'datbase': did you mean 'database'?" in err
    assert "records:1: add-source records the new source in records/, which cannot be read now: fix these first (review check)" in err
    assert reviewkit.file_hashes(with_records) == before


def test_a_failed_write_restores_every_file(almp, monkeypatch):
    from synthesis.coauthor import scaffold

    before = reviewkit.file_hashes(almp)
    calls = []

    def failing(path, data):
        calls.append(str(path))
        if len(calls) == 5:  # after the source, the bibliography, team.csv and searches.csv
            raise OSError(28, "No space left on device", str(path))
        real(path, data)

    real = scaffold.write_atomic
    monkeypatch.setattr(scaffold, "write_atomic", failing)
    assert main(["add-source", "--role", "primary", "new.bib"]) == 1
    assert reviewkit.file_hashes(almp) == before


def test_protocol_edits_keep_the_layout_and_refuse_what_they_cannot_keep():
    text = "title: t\n# who codes\ncoders:\n- id: a\n  name: A\n\nscreening:\n  reasons: [x]  # why\n"
    assert add_coder(text, "NO", "Nor") == text.replace("  name: A\n", "  name: A\n- id: \"NO\"\n  name: \"Nor\"\n")
    assert add_added_otherwise(text, "k1") == text.replace("  reasons: [x]  # why\n", "  reasons: [x]  # why\n  added_otherwise: [k1]\n")
    listed = add_added_otherwise(add_added_otherwise(text, "k1"), "k.2")
    assert "  added_otherwise: [k1, k.2]\n" in listed
    assert add_added_otherwise("title: t", "k").endswith("screening:\n  added_otherwise: [k]\n")
    with pytest.raises(InputError) as err:
        add_coder("title: t\ncoders: [{id: a, name: A}]\n", "b", "B")
    assert str(err.value.problems[0]) == ("review.yaml:1: review.yaml has no list of coders in block style to add to: "
                                          "add the line `  - {id: b, name: \"B\"}` under `coders:` yourself")


def test_a_file_scoped_check_checks_what_the_files_take_part_in(almp, capsys):
    Path("sources/byhand.md").write_text("---\ncitekey: byhand\ntype: report\nrole: primary\ntags: [training]\n---\nTraining helps.\n", encoding="utf-8")
    Path("extraction/byhand.csv").write_text("id,quote,codes,finding\n1,Training helps.,work_first,It helps.\n", encoding="utf-8")
    with open("sources/references.bib", "a", encoding="utf-8") as bib:
        bib.write("\n@misc{byhand,\n  title = {By hand},\n  year = {2024}\n}\n")
    assert main(["check", "sources/byhand.md", "extraction/byhand.csv"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "sources/byhand.md:1: source 'byhand' is not an included record: give its record a full_text include with source byhand in "
        "records/screening.csv, or list it in review.yaml screening.added_otherwise",
        "sources/byhand.md:1: warning [NOT_APPRAISED]: byhand is not appraised: write appraisal/byhand.yaml with one of "
        "review.yaml's appraisal.tools (aacods, jbi_text_opinion) (docs/formats.md, \"Appraisals\")", "1 problem in 1 file"]
    # A finding citing an excerpt the sheet no longer has.
    sheet = Path("extraction/ray2017.csv")
    sheet.write_text("\n".join(line for line in sheet.read_text(encoding="utf-8").splitlines() if not line.startswith("13,")) + "\n", encoding="utf-8")
    Path("sources/byhand.md").unlink()
    Path("extraction/byhand.csv").unlink()
    assert main(["check", "extraction/ray2017.csv"]) == 1
    out = capsys.readouterr().out
    assert "findings/Q3.yaml:" in out and ": unknown evidence id 'ray2017:13': " in out
    sheet.write_text((reviewkit.ROOT / "extraction/ray2017.csv").read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["check", "extraction/ray2017.csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ok: checked 1 of 5 sources (23 excerpts), every quote located; also checked: records and screening, review findings citing them",
        "not checked: the other 4 sources and their sheets; whether a study named in these sheets has the same design in the other sheets; "
        "the review findings' judgements against the facts counted over every source (`review check` without files checks the whole review, as the build does)"]
    assert main(["check", "--format", "json", "findings/Q3.yaml"]) == 0
    import json

    assert json.loads(capsys.readouterr().out)["summary"].startswith("ok: 5 sources, 182 excerpts")


def test_sheet_replace_turns_a_csv_sheet_into_excel_with_every_row(review, capsys):
    original = Path("extraction/smith2020.csv").read_text(encoding="utf-8")
    assert main(["sheet", "smith2020", "--xlsx", "--replace"]) == 0
    assert capsys.readouterr().out == ("wrote extraction/smith2020.xlsx with the 4 rows of extraction/smith2020.csv, and removed "
                                       "extraction/smith2020.csv (a source has one sheet)\n")
    assert main(["check", "extraction/smith2020.xlsx"]) == 0
    capsys.readouterr()
    assert main(["sheet", "smith2020", "--replace"]) == 0  # and back: the same cells
    back = list(csv.DictReader(io.StringIO(Path("extraction/smith2020.csv").read_text(encoding="utf-8"))))
    assert [{k: v for k, v in r.items() if v} for r in back] == [{k: v for k, v in r.items() if v} for r in csv.DictReader(io.StringIO(original))]
    capsys.readouterr()
    assert main(["sheet", "smith2020", "--replace"]) == 1
    assert "already a .csv sheet; --replace turns a sheet into the other format" in capsys.readouterr().err
    assert main(["sheet", "smith2020", "--xlsx", "--replace", "--output", "x.xlsx"]) == 1
    assert "give one" in capsys.readouterr().err


def test_sheet_copies_keep_every_row_and_count_them(review, capsys):
    Path("extraction/smith2020.csv").write_text("id,quote,codes,finding\n1,saw bills fall by 12 per cent,bill_savings,Bills fell.\n", encoding="utf-8")
    assert main(["sheet", "smith2020", "--output", "copy.csv"]) == 0
    assert capsys.readouterr().out == "wrote copy.csv with the 1 row of extraction/smith2020.csv\n"
    assert Path("copy.csv").read_text(encoding="utf-8") == Path("extraction/smith2020.csv").read_text(encoding="utf-8")
    Path("extraction/smith2020.csv").write_text("id,quote,codes,finding\n1,saw bills,bill_savings,Bills fell.,stray\n", encoding="utf-8")
    assert main(["sheet", "smith2020", "--xlsx", "--replace"]) == 1
    assert capsys.readouterr().err.startswith("extraction/smith2020.csv:2: a cell under no column heading: give its column a heading")
    assert not Path("extraction/smith2020.xlsx").exists()


def test_sheet_coder_name_declares_an_independent_coder(tmp_path, monkeypatch, capsys):
    root = reviewkit.make_named_review(tmp_path / "review")  # declares coder AT
    monkeypatch.chdir(root)
    assert main(["sheet", "smith2020", "--coder", "ann"]) == 1
    assert capsys.readouterr().err.startswith("review.yaml:1: unknown coder 'ann' (declare coders in review.yaml): allowed: AT; to declare ann, add --coder-name")
    assert main(["sheet", "smith2020", "--coder", "ann", "--coder-name", "Ann Example"]) == 0
    assert capsys.readouterr().out == "wrote extraction/coders/ann/smith2020.csv\nwrote review.yaml: coder ann (Ann Example) added to coders\n"
    assert main(["check"]) == 0


def test_a_coder_name_cannot_change_the_protocol_beyond_its_own_item():
    text = (reviewkit.ROOT / "review.yaml").read_text(encoding="utf-8")
    hostile = 'Ng"}\n  - {id: evil, name: "x", draft: false}\n# \u202e'
    data = yamlio.load(add_coder(text, "jn", hostile), "review.yaml")[0]
    assert data["coders"][-1] == {"id": "jn", "name": hostile} and len(data["coders"]) == 2
