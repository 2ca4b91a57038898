"""Every command README.md and CONTRIBUTING.md show is run, as documented, on a clone of this repository.

The commands are read from the documents (tests/doccommands.py), so a command added to either is run here
without a change to this file; the inputs the documents ask a person to write (the BibTeX entry, the pasted
text, the coded rows) are written by this file where the documents ask for them.

- README.md: each section's commands in order, on a copy of the clone as the README's set-up command leaves
  it (the review built); a ``python`` block runs in place. Each must exit 0; an output the README shows is
  checked by a scenario that makes it happen.
- CONTRIBUTING.md: the walk-through in order, through each of its routes (a CSV sheet, an Excel sheet, a PDF
  source turned to an Excel sheet), on one copy of the clone, from a new BibTeX entry to the built report that
  cites all three, the commit through the pre-commit hook, and the double-coding walk-through.
- What is not run here is listed below with who runs it, and checked: ``CI_RUNS`` lines are run verbatim
  by .ci/run (the set-up commands made the environment running this test; the rest of a set-up chain is run
  here), ``LONG`` names a command too long for the suite beside its documented quick variant, and
  ``ELSEWHERE`` names the test file that runs a command needing a cluster, or a browser (``review code``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest

import doccommands as docs
import reviewkit
from synthesis.inputs.sources import PLACEHOLDER

CI_RUNS = (
    r"^python3 -m venv \.venv && \.venv/bin/pip install -e ",  # the set-up commands
    r"^\.venv/bin/python benchmarks/run\.py --sizes",          # the quick benchmark
)
LONG = {r"^\.venv/bin/python benchmarks/run\.py$": r"^\.venv/bin/python benchmarks/run\.py --sizes"}
ELSEWHERE = {  # a real one-node SLURM cluster runs the README's cluster block as written (the install line is checked)
    r"--profile profiles/slurm": "tests/test_slurm.py",
    r"^\.venv/bin/pip install -e '\.\[slurm\]'$": "tests/test_slurm.py",
    r"^\.venv/bin/review code ": "tests/test_code_browser.py",  # serves until stopped: a browser drives it there
}  # (CONTRIBUTING's `review code` is also walked below, by the coding-app route, where Chromium is installed)


# Commands a session fixture runs (tests/conftest.py), so that the reviews they build are shared with other tests.
BY_FIXTURE = {r"^python3 -m venv \.venv && \.venv/bin/pip install -e \. && \.venv/bin/snakemake": "repo_built",
              r"--directory /path/to/review --cores 2$": "another_review_built"}


def fixture_of(command: docs.Command) -> str:
    return next((name for p, name in BY_FIXTURE.items() if re.search(p, command.text)), "")


def runs_here(command: docs.Command) -> str:
    """The command line this file runs for a documented command ('' when it runs none): the command, or
    the rest of a set-up chain once the set-up is done."""
    who = accounted(command)
    if who == ".ci/run" and re.match(r"^python3 -m venv \.venv ", command.text):
        rest = docs.after_setup(command.text)
        return "" if rest in ("", ".venv/bin/pytest") else rest  # the test command is running now
    return "" if who else command.text


def accounted(command: docs.Command) -> str:
    """Who runs a command other than this file ('' for this file)."""
    if any(re.search(p, command.text) for p in CI_RUNS):
        return ".ci/run"
    if any(re.search(p, command.text) for p in LONG):
        return "long"
    return next((f for p, f in ELSEWHERE.items() if re.search(p, command.text)), "")


def environment(tmp: Path) -> dict[str, str]:
    git = {f"GIT_{who}_{what}": value for who in ("AUTHOR", "COMMITTER") for what, value in (("NAME", "Jane Ng"), ("EMAIL", "jn@example.org"))}
    return os.environ | git | {"PRE_COMMIT_HOME": str(tmp / "pre-commit-cache"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def substituted(text: str, places: dict[str, str]) -> str:
    for placeholder, value in places.items():
        text = text.replace(placeholder, value)
    assert not re.search(r"(?<![\w.])/path/to/", text), f"a placeholder this test does not fill in: {text}"
    return text


def run_documented(command: docs.Command, text: str, cwd: Path, env: dict, stdin: str = "") -> docs.subprocess.CompletedProcess:
    result = docs.run(text, cwd, env, stdin)
    assert "Traceback" not in result.stdout + result.stderr, f"{command}\n{result.stdout}\n{result.stderr}"
    assert result.returncode == 0, f"{command}\nran: {text}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


# ---- what is not run here is accounted for -------------------------------------------------------

def test_commands_not_run_here_are_run_elsewhere():
    ci = (reviewkit.ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    every = [c for d in docs.DOCUMENTS for c in docs.commands(d)]
    for pattern in CI_RUNS + tuple(LONG) + tuple(ELSEWHERE):
        assert any(re.search(pattern, c.text) for c in every), f"no documented command matches {pattern!r}: drop it"
    for command in every:
        who = accounted(command)
        if who == ".ci/run":
            assert command.text in [line.split("  #")[0].strip() for line in ci], f"{command}: .ci/run must run it verbatim"
        elif who == "long":
            quick = next(q for p, q in LONG.items() if re.search(p, command.text))
            assert any(re.search(quick, c.text) and accounted(c) == ".ci/run" for c in every), f"{command}: no quick variant run by .ci/run"
        elif who:
            assert (reviewkit.ROOT / who).is_file(), f"{command}: {who} does not exist"


def test_no_shell_block_is_left_unlabelled():
    """A block of commands without ``sh`` would not be run here: every block starting with a command says ``sh``."""
    for document in docs.DOCUMENTS:
        for block in docs.blocks(document):
            first = next((line for line in block.text.splitlines() if line.strip()), "")
            if block.language not in docs.SHELL:
                assert not re.match(r"(\.venv|\.venv-hooks)/bin/|python3 |git ", first), f"{document}:{block.line}: label the block ```sh"


def test_commands_named_in_prose_are_commands():
    """``review sheet KEY --xlsx`` in a sentence parses as a command line, with its options."""
    from synthesis.cli.main import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for document in docs.DOCUMENTS:
        for line, mention in docs.mentions(document):
            words = docs.argv(mention)[1:]
            assert words[0] in commands, f"{document}:{line}: `{mention}`: no command {words[0]!r}"
            if len(words) > 1:  # a command line, not just the command's name
                try:
                    parser.parse_args(words)
                except SystemExit:
                    pytest.fail(f"{document}:{line}: `{mention}` is not a command line `review` accepts")


# ---- README.md --------------------------------------------------------------------------------------

def readme_sections() -> list[str]:
    sections = []
    for command in docs.commands("README.md"):
        if (runs_here(command) or fixture_of(command)) and command.section not in sections:
            sections.append(command.section)
    return sections


def _ray_typo(root: Path) -> tuple[str, str]:
    """README, "Checking inputs": the example problem, made by mistyping the code of ray2017's row 3."""
    sheet = root / "extraction" / "ray2017.csv"
    before = sheet.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(before)))
    assert rows[3][0] == "3"
    rows[3][2] = "employer_engagment"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    sheet.write_text(out.getvalue(), encoding="utf-8")
    result = docs.run(".venv/bin/review check extraction/ray2017.csv", root)
    sheet.write_text(before, encoding="utf-8")
    assert result.returncode == 1
    return result.stdout, result.stderr


