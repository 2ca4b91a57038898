"""Text is data: user text escaped so pandoc renders it literally."""

from __future__ import annotations

import subprocess

import pytest

from synthesis.report.markdown import Markdown, citation, escape, finalize, yaml_string
from synthesis.report.render import pandoc_path

NASTY = "*bold* _it_ [@smith2020] <script>alert(1)</script> | $x$ `code` # 1. \\ & ~sub~ ^sup^ @lee2019"


def pandoc_plain(markdown: str) -> str:
    result = subprocess.run([pandoc_path(), "-f", "markdown-smart", "-t", "plain", "--wrap=none"], input=markdown, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_escape_is_one_line_and_renders_literally():
    escaped = escape("first line\n  second " + NASTY)
    assert "\n" not in escaped
    assert pandoc_plain(escaped) == "first line second " + NASTY


@pytest.mark.parametrize("text", ["1. not a list", "- not a bullet", "> not a quote", "# not a heading", "+ x", ": x", "=", "2) x"])
def test_block_starts_stay_literal(text):
    html = subprocess.run([pandoc_path(), "-f", "markdown-smart", "-t", "html"], input=escape(text), capture_output=True, text=True, check=True).stdout
    assert html.startswith("<p>"), html


def test_script_never_becomes_html():
    html = subprocess.run([pandoc_path(), "-f", "markdown-smart", "-t", "html"], input=escape(NASTY), capture_output=True, text=True, check=True).stdout
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<em>" not in html and "<code>" not in html and "citation" not in html


def test_markdown_values_pass_through_and_none_fails():
    assert finalize(Markdown("*x*")) == "*x*"
    assert finalize("*x*") == "\\*x\\*"
    with pytest.raises(ValueError, match="printed None"):
        finalize(None)


def test_citations_and_yaml_strings():
    assert citation("green2023", "para. 12") == "[@{green2023}, para. 12]"
    assert citation("a.b-", "") == "[@{a.b-}]"
    assert yaml_string('A "title": *x*') == '"A \\\\\\"title\\\\\\": \\\\*x\\\\*"'
