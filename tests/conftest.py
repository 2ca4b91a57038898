"""Shared fixtures: a fresh copy of the fixture review per test."""

from __future__ import annotations

import pytest

import reviewkit


@pytest.fixture
def review(tmp_path, monkeypatch):
    """The fixture review in a temp dir, which is also the working directory."""
    root = reviewkit.make_review(tmp_path / "review")
    monkeypatch.chdir(root)
    return root


@pytest.fixture(scope="session")
def almp_built(tmp_path_factory):
    """This repository's own review, copied (so no test writes into the checkout) and built once."""
    import shutil

    from synthesis.inputs import layout

    root = tmp_path_factory.mktemp("almp") / "almp"
    for name in (layout.SOURCES, layout.EXTRACTION, layout.FINDINGS, layout.RECORDS, layout.APPRAISAL):
        if (reviewkit.ROOT / name).is_dir():
            shutil.copytree(reviewkit.ROOT / name, root / name)
    shutil.copy(reviewkit.ROOT / layout.PROTOCOL, root / layout.PROTOCOL)
    result = reviewkit.snakemake(root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="session")
def named_built(tmp_path_factory):
    """The fixture review with LaTeX-escaped and corporate author names, coders and a findings file, built once."""
    root = reviewkit.make_named_review(tmp_path_factory.mktemp("named") / "review")
    result = reviewkit.snakemake(root)
    assert result.returncode == 0, result.stderr
    return root
