"""Hostile inputs: releases (``releases/<name>.json``) through the door, through `review check`, `review diff`,
`review release` (which writes them) and the write rule. Same rows as cases.py (id, setup, argv, exit code,
exact lines)."""

from __future__ import annotations

import contextlib
import json
import subprocess
from pathlib import Path

from cases import CHECK, SHEET, both, edit, put
from cases_second import EVIDENCE, built, feeding, file_for_folder, findings, folder, linked, sparse

RELEASE = "releases/v1.json"
GUIDE = 'docs/formats.md, "Releases"'
RESTORE = "a release is written by `review release`: restore it from git or make it again"


def released(root: Path) -> None:
    """``review release v1`` run in the review (not in git), dated so the file is the same every day."""
    from synthesis.cli.main import main

    with contextlib.chdir(root), contextlib.redirect_stdout(None):
        assert main(["release", "v1", "--date", "2024-06-01"]) == 0


def rewritten(change):
    """The release v1, as JSON, changed by ``change`` (a function of the parsed file), written back as it was laid out."""
    def setup(root: Path):
        released(root)
        path = root / RELEASE
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return setup


def text_edit(old: str, new: str):
    return both(released, edit(RELEASE, old, new))


def in_git(root: Path) -> None:
    """The review as a git repository with everything committed."""
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "first"], cwd=root, check=True)


def _answer(data: dict) -> None:
    data["review"]["answers"]["RQa"] = "Bills rose."


def _name(data: dict) -> None:
    data["name"] = "v2"


def _dangling(data: dict) -> None:
    data["review"]["findings"]["RQa-1"]["evidence"].append("smith2020:99")


def _kind(data: dict) -> None:
    data["review"]["findings"]["RQa-1"]["confidence"] = "medium"
    data["review"]["sources"]["smith2020"]["sha256"] = "not a hash"


