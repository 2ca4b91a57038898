"""The records stage: reading, de-duplication, consistency checks, the PRISMA 2020 flow and its outputs."""

from __future__ import annotations

import csv
import io

import pytest

import recordskit
from synthesis.analysis.prisma import build_records, check, deduplicate
from synthesis.common.problems import InputError
from synthesis.evidence.build import build_evidence
from synthesis.inputs.records import load_records
from synthesis.report.method import method_context
from synthesis.report.prisma import TEMPLATE_COLUMNS, template_csv, write_flow


@pytest.fixture
def recorded(review):
    recordskit.add_records(review)
    return review


def _evidence():
    return build_evidence()


def _summary():
    data = _evidence()
    text = open("review.yaml", encoding="utf-8").read()
    return build_records(load_records(), data["protocol"], data["sources"], "review.yaml", text)


def _problems(files: dict[str, str]) -> list[str]:
    data = _evidence()
    text = open("review.yaml", encoding="utf-8").read()
    for name, content in files.items():
        open(f"records/{name}", "w", encoding="utf-8").write(content)
    with pytest.raises(InputError) as err:
        build_records(load_records(), data["protocol"], data["sources"], "review.yaml", text)
    return [str(p) for p in err.value.problems]


def test_records_keep_their_search_and_line(recorded):
    loaded = load_records()
    by_id = {r["id"]: r for r in loaded["records"]}
    assert [r["id"] for r in loaded["records"]] == ["scopus:S1", "scopus:S2", "scopus:S3", "scopus:S4", "wos:smithdup", "wos:okafordup",
                                                   "wos:greensolar", "hand:lee2019", "hand:lee-b"]
    assert (by_id["scopus:S2"]["path"], by_id["scopus:S2"]["line"], by_id["scopus:S2"]["authors"]) == ("records/scopus.ris", 10, ["Okafor, Chidi", "Weber, Lena"])
    assert (by_id["wos:okafordup"]["line"], by_id["wos:okafordup"]["authors"]) == (8, ["Okafor, C.", "Weber, L."])
    assert (by_id["hand:lee-b"]["line"], by_id["hand:lee-b"]["search"]) == (3, "hand")


def test_duplicates_by_doi_and_by_title_year_and_first_author(recorded):
    assert deduplicate(load_records()["records"]) == [
        {"record": "wos:smithdup", "kept": "scopus:S1", "reason": "same DOI 10.1000/ce1"},
        {"record": "wos:okafordup", "kept": "scopus:S2", "reason": "title 100% similar (threshold 95), same year 2021 and first author okafor"},
        {"record": "hand:lee-b", "kept": "hand:lee2019", "reason": "title 100% similar (threshold 95), same year 2019 and first author lee"},
    ]


def _record(id_, title, year, authors=(), doi=""):
    return {"id": id_, "title": title, "year": year, "authors": list(authors), "doi": doi}


def test_similar_titles_above_the_threshold_only():
    records = [_record("a:1", "Energy cooperatives and household bills in Germany", "2020", ["Weber, L."]),
               _record("a:2", "Energy co-operatives and household bills in Germany", "2020", ["Weber, Lena"]),
               _record("a:3", "Energy cooperatives and household bills in Germany", "2021", ["Weber, L."]),
               _record("a:4", "Energy cooperatives and household bills", "2020", ["Weber, L."])]
    found = deduplicate(records, threshold=95)
    assert [(d["record"], d["kept"]) for d in found] == [("a:2", "a:1")]  # other year; title too different
    assert found[0]["reason"].startswith("title 99% similar")
    assert [(d["record"], d["kept"]) for d in deduplicate(records, threshold=80)] == [("a:2", "a:1"), ("a:4", "a:1")]


def test_flow_numbers_match_a_hand_count(recorded):
    flow = _summary()["flow"]
    # Counted by hand from recordskit: 7 database records, S1 and S2 found again in Web of Science;
    # S3 and greensolar excluded at title/abstract; S4 (maybe) not retrieved; S1, S2 included.
    # greensolar (BibTeX) has no abstract. Citation searching: 2 records, one a duplicate; lee2019 excluded in full text.
    assert flow["arms"]["databases"] == {
        "identified": {"database": 7}, "by_name": {"database": {"Scopus": 4, "Web of Science": 3}}, "records": 7, "partial": 0, "duplicates": 2,
        "screened": 5, "awaiting_screening": 0, "screened_title_only": 1, "screened_no_title": 0, "excluded": 2,
        "excluded_reasons": [["not_empirical", 1], ["wrong_topic", 1]], "sought": 3, "not_retrieved": 1, "not_retrieved_reasons": [["no reason given", 1]], "awaiting_retrieval": 0,
        "assessed": 2, "assessed_excluded": 0, "assessed_reasons": [], "awaiting_classification": 0, "included": 2}
    assert flow["arms"]["other"] == {
        "identified": {"citation_searching": 2}, "by_name": {"citation_searching": {"Reference lists": 2}}, "records": 2, "partial": 0, "duplicates": 1,
        "screened": 1, "awaiting_screening": 0, "screened_title_only": 1, "screened_no_title": 0, "excluded": 0, "excluded_reasons": [], "sought": 1,
        "not_retrieved": 0, "not_retrieved_reasons": [], "awaiting_retrieval": 0, "assessed": 1, "assessed_excluded": 1, "assessed_reasons": [["not_empirical", 1]],
        "awaiting_classification": 0, "included": 0}
    assert (flow["included_reports"], flow["included_sources"], flow["total_sources"]) == (2, ["okafor2021", "smith2020"], 2)


