"""CONTRIBUTING.md, followed literally: its BibTeX entry and its commands, the Excel route."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import reviewkit
from synthesis.inputs.sources import PLACEHOLDER

GUIDE = (reviewkit.ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def guide_command(prefix: str) -> list[str]:
    """The guide's shell command that starts with ``prefix``, pointed at this environment."""
    for block in re.findall(r"```sh\n(.*?)```", GUIDE, re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command.startswith(prefix):
                return [str(BIN / shlex.split(command)[0].removeprefix(".venv/bin/"))] + shlex.split(command)[1:]
    raise AssertionError(f"CONTRIBUTING.md has no command starting {prefix!r}")


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True)


def test_a_new_source_following_the_guide_builds_into_the_report(tmp_path):
    review = reviewkit.make_review(tmp_path / "review")
    entry = re.search(r"```bibtex\n(.*?)```", GUIDE, re.S).group(1)
    key = re.match(r"@\w+\{([^,]+),", entry).group(1)
    (review / "new.bib").write_text(entry, encoding="utf-8")

    added = run(guide_command(".venv/bin/review add-source --role primary --xlsx"), review)
    assert added.returncode == 0, added.stderr
    assert (review / "extraction" / f"{key}.xlsx").is_file()

    # Step 3: paste the document's text; fill in tags and countries.
    source = review / "sources" / f"{key}.md"
    text = source.read_text(encoding="utf-8").replace(PLACEHOLDER, "## Findings\n\nLearners who trained while in work earned more two years later.\n")
    source.write_text(text.replace("tags: []", "tags: [training]").replace("countries: []", "countries: [GB]"), encoding="utf-8")

    # Step 4, the Excel route: type a row into the first worksheet, as a co-author would in Excel.
    from openpyxl import load_workbook

    book = load_workbook(review / "extraction" / f"{key}.xlsx")
    sheet = book["extraction"]
    header = [c.value for c in sheet[1]]
    row = {"id": 1, "quote": "Learners who trained while in work earned more two years later.", "codes": "uptake; bill_savings",
           "finding": "Training in work went with higher earnings later.", "evidence_type": "survey", "countries": "GB", "coder": "NC"}
    sheet.append([row.get(column) for column in header])
    book.save(review / "extraction" / f"{key}.xlsx")

    command = [part.replace("smith2024", key) for part in guide_command(".venv/bin/review check")]
    checked = run(command, review)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout == "ok: checked 1 of 3 sources (1 excerpt), every quote located\n"

    built = run(guide_command(".venv/bin/snakemake") + ["--snakefile", str(reviewkit.ROOT / "Snakefile")], review)
    assert built.returncode == 0, built.stderr
    html = " ".join((review / "output/report/state-of-play.html").read_text(encoding="utf-8").split())
    assert "Training in work went with higher earnings later." in html
    assert f'data-cites="{key}"' in html and "Training for progression: a local evaluation" in html

    traced = run([part.replace("smith2024", key) for part in guide_command(".venv/bin/review trace")], review)
    assert traced.returncode == 0, traced.stderr
    assert "»Learners who trained while in work earned more two years later.«" in traced.stdout


def test_double_coding_following_the_guide(tmp_path):
    """The walk-through 'Coding a source twice', on the fixture's smith2020 in place of smith2024."""
    review = reviewkit.make_review(tmp_path / "review")
    key = "smith2020"

    def command(prefix: str) -> list[str]:
        return [part.replace("smith2024", key) for part in guide_command(prefix)]

    (review / "extraction" / f"{key}.csv").rename(review / "consensus.csv")  # the consensus is agreed after reconciling
    for prefix in (".venv/bin/review sheet smith2024 --coder ann", ".venv/bin/review sheet smith2024 --coder bee --xlsx"):
        made = run(command(prefix), review)
        assert made.returncode == 0, made.stderr
    ann, bee = review / "extraction/coders/ann" / f"{key}.csv", review / "extraction/coders/bee" / f"{key}.xlsx"
    assert ann.read_text(encoding="utf-8").splitlines()[0].startswith("id,quote,codes,finding")
    ann.write_text(ann.read_text(encoding="utf-8") + "1,saw bills fall by 12 per cent in the first year,bill_savings,Bills fell.,,,,,,,,\n", encoding="utf-8")
    from openpyxl import load_workbook

    book = load_workbook(bee)
    sheet = book["extraction"]
    header = [c.value for c in sheet[1]]
    for row in ({"id": 1, "quote": "Members of the cooperative saw bills fall by 12 per cent", "codes": "bill_savings", "finding": "Bills fell."},
                {"id": 2, "quote": "Savings depended on the feed-in tariff", "codes": "bill_savings", "finding": "A tariff mattered."}):
        sheet.append([row.get(column) for column in header])
    book.save(bee)

    agreed = run(command(".venv/bin/review agree"), review)
    assert agreed.returncode == 0, agreed.stderr
    assert (review / "output/tables/agreement.csv").is_file()
    # ann's quote and bee's first overlap by 29 of 74 characters: two units, plus bee's second: 3 units, none agreed.
    # bill_savings: ann 0,1,0 and bee 1,0,1; p_o = 0, p_e = 1/3 * 2/3 + 2/3 * 1/3 = 4/9, kappa = -(4/9) / (5/9) = -0.8;
    # alpha: o_01 = o_10 = 3, n = 6, n_0 = n_1 = 3: 1 - 5 * 6 / (2 * 3 * 3) = -0.667.
    assert agreed.stdout.splitlines()[2].split() == ["bill_savings", "ann;", "bee", "3", "3", "0.0", "-0.800", "-0.667"]

    reconciled = run(command(".venv/bin/review reconcile smith2024"), review)
    assert reconciled.returncode == 0, reconciled.stderr
    lines = (review / "reconcile" / f"{key}.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 3 * 2 and all("marked by" in line for line in lines[1:])
    assert not (review / "extraction" / f"{key}.csv").exists()  # reconciling writes no consensus sheet

    (review / "consensus.csv").rename(review / "extraction" / f"{key}.csv")
    checked = run(command(".venv/bin/review check extraction/smith2024.csv"), review)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    built = run(guide_command(".venv/bin/snakemake") + ["--snakefile", str(reviewkit.ROOT / "Snakefile")], review)
    assert built.returncode == 0, built.stderr
    assert "Agreement between independent coders" in (review / "output/report/state-of-play.md").read_text(encoding="utf-8")