SCENARIOS = {("README.md", "Checking inputs"): _ray_typo}


@pytest.mark.parametrize("section", readme_sections())
def test_readme_section_runs_as_documented(section, repo_built, tmp_path, request):
    root = docs.copy_of(repo_built, tmp_path / "synthesis")
    places = {"/path/to/this/project": str(reviewkit.ROOT), "/path/to/project": str(reviewkit.ROOT),
              "/path/to/review": str(reviewkit.make_review(tmp_path / "another-review"))}
    env = environment(tmp_path)
    for block in docs.blocks("README.md"):
        if block.section == section and block.shows_output:
            stdout, stderr = SCENARIOS[("README.md", section)](root)  # a shown output without a scenario fails here
            assert docs.matches(substituted(block.text, places), stdout + stderr) == [], stdout + stderr
    steps = [(c.line, c) for c in docs.commands("README.md") if c.section == section]
    steps += [(b.line, b) for b in docs.blocks("README.md") if b.section == section and b.language == "python"]
    ran = []
    for _line, step in sorted(steps, key=lambda s: s[0]):
        if isinstance(step, docs.Block):
            result = docs.run(".venv/bin/python -", root, env, step.text)
            assert result.returncode == 0, f"README.md:{step.line}: the python block fails\n{result.stderr[-3000:]}"
        elif fixture_of(step):
            ran.append(request.getfixturevalue(fixture_of(step)))  # the fixture ran it (and checked its exit code)
        elif runs_here(step):
            ran.append(run_documented(step, substituted(runs_here(step), places), root, env))
    assert ran, f"nothing ran in README section {section!r}"
    expect = README_OUTPUTS.get(section)
    if expect:
        expect(root, ran)