def test_prisma2020_csv_has_the_template_columns_and_numbers(recorded):
    rows = list(csv.DictReader(io.StringIO(template_csv(_summary()["flow"]))))
    assert tuple(rows[0]) == TEMPLATE_COLUMNS == ("data", "node", "box", "description", "boxtext", "tooltips", "url", "n")
    n = {r["data"]: r["n"] for r in rows}
    assert (n["database_results"], n["citations_results"], n["duplicates"], n["records_screened"], n["records_excluded"]) == ("7", "2", "2", "5", "2")
    assert (n["dbr_sought_reports"], n["dbr_notretrieved_reports"], n["dbr_assessed"], n["dbr_excluded"]) == ("3", "1", "2", "0")
    assert (n["other_sought_reports"], n["other_assessed"], n["other_excluded"], n["new_studies"], n["total_reports"]) == ("1", "1", "not empirical, 1", "2", "2")


def test_flow_diagram_is_deterministic(recorded, tmp_path):
    flow = _summary()["flow"]
    write_flow(flow, tmp_path / "a.svg", tmp_path / "a.png")
    write_flow(flow, tmp_path / "b.svg", tmp_path / "b.png")
    svg = (tmp_path / "a.svg").read_bytes()
    assert svg == (tmp_path / "b.svg").read_bytes() and (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert b"Identification via databases and registers" in svg and b"Identification via other methods" in svg
    assert b"<dc:date>" not in svg


def test_the_flow_diagram_is_drawn_again_only_when_its_numbers_change(recorded, tmp_path, monkeypatch):
    from synthesis.report import prisma

    summary, drawn = _summary(), []
    monkeypatch.setattr(prisma, "write_flow", lambda flow, svg, png: (drawn.append(flow), write_flow(flow, svg, png)))
    cache, out = tmp_path / "cache", tmp_path / "out"
    for _ in range(2):
        prisma.write_outputs(summary, out, out / "prisma.svg", out / "prisma.png", cache)
    assert len(drawn) == 1 and (out / "prisma.svg").read_bytes() == next(cache.glob("*.svg")).read_bytes()
    flow = summary["flow"]
    changed = dict(summary, flow=dict(flow, arms=dict(flow["arms"], databases=dict(flow["arms"]["databases"], screened=99))))
    prisma.write_outputs(changed, out, out / "prisma.svg", out / "prisma.png", cache)
    assert len(drawn) == 2 and len(list(cache.iterdir())) == 2  # the new drawing's SVG and PNG only


def test_method_section_says_where_sources_are_missing(recorded):
    method = method_context(_summary())
    assert method["steps"][:2] == [
        "Databases and registers: 7 records identified (databases 7); 2 duplicates removed.",
        "5 records screened on title and abstract (1 with no abstract on record, screened on the title alone); 2 excluded (not empirical: 1; wrong topic: 1).",
    ]
    assert method["needs"] == "1 report passed screening but is not in the repository: retrieving and coding them is where the evidence base can grow first (records.csv lists them)."
    assert method_context(None) is None


def test_a_review_without_records_has_none(review):
    assert load_records() is None


SCREEN_HEADER = "record,stage,decision,reason,screener,date,source,notes\n"
FULL = recordskit.SCREENING.splitlines(keepends=True)


def test_numbers_that_do_not_add_up(recorded):
    assert _problems({"searches.csv": recordskit.SEARCHES.replace("community energy),4,", "community energy),5,")}) == [
        "records/searches.csv:2: search 'scopus' reports 5 results but records/scopus.ris holds 4 records"]


def test_screening_inconsistencies_at_their_file_and_line(recorded):
    rows = FULL[:3] + [
        "scopus:S3,title_abstract,exclude,,AT,2024-06-01,,\n",               # line 4: no reason
        "scopus:S4,title_abstract,exclude,wrong_topc,AT,2024-06-01,,\n",      # line 5: unknown reason
        "wos:okafordup,title_abstract,include,,AT,2024-06-01,,\n",            # line 6: a removed duplicate
        "scopus:S9,title_abstract,include,,AT,2024-06-01,,\n",                # line 7: unknown record
        "scopus:S1,title_abstract,include,,AT,2024-06-01,,\n",                # line 8: twice
        "scopus:S1,full_text,include,,AT,2024-06-10,smith2020,\n",            # line 9
        "scopus:S2,full_text,include,,,2024-06-10,okafor2020,\n",             # line 10: no screener, unknown source
        "wos:greensolar,full_text,exclude,not_empirical,AT,2024-06-10,,\n",   # line 11: never screened at title/abstract
        "scopus:S3,full_text,maybe,,AT,24-06-10,,\n",                         # line 12: excluded at title/abstract; bad date
    ]
    assert _problems({"screening.csv": "".join(rows)}) == [
        "records/screening.csv:4: an exclusion needs a reason: allowed: wrong_topic, not_empirical",
        "records/screening.csv:5: unknown reason 'wrong_topc' (review.yaml screening.reasons): did you mean 'wrong_topic'? allowed: wrong_topic, not_empirical",
        "records/screening.csv:6: record 'wos:okafordup' was removed as a duplicate of 'scopus:S2'; screen 'scopus:S2' instead",
        "records/screening.csv:7: unknown record 'scopus:S9': did you mean 'scopus:S4'? allowed: scopus:S1, scopus:S2, scopus:S3, scopus:S4, wos:smithdup, wos:okafordup, wos:greensolar, hand:lee2019, hand:lee-b",
        "records/screening.csv:8: record 'scopus:S1' already has a title_abstract decision on line 2: one row per record and stage",
        "records/screening.csv:10: missing screener: who made this decision",
        "records/screening.csv:10: source 'okafor2020' is not in sources/: did you mean 'okafor2021'? allowed: okafor2021, smith2020",
        "records/screening.csv:11: record 'wos:greensolar' has a full_text decision but no decision at title_abstract (include or maybe sends a record to full text)",
        "records/screening.csv:12: date '24-06-10' must be YYYY-MM-DD",
        "records/screening.csv:12: record 'scopus:S3' has a full_text decision but 'exclude' at title_abstract (include or maybe sends a record to full text)",
        "sources/okafor2021.txt:1: source 'okafor2021' is not an included record: give its record a full_text include with source okafor2021 in records/screening.csv, or list it in review.yaml screening.added_otherwise",
    ]


def test_a_source_added_another_way_is_declared(recorded):
    rows = [r for r in FULL if not r.startswith("scopus:S2,full_text")]
    with open("review.yaml", "a", encoding="utf-8") as handle:
        handle.write("  added_otherwise: [okafor2021, jones2020]\n")
    assert _problems({"screening.csv": "".join(rows)}) == [
        "review.yaml:35: screening.added_otherwise names 'jones2020', which is not in sources/: allowed: okafor2021, smith2020"]


def test_reading_problems_are_collected(recorded):
    with pytest.raises(InputError) as err:
        open("records/extra.csv", "w", encoding="utf-8").write("title\nA\n")
        open("records/searches.csv", "w", encoding="utf-8").write(recordskit.SEARCHES + "web,websit,,2024-13-01,q,x,\n")
        load_records()
    assert [str(p) for p in err.value.problems] == [
        "records/extra.csv:1: no search 'extra' in records/searches.csv: a records file is named after its search; allowed: scopus, wos, hand, web",
        "records/searches.csv:5: date '2024-13-01' is not a real date (month must be in 1..12); write YYYY-MM-DD",
        "records/searches.csv:5: results 'x' must be a whole number (the records the search returned)",
        "records/searches.csv:5: unknown source 'websit': did you mean 'website'? allowed: database, register, website, organisation, citation_searching, provided",
    ]


def test_check_accepts_the_fixture(recorded):
    data = _evidence()
    loaded = load_records()
    assert check(loaded, deduplicate(loaded["records"]), data["protocol"], data["sources"]) == []


def test_without_records_the_report_is_as_before(review, tmp_path):
    import shutil

    import reviewkit
    from synthesis.report.context import render_markdown

    data = _evidence()
    before = tmp_path / "templates"
    shutil.copytree(reviewkit.ROOT / "templates", before)
    main = before / "state-of-play.md.j2"
    main.write_text(main.read_text(encoding="utf-8").replace('{% include "prisma.md.j2" %}\n', ""), encoding="utf-8")
    (before / "prisma.md.j2").unlink()
    assert render_markdown(data, reviewkit.ROOT / "templates") == render_markdown(data, before)
    assert "How sources were found and chosen" not in render_markdown(data, reviewkit.ROOT / "templates")


def test_build_with_records(tmp_path):
    import reviewkit

    root = reviewkit.make_review(tmp_path / "review")
    recordskit.add_records(root)
    result = reviewkit.snakemake(root)
    assert result.returncode == 0, result.stderr
    for path in ("output/report/prisma.svg", "output/report/prisma.png", "output/tables/prisma.csv", "output/tables/records.csv", "output/tables/duplicates.csv"):
        assert (root / path).is_file(), path
    text = (root / "output/report/state-of-play.md").read_text(encoding="utf-8")
    assert "## How sources were found and chosen {#prisma}" in text and "](prisma.png){width=100%}" in text
    assert "| scopus | Databases | Scopus | 2024-05-01 | TITLE-ABS-KEY(community energy) | 4 |" in text
    html = (root / "output/report/state-of-play.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 2  # gap map and flow diagram
    duplicates = list(csv.DictReader(io.StringIO((root / "output/tables/duplicates.csv").read_text(encoding="utf-8"))))
    assert [(d["record"], d["kept"]) for d in duplicates] == [("wos:smithdup", "scopus:S1"), ("wos:okafordup", "scopus:S2"), ("hand:lee-b", "hand:lee2019")]
    # A decision that breaks the flow fails the build at its file and line.
    screening = root / "records/screening.csv"
    screening.write_text(screening.read_text(encoding="utf-8").replace("scopus:S3,title_abstract,exclude,wrong_topic", "scopus:S3,title_abstract,exclude,"), encoding="utf-8")
    result = reviewkit.snakemake(root)
    assert result.returncode != 0
    assert "records/screening.csv:4: an exclusion needs a reason: allowed: wrong_topic, not_empirical" in result.stderr


def test_review_check_reports_records_problems(recorded, capsys):
    from synthesis.cli.main import main

    assert main(["check"]) == 0
    screening = recorded / "records/screening.csv"
    screening.write_text(screening.read_text(encoding="utf-8").replace("hand:lee2019,full_text,exclude,not_empirical", "hand:lee2019,full_text,exclude,not_empiric"), encoding="utf-8")
    assert main(["check"]) == 1
    out = capsys.readouterr()
    assert "records/screening.csv:11: unknown reason 'not_empiric' (review.yaml screening.reasons): did you mean 'not_empirical'? allowed: wrong_topic, not_empirical" in out.out + out.err


def test_the_protocol_document_is_not_a_record(recorded):
    source = recorded / "sources/smith2020.md"
    source.write_text(source.read_text(encoding="utf-8").replace("role: primary", "role: protocol"), encoding="utf-8")
    assert _problems({}) == ["records/screening.csv:8: source 'smith2020' is the review's protocol document, not a record"]
    rows = [r for r in FULL if not r.startswith("scopus:S1,full_text")]
    open("records/screening.csv", "w", encoding="utf-8").write("".join(rows))
    data = _evidence()
    assert build_records(load_records(), data["protocol"], data["sources"])["flow"]["total_sources"] == 1


def test_almp_citation_records_are_the_works_its_sources_cite():
    """The ALMP review's citation-searching records: bibliography entries that are not sources, none invented."""
    import reviewkit
    from synthesis.inputs import layout
    from synthesis.inputs.bibliography import load_bibliography

    root = reviewkit.ROOT
    loaded = load_records(root / layout.RECORDS)
    entries = load_bibliography(str(root / layout.BIBLIOGRAPHY))[0]
    sources = {p.stem for p in (root / layout.SOURCES).glob("*.md")}
    cited = [r for r in loaded["records"] if r["search"] == "citations"]
    assert cited and all(r["id"].split(":", 1)[1] in set(entries) - sources for r in cited)
    assert all(not r["abstract"] for r in cited)  # no abstract is known, so none is recorded
    assert {r["id"].split(":", 1)[1] for r in loaded["records"] if r["search"] == "team"} == sources - {"jones-abstract"}


def test_provided_documents_are_not_counted_as_screened_on_title():
    from synthesis.analysis.prisma import flow

    searches = [{"id": "team", "source": "provided", "name": ""}, {"id": "cit", "source": "citation_searching", "name": ""}]
    records = [dict(_record("team:a", "A report", "2020"), search="team", abstract=""),
               dict(_record("cit:b", "Cited work", "2019"), search="cit", abstract=""),
               dict(_record("cit:c", "", "2018", ["Hendra"]), search="cit", abstract="")]
    screening = [{"record": r["id"], "stage": "title_abstract", "decision": "include", "reason": "", "source": ""} for r in records]
    arm = flow({"searches": searches, "records": records, "screening": screening}, [], {})["arms"]["other"]
    assert (arm["screened"], arm["screened_title_only"], arm["screened_no_title"], arm["sought"], arm["awaiting_retrieval"]) == (3, 2, 1, 3, 3)
