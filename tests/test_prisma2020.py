"""output/tables/prisma.csv against the PRISMA2020 R package: its own template (inst/extdata/PRISMA.csv) row
by row, and its own PRISMA_data() run on the file, whose numbers must be the report's flow diagram's.

The package's template and the R sources PRISMA_data() needs (PRISMA_data.R, PRISMA_default_or_csv.R,
PRISMA_format.R) are vendored in tests/prisma2020/ from prisma-flowdiagram/PRISMA2020 (commit
620aaf9b2029b09dc7ec9799c8d18eb208696d1b, MIT licence: tests/prisma2020/LICENSE and LICENSE.md).
PRISMA_data() needs only base R and the scales package: Debian's r-base-core and r-cran-scales, which
.ci/run installs when Rscript is missing. CRAN is not needed. Installing them with --no-install-recommends
on a Debian 12 machine that has neither fetches about 150 MB of packages (measured here: 2 s to download
from the mirror, 10 s to unpack; configuring adds some seconds more), so under a minute in CI.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import recordskit
from synthesis.analysis.prisma import build_records
from synthesis.evidence.build import build_evidence
from synthesis.inputs.records import load_records
from synthesis.report.prisma import TEMPLATE_COLUMNS, arm_boxes, included_lines, template_csv

PRISMA2020 = Path(__file__).parent / "prisma2020"
RSCRIPT = shutil.which("Rscript")
# Skipped with the reason where R is missing, a failure under CI=true (tests/conftest.py).
needs_r = pytest.mark.needs("Rscript", "apt-get install r-base-core r-cran-scales; PRISMA_data() cannot run, the template checks above still do")


def template_rows() -> list[dict]:
    return list(csv.DictReader(io.StringIO((PRISMA2020 / "PRISMA.csv").read_text(encoding="utf-8"))))


def fixture_flow() -> dict:
    data = build_evidence()
    text = Path("review.yaml").read_text(encoding="utf-8")
    return build_records(load_records(), data["protocol"], data["sources"], "review.yaml", text)["flow"]


@pytest.fixture
def recorded(review):
    recordskit.add_records(review)
    return review


def test_every_template_row_in_its_order_with_its_own_text(recorded):
    ours = list(csv.DictReader(io.StringIO(template_csv(fixture_flow()))))
    template = template_rows()
    assert tuple(ours[0]) == TEMPLATE_COLUMNS == tuple(template[0])
    assert len(ours) == len(template) == 34
    for mine, theirs in zip(ours, template):
        assert {k: mine[k] for k in TEMPLATE_COLUMNS if k != "n"} == {k: theirs[k] for k in TEMPLATE_COLUMNS if k != "n"}, theirs["data"]
    # Where this review has no number (title boxes, a previous version, meta-analysis, registers it did not
    # search), the template's own value stays.
    n = {r["data"] + r["box"]: r["n"] for r in ours}
    kept = {r["data"] + r["box"]: r["n"] for r in template if r["data"] in ("NA", "previous_studies", "previous_reports", "identification",
                                                                              "screening", "included", "total_studies_ma", "total_reports_ma",
                                                                              "register_specific_results")}
    assert {k: n[k] for k in kept} == kept
    assert n["database_specific_resultsbox2"] == "Scopus, 4; Web of Science, 3"


def test_team_provided_records_are_counted_with_organisations(recorded):
    flow = fixture_flow()
    flow["arms"]["other"]["identified"] = {"provided": 4, "citation_searching": 2}
    rows = {r["data"]: r for r in csv.DictReader(io.StringIO(template_csv(flow)))}
    assert (rows["organisation_results"]["n"], rows["organisation_results"]["boxtext"]) == ("4", "Organisations and the review team")


def rscript(csv_path: Path) -> subprocess.CompletedProcess:
    if RSCRIPT is None:
        pytest.fail("CI=true: R must run here (.ci/run installs r-base-core and r-cran-scales)")
    return subprocess.run([RSCRIPT, str(PRISMA2020 / "run_prisma_data.R"), str(PRISMA2020 / "R"), str(csv_path)],
                          capture_output=True, text=True, timeout=120)


def run_prisma_data(csv_path: Path) -> dict[str, str]:
    out = rscript(csv_path)
    assert out.returncode == 0, out.stderr
    return dict(line.split("\t", 1) for line in out.stdout.splitlines())


def diagram_numbers(flow: dict) -> dict[str, str]:
    """The numbers the report's flow diagram shows, read off its boxes' text, by PRISMA2020 name."""
    def number(lines: list[str], label: str) -> int:
        found = [int(m.group(1)) for line in lines if line.startswith(label) for m in [re.search(r"\(n = (\d+)\)", line)] if m]
        return sum(found)

    def reasons(lines: list[str]) -> str:
        shown = [re.match(r"(.*) \(n = (\d+)\)$", line) for line in lines[1:]]
        return "|".join(f"{m.group(1)}={m.group(2)}" for m in shown if m) or "=" + str(number(lines, "Reports excluded"))

    out: dict[str, str] = {}
    for arm, prefix in (("databases", "dbr"), ("other", "other")):
        if not flow[f"uses_{arm}"]:
            boxes = [([], [])] * 4
        else:
            boxes = arm_boxes(flow["arms"][arm])
        identified, duplicates = boxes[0]
        if arm == "databases":
            out |= {"database_results": number(identified, "Databases"), "register_results": number(identified, "Registers"),
                    "duplicates": number(duplicates, "Duplicate records"), "records_screened": number(boxes[1][0], "Records screened"),
                    "records_excluded": number(boxes[1][1], "Records excluded")}
        else:
            out |= {"website_results": number(identified, "Websites"), "citations_results": number(identified, "Citation searching"),
                    "organisation_results": number(identified, "Organisations") + number(identified, "Provided by the review team")}
        out |= {f"{prefix}_sought_reports": number(boxes[2][0], "Reports sought for retrieval"),
                f"{prefix}_notretrieved_reports": number(boxes[2][1], "Reports not retrieved"),
                f"{prefix}_assessed": number(boxes[3][0], "Reports assessed for eligibility"),
                f"{prefix}_excluded": reasons(boxes[3][1]) if flow[f"uses_{arm}"] else "=0"}
    included = included_lines(flow)
    out |= {"new_studies": number(included, "Sources included in review"), "total_studies": number(included, "Sources included in review"),
            "new_reports": number(included, "Reports of included records"), "total_reports": number(included, "Reports of included records")}
    return {k: str(v) for k, v in out.items()}


@needs_r
def test_prisma_data_reads_the_fixtures_csv_with_the_diagrams_numbers(recorded, tmp_path):
    flow = fixture_flow()
    path = tmp_path / "prisma.csv"
    path.write_text(template_csv(flow), encoding="utf-8")
    read = run_prisma_data(path)
    expected = diagram_numbers(flow)
    assert {k: read[k] for k in expected} == expected
    assert expected["database_results"] == "7" and expected["other_excluded"] == "not empirical=1"  # counted by hand in test_records
    assert read["database_specific_results"] == "Scopus=4|Web of Science=3"
    assert (read["previous_text"], read["identification_text"], read["total_studies_ma"]) == ("Previous studies", "Identification", "0")


@needs_r
def test_prisma_data_reads_this_repositorys_prisma_csv(almp_built):
    """This repository's own build: the CSV the report's diagram was drawn beside."""
    import orjson

    read = run_prisma_data(almp_built / "output/tables/prisma.csv")
    flow = orjson.loads((almp_built / "output/build/records.json").read_bytes())["flow"]
    expected = diagram_numbers(flow)
    assert {k: read[k] for k in expected} == expected
    assert (read["organisation_results_text"], read["organisation_results"]) == ("Organisations and the review team", "4")


@needs_r
def test_without_the_full_template_prisma_data_stops(tmp_path):
    """What the issue saw: the old 24-row file lacked the title boxes, and PRISMA_data() stopped."""
    rows = [r for r in template_rows() if r["data"] not in ("NA", "identification", "screening", "included")]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=TEMPLATE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "short.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = rscript(path)
    assert result.returncode != 0 and "object 'previous_text' not found" in result.stderr, result.stderr