def _built_other(root: Path, ran) -> None:
    other, _before = ran[0]
    assert (other / "output/report/state-of-play.html").is_file()
    assert "Members' bills fell by 12% in year one." in (other / "output/report/state-of-play.md").read_text(encoding="utf-8")


def _audited(root: Path, ran) -> None:
    claim, evidence, audit = (r.stdout for r in ran)
    assert claim.startswith("Claim Q3-F2 (review-finding, question Q3)") and "Evidence green2023:29" in claim
    assert evidence.startswith("Evidence green2023:29") and "Claims resting on it: " in evidence
    assert "matches the file" in evidence and audit.splitlines()[-1].endswith("; no drift.")


def _double_coded(root: Path, ran) -> None:
    sheet, agreed, reconciled = (r.stdout for r in ran)
    assert "added to coders" in sheet and (root / "extraction/coders/ann/ray2017.csv").is_file()
    assert (root / "output/tables/agreement.csv").is_file() and (root / "reconcile/ray2017.csv").is_file()


def _released(root: Path, ran) -> None:
    released, _committed, diff = (r.stdout for r in ran)
    assert released.startswith("Wrote releases/v1.json: release v1 of ") and (root / "releases/v1.json").is_file()
    assert released.rstrip().endswith("4 answers, 16 findings, 182 excerpts, 5 sources. Commit it: git add releases/v1.json "
                                      "&& git commit -m 'Release v1'")
    release = json.loads((root / "releases/v1.json").read_text(encoding="utf-8"))  # the records' PRISMA counts too
    assert release["review"]["records"] == {"identified": 59, "duplicates": 0, "screened": 59, "excluded": 4, "assessed": 4,
                                            "included": 4}
    assert release["commit"] and docs.subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True,
                                                     text=True).stdout == ""  # committed as the README says
    assert diff.splitlines()[0] == "Changes since v1"
    assert diff.splitlines()[1].startswith("Nothing the report states has changed since release v1 (")


README_OUTPUTS = {"Building another review": _built_other, "Auditing a claim": _audited, "Coding a source twice": _double_coded,
                  "Releasing a version": _released}


# ---- CONTRIBUTING.md ------------------------------------------------------------------------------

# What the co-author pastes (step 3) and codes (step 4): three passages, three excerpts.
TEXT = """## Findings

Of the 412 learners who trained while in work, 61 per cent earned more two years later.

Employers helped design two of the five courses.

Learners who also had a career conversation with a work coach were more likely to move to a better-paid job.
"""
ROWS = [
    {"id": "1", "quote": "Of the 412 learners who trained while in work, 61 per cent earned more two years later.", "codes": "in_work_progression",
     "finding": "Most learners who trained in work earned more two years later.", "evidence_type": "own_data", "countries": "GB", "coder": "jn"},
    {"id": "2", "quote": "Employers helped design two of the five courses.", "codes": "employer_engagement; employer_led_design",
     "finding": "Employers shaped a minority of the courses.", "evidence_type": "own_data", "countries": "GB", "coder": "jn"},
    {"id": "3", "quote": "Learners who also had a career conversation with a work coach were more likely to move to a better-paid job.",
     "codes": "in_work_progression; holistic_support", "finding": "Career conversations went with moves to better-paid jobs.",
     "evidence_type": "own_data", "countries": "GB", "coder": "jn"},
]
# A first attempt with the two mistakes CONTRIBUTING's step 5 shows: a mistyped code, a misquoted word.
MISTAKES = {"2": {"codes": "employer_engagment; employer_led_design"},
            "3": {"quote": ROWS[2]["quote"].replace("move to a", "move into a")}}
