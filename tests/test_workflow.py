"""End to end: Snakemake builds review folders through --directory, as users run it."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import reviewkit
from synthesis.inputs import layout

OUTPUTS = ["output/provenance.json", "output/tables/evidence.csv", "output/tables/cells.csv", "output/tables/findings.csv", "output/tables/RQa.csv", "output/tables/RQb.csv",
           "output/report/state-of-play.md", "output/report/state-of-play.html", "output/report/state-of-play.docx", "output/ro-crate-metadata.json"]


@pytest.fixture(scope="module")
def built(another_review_built):
    """The fixture review, built once (by the README's command for building another review) for the tests below."""
    return another_review_built


def test_every_output_is_built(built):
    root, _ = built
    assert [p for p in OUTPUTS if not (root / p).is_file()] == []


def test_inputs_are_untouched(built):
    root, before = built
    assert reviewkit.file_hashes(root) == before


def test_tables_and_report_content(built):
    root, _ = built
    rows = list(csv.DictReader(io.StringIO((root / "output/tables/evidence.csv").read_text(encoding="utf-8"))))
    assert [r["evidence_id"] for r in rows] == ["okafor2021:1", "okafor2021:2", "smith2020:1", "smith2020:2", "smith2020:3", "smith2020:4"]
    assert (rows[0]["sheet"], rows[0]["sheet_line"], rows[1]["sheet_line"]) == ("extraction/okafor2021.xlsx", "2", "4")
    html = (root / "output/report/state-of-play.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert "Community energy schemes" in text
    assert "(Okafor and Weber 2021, para. 1)" in text  # no report.csl: pandoc's default, Chicago author-date
    assert "???" not in text
    # Each finding links to its evidence in the appendix, which shows the quote in context.
    assert '<span id="claim-RQa.bill_savings.smith2020:1">' in html
    assert 'href="#ev-smith2020:1"' in html and 'id="ev-smith2020:1"' in html
    appendix = text[text.index("Appendix: the evidence"):]
    assert "Members of the cooperative saw bills fall by 12 per cent in the first year. Uptake" in appendix


def test_text_is_data_in_every_output(built):
    root, _ = built
    literal = "Literal text: *bold* [@x] <script>alert(1)</script> | $5 & more"
    assert literal in (root / "output/tables/evidence.csv").read_text(encoding="utf-8")
    html = " ".join((root / "output/report/state-of-play.html").read_text(encoding="utf-8").split())
    assert "Literal text: *bold* [@x] &lt;script&gt;alert(1)&lt;/script&gt; | $5 &amp; more" in html
    assert "<script>alert" not in html
    with zipfile.ZipFile(root / "output/report/state-of-play.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    runs = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", document))
    assert "Literal text: *bold* [@x] &lt;script&gt;alert(1)&lt;/script&gt; | $5 &amp; more" in runs


def test_second_run_has_nothing_to_do(built):
    root, _ = built
    result = reviewkit.snakemake(root, "--dry-run")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_bad_input_fails_with_every_problem_and_writes_nothing(tmp_path):
    root = reviewkit.make_review(tmp_path / "review")
    reviewkit.write_smith_sheet(root, {(1, 2): "bill_saving", (4, 1): "depended on the feed-out tariff"})
    before = reviewkit.file_hashes(root)
    result = reviewkit.snakemake(root)
    assert result.returncode != 0
    assert "extraction/smith2020.csv:2: C2 (id 1): unknown code 'bill_saving': did you mean 'bill_savings'? allowed: bill_savings, uptake, local_trust, grid_access" in result.stderr
    assert "extraction/smith2020.csv:5: B5 (smith2020:4): quote not found in sources/smith2020.md; closest passage, line " in result.stderr
    assert "2 problems in 1 file; nothing was written." in result.stderr
    # Only complete intermediate results of the steps that succeeded (the checked shards, and each source checked
    # with its sheet and each document whose schema check passed, kept for the next run) exist.
    written = sorted(str(p.relative_to(root)) for p in (root / "output").rglob("*") if p.is_file())
    assert [p for p in written if not p.startswith(("output/build/shards/", "output/build/located/", "output/build/stamps/",
                                                    "output/build/valid/", "output/benchmarks/"))
            and p not in ("output/build/inputs.json", "output/build-status.json", "output/NOT-CURRENT.txt")] == []
    # ...and the build-status record that says the build failed.
    assert (root / "output/build-status.json").read_text(encoding="utf-8") == '{"state": "failed"}\n'
    assert (root / "output/NOT-CURRENT.txt").read_text(encoding="utf-8").startswith("The last build failed.")
    assert reviewkit.file_hashes(root) == before


def test_templates_can_be_overridden(built, tmp_path):
    root = tmp_path / "review"
    shutil.copytree(built[0], root, symlinks=True)  # built: only the report is made again
    templates = tmp_path / "templates"
    shutil.copytree(reviewkit.ROOT / "templates", templates)
    path = templates / "state-of-play.md.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("# Summary {#summary}", "# Our answers {#summary}"), encoding="utf-8")
    result = reviewkit.snakemake(root, "output/report/state-of-play.md", "--config", f"templates={templates}")
    assert result.returncode == 0, result.stderr
    assert "# Our answers {#summary}" in (root / "output/report/state-of-play.md").read_text(encoding="utf-8")


def test_the_almp_review_builds(almp_built):
    """This repository's own review, copied so the test never writes into the checkout (conftest.py)."""
    root = almp_built
    evidence = list(csv.DictReader(io.StringIO((root / "output/tables/evidence.csv").read_text(encoding="utf-8"))))
    coded = sum(len([r for r in csv.DictReader(io.StringIO(Path(p).read_text(encoding="utf-8"))) if any(v.strip() for v in r.values())])
                for p in layout.sheet_files(root / layout.EXTRACTION))
    assert len(evidence) == coded > 0
    html = (root / "output/report/state-of-play.html").read_text(encoding="utf-8")
    assert "???" not in html
    # The synthesis sections, generated from the data, with the comparator gaps stated.
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    for heading in ("How sources were found and chosen", "Where the review needs more sources", "Summary", "Evidence by theme", "strength of evidence", "Evidence gap map", "Country comparison", "Avenues for further research", "Appendix: what to read next"):
        assert heading in text, heading
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,', html)) == 2  # gap map and PRISMA flow diagram
    import yaml

    for group in yaml.safe_load((root / layout.PROTOCOL).read_text(encoding="utf-8")).get("comparison", {}).get("groups", {}):
        assert f"{group} comparators covered" in text or f"No excerpt concerns a {group} comparator" in text, group
    # Every question of the review is answered from at least two sources.
    for question in layout.question_ids(root / layout.PROTOCOL):
        rows = list(csv.DictReader(io.StringIO((root / "output/tables" / f"{question}.csv").read_text(encoding="utf-8"))))
        assert len({r["citekey"] for r in rows}) >= 2, question
    check_the_almp_answers(root)


def table(root: Path, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO((root / "output/tables" / name).read_text(encoding="utf-8"))))


