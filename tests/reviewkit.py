"""A small fixture review for tests, unlike the ALMP review on purpose: other
question ids and codes, a CSV and an XLSX sheet, a CRLF source and a BOM source."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROTOCOL = """\
title: Community energy schemes
subtitle: A fixture review
authors:
  - name: Ada Tester
    affiliation: Test University
questions:
  - id: RQa
    short: Savings
    text: Do community energy schemes cut household bills?
  - id: RQb
    short: Trust
    text: Does local ownership build trust?
codes:
  - id: bill_savings
    label: Bill savings
    definition: Changes in household energy bills.
    questions: [RQa]
  - id: uptake
    label: Uptake
    definition: Who joins schemes.
    questions: [RQa, RQb]
  - id: local_trust
    label: Local trust
    definition: Trust in local owners.
    questions: [RQb]
  - id: grid_access
    label: Grid access
    definition: Connection to the grid.
    questions: [RQb]
vocabularies:
  evidence_type: [survey, case_study]
  countries: [DE, GB, "NO"]
"""

BIBLIOGRAPHY = """\
@report{smith2020,
  author = {Smith, Jane},
  title = {Community energy in practice},
  year = {2020},
  institution = {Energy Trust}
}

@article{okafor2021,
  author = {Okafor, Chidi and Weber, Lena},
  title = {Owning the grid},
  journal = {Energy Policy},
  year = {2021}
}

@book{lee2019,
  author = {Lee, Min},
  title = {Feed-in tariffs},
  year = {2019},
  publisher = {Example Press}
}
"""

SMITH = """\
---
citekey: smith2020
type: report
role: primary
tags: [energy, cooperatives]
countries: [GB]
---
# Findings

Members of the cooperative saw bills fall by 12 per cent
in the first year.

Uptake was highest among homeowners; renters rarely joined.

Costs (£ | $) were tracked <daily> by *members* [@x].

# Caveats

Savings depended on the feed-in tariff, which has since ended.
"""

OKAFOR = """\
---
citekey: okafor2021
type: case_study
role: secondary
tags: [trust, germany]
countries: [DE]
---
Energy cooperatives in Germany are trusted because members own them \u2013 and \u201cown\u201d means a vote.

Trust rose after the scheme's first annual meeting.
"""

SMITH_ROWS = [
    ["id", "quote", "codes", "finding", "locator", "evidence_type", "countries", "cites", "coder", "reviewer_note"],
    ["1", "saw bills fall by 12 per cent in the first year", "bill_savings", "Members' bills fell by 12% in year one.", "p. 3", "survey", "GB", "", "AT", "checked"],
    ["2", "Uptake was highest among homeowners; [...] rarely joined.", "uptake ; bill_savings", "Homeowners joined; renters did not.", "", "survey", "", "", "AT", ""],
    ["3", "Costs (£ | $) were tracked <daily> by *members* [@x].", "bill_savings", "Literal text: *bold* [@x] <script>alert(1)</script> | $5 & more", "", "case_study", "GB", "lee2019", "AT", ""],
    ["4", "depended on the feed-in tariff", "bill_savings", "Savings rested on a tariff that has ended.", "", "", "", "lee2019", "AT", ""],
]

OKAFOR_ROWS = [
    ["ID", "Quote", "Codes", "Finding", "Questions", "Countries"],
    [1, "trusted because members own them - and \"own\" means a vote", "local_trust", "Ownership with votes builds trust.", "", "DE"],
    [None, None, None, None, None, None],
    [2, "Trust rose after the scheme\u2019s first annual meeting.", "local_trust; uptake", "Trust grew after members met.", "RQb", "DE"],
]


def csv_text(rows: list[list]) -> str:
    """Rows as CSV text (LF line ends)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def write_xlsx(path: Path, rows: list[list]) -> None:
    """Rows as the first worksheet of an Excel workbook."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)


def make_review(root: Path) -> Path:
    """Write the fixture review into ``root`` and return it."""
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "extraction").mkdir(exist_ok=True)
    (root / "review.yaml").write_text(PROTOCOL, encoding="utf-8")
    (root / "sources" / "references.bib").write_text(BIBLIOGRAPHY, encoding="utf-8")
    # A BOM file and a CRLF file, as Windows editors write them.
    (root / "sources" / "smith2020.md").write_bytes(b"\xef\xbb\xbf" + SMITH.encode("utf-8"))
    (root / "sources" / "okafor2021.txt").write_bytes(OKAFOR.replace("\n", "\r\n").encode("utf-8"))
    (root / "extraction" / "smith2020.csv").write_text(csv_text(SMITH_ROWS), encoding="utf-8")
    write_xlsx(root / "extraction" / "okafor2021.xlsx", OKAFOR_ROWS)
    return root


def snakemake(review: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run this project's workflow on ``review`` as a user would."""
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(review), "--cores", "2", *extra]
    return subprocess.run(cmd, capture_output=True, text=True)


def file_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every input file under ``root`` (everything outside output/, .snakemake/ and .git/)."""
    import hashlib

    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).parts[0] in ("output", ".snakemake", ".git")
    }


def write_smith_sheet(root: Path, changes: dict[tuple[int, int], str]) -> None:
    """Write extraction/smith2020.csv under ``root`` with the (row, column) cells changed."""
    rows = [row[:] for row in SMITH_ROWS]
    for (row, column), value in changes.items():
        rows[row][column] = value
    (root / "extraction" / "smith2020.csv").write_text(csv_text(rows), encoding="utf-8")


# Names as BibTeX writes them: LaTeX escapes and a braced corporate author.
NAMED_BIBLIOGRAPHY = BIBLIOGRAPHY.replace("author = {Smith, Jane}", r"author = {{\O}deg{\aa}rd, Ingrid and Stra{\ss}er, Hans}").replace(
    "title = {Community energy in practice}", r"title = {Gemeinschaftsenergie f{\"u}r alle: {\'E}tudes de cas}").replace(
    "author = {Okafor, Chidi and Weber, Lena}", "author = {{Department for Work and Pensions}}")
NAMED_FINDINGS = """\
question: RQa
answer: Members' bills fell in one scheme; whether renters gain is unknown.
findings:
  - id: RQa-1
    statement: Bills fell for members in the first year.
    evidence: [smith2020:1, smith2020:2]
    authors: [AT]
    status: final
    cerqual:
      methodological_limitations: {concern: moderate, explanation: One survey by the scheme itself.}
      coherence: {concern: minor, explanation: The excerpts agree.}
      adequacy: {concern: moderate, explanation: One study.}
      relevance: {concern: minor, explanation: One country.}
      overall: {confidence: low, explanation: One primary study in one country.}
"""


def make_named_review(root: Path) -> Path:
    """The fixture review with LaTeX and corporate author names, declared coders and one findings file."""
    make_review(root)
    (root / "sources" / "references.bib").write_text(NAMED_BIBLIOGRAPHY, encoding="utf-8")
    (root / "review.yaml").write_text(PROTOCOL + "coders:\n  - {id: AT, name: Ada Tester}\n", encoding="utf-8")
    (root / "findings").mkdir()
    (root / "findings" / "RQa.yaml").write_text(NAMED_FINDINGS, encoding="utf-8")
    return root