# The PDF route's report, drawn as lines on a page; a coder copies the sentence from a viewer as one line.
PDF_LINES = ["Evaluation of a sector-based training pilot", "", "Nine in ten employers in the pilot said they would",
             "recruit from it again. Most trainees were still in work", "six months after the course ended."]
PDF_ROWS = [{"id": "1", "quote": "Nine in ten employers in the pilot said they would recruit from it again.", "codes": "sector_training; employer_engagement",
             "finding": "Employers in the pilot would recruit from it again.", "evidence_type": "own_data", "countries": "GB", "coder": "jn"},
            {"id": "2", "quote": "Most trainees were still in work six months after the course ended.", "codes": "sector_training",
             "finding": "Most trainees stayed in work for six months.", "evidence_type": "own_data", "countries": "GB", "coder": "jn"}]


class Route:
    """One way through the walk-through: which alternative of each step, and the source's key."""

    def __init__(self, name: str, key: str, choice: int, optional: bool, parts: tuple[str, ...]):
        self.name, self.key, self.choice, self.optional, self.parts = name, key, choice, optional, parts
        self.sheet = "csv"  # what the source's sheet is now
        self.outputs: dict[str, str] = {}

    def takes(self, command: docs.Command, alternatives: dict[int, int]) -> bool:
        if command.part not in self.parts or (command.optional and not self.optional):
            return False
        return command.choice == min(self.choice, alternatives[command.group])

    def entry(self, document_entry: str) -> str:
        entry = document_entry.replace("{smith2024,", "{" + self.key + ",")
        # Titles far enough apart that add-source sees four documents, not one document added four times.
        route = "of its second year, coded in the browser" if self.name == "app" else self.name + " route"
        return entry if self.name == "csv" else entry.replace("a local evaluation}", f"a local evaluation, {route}}}")


APPRAISAL = """tool: aacods
tool_reason: A local evaluation report, grey literature.
appraiser: jn
items:
  authority: {answer: yes, note: A named evaluation team.}
  accuracy: {answer: unclear, note: The survey's method is described in one sentence.}
  coverage: {answer: yes, note: It states that it covers one pilot.}
  objectivity: {answer: yes, note: It reports what did not work.}
  date: {answer: yes, note: Dated 2024.}
  significance: {answer: yes, note: On training for progression (Q1).}
overall: {concern: minor, explanation: A dated evaluation of one pilot whose survey method is thin.}
"""


def write_rows(sheet: Path, rows: list[dict]) -> None:
    """Rows typed into a sheet by its coder: CSV in an editor, Excel in a spreadsheet program."""
    if sheet.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(sheet)
        table = book["extraction"]
        header = [c.value for c in table[1]]
        table.delete_rows(2, table.max_row)
        for row in rows:
            table.append([row.get(column) for column in header])
        book.save(sheet)
        return
    header = next(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header] + [[row.get(c, "") for c in header] for row in rows])
    sheet.write_text(out.getvalue(), encoding="utf-8")


def report_pdf(path: Path, lines: list[str]) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.setFont("Helvetica", 11)
    y = A4[1] - 100
    for line in lines:
        pdf.drawString(72, y, line)
        y -= 14 if line else 28
    pdf.showPage()
    pdf.save()
    return path