def check_the_almp_answers(root: Path) -> None:
    """The ALMP report answers its questions first, counts honestly, and stays readable."""
    import subprocess

    import yaml

    from synthesis.report.render import pandoc_path

    protocol = yaml.safe_load((root / layout.PROTOCOL).read_text(encoding="utf-8"))
    questions = [q["id"] for q in protocol["questions"]]
    markdown = (root / "output/report/state-of-play.md").read_text(encoding="utf-8")
    # It opens with the answers: the summary comes first and every question has one.
    headings = re.findall(r"^# (.*?) \{", markdown, re.M)
    assert headings[0] == "Summary"
    summary = markdown[markdown.index("# Summary"):markdown.index(f"\n# {questions[0]}:")]
    assert "has not written an answer" not in summary
    assert summary.count("Table: Summary of qualitative findings for") == len(questions)
    # Q4 (other European countries): no cell above the lowest positive rating, no finding above low confidence.
    lowest = protocol["strength"]["ratings"][-1]["rating"]
    assert {r["rating"] for r in table(root, "cells.csv") if r["question"] == "Q4"} <= {lowest, "none"}
    findings = table(root, "findings.csv")
    assert {r["question"] for r in findings} == set(questions)
    assert {r["confidence"] for r in findings if r["question"] == "Q4" and r["kind"] == "finding"} <= {"low", "very_low"}
    # The abstract frames the questions; it counts nowhere.
    framing = [s.stem for s in (root / layout.SOURCES).glob("*.md") if "role: protocol" in s.read_text(encoding="utf-8")]
    assert framing == ["jones-abstract"]
    for name, column in (("cells.csv", "evidence"), ("gap-map.csv", "evidence"), ("findings.csv", "evidence"), ("findings.csv", "documents")):
        assert not any("jones-abstract" in r[column] for r in table(root, name)), name
    # The body up to the appendix and references, as plain text, is under 7,000 words.
    body = markdown[:markdown.index("# References {#references}")]
    plain = subprocess.run([pandoc_path(), "--from", "markdown", "--to", "plain"], input=body, capture_output=True, text=True, check=True).stdout
    assert len(plain.split()) < 7000, len(plain.split())
    check_the_almp_counts_and_gaps(root, markdown, body)
    check_the_html_alone(root)


