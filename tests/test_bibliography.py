"""references.bib: parsing, malformed and duplicate entries, short citations."""

from __future__ import annotations

import pytest

import reviewkit
from synthesis.inputs.bibliography import parse_bibliography, plain
from synthesis.common.problems import InputError


def messages(text: str) -> list[str]:
    with pytest.raises(InputError) as err:
        parse_bibliography(text, "sources/references.bib")
    return [str(p) for p in err.value.problems]


def test_entries_and_short_citations():
    bib = parse_bibliography(reviewkit.BIBLIOGRAPHY, "refs.bib")
    assert sorted(bib) == ["lee2019", "okafor2021", "smith2020"]
    assert bib["okafor2021"].citation() == "Okafor and Weber (2021)"
    assert bib["smith2020"].line == 1
    assert bib["okafor2021"].line == 8


def test_citation_forms():
    text = """@misc{a, author={Green, Anne and Sissons, Paul and Jones, Katy}, date={2024-03-06}}
@report{b, title={Untitled {UK} report}}
@misc{c, author={{Learning and Work Institute}}, year={2017}}
@misc{d, author={Jos\\'e M\\"uller}, year={2001}}
"""
    bib = parse_bibliography(text, "refs.bib")
    assert bib["a"].citation() == "Green et al. (2024)"
    assert bib["b"].citation() == "Untitled UK report (n.d.)"
    assert bib["c"].citation() == "Learning and Work Institute (2017)"
    assert bib["d"].citation() == "Müller (2001)"


def test_plain_decodes_common_latex():
    assert plain(r"Caf\'e {\"U}ber {UK} \& more") == "Café Über UK & more"


def test_malformed_entry_names_its_line():
    text = reviewkit.BIBLIOGRAPHY.replace("  year = {2021}\n}", "  year = {2021\n}")
    assert messages(text) == [
        "sources/references.bib:8: malformed BibTeX entry: broken near line 15: syntactical error in bibtex: Unexpected block start: `@book`. "
        "Was still looking for field-value closing `,` or `}`"
    ]


def test_duplicate_key():
    text = reviewkit.BIBLIOGRAPHY + "\n@misc{smith2020, title={Again}}\n"
    assert messages(text) == [
        "sources/references.bib:22: duplicate key 'smith2020' (first defined on line 1); keys must be unique"
    ]