class Walk:
    """The co-author's manual steps between CONTRIBUTING's commands, and the checks of what they show."""

    def __init__(self, root: Path, tmp: Path, guide_entry: str, shown: dict[str, str]):
        self.root, self.tmp, self.guide_entry, self.shown = root, tmp, guide_entry, shown
        self.pdf = report_pdf(tmp / "report.pdf", PDF_LINES)

    def places(self, route: Route) -> dict[str, str]:
        return {"~/Downloads/report.pdf": str(self.pdf), "smith2024": route.key}

    def before(self, route: Route, command: docs.Command, text: str) -> None:
        if "review add-source" in text:  # step 1: the entry, in new.bib
            (self.root / "new.bib").write_text(route.entry(self.guide_entry), encoding="utf-8")
        if "review check sources/" in text and route.name == "excel":  # step 5 on the first attempt: the problems shown
            result = docs.run(text, self.root)
            assert result.returncode == 1
            assert docs.matches(self.shown["5. Check"].replace("smith2024", route.key), result.stdout) == [], result.stdout
            write_rows(self.root / "extraction" / f"{route.key}.xlsx", ROWS)
        if command.section == "4. Build" and "review check" in text:  # reconciled: the agreed rows in the consensus sheet
            agreed = [dict(ROWS[0]), dict(ROWS[1], codes="employer_led_design"), dict(ROWS[2])]
            write_rows(self.root / "extraction" / f"{route.key}.csv", agreed)

    def after(self, route: Route, command: docs.Command, text: str, out: str) -> None:
        root, key = self.root, route.key
        route.outputs[command.section] = out
        if "review add-source" in text:
            assert f"wrote records/team.csv: record team:{key} of the search 'team'" in out, out
            assert f"wrote records/screening.csv: team:{key} included at title_abstract and full_text (source {key}), screener jn" in out
            assert "coder: write jn in the sheet's coder column" in out or "coder: jn is declared in review.yaml" in out
            if "--pdf" in text:  # step 3 for a PDF: its front matter is in the sidecar
                sidecar = root / "sources" / f"{key}.yaml"
                sidecar.write_text(sidecar.read_text(encoding="utf-8").replace("tags: []", "tags: [sector-training]").replace("countries: []", "countries: [GB]"), encoding="utf-8")
            else:  # step 3: paste the text, fill in tags and countries
                source = root / "sources" / f"{key}.md"
                body = source.read_text(encoding="utf-8").replace(PLACEHOLDER, TEXT)
                source.write_text(body.replace("tags: []", "tags: [training]").replace("countries: []", "countries: [GB]"), encoding="utf-8")
            route.sheet = "xlsx" if "--xlsx" in text else "csv"
            assert f"wrote appraisal/{key}.yaml" in out, out
            (root / "appraisal" / f"{key}.yaml").write_text(APPRAISAL, encoding="utf-8")  # step 2: the appraisal filled in
        elif re.search(r"review text \S+$", text):  # step 4: code the excerpts, quotes copied as shown
            rows = PDF_ROWS if (root / "sources" / f"{key}.pdf").exists() else ROWS
            shown = " ".join(out.split())
            assert all(" ".join(r["quote"].split()) in shown for r in rows), out
            if route.name == "app":
                return  # coded in the browser at step 4's `review code`
            first = [dict(r, **MISTAKES.get(r["id"], {})) for r in rows] if route.name == "excel" else rows
            write_rows(root / "extraction" / f"{key}.{route.sheet}", first)
        elif "--replace" in text:
            assert f"wrote extraction/{key}.xlsx with the 2 rows of extraction/{key}.csv, and removed extraction/{key}.csv" in out, out
            route.sheet = "xlsx"
        elif "review check sources/" in text:
            assert re.match(rf"ok: checked 1 of \d+ sources \({2 if route.name == 'pdf' else 3} excerpts\), every quote located; "
                            "also checked: records and screening, review findings citing them\nnot checked: ", out), out
        elif text == ".venv/bin/snakemake --cores 2" and command.section.endswith("(once)"):
            pass  # the README's set-up command, as the co-author ran it before starting (in a copy: the report is redone)
        elif text == ".venv/bin/snakemake --cores 2" and command.part.startswith("Adding"):
            html = " ".join((root / "output/report/state-of-play.html").read_text(encoding="utf-8").split())
            assert f'data-cites="{key}"' in html and "Training for progression: a local evaluation" in html
            assert (ROWS if route.name != "pdf" else PDF_ROWS)[0]["finding"] in html
        elif re.search(r"review trace \S+:1$", text):
            quote = (PDF_ROWS if route.name == "pdf" else ROWS)[0]["quote"]
            assert f"»{quote[:30]}" in out and f"{quote[-15:]}«" in out, out  # marked in its source (a PDF's lines as extracted)
        elif text.startswith("git commit"):
            assert re.search(r"review check\.+Passed", out), out
        elif "--coder ann" in text:
            assert f"wrote extraction/coders/ann/{key}.csv\nwrote review.yaml: coder ann (Ann Example) added to coders" in out
            write_rows(root / "extraction/coders/ann" / f"{key}.csv", ANN)
        elif "--coder bee" in text:
            write_rows(root / "extraction/coders/bee" / f"{key}.xlsx", BEE)
        elif text.endswith("review agree"):
            lines = {line.split()[0]: line.split() for line in out.splitlines()[1:] if line.strip()}
            for code, numbers in AGREED.items():
                assert lines[code][1:] == numbers, out
        elif "review reconcile" in text:
            rows = list(csv.DictReader(io.StringIO((root / "reconcile" / f"{key}.csv").read_text(encoding="utf-8"))))
            assert [(r["unit"], r["coder"]) for r in rows] == [(f"{key}#{n}", c) for n in (1, 2, 3) for c in ("ann", "bee")], rows
            assert all(r["differs"] for r in rows) and "(nothing coded)" in {r["quote"] for r in rows}, rows
        elif text == ".venv/bin/snakemake --cores 2":
            assert "Agreement between independent coders" in (root / "output/report/state-of-play.md").read_text(encoding="utf-8")


    def code_in_the_app(self, route: Route, text: str, browser) -> None:
        """Step 4 in the coding app: every excerpt selected with the mouse and coded, no quote typed."""
        from test_code_browser import browser_page, code_row, drag_select, running

        with running(text, self.root) as url, browser_page(browser) as page:
            page.goto(url)
            page.wait_for_selector("#text h2")
            for row in ROWS:
                words = row["quote"].split()
                drag_select(page, words[0] + " " + words[1], words[-2] + " " + words[-1])
                assert page.inner_text("#quote") == row["quote"]
                code_row(page, row["codes"].split("; "), row["finding"], row["evidence_type"], (row["countries"],), row["coder"])
                page.locator("#messages li.note", has_text="Saved.").wait_for()
                page.wait_for_selector(f'#rows li#row-{row["id"]}')
        sheet = list(csv.DictReader(io.StringIO((self.root / "extraction" / f"{route.key}.csv").read_text(encoding="utf-8"))))
        assert [{k: r[k] for k in ROWS[0]} for r in sheet] == ROWS


