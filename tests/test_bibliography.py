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


LATEX_NAMES = r"""@report{odegard2020,
  author = {{\O}deg{\aa}rd, Ingrid and Stra{\ss}er, Hans},
  title = {Arbeit f{\"u}r alle -- {\"U}berg{\"a}nge \& Br{\"u}cken},
  year = {2020}
}
@article{muller2019,
  author = {M{\"u}ller, J{\"o}rg},
  title = {Caf{\'e} work},
  year = {2019}
}
@book{berg2018,
  author = {van der Berg, Anna and Jos{\'e} de la Cruz},
  title = {Na{\"\i}ve policy},
  year = {2018}
}
@report{lwi2017,
  author = {{Learning and Work Institute}},
  title = {Evidence review},
  year = {2017}
}
@report{dwp2016,
  author = {{Department for Work and Pensions} and {Department for Education}},
  title = {Improving lives},
  year = {2016}
}
@misc{hughes2022,
  author = {Hughes, Ann and others},
  title = {Two authors or more},
  year = {2022}
}
@misc{garcon2021,
  author = {Gar{\c{c}}on, Fran{\c c}ois and {\v{S}}koda, Ale{\v s}},
  title = {{\AE}sop and {\o}ther tales},
  year = {2021}
}
"""


def test_latex_names_and_titles_decode():
    bib = parse_bibliography(LATEX_NAMES, "refs.bib")
    assert bib["odegard2020"].citation() == "Ødegård and Straßer (2020)"
    assert bib["odegard2020"].title == "Arbeit für alle – Übergänge & Brücken"
    assert bib["muller2019"].citation() == "Müller (2019)"
    assert bib["berg2018"].citation() == "Berg and Cruz (2018)"  # particles drop, as citeproc drops them
    assert bib["berg2018"].title == "Naïve policy"
    assert bib["lwi2017"].citation() == "Learning and Work Institute (2017)"
    assert bib["dwp2016"].citation() == "Department for Work and Pensions and Department for Education (2016)"
    assert bib["garcon2021"].citation() == "Garçon and Škoda (2021)"
    assert bib["hughes2022"].citation() == "Hughes et al. (2022)"
    assert bib["garcon2021"].title == "Æsop and øther tales"


def test_plain_keeps_percent_signs_and_unbraced_text():
    assert plain("Cuts of 50% in {UK} budgets") == "Cuts of 50% in UK budgets"
    assert plain("A  plain\n title") == "A plain title"


def test_short_citations_name_whom_citeproc_names(tmp_path):
    """Our short citations use the family names pandoc's citeproc puts in the reference list's in-text form."""
    import subprocess

    from synthesis.inputs.styles import resolve_csl
    from synthesis.report.render import pandoc_path

    (tmp_path / "refs.bib").write_text(LATEX_NAMES, encoding="utf-8")
    keys = list(parse_bibliography(LATEX_NAMES, "refs.bib"))
    (tmp_path / "a.md").write_text("\n\n".join(f"{k}: [@{k}]" for k in keys) + "\n", encoding="utf-8")
    out = subprocess.run([pandoc_path(), "--citeproc", "--bibliography", "refs.bib", "--csl", str(resolve_csl("harvard-cite-them-right")),
                          "-t", "plain", "--wrap=none", "a.md"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    rendered = dict(line.split(": ", 1) for line in out.splitlines() if line.split(": ", 1)[0] in keys)
    bib = parse_bibliography(LATEX_NAMES, "refs.bib")
    for key in keys:
        who = bib[key].citation().rsplit(" (", 1)[0]
        assert rendered[key].startswith(f"({who}, {bib[key].year})"), (key, rendered[key])


def test_unbraced_corporate_names_are_warned_about():
    from synthesis.inputs.bibliography import split_name_warnings

    text = """@report{dwp2016,
  author = {Department for Work and Pensions},
  year = {2016},
  institution = {Department for Work and Pensions}
}
@report{ok2017,
  author = {Jones and Carson and Hughes and others},
  institution = {{Learning and Work Institute}},
  publisher = {{Smith and Sons}},
  year = {2017}
}
@report{lwi2017,
  author = {{Learning and Work Institute}},
  organization = {Learning and Work Institute},
  year = {2017}
}
@misc{two2019,
  author = {{Department for Work and Pensions} and {Department for Education}},
  year = {2019}
}
"""
    bib = parse_bibliography(text, "sources/references.bib")
    found = [str(w) for e in bib.values() for w in split_name_warnings(e, "sources/references.bib")]
    assert found == [
        'sources/references.bib:2: warning [UNBRACED_CORPORATE_NAME]: dwp2016: author = {Department for Work and Pensions} will be read as 2 names '
        '("Department for Work"; "Pensions"); if it is one organisation, brace it: author = {{Department for Work and Pensions}}',
        'sources/references.bib:4: warning [UNBRACED_CORPORATE_NAME]: dwp2016: institution = {Department for Work and Pensions} will be read as 2 parts '
        '("Department for Work"; "Pensions"); if it is one organisation, brace it: institution = {{Department for Work and Pensions}}',
        'sources/references.bib:14: warning [UNBRACED_CORPORATE_NAME]: lwi2017: organization = {Learning and Work Institute} will be read as 2 parts '
        '("Learning"; "Work Institute"); if it is one organisation, brace it: organization = {{Learning and Work Institute}}',
    ]  # two2019 names two organisations, each braced: no warning


def test_review_check_shows_the_corporate_name_warning_and_passes(review):
    from synthesis.cli import main

    bib = review / "sources" / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("institution = {Energy Trust}", "institution = {Department of Energy and Climate}"), encoding="utf-8")
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["check"])
        strict = main(["check", "--strict"])
    assert (status, strict) == (0, 1)
    assert ("sources/references.bib:5: warning [UNBRACED_CORPORATE_NAME]: smith2020: institution = {Department of Energy and Climate} "
            'will be read as 2 parts ("Department of Energy"; "Climate")') in out.getvalue()
