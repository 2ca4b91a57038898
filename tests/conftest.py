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