def check_the_almp_counts_and_gaps(root: Path, markdown: str, body: str) -> None:
    """One count of studies and documents everywhere; the gaps a reader needs; each answer said once."""
    import yaml

    # No source of this review reports its own study: every count of studies says they are second-hand.
    for match in re.finditer(r"(?<!at least )\b(\d+) independent stud(?:y|ies)([^.;|]*)", body):
        assert "known only second-hand" in match.group(2), match.group(0)
    assert re.findall(r"from (\d+) documents against", body) == ["4"]  # the framing document apart
    assert "five documents" not in body and "5 sources" not in body
    # Each question's count of studies is its excerpts' distinct named studies, as its table lists them.
    for q in ("Q1", "Q2", "Q3", "Q4"):
        at = markdown.index(f"{{#claim-{q}.evidence-base}}")
        said = int(re.findall(r"(\d+) independent stud", markdown[at - 400:at])[-1])
        assert said == len({r["study"] for r in table(root, f"{q}.csv") if r["study"] and r["role"] != "protocol"}), q
    gaps = table(root, "gaps.csv")
    kinds = {(g["question"], g["kind"]) for g in gaps}
    for q in ("Q1", "Q2", "Q3", "Q4"):
        assert (q, "no-primary") in kinds and (q, "no-evaluation") in kinds, q
    assert {("Q3", "one-document"), ("Q4", "no-evidence-in-scope"), ("Q4", "no-evidence")} <= kinds
    for g in gaps:
        section = markdown[markdown.index(f"{{#q-{g['question']}-missing}}"):]
        assert section.count(f"{{#gap-{g['id']}}}") == 1, g["id"]
    assert "Every theme of this question has at least one excerpt" not in markdown
    # Research avenues: one per kind of gap, filling every gap once.
    avenues = table(root, "avenues.csv")
    filled = [g for a in avenues for g in a["gaps"].split("; ") if g]
    assert sorted(filled) == sorted(g["id"] for g in gaps) and len(filled) == len(set(filled))
    assert "further, independent studies would test it" not in markdown
    # Each sentence of each answer appears once in the report.
    for path in sorted((root / "findings").glob("*.yaml")):
        answer = " ".join(yaml.safe_load(path.read_text(encoding="utf-8"))["answer"].split())
        for sentence in re.split(r"(?<=[.?!]) ", answer):
            assert markdown.count(sentence) == 1, sentence
    # Q4-F1 states an absence: an evidence gap, shown without a confidence rating.
    findings = {r["id"]: r for r in table(root, "findings.csv")}
    assert (findings["Q4-F1"]["kind"], findings["Q4-F1"]["confidence"]) == ("gap", "")


