"""Tagged sources: front matter checks and document structure."""

from __future__ import annotations

import pytest

import reviewkit
from synthesis.common.problems import InputError
from synthesis.inputs.sources import parse_source

BIB = {"smith2020", "okafor2021", "lee2019"}


def messages(text: str, path: str = "sources/smith2020.md", countries=("DE", "GB")) -> list[str]:
    with pytest.raises(InputError) as err:
        parse_source(text, path, "0" * 64, BIB, list(countries))
    return [str(p) for p in err.value.problems]


def test_structure_numbers_paragraphs_not_headings():
    source = parse_source(reviewkit.SMITH, "sources/smith2020.md", "0" * 64, BIB, ["GB"])
    assert source.meta["tags"] == ["energy", "cooperatives"]
    offset = source.text.index("Savings depended")
    assert source.place(offset) == (4, "Caveats")
    assert source.place(source.text.index("Uptake")) == (2, "Findings")


def test_crlf_source_has_the_same_structure():
    crlf = reviewkit.SMITH.replace("\n", "\r\n")
    source = parse_source(crlf, "sources/smith2020.md", "0" * 64, BIB, ["GB"])
    assert source.place(source.text.index("Savings depended")) == (4, "Caveats")
    assert source.text[source.body_start:].startswith("# Findings")


def test_missing_front_matter():
    assert messages("Just text\n") == [
        "sources/smith2020.md:1: missing front matter: the file must start with a '---' line, then YAML (citekey, type, tags), then '---'"
    ]


def test_unclosed_front_matter():
    assert messages("---\ncitekey: smith2020\ntype: report\n\nText\n") == [
        "sources/smith2020.md:1: front matter is not closed: add a '---' line after the YAML"
    ]


def test_broken_front_matter_yaml_points_at_the_file_line():
    assert messages("---\ncitekey: smith2020\ntags: [a, b\n---\nText\n") == [
        "sources/smith2020.md:4: invalid YAML: expected ',' or ']', but got '<stream end>'"
    ]


def test_citekey_differs_from_file_name():
    text = reviewkit.SMITH.replace("citekey: smith2020", "citekey: smith2021")
    assert messages(text) == [
        "sources/smith2020.md:2: citekey 'smith2021' differs from the file name: rename the file to smith2021.md or set citekey: smith2020"
    ]


def test_citekey_without_bib_entry():
    text = reviewkit.SMITH.replace("smith2020", "smyth2020")
    assert messages(text, "sources/smyth2020.md") == [
        "sources/smyth2020.md:2: citekey 'smyth2020' has no entry in references.bib: did you mean 'smith2020'? allowed: lee2019, okafor2021, smith2020"
    ]


def test_every_front_matter_problem_at_once():
    text = reviewkit.SMITH.replace("type: report\n", "").replace("countries: [GB]", "countris: [GB]\ncountries: [UK]\nurl: 3")
    assert messages(text) == [
        "sources/smith2020.md:2: front matter: missing required key 'type'",
        "sources/smith2020.md:5: front matter: unknown key 'countris': did you mean 'countries'? allowed: citekey, type, role, tags, countries, url, accessed, notes",
        "sources/smith2020.md:6: countries: unknown value 'UK': did you mean 'GB'? allowed: DE, GB",
        "sources/smith2020.md:7: url must be a string (quote it)",
    ]


def test_tags_must_be_a_list():
    text = reviewkit.SMITH.replace("tags: [energy, cooperatives]", "tags: energy")
    assert messages(text) == [
        "sources/smith2020.md:5: tags must be a list of strings, e.g. tags: [a, b] (quote values YAML could read otherwise)"
    ]


def test_role_is_required_and_checked():
    allowed = ("allowed: primary (reports its own study or data); secondary (reviews or reports others' studies); "
               "commentary (argues or comments without reporting studies); protocol (the review's own framing document: "
               "quoted to frame the questions, never evidence)")
    assert messages(reviewkit.SMITH.replace("role: primary\n", "")) == [f"sources/smith2020.md:2: front matter: missing required key 'role' ({allowed})"]
    assert messages(reviewkit.SMITH.replace("role: primary", "role: primry")) == [
        "sources/smith2020.md:4: role: unknown role 'primry': did you mean 'primary'? allowed: primary, secondary, commentary, protocol"]
    assert messages(reviewkit.SMITH.replace("role: primary", "role:")) == [f"sources/smith2020.md:4: role is empty: say what this document is to the review ({allowed})"]


def test_control_characters_are_found_in_any_text_and_only_there(tmp_path):
    from synthesis.inputs.door import read_input

    fix = ": remove it; only tab and line breaks are accepted"
    c1 = "c1.md:1: control character U+0085 (control character) at column 9"
    cases = {"plain.md": ("\ufeffA\u00a0text \u00ab\u00bb\n", "A\u00a0text \u00ab\u00bb\n"),  # \xc2 bytes, no C1
             "c1.md": ("A \u00a0text \u0085here\n", c1 + fix),
             "esc.md": ("line\nA \x1b[31m\n", "esc.md:2: control character U+001B (ESC) at column 3" + fix)}
    for name, (text, expected) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        try:
            got = read_input(tmp_path / name)[0]
        except InputError as err:
            got = str(err.problems[0]).replace(str(tmp_path) + "/", "")
        assert got == expected, name
