"""Shared fixtures: a fresh copy of the fixture review per test; reviews built once per session; the
``needs`` marker for tests that need a program from outside PyPI."""

from __future__ import annotations

import os
import shutil

import pytest

import doccommands
import reviewkit

# The processes the tests start (builds and their jobs, the CLI: about a thousand Python starts) keep compiled
# modules in __pycache__ (git-ignored), as Python does by default; where the environment sets
# PYTHONDONTWRITEBYTECODE, each of them would compile the package and the tests' clones of it again.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def pytest_configure(config):
    config.addinivalue_line("markers", "needs(program, how): the test runs this program; where it is missing the test is "
                            "skipped with the reason, except under CI=true, where that fails the run")


def pytest_runtest_setup(item):
    for mark in item.iter_markers("needs"):
        programs, how = mark.args  # "chromium|chromium-browser": any of these names
        if not any(shutil.which(name) for name in programs.split("|")):
            reason = f"{programs.split('|')[0]} is not installed ({how}; .ci/run installs it)"
            if os.environ.get("CI", "").lower() in ("true", "1"):
                pytest.fail(f"{reason}: under CI=true a test that needs it must run", pytrace=False)
            pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    """The system's Chromium driven by Playwright, started once for the session (a start costs about 2.5 CPU s);
    each test opens its own context or page. Tests that use it carry the ``needs`` marker, which skips or
    fails them first where Chromium is missing."""
    from playwright.sync_api import sync_playwright

    program = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=program, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def review(tmp_path, monkeypatch):
    """The fixture review in a temp dir, which is also the working directory."""
    root = reviewkit.make_review(tmp_path / "review")
    monkeypatch.chdir(root)
    return root


@pytest.fixture(scope="session")
def repo_built(tmp_path_factory):
    """A clone of this repository with the README's set-up command run, as a new user starts: the
    environment is the one running the tests (made by that command in CI), so the rest of it, the build of
    this repository's review, is run here. Tests copy it before changing anything."""
    root = doccommands.clone(tmp_path_factory.mktemp("repo") / "synthesis")
    setup = doccommands.documented("README.md", r"^python3 -m venv \.venv && .*snakemake")
    result = doccommands.run(doccommands.after_setup(setup.text), root)
    assert result.returncode == 0, result.stderr[-3000:]
    return root


@pytest.fixture(scope="session")
def another_review_built(repo_built, tmp_path_factory):
    """The fixture review, committed to a git repository of its own, built by the README's command for
    building another review (this project's Snakefile, the review's folder as --directory), with the hashes
    of its inputs before the build."""
    import subprocess

    root = reviewkit.make_review(tmp_path_factory.mktemp("another") / "review")
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "fixture review"]):
        subprocess.run(git + step, cwd=root, check=True, capture_output=True)
    before = reviewkit.file_hashes(root)
    command = doccommands.documented("README.md", r"--directory /path/to/review --cores 2$").text
    result = doccommands.run(command.replace("/path/to/this/project", str(reviewkit.ROOT)).replace("/path/to/review", str(root)), repo_built)
    assert result.returncode == 0, result.stderr[-3000:]
    return root, before


@pytest.fixture(scope="session")
def coded_twice_built(another_review_built, tmp_path_factory):
    """A copy of the built fixture review with two independent coders' sheets (ann, bee), built again: the
    coders' steps and what rests on them run. Tests copy it before changing anything."""
    from test_agreement import write_coders

    root = tmp_path_factory.mktemp("coded-twice") / "review"
    shutil.copytree(another_review_built[0], root, symlinks=True)
    write_coders(root, ["ann", "bee"])
    result = reviewkit.snakemake(root)
    assert result.returncode == 0, result.stderr[-3000:]
    return root


@pytest.fixture(scope="session")
def almp_built(repo_built):
    """This repository's own review, built once (in the clone: no test writes into the checkout)."""
    return repo_built


@pytest.fixture(scope="session")
def named_built(tmp_path_factory):
    """The fixture review with LaTeX-escaped and corporate author names, coders and a findings file, built once."""
    root = reviewkit.make_named_review(tmp_path_factory.mktemp("named") / "review")
    result = reviewkit.snakemake(root)
    assert result.returncode == 0, result.stderr
    return root
