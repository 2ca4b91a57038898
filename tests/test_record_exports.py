"""Records as databases export them: real exports from public repositories' test data (tests/exports/,
each file's origin and licence in tests/exports/ORIGIN.md), read by their content, with the right counts,
years, abstracts and DOIs, and real duplicates found across databases and formats.

The expected values were read off the files themselves (their PY, DA, DO, L3, N2 ... lines), not off this
reader's output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import recordskit
import reviewkit
from synthesis.analysis.dedup import deduplicate
from synthesis.analysis.prisma import build_records
from synthesis.common.problems import InputError
from synthesis.inputs.exports import read_export
from synthesis.inputs.record_fields import year_of
from synthesis.inputs.records import load_records

EXPORTS = Path(__file__).parent / "exports"


def read(name: str, search: str = "s") -> tuple[list[dict], list[str]]:
    problems: list = []
    records = read_export(str(EXPORTS / name), search, problems)
    return records, [str(p).replace(str(EXPORTS) + "/", "") for p in problems]


# file, format, records, read only in part; then one record: id, year, DOI, title (start), abstract (start), first author
CASES = [
    ("scopus/scopus.csv", "Scopus CSV", 3, 0, "s:2-s2.0-85189760133", "2024", "10.1038/s41467-024-46843-2",
     "Global latitudinal gradients and the evolution of body size in dinosaurs and mammals",
     "Global climate patterns fundamentally shape", "Wilson, Lauren N."),
    ("scopus/scopus-extra-cells.csv", "Scopus CSV", 3, 1, "s:2-s2.0-85123480963", "2022", "10.1038/s41598-022-04849-0",
     "Petri nets and ODEs as complementary methods", "Intracellular processes are cascades", "Gutowska K."),
    ("scopus/scopus.ris", "RIS", 10, 0, "s:1", "2024", "10.1038/s41467-024-46843-2",
     "Global latitudinal gradients and the evolution of body size in dinosaurs and mammals",
     "Global climate patterns fundamentally shape", "Wilson, L.N."),
    ("scopus/scopus.bib", "BibTeX", 11, 0, "s:Firstwriter2022", "2022", "10.1111/88888888.2022.7777777",
     "Article classified as document_type Article", "", "Firstwriter, Z."),
    ("wos/savedrecs.txt", "Web of Science plain text", 3, 0, "s:WOS:000220015600001", "2004", "10.1287/orsc.1030.0054",
     "Knowledge networks as channels and conduits: The effects of spillovers in the Boston biotechnology community",
     "We contend that two important, nonrelational", "Owen-Smith, J"),
    ("wos/savedrecs-tab-delimited.txt", "Web of Science tab-delimited", 3, 0, "s:WOS:000220015600001", "2004", "10.1287/orsc.1030.0054",
     "Knowledge networks as channels and conduits: The effects of spillovers in the Boston biotechnology community",
     "We contend that two important, nonrelational", "Owen-Smith, J"),
    ("wos/wos.ris", "RIS", 10, 0, "s:WOS:000282053100002", "2010", "10.1371/journal.pone.0012292",
     "New Horned Dinosaurs from Utah Provide Evidence", "Background: During much of the Late Cretaceous", "Sampson, SD"),
    ("wos/wos.bib", "BibTeX", 2, 0, "s:WOS:000444488888888", "2022", "10.1111/artjul.2021.0011", "A dummy title's", "",
     "Articlewriter, Julian"),
    ("psycinfo/psycinfo-ovid.ris", "RIS", 3, 0, "s:2019-65183-001", "2019", "10.1002/cpp.2398",
     "The influence of self-criticism on depression symptoms", "Considering that self-criticism is an important", "Trindade, Ines A"),
    ("psycinfo/psycinfo.ris", "RIS", 1, 0, "s:2020-55555-005", "2020", "10.1011/hea0004444", "Primary Title",
     "Abstract. This is a free text field", "Author-One, Matthias"),
    ("jstor/jstor.ris", "RIS", 4, 0, "s:1", "2016", "", "This is the title - charset UTF-8 used", "[This is the abstract.]",
     "Lastname, Firstname"),
    ("ieee/ieee.csv", "IEEE Xplore CSV", 10, 0, "s:1", "2013", "10.1109/MCSE.2013.95", "Exascale Computing Trends",
     "We now have 20 years of data", "P. Kogge"),
    ("ieee/ieee.ris", "RIS", 2, 0, "s:1", "2020", "10.1234/Random-name55555.2020.00050", "Title of a conference paper", "",
     "A. Author-One"),
    ("trid/trid.ris", "RIS", 3, 0, "s:01611111", "2017", "", "Title of this citation", "This is the abstract", None),
    ("proquest/proquest.ris", "RIS", 3, 0, "s:2214991469; 51887", "2019", "10.1002/jts.22387",
     "Predictors of posttraumatic stress symptom trajectories", "People respond differently to potentially", "Jones, Hannah"),
    ("proquest/abi-inform.ris", "RIS", 2, 0, "s:1234567891", "2020", "10.0001/1234567891", "Title of a journal article",
     "This article discusses the impact of X.", "Smith, John"),
    ("ebsco/cinahl.ris", "RIS", 9, 0, "s:176404503", "2024", "10.1371/journal.pone.0298242",
     "Osteohistological insight into the growth dynamics of early dinosaurs", "Dinosauria debuted on Earth's stage",
     "Curry Rogers, Kristina"),
    ("ebsco/cinahl.csv", "EBSCO CSV", 10, 0, "s:176404503", "2024", "10.1371/journal.pone.0298242",
     "Osteohistological insight into the growth dynamics of early dinosaurs", "Dinosauria debuted on Earth's stage",
     "Curry Rogers, Kristina"),
    ("ebsco/ebsco.bib", "BibTeX", 2, 1, "s:13362467620181001", "", "", "When sharing fixes prices.", "", "Tom Cruise"),
    ("ovid/eric-ovid.ris", "RIS", 10, 0, "s:EJ389705", "1989", "", "Creationism and the Dinosaur Boom.",
     "Discusses books and materials published by creationist organizations", "Stokes, William Lee"),
    ("pubmed/pubmed-medline.ris", "PubMed/MEDLINE", 4, 0, "s:30922926", "2020", "10.1016/j.ejmg.2019.03.004",
     "Time lapse: A glimpse into prehistoric genomics.", "For the purpose of this review", "Griffin, Darren K"),
    ("pubmed/pubmed.nbib", "PubMed/MEDLINE", 1, 0, "s:27169098", "2016", "10.4103/2277-9175.180636",
     "Proteomics: A new perspective for cancer.", "some things will be described", "Shruthi, Basavaradhya Sahukar"),
    ("pubmed/pubmed.csv", "PubMed CSV", 10, 0, "s:30922926", "2020", "10.1016/j.ejmg.2019.03.004",
     "Time lapse: A glimpse into prehistoric genomics", "", "Griffin DK"),
    ("zotero/zotero.ris", "RIS", 10, 0, "s:1", "2024", "10.1038/s41467-024-48400-3",
     "Cellular structure of dinosaur scales reveals retention", "Fossil feathers have transformed", "Yang, Z."),
    ("zotero/zotero.bib", "BibTeX", 13, 0, "s:oster_hepatitis_2005", "2005", "10.1086/498588",
     "Hepatitis B and the Case of the Missing Women", "In many Asian countries the ratio of male", "Oster, Emily"),
]


@pytest.mark.parametrize("name, fmt, count, partial, record_id, year, doi, title, abstract, author", CASES,
                         ids=[c[0] for c in CASES])
def test_each_databases_export_is_read_as_saved(name, fmt, count, partial, record_id, year, doi, title, abstract, author):
    records, problems = read(name)
    assert (len(records), {r["format"] for r in records}) == (count, {fmt})
    assert sum(1 for r in records if r["partial"]) == partial
    record = {r["id"]: r for r in records}[record_id]
    assert (record["year"], record["doi"]) == (year, doi)
    assert record["title"].startswith(title) and record["abstract"].startswith(abstract)
    assert (record["authors"][0] if record["authors"] else None) == author
    assert not [p for p in problems if "warning" not in p]


def test_every_record_has_the_year_its_fields_give():
    # Every record of these files has a year field (PY, DP, YR, Year, Publication Year ...): all are read.
    for name in ("scopus/scopus.ris", "wos/savedrecs.txt", "wos/wos.ris", "ebsco/cinahl.csv", "ovid/eric-ovid.ris",
                 "pubmed/pubmed-medline.ris", "ieee/ieee.csv", "proquest/proquest.ris", "zotero/zotero.ris"):
        records, problems = read(name)
        assert all(len(r["year"]) == 4 for r in records) and not [p for p in problems if "NO_YEAR" in p], name
    # Web of Science's RIS gives "DA  - SEP 22" beside "PY  - 2010": the year is 2010, not 22 or nothing.
    assert [r["year"] for r in read("wos/wos.ris")[0]][:2] == ["2010", "1904"]


def test_abstracts_in_n2_are_read():
    """Ovid (ERIC, APA PsycInfo) writes abstracts in N2, not AB: screened on title and abstract, not the title alone."""
    for name, n in (("ovid/eric-ovid.ris", 10), ("psycinfo/psycinfo-ovid.ris", 3)):
        text = (EXPORTS / name).read_text(encoding="utf-8-sig")
        assert "\nAB  -" not in text and text.count("\nN2  -") == n
        assert all(r["abstract"] for r in read(name)[0]), name


def test_a_file_is_read_by_its_content_with_a_warning_naming_what_it_looks_like(tmp_path):
    saved = tmp_path / "wos.ris"  # Web of Science's savedrecs.txt given a .ris name
    shutil.copy(EXPORTS / "wos/savedrecs.txt", saved)
    problems: list = []
    records = read_export(str(saved), "wos", problems)
    assert len(records) == 3
    assert [str(p) for p in problems] == [f"{saved}:1: warning [RECORDS_FORMAT]: looks like Web of Science plain text, not RIS as its "
                                          "name says: read as Web of Science plain text; rename it wos.txt"]
    assert read("pubmed/pubmed-medline.ris")[1] == [
        "pubmed/pubmed-medline.ris:1: warning [RECORDS_FORMAT]: looks like PubMed/MEDLINE, not RIS as its name says: read as "
        "PubMed/MEDLINE; rename it pubmed-medline.nbib"]


def test_a_malformed_entry_is_read_as_far_as_it_goes_and_counted():
    records, problems = read("ebsco/ebsco.bib")
    assert [(r["id"], r["title"], bool(r["partial"])) for r in records] == [
        ("s:11111111111111111", "Paper title.", False), ("s:13362467620181001", "When sharing fixes prices.", True)]
    assert problems[0].startswith("ebsco/ebsco.bib:15: warning [RECORD_PARTIAL]: the record on lines 15-21 could not be read whole "
                                  "(the BibTeX entry is broken near line 19 (syntactical error in bibtex:")
    assert problems[0].endswith("read as far as it goes, as s:13362467620181001 ('When sharing fixes prices.')")
    assert problems[1] == ("ebsco/ebsco.bib:15: warning [RECORD_NO_YEAR]: the record on lines 15-21 ('When sharing fixes prices.') "
                           "has no four-digit year in its year or date fields: its year is left empty")


def test_ris_records_without_er_are_never_merged(tmp_path):
    """Three records of a real export with their ER lines lost: three records, each reported at its lines."""
    text = (EXPORTS / "zotero/zotero.ris").read_text(encoding="utf-8")
    lines = text.splitlines()
    ends = [n for n, line in enumerate(lines) if line.startswith("ER  -")]
    broken = tmp_path / "zotero.ris"
    broken.write_text("\n".join(line for n, line in enumerate(lines) if n not in ends[:3]) + "\n", encoding="utf-8")
    problems: list = []
    records = read_export(str(broken), "z", problems)
    assert len(records) == 10 and [r["title"][:20] for r in records] == [r["title"][:20] for r in read("zotero/zotero.ris")[0]]
    starts = [n + 1 for n, line in enumerate(broken.read_text(encoding="utf-8").splitlines()) if line.startswith("TY  -")]
    assert [str(p).split(": warning")[0] for p in problems] == [f"{broken}:{starts[n]}" for n in range(3)]
    assert "no ER line before the next record (line" in str(problems[0])
    # A last record without its ER is still a record (rispy alone drops it).
    broken.write_text(text.rstrip().rsplit("\n", 1)[0] + "\n", encoding="utf-8")
    problems = []
    assert len(read_export(str(broken), "z", problems)) == 10 and "the file ends before its ER line" in str(problems[0])


def test_years_entities_and_latex_are_cleaned():
    trid = {r["id"]: r for r in read("trid/trid.ris")[0]}
    assert (trid["s:01611111"]["date"], trid["s:01611111"]["year"]) == ("Start date: 20170812", "2017")
    assert (year_of("Start date: 20170812"), year_of("Star"), year_of("Spring 2018"), year_of("in press", "2019/05/01/")) == (
        "2017", "", "2018", "2019")
    assert {r["title"] for r in read("wos/wos.bib")[0]} >= {"A dummy title's"}  # &apos; in the export
    titles = [r["title"] for r in read("crossdb/wos.bib")[0]]
    assert "R&D Project Performance Evaluation With Multiple and Interdependent Criteria" in titles  # R\&D in the export
    zotero = {r["id"]: r for r in read("zotero/zotero.bib")[0]}
    assert "debt/GDP ratios below a threshold" in zotero["s:reinhart_growth_2010"]["abstract"]  # {GDP}
    cells = {r["id"]: r for r in read("ebsco/cinahl.csv")[0]}
    assert cells["s:176404503"]["date"] == "4/3/2024"  # written ="4/3/2024" by EBSCO


def test_zotero_keys_and_an_empty_entry():
    records, problems = read("zotero/zotero.bib")
    by_id = {r["id"]: r for r in records}
    assert by_id["s:dupas_daily_????"]["year"] == "" and by_id["s:__????"]["title"] == ""
    assert "zotero/zotero.bib:46: warning [RECORD_NO_YEAR]: the record on lines 46-53 ('The Daily Grind: Cash Needs, Labor Supply and " \
           "Self-Control') has no four-digit year in its year or date fields: its year is left empty" in problems
    assert any("[RECORDS_CONTROL]: 2 control characters (first U+0080) replaced by U+FFFD" in p for p in problems)


def test_real_cross_database_duplicates_are_found():
    """The same search in Scopus and Web of Science (pyBibX's samples): 9 papers are in both, 8 with the
    same DOI and one whose Web of Science record has no DOI, a title one letter longer and its first author
    written "Antonio Gomez-Ruiz, Jose"."""
    scopus, wos = read("crossdb/scopus.bib", "scopus")[0], read("crossdb/wos.bib", "wos")[0]
    found = {(d["record"], d["kept"]): d["reason"] for d in deduplicate(scopus + wos)}
    assert sorted(found) == sorted([
        ("wos:WOS:000241142000007", "scopus:Hu200653"), ("wos:WOS:000270081200006", "scopus:Gomez-Ruiz200941"),
        ("wos:WOS:A1997YF36000011", "scopus:Carmone Jr.1997538"), ("wos:WOS:000365867100009", "scopus:Chen2015155"),
        ("wos:WOS:000496038800013", "scopus:Kułakowski2019221"), ("wos:WOS:000076045300006", "scopus:Shiraishi1998413"),
        ("wos:WOS:000283445800007", "scopus:Tohumcu2010620"), ("wos:WOS:000447925600001", "scopus:Wang2018"),
        ("wos:WOS:000528262600001", "scopus:Haseli202079")])
    assert found[("wos:WOS:000270081200006", "scopus:Gomez-Ruiz200941")] == (
        "title 99% similar (threshold 95), same year 2009, first authors gomez ruiz and antonio gomez ruiz alike")


def test_the_same_records_in_two_formats_are_duplicates():
    pairs = [("wos/savedrecs.txt", "wos/savedrecs-tab-delimited.txt", 3), ("scopus/scopus.csv", "scopus/scopus.ris", 3),
             ("pubmed/pubmed-medline.ris", "pubmed/pubmed.csv", 4)]
    for first, second, n in pairs:
        a, b = read(first, "a")[0], read(second, "b")[0]
        assert len([d for d in deduplicate(a + b) if d["record"].startswith("b:")]) == n, (first, second)
    # Without DOIs, PubMed's MEDLINE titles ("... genomics.") and its CSV's ("... genomics") still match:
    # a trailing full stop is not part of the comparison.
    a = [r | {"doi": ""} for r in read("pubmed/pubmed-medline.ris", "a")[0]]
    b = [r | {"doi": ""} for r in read("pubmed/pubmed.csv", "b")[0]]
    assert a[0]["title"].endswith(".") and not b[0]["title"].endswith(".")
    assert [d["reason"][:9] for d in deduplicate(a + b)] == ["title 100"] * 4


def test_a_file_with_no_record_is_an_error(tmp_path):
    empty, noise = tmp_path / "a.ris", tmp_path / "b.ris"
    empty.write_text("\n", encoding="utf-8")
    noise.write_text("Provider: JSTOR http://www.jstor.org\nTY  -\n", encoding="utf-8")
    for path, message in ((empty, "empty: no records; a search that found nothing needs no file (give it results 0 in searches.csv)"),):
        with pytest.raises(InputError) as err:
            read_export(str(path), "a", [])
        assert [str(p) for p in err.value.problems] == [f"{path}:1: {message}"]
    garbage = tmp_path / "c.ris"
    garbage.write_text("just some words\nand more words\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_export(str(garbage), "c", [])
    assert str(err.value.problems[0]).startswith(f"{garbage}:1: cannot tell the format of these records: expected RIS (TY  - )")


def test_this_projects_csv_stays_strict(tmp_path):
    """The team's own CSV: a misspelt column is an error with a did-you-mean, not a table read loosely."""
    from synthesis.inputs.export_tables import EXPORT_NAMES

    hand = tmp_path / "hand.csv"
    hand.write_text('id,tittle,authors,year\nk1,A title,"Smith, J",2020\n', encoding="utf-8")
    problems: list = []
    read_export(str(hand), "hand", problems)
    exports = ", ".join(EXPORT_NAMES)
    assert [str(p) for p in problems if not p.is_warning] == [
        f"{hand}:1: missing column 'title'; this project's records have the columns id, title, authors, year, doi, abstract, "
        f"journal, notes, or give a database's export as saved ({exports})",
        f"{hand}:1: unknown column 'tittle': did you mean 'title'? allowed: id, title, authors, year, doi, abstract, journal, notes "
        f"(or give a database's export as saved: {exports})"]


def test_a_review_reads_real_exports_and_counts_what_could_not_be_read_whole(review):
    """A review whose searches are saved as the databases gave them, one file misnamed and one entry broken."""
    folder = recordskit.add_records(review, {"searches.csv": "id,source,name,date,query,results,notes\n"
                                             "scopus,database,Scopus,2024-05-01,q,3,\nwos,database,Web of Science,2024-05-02,q,3,\n"
                                             "ebsco,database,EBSCOhost,2024-05-03,q,2,\n",
                                             "screening.csv": "record,stage,decision,reason,screener,date,source,notes\n"})
    shutil.copy(EXPORTS / "scopus/scopus-extra-cells.csv", folder / "scopus.csv")
    shutil.copy(EXPORTS / "wos/savedrecs.txt", folder / "wos.ris")  # the case: savedrecs.txt saved as .ris
    shutil.copy(EXPORTS / "ebsco/ebsco.bib", folder / "ebsco.bib")
    loaded = load_records(folder)
    assert [len([r for r in loaded["records"] if r["search"] == s]) for s in ("scopus", "wos", "ebsco")] == [3, 3, 2]
    codes = sorted(w.code for w in loaded["warnings"])
    assert codes == ["RECORDS_FORMAT", "RECORD_NO_YEAR", "RECORD_PARTIAL", "RECORD_PARTIAL"]
    from synthesis.evidence.build import build_evidence
    from synthesis.report.method import method_context

    data = build_evidence()
    with open("review.yaml", "a", encoding="utf-8") as handle:
        handle.write("  added_otherwise: [smith2020, okafor2021]\n")
    data = build_evidence()
    summary = build_records(loaded, data["protocol"], data["sources"])
    assert summary["flow"]["arms"]["databases"]["partial"] == 2
    assert method_context(summary)["steps"][0] == (
        "Databases and registers: 8 records identified (databases 8); 0 duplicates removed. 2 records could not be read whole "
        "from their export and were read as far as possible (key, title, year); the build's warnings name each.")
    assert [w["code"] for w in summary["warnings"]] == [w.code for w in loaded["warnings"]]


def test_the_almp_reviews_own_records_still_read():
    loaded = load_records(reviewkit.ROOT / "records")
    assert {r["format"] for r in loaded["records"]} == {"this project's CSV"}
    assert loaded["warnings"] == []


def test_open_review_has_the_records_duplicates_and_screening(almp_built):
    import csv

    import synthesis

    review = synthesis.open_review(almp_built)
    table = list(csv.DictReader((almp_built / "output/tables/records.csv").open(encoding="utf-8")))
    assert list(review.records["record"]) == [r["id"] for r in table]
    assert review.records.groupby("search_name").size().to_dict() == {"Documents provided by the review team": 4,
                                                                       "Reference lists of the sources": 55}
    assert set(review.records["format"]) == {"this project's CSV"} and list(review.duplicates.columns)[:3] == ["record", "kept", "reason"]
    screened = [r for r in csv.DictReader((reviewkit.ROOT / "records/screening.csv").open(encoding="utf-8")) if r["decision"]]
    assert len(review.screening) == len(screened)
    assert review.screening.groupby(["stage", "decision"]).size().to_dict() == {
        (s, d): sum(1 for r in screened if (r["stage"], r["decision"]) == (s, d)) for s, d in {(r["stage"], r["decision"]) for r in screened}}
