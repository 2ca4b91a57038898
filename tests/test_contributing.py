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
