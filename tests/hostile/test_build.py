"""Hostile inputs through the real workflow: a build with hostile text gives safe outputs; a
failed build leaves the previous outputs but marks them as not current; a renamed question
leaves no stale table."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

import reviewkit
from synthesis.cli.main import main
from synthesis.report.render import live_content

from test_html_safety import _browse

FORMULA = "=HYPERLINK(\"http://evil.example\",\"click\")"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = reviewkit.make_review(tmp_path_factory.mktemp("hostile-build") / "review")
    reviewkit.write_smith_sheet(root, {(1, 3): FORMULA, (1, 9): "@SUM(1)", (2, 3): "+1 <img src=x onerror=alert(1)>", (2, 9): "-2"})
    protocol = root / "review.yaml"
    protocol.write_text(protocol.read_text(encoding="utf-8") + "coders:\n  - {id: AT, name: Ada Tester}\n", encoding="utf-8")
    # Review findings are plain text fields that reach pandoc: hostile Markdown and HTML in each.
    (root / "findings").mkdir()
    (root / "findings" / "RQa.yaml").write_text(f"""\
question: RQa
answer: "Bills fell <script>alert('answer')</script> [see](javascript:alert(1)) <details open ontoggle=alert(2)>x</details>"
findings:
  - id: RQa-1
    statement: "Members saved {{onclick=alert(3)}} [x]{{onmouseover=alert(4)}} ![i](javascript:alert(5)) `<b>`{{=html}}"
    evidence: [smith2020:1]
    authors: [AT]
    status: final
    cerqual:
      methodological_limitations: {{concern: moderate, explanation: "<script>alert('why')</script>"}}
      coherence: {{concern: minor, explanation: One excerpt.}}
      adequacy: {{concern: serious, explanation: One study.}}
      relevance: {{concern: minor, explanation: One country.}}
      overall: {{confidence: low, explanation: One primary study.}}
""", encoding="utf-8")
    before = reviewkit.file_hashes(root)
    result = reviewkit.snakemake(root)
    assert result.returncode == 0, result.stderr
    assert reviewkit.file_hashes(root) == before
    return root


def test_hostile_text_reaches_no_output_alive(built):
    html = (built / "output/report/state-of-play.html").read_text(encoding="utf-8")
    assert live_content(html) == []
    assert "alert(&#39;answer&#39;)" in html or "alert('answer')" in html  # shown, as text
    with open(built / "output/tables/evidence.csv", encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    row = next(r for r in table if r["evidence_id"] == "smith2020:1")
    assert (row["finding"], row["reviewer_note"]) == ("'" + FORMULA, "'@SUM(1)")
    row = next(r for r in table if r["evidence_id"] == "smith2020:2")
    assert (row["finding"][:3], row["reviewer_note"]) == ("'+1", "-2")  # -2 is a number, not a formula
    for table_file in (built / "output/tables").glob("*.csv"):
        for cells in csv.reader(io.StringIO(table_file.read_text(encoding="utf-8"))):
            assert not any(c.startswith(("=", "+", "-", "@")) and not re.fullmatch(r"[+-]?\d+(\.\d+)?", c) for c in cells), (table_file.name, cells)
    assert (built / "output/build-status.json").read_text(encoding="utf-8") == '{"state": "ok"}\n'
    assert not (built / "output/NOT-CURRENT.txt").exists()


def test_what_an_elision_cut_is_shown_in_the_appendix_and_by_trace(built, monkeypatch, capsys):
    report = (built / "output/report/state-of-play.md").read_text(encoding="utf-8")
    assert "**Uptake was highest among homeowners;** \\[cut: renters\\] **rarely joined.**" in report
    monkeypatch.chdir(built)
    assert main(["trace", "smith2020:2"]) == 0
    assert '  Cut by [...]: "renters"' in capsys.readouterr().out.splitlines()


@pytest.mark.needs("chromium|chromium-browser", "apt-get install chromium; the static check still runs without it")
def test_no_script_runs_in_the_built_report(built, chromium):
    assert _browse(chromium, built / "output/report/state-of-play.html") == []


def test_a_failed_build_marks_the_previous_outputs_as_not_current(built, monkeypatch, capsys):
    root = built
    report = (root / "output/report/state-of-play.html").read_bytes()
    reviewkit.write_smith_sheet(root, {(1, 2): "bill_saving"})
    result = reviewkit.snakemake(root)
    assert result.returncode != 0
    assert (root / "output/report/state-of-play.html").read_bytes() == report  # kept, for a fast rebuild
    assert (root / "output/build-status.json").read_text(encoding="utf-8") == '{"state": "failed"}\n'
    assert (root / "output/NOT-CURRENT.txt").read_text(encoding="utf-8").startswith("The last build failed.")
    assert not [p.name for p in (root / "output").rglob(".*") if p.is_file()]  # no hidden temporary files
    monkeypatch.chdir(root)
    assert main(["trace", "smith2020:1"]) == 1
    assert main(["audit"]) == 1
    stale = "output/build-status.json:1: the last build failed: the outputs are from an earlier build and not current; fix the problems and build again (snakemake --cores 2)"
    assert capsys.readouterr().err.splitlines().count(stale) == 2
    # Fixed and renamed: the build is current again and the old question's table is gone.
    reviewkit.write_smith_sheet(root, {})
    protocol = root / "review.yaml"
    protocol.write_text(protocol.read_text(encoding="utf-8").replace("RQb", "RQc"), encoding="utf-8")
    okafor = reviewkit.OKAFOR_ROWS[:3] + [[2, "Trust rose after the scheme\u2019s first annual meeting.", "local_trust; uptake", "Trust grew after members met.", "RQc", "DE"]]
    reviewkit.write_xlsx(root / "extraction/okafor2021.xlsx", okafor)
    result = reviewkit.snakemake(root)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (root / "output/tables").glob("RQ*.csv")) == ["RQa.csv", "RQc.csv"]
    assert (root / "output/build-status.json").read_text(encoding="utf-8") == '{"state": "ok"}\n'
    assert main(["trace", "smith2020:1"]) == 0


def test_a_build_killed_outright_is_resumed_by_the_next_build_without_a_flag(built):
    """kill -9 of the whole build (as a power cut): Snakemake's lock and its marks on running jobs stay behind;
    the next plain build removes the dead build's lock and re-makes what was half-made (profiles/default)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    reviewkit.write_smith_sheet(built, {(1, 9): "edited, so the build has work to do"})
    target = "output/build/evidence.json"  # the quotes' path only: pandoc's steps would add nothing to the case but CPU time
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(reviewkit.ROOT / "Snakefile"), "--directory", str(built), "--cores", "2", target]
    build = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    marks = built / ".snakemake/incomplete"
    deadline = time.monotonic() + 120
    while not (marks.is_dir() and any(marks.iterdir())) and build.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(build.pid, signal.SIGKILL)  # the build and its jobs, with no time to clean up
    build.wait()
    assert any((built / ".snakemake/locks").glob("*.lock")), "the kill came too late to leave a lock"
    assert '"state": "building"' in (built / "output/build-status.json").read_text(encoding="utf-8")
    result = reviewkit.snakemake(built, target)
    assert result.returncode == 0, result.stderr
    assert "synthesis: removed the lock of a build that was killed before it finished" in result.stderr
    assert (built / "output/build-status.json").read_text(encoding="utf-8") == '{"state": "ok"}\n'
    evidence = json.loads((built / target).read_text(encoding="utf-8"))["evidence"]
    assert next(e for e in evidence if e["evidence_id"] == "smith2020:1")["extra"]["reviewer_note"] == "edited, so the build has work to do"