CASES = [
    # --- the door ---
    ("release-link-out-is-never-read", linked(RELEASE), CHECK, 1,
     [f"{RELEASE}:1: a link to {{outside}}/outside-secret.txt, outside the review folder {{root}}: copy the file into the review instead"]),
    ("release-file-is-a-folder", folder(RELEASE), CHECK, 1,
     [f"{RELEASE}:1: is a folder, but must be a file (one of the releases): rename or move it"]),
    ("release-folder-is-a-file", file_for_folder("releases"), CHECK, 1,
     ["releases:1: is a file, but must be a folder (releases): rename or move it"]),
    ("release-too-large", sparse(RELEASE, 64_000_001), CHECK, 1,
     [f"{RELEASE}:1: too large: 64,000,001 bytes; at most 64,000,000 are accepted"]),
    ("release-not-utf8", both(released, lambda root: (root / RELEASE).write_bytes(
        (root / RELEASE).read_bytes().replace(b'"name": "v1"', b'"name": "v\xe91"'))), CHECK, 1, ['releases/v1.json:6: not valid UTF-8: byte 0xe9 at byte offset 169; save the file as UTF-8']),
    ("release-control-character", text_edit('"name": "v1"', '"name": "v1\x1b[2J"'), CHECK, 1, ['releases/v1.json:6: control character U+001B (ESC) at column 13: remove it; only tab and line breaks are accepted']),
    ("release-invalid-json", text_edit('"name": "v1",', '"name": "v1"'), CHECK, 1, ["releases/v1.json:7: invalid JSON: Expecting ',' delimiter (column 2); a release is written by `review release`: restore it from git or make it again"]),
    ("release-duplicate-key", text_edit('"name": "v1",', '"name": "v1",\n "name": "v1",'), CHECK, 1, ["releases/v1.json:7: duplicate key 'name' (first on line 6): a reader would keep only the last"]),
    ("release-a-list", put(RELEASE, "[]\n"), CHECK, 1, ['releases/v1.json:1: top level: expected a mapping, got []']),
    ("release-nan", text_edit('"format"', '"x": NaN,\n "format"'), CHECK, 1, ['releases/v1.json:5: invalid JSON: NaN is not a JSON number']),
    # --- what it says ---
    ("release-wrong-values", both(findings(), rewritten(_kind)), CHECK, 1, ['releases/v1.json:51: review.findings.RQa-1.confidence: "medium" is not allowed: allowed: high, moderate, low, very_low, not_rated',
      "releases/v1.json:70: review.sources.smith2020.sha256: 'not a hash' does not match the pattern ^[0-9a-f]{64}$"]),
    ("release-renamed", both(released, lambda root: (root / RELEASE).rename(root / "releases/v2.json")), CHECK, 1, ["releases/v2.json:6: name: 'v1' is not this file's name (v2): a release's file is releases/<name>.json; rename the file back"]),
    ("release-name-not-the-file", rewritten(_name), CHECK, 1, ["releases/v1.json:6: name: 'v2' is not this file's name (v1): a release's file is releases/<name>.json; rename the file back"]),
    ("release-edited-by-hand", both(findings(), rewritten(_answer)), CHECK, 1, ['releases/v1.json:4: the release was edited after `review release` made it (its content no longer matches its fingerprint): a release records a version as it was; restore it from git, or make a new release']),
    ("release-evidence-not-in-it", both(findings(), rewritten(_dangling)), CHECK, 1, ["releases/v1.json:52: review.findings.RQa-1.evidence: smith2020:99 not among the release's evidence"]),
    ("release-bad-date", rewritten(lambda d: d.update(date="2024-02-30")), CHECK, 1, ["releases/v1.json:3: date: '2024-02-30' is not a real date (day is out of range for month); write YYYY-MM-DD"]),
    ("release-changes-since-unknown", both(released, edit("review.yaml", "vocabularies:", "report:\n  changes_since: v2\nvocabularies:")),
     CHECK, 1, ['review.yaml:31: no release \'v2\' in releases/: allowed: v1 (`review release NAME` makes one; docs/formats.md, "Releases")']),
    ("release-changes-since-not-a-name", edit("review.yaml", "vocabularies:", "report:\n  changes_since: ../v2\nvocabularies:"),
     CHECK, 1, ["review.yaml:31: report.changes_since: '../v2' does not match the pattern ^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"]),
    # --- review release ---
    ("release-exists-is-never-replaced", released, ["release", "v1"], 1, ['releases/v1.json:1: release v1 exists already: a release is never replaced; choose another name (review diff v1 says what changed since it)']),
    ("release-name-not-a-file-name", lambda root: None, ["release", "../v1"], 2, ["review release: error: argument name: '../v1' is not a release name: use up to 64 letters, digits, '_', '.' and '-', starting with a letter or digit (e.g. v1, 2024-06)"]),
    ("release-name-a-formula", lambda root: None, ["release", "=1+1"], 2, ["review release: error: argument name: '=1+1' is not a release name: use up to 64 letters, digits, '_', '.' and '-', starting with a letter or digit (e.g. v1, 2024-06)"]),
    ("release-of-a-review-that-does-not-build", put(SHEET, "id,quote,codes,finding\n1,not in the source,bill_savings,x\n"),
     ["release", "v1"], 1, ['review release: the review does not build, so nothing was released as v1; fix these problems (review check lists them too):',
      'extraction/smith2020.csv:2: B2 (smith2020:1): quote not found in sources/smith2020.md; no similar passage']),
    ("release-with-uncommitted-changes", both(in_git, edit(SHEET, "checked", "checked again")), ["release", "v1"], 1, ["extraction/smith2020.csv:1: not committed: commit the review's changes first, so that release v1 names the commit it records (git status lists them)"]),
    ("release-date-not-a-date", lambda root: None, ["release", "v1", "--date", "2024-13-01"], 2, ["review release: error: argument --date: '2024-13-01' is not a real date (month must be in 1..12); write YYYY-MM-DD"]),
    ("release-written", feeding(findings(), writes=(RELEASE,)), ["release", "v1", "--date", "2024-06-01"], 0,
     ["Wrote releases/v1.json: release v1 of 2024-06-01, no git commit (the review is not in git); 1 answer, 1 finding, "
      "6 excerpts, 2 sources."]),
    # --- review diff ---
    ("diff-since-the-latest", both(findings(), released, edit("findings/RQa.yaml", "confidence: low", "confidence: very_low")),
     ["diff"], 0, ["Changes since v1", "Since release v1 (2024-06-01): 1 confidence level moved.",
                   "- RQa-1: confidence moved from low to very low."]),
    ("diff-without-a-release", lambda root: None, ["diff"], 1, ['releases:1: no release yet: `review release NAME` records one, and `review diff` then says what changed since']),
    ("diff-unknown-release", released, ["diff", "v2"], 1, ['releases:1: no release \'v2\' in releases/: allowed: v1 (`review release NAME` makes one; docs/formats.md, "Releases")']),
    ("diff-broken-release", text_edit('"name": "v1",', '"name": "v1"'), ["diff"], 1, ["releases/v1.json:7: invalid JSON: Expecting ',' delimiter (column 2); a release is written by `review release`: restore it from git or make it again"]),
    ("diff-of-a-review-that-does-not-build", both(released, put(SHEET, "id,quote,codes,finding\n1,not in the source,bill_savings,x\n")),
     ["diff"], 1, ['extraction/smith2020.csv:2: B2 (smith2020:1): quote not found in sources/smith2020.md; no similar passage']),
    # --- the write rule ---
    ("report-changes-over-a-release", both(built, released),
     ["report", "--evidence", EVIDENCE, "--templates", "t", "--output", "x.md", "--changes", RELEASE], 1, ['releases/v1.json:1: review report may not write here: releases/v1.json is in the review\'s releases/ folder, an input of the review; write to a file outside the review\'s inputs (docs/formats.md, "What each command may write")']),
]
