"""Hostile records files (the exports a search's records come in): each gives its exact message and exit
code from ``review check``, no traceback, no escape sequence in the output, and leaves every input
byte-identical. The fixture review gets the records of tests/recordskit.py, then one file is damaged."""

from __future__ import annotations

import pytest

import recordskit
import reviewkit
from test_hostile import inputs, run

SCOPUS = "records/scopus.ris"
WOS = "records/wos.bib"


def put(path: str, data: bytes):
    return lambda root: (root / path).write_bytes(data)


def remove(path: str):
    return lambda root: (root / path).unlink()


def both(*steps):
    return lambda root: [step(root) for step in steps]


RIS = recordskit.SCOPUS.encode("utf-8")
CASES = [
    ("records-binary", put(SCOPUS, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 1,
     ["records/scopus.ris:1: cannot tell the format of these records: expected RIS (TY  - ), Web of Science plain text (PT ), "
      "PubMed/MEDLINE (PMID- ), Ovid (<1. >), BibTeX (@article{...}) or a table with a header row"]),
    ("records-empty", put(SCOPUS, b"\n\n"), 1,
     ["records/scopus.ris:1: empty: no records; a search that found nothing needs no file (give it results 0 in searches.csv)"]),
    ("records-utf16-no-bom", put(SCOPUS, recordskit.SCOPUS.encode("utf-16-le")), 1,
     ["records/scopus.ris:1: cannot tell the format of these records: expected RIS (TY  - ), Web of Science plain text (PT ), "
      "PubMed/MEDLINE (PMID- ), Ovid (<1. >), BibTeX (@article{...}) or a table with a header row",
      "records/scopus.ris:1: warning [RECORDS_CONTROL]: 490 control characters (first U+0000) replaced by U+FFFD"]),
    ("records-latin1", put(SCOPUS, RIS.replace(b"Smith, Jane", "Sm\xeft\xe9, Jane".encode("latin-1"))), 0,
     ["records/scopus.ris:4: warning [RECORDS_ENCODING]: not UTF-8 (byte 0xef): read as Windows-1252; check accented letters, "
      "or export the records again as UTF-8"]),
    ("records-escape-in-title", put(SCOPUS, RIS.replace(b"Owning the grid", b"Owning \x1b[31mthe grid")), 0,
     ["records/scopus.ris:12: warning [RECORDS_CONTROL]: 1 control character (first U+001B) replaced by U+FFFD"]),
    ("records-bib-never-closed", put(WOS, recordskit.WOS.encode("utf-8").rsplit(b"}", 1)[0]), 0,
     ["records/wos.bib:14: warning [RECORD_PARTIAL]: the record on lines 14-17 could not be read whole (the BibTeX entry is broken "
      "near line 18 (syntactical error in bibtex: Unexpectedly reached end of file.)): read as far as it goes, as wos:greensolar "
      "('Solar cooperatives and tariffs')"]),
    ("records-ris-without-er", put(SCOPUS, RIS.replace(b"ER  - \n", b"")), 0,
     ["records/scopus.ris:1: warning [RECORD_PARTIAL]: the record on lines 1-8 could not be read whole (no ER line before the next "
      "record (line 9)): read as far as it goes, as scopus:S1 ('Community energy in practice')",
      "records/scopus.ris:24: warning [RECORD_PARTIAL]: the record on lines 24-29 could not be read whole (the file ends before its "
      "ER line): read as far as it goes, as scopus:S4 ('Heat pumps in flats')"]),
    ("records-misnamed", both(remove(WOS), put("records/wos.ris", recordskit.WOS.encode("utf-8"))), 0,
     ["records/wos.ris:1: warning [RECORDS_FORMAT]: looks like BibTeX, not RIS as its name says: read as BibTeX; rename it wos.bib"]),
    ("records-csv-unknown-column", put("records/hand.csv", recordskit.HAND.replace("id,title", "eid,title").encode("utf-8")), 1,
     ["records/hand.csv:1: unknown column 'eid': did you mean 'id'? allowed: id, title, authors, year, doi, abstract, journal, "
      "notes (or give a database's export as saved: Scopus CSV, Web of Science tab-delimited, PubMed CSV, IEEE Xplore CSV, "
      "EBSCO CSV, Ovid CSV, Zotero CSV, Lens CSV, Embase CSV, Cochrane CSV, Springer CSV, OpenAlex CSV, Covidence CSV, "
      "RefWorks tab-delimited, Rayyan CSV)"]),
    ("records-xlsx-export", put("records/scopus.xlsx", b"PK\x03\x04"), 1,
     ["records/scopus.xlsx:1: records of a search are the database's export as saved (.ris, .txt, .nbib, .bib, .csv, .tsv); only "
      "searches and screening may be .xlsx: save the sheet as CSV"]),
]


@pytest.mark.parametrize("name, setup, code, expected", CASES, ids=[c[0] for c in CASES])
def test_hostile_records_file(tmp_path, monkeypatch, name, setup, code, expected):
    root = reviewkit.make_review(tmp_path / "review")
    recordskit.add_records(root)
    setup(root)
    monkeypatch.chdir(root)
    before = inputs(tmp_path)
    status, output = run(["check"])
    assert "Traceback" not in output and "\x1b" not in output
    assert status == code, output
    for line in expected:
        assert line in output.splitlines(), output
    assert inputs(tmp_path) == before