def test_hostile_pdfs_fail_the_build_with_clear_messages_in_bounded_memory(tmp_path):
    """A PDF bomb, a PDF of too many pages and a damaged PDF, each a source of the review: the build fails
    naming all three, with no traceback, no input changed, and no job's memory beyond 300 MiB."""
    import subprocess
    import sys

    import pdfbombs
    import pdfkit
    from cases_second import PDF_ADVICE, PDF_DAMAGED, PDF_PAGES, bomb, truncated_pdf
    from test_limits import PEAK

    root = reviewkit.make_review(tmp_path / "review")
    pdfkit.add_pdf_source(root)
    (root / "sources/trust2024.pdf").write_bytes(pdfbombs.bomb_pdf())
    for key, data in (("pages2024", pdfbombs.pages_pdf(10_001)), ("broken2024", truncated_pdf())):
        (root / f"sources/{key}.pdf").write_bytes(data)
        (root / f"sources/{key}.yaml").write_text(pdfkit.SIDECAR.replace("trust2024", key), encoding="utf-8")
        with open(root / "sources/references.bib", "a", encoding="utf-8") as bib:
            bib.write(pdfkit.BIB_ENTRY.replace("trust2024", key))
    before = reviewkit.file_hashes(root)
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(reviewkit.ROOT / "Snakefile"), "--directory", str(root), "--cores", "2"]
    result = subprocess.run([sys.executable, "-c", PEAK, *cmd], capture_output=True, text=True)
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert bomb(362) in lines and PDF_PAGES.replace("trust2024", "pages2024") in lines, result.stderr
    assert PDF_DAMAGED.replace("trust2024", "broken2024") in lines, result.stderr
    assert PDF_ADVICE in result.stderr and "Traceback" not in result.stderr
    peak = int(re.search(r"peak MiB (\d+)", result.stderr).group(1))
    assert peak < 300, f"the build on a PDF bomb peaked at {peak} MiB"
    assert reviewkit.file_hashes(root) == before
    assert (root / "output/build-status.json").read_text(encoding="utf-8") == '{"state": "failed"}\n'