def check_the_html_alone(root: Path) -> None:
    """The HTML report sent on its own: every link is to a place in the page, or to the web."""
    import html.parser

    alone = root.parent / "sent-alone"
    alone.mkdir(exist_ok=True)
    page = (root / "output/report/state-of-play.html").read_text(encoding="utf-8")
    (alone / "report.html").write_text(page, encoding="utf-8")
    ids, links = set(), []

    class Scan(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if attrs.get("id"):
                ids.add(attrs["id"])
            for key in ("href", "src"):
                if attrs.get(key) is not None:
                    links.append(attrs[key])

    Scan().feed((alone / "report.html").read_text(encoding="utf-8"))
    local = [u for u in links if not u.startswith(("#", "http://", "https://", "data:image/png;base64,"))]
    assert local == []
    import urllib.parse

    assert [u for u in links if u.startswith("#") and urllib.parse.unquote(u[1:]) not in ids] == []
    assert "<details>" in page  # the table of every excerpt, collapsible


def _git(root: Path, *args: str) -> str:
    import subprocess

    env_args = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]
    return subprocess.run(["git", *env_args, *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def test_two_builds_of_one_commit_are_byte_identical(built, tmp_path, monkeypatch):
    """The fixture review's build (committed to git, dates from the commit) and a forced rebuild of a copy
    of it in another folder."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)  # dates must come from the commit
    first = built[0]
    root = tmp_path / "review"
    shutil.copytree(first, root, symlinks=True)
    products = ["output/tables/evidence.csv", "output/tables/cells.csv", "output/tables/findings.csv", "output/tables/RQa.csv", "output/tables/RQb.csv",
                "output/report/state-of-play.md", "output/provenance.json", "output/report/state-of-play.html", "output/report/state-of-play.docx",
                "output/ro-crate-metadata.json"]
    copies = {p: (first / p).read_bytes() for p in products}
    second = reviewkit.snakemake(root, "--forceall")
    assert second.returncode == 0, second.stderr
    assert [p for p in products if (root / p).read_bytes() != copies[p]] == []
    record = json.loads(copies["output/provenance.json"])
    assert record["build"]["review"] == {"commit": _git(root, "rev-parse", "HEAD"), "dirty": False}
    # A new commit re-runs exactly the steps that record it or take dates from it.
    (root / "NOTES.md").write_text("team notes\n", encoding="utf-8")
    _git(root, "add", "NOTES.md")
    _git(root, "commit", "-qm", "notes")
    plan = reviewkit.snakemake(root, "--dry-run", "--quiet", "rules")
    assert sorted(dict(re.findall(r"^(\w+)\s+(\d+)$", plan.stdout, re.M))) == ["all", "crate", "render", "total"]


def test_editing_a_coded_passage_fails_the_build_and_the_audit_with_the_same_ids(built, tmp_path):
    root = tmp_path / "review"
    shutil.copytree(built[0], root)
    source = root / "sources/smith2020.md"
    source.write_bytes(source.read_bytes().replace(b"Uptake was highest", b"Uptake was lowest"))
    audit = subprocess.run([sys.executable, "-m", "synthesis", "audit"], cwd=root, capture_output=True, text=True)
    assert audit.returncode == 1
    assert audit.stdout.splitlines()[-1].endswith("evidence affected: smith2020:2")
    result = reviewkit.snakemake(root)
    assert result.returncode != 0
    assert "extraction/smith2020.csv:3: B3 (smith2020:2): quote not found in sources/smith2020.md" in result.stderr


def test_an_edited_sheet_reruns_one_shard(built, tmp_path):
    root = tmp_path / "review"
    shutil.copytree(built[0], root)
    reviewkit.write_smith_sheet(root, {(1, 3): "A reworded finding."})
    plan = reviewkit.snakemake(root, "--dry-run", "--quiet", "rules")
    assert plan.returncode == 0, plan.stderr
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", plan.stdout, re.M))
    assert counts["locate"] == "1" and "prepare" not in counts