# Two coders, independently: one unit both mark (their quotes overlap by 66 of 88 characters), one each alone.
ANN = [{"id": "1", "quote": "who trained while in work, 61 per cent earned more two years later", "codes": "in_work_progression", "finding": "Earnings rose."},
       {"id": "2", "quote": "Employers helped design two of the five courses.", "codes": "employer_led_design", "finding": "Employers designed courses."}]
BEE = [{"id": "1", "quote": ROWS[0]["quote"], "codes": "in_work_progression", "finding": "Most earned more."},
       {"id": "2", "quote": "Learners who also had a career conversation with a work coach", "codes": "holistic_support", "finding": "Coaching helped."}]
# Agreement counts a code on the units where some coder used it. in_work_progression: unit 1, (1,1): agreed,
# kappa 1. holistic_support: unit 3 only, (0,1): 0 %. Overall: 1 of the 3 unit-code pairs agree.
AGREED = {"in_work_progression": ["ann;", "bee", "3", "2", "100.0", "1.000", "1.000"],
          "holistic_support": ["ann;", "bee", "3", "2", "0.0", "0.000", "0.000"],
          "overall": ["ann;", "bee", "3", "2", "33.3", "0.143", "0.231"]}

ROUTES = (Route("csv", "smith2024", 0, False, ("Adding a source to the review", "Coding a source twice")),
          Route("excel", "patel2025", 1, False, ("Adding a source to the review",)),
          Route("pdf", "okoro2023", 2, True, ("Adding a source to the review",)),
          Route("app", "lee2025", 0, False, ("Adding a source to the review",)))  # step 4 in the coding app (a browser)


def routes_here(request) -> tuple[tuple[Route, ...], object]:
    """Every route and the session's Chromium; where Chromium is missing, all but the coding app's route (under
    CI=true that fails, as any test needing Chromium does)."""
    import shutil
    import warnings

    if shutil.which("chromium") or shutil.which("chromium-browser"):
        return ROUTES, request.getfixturevalue("chromium")
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail("chromium is not installed (apt-get install chromium): under CI=true the coding app's route must run")
    warnings.warn("chromium is not installed: CONTRIBUTING's coding-app route was not walked (apt-get install chromium)")
    return tuple(r for r in ROUTES if r.name != "app"), None


def test_contributing_walks_a_new_source_into_the_built_report(repo_built, tmp_path, request):
    """From a BibTeX entry to the built report that cites it, through each route of the walk-through, then
    the commit through the pre-commit hook and the double-coding walk-through, on one copy of the clone."""
    root = docs.copy_of(repo_built, tmp_path / "synthesis")
    entry = next(b.text for b in docs.blocks("CONTRIBUTING.md") if b.language == "bibtex")
    shown = {b.section: b.text for b in docs.blocks("CONTRIBUTING.md") if b.shows_output}
    walk, env = Walk(root, tmp_path, entry, shown), environment(tmp_path)
    routes, browser = routes_here(request)
    commands = docs.commands("CONTRIBUTING.md")
    alternatives = {}
    for c in commands:
        alternatives[c.group] = max(alternatives.get(c.group, 0), c.choice)
    ran, sections = set(), list(dict.fromkeys((c.part, c.section) for c in commands))
    for section in sections:  # each section through every route, then the next (one build for all of them)
        done = set()  # a command the same for every route (set-up, the build) runs once per section
        for route in routes:
            for command in [c for c in commands if (c.part, c.section) == section and route.takes(c, alternatives)]:
                text = substituted(runs_here(command), walk.places(route))
                if route.name == "app" and re.match(r"\.venv/bin/review code ", command.text):
                    walk.code_in_the_app(route, substituted(command.text, walk.places(route)), browser)
                once = (route.name, text) if "review add-source" in text else text  # it reads the route's new.bib
                if not text or once in done:
                    ran.add(command)
                    continue
                walk.before(route, command, text)
                result = run_documented(command, text, root, env)
                walk.after(route, command, text, result.stdout + result.stderr)
                ran.add(command)
                done.add(once)
    assert set(commands) - ran == set(), f"not run: {[str(c) for c in set(commands) - ran]}"

    # The hook installed in step 0 runs `review check` on a commit's files, which checks that a new source is
    # an included record: a source added by hand, without add-source, does not get in.
    with open(root / "sources/references.bib", "a", encoding="utf-8") as bib:
        bib.write("\n@report{byhand2024,\n  title = {Added by hand},\n  year = {2024}\n}\n")
    (root / "sources/byhand2024.md").write_text("---\ncitekey: byhand2024\ntype: report\nrole: primary\ntags: [training]\n---\nA text.\n", encoding="utf-8")
    docs.run("git add sources", root, env)
    refused = docs.run('git commit -m "Add byhand2024"', root, env)
    assert refused.returncode == 1, refused.stdout
    assert "sources/byhand2024.md:1: source 'byhand2024' is not an included record" in refused.stdout + refused.stderr, refused.stderr
