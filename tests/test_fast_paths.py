"""The report job's fast paths (issue 26) give exactly what the plain code they replaced gave: unit tests on
small inputs, no build."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import orjson
import pytest

from synthesis.analysis.counting import _values
from synthesis.audit.provenance import Serialised, body_bytes, body_chunks, with_build
from synthesis.common.problems import InputError
from synthesis.common.textio import csv_text, inert, inert_row
from synthesis.exchange.crate import _relative, crate_json
from synthesis.report.appendix import plain_context, reading_context, source_reader
from synthesis.report.explorer import _folded
from synthesis.report.explorer_page import embedded_json
from synthesis.report.markdown import Markdown
from synthesis.report.tables import csv_lines

CELLS = ["", "plain", "=SUM(A1)", "+1", "-0.235", "-x", "@home", "\tlead", "\rcr", "12", 7, -3, 1.5, None,
         "'quoted", Markdown("=md"), "say \"hi\", then\nnew line", "-"]


def test_inert_row_is_inert_of_each_cell():
    assert inert_row(CELLS) == [inert(c) for c in CELLS]
    made = inert_row(CELLS)
    assert (made[2], made[4], made[15]) == ("'=SUM(A1)", "-0.235", "'=md")


def test_csv_lines_are_the_rows_csv_text_writes():
    rows = [["a", "b,c", "d\"e", "f\ng"], ["", 1, None, "\r"], ["x"], [""]]
    lines = csv_lines(rows)
    assert len(lines) == len(rows) and "".join(lines) == csv_text(rows, kept=len(rows))
    assert "".join(lines[1:3]) == csv_text(rows[1:3], kept=2)


def test_values_match_extra_columns_without_regard_to_case_the_last_winning():
    item = {"stance": "", "extra": {"Period": " 2001 ; ", "PERIOD": "1999-2003", "design": "a; ;b"}}
    assert _values(item, "period") == ["1999-2003"]
    assert _values(item, "Design") == ["a", "b"]
    assert _values(item, "stance") == [] and _values(item, "missing") == []
    assert _values({"codes": ["x", "", "y"], "extra": {}}, "codes") == ["x", "y"]
    assert _values({"n": 0, "extra": {}}, "n") == []


def _folded_by_translate(text: str) -> str:
    table = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                           "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u00a0": " "})
    return " ".join(text.translate(table).split())


@pytest.mark.parametrize("text", ["", "plain words", "\u2018a\u2019 \u201cb\u201d c\u2013d\u2014e\u2010f",
                                  "g\u2011h\u00a0i", "  spaced \n\t out\u00a0\u00a0 ",
                                  "\u201c\u201c''\u2019"])
def test_folding_by_replace_is_folding_by_translate(text):
    assert _folded(text) == _folded_by_translate(text)


def _reading_context_always(text: str, start: int, end: int) -> tuple[str, str]:
    """reading_context as it was, running its patterns on every window."""
    from synthesis.report.appendix import HEADING_LINE, LINK, READING_CONTEXT

    before, after = text[max(0, start - READING_CONTEXT):start], text[end:end + READING_CONTEXT]
    if len(before) == READING_CONTEXT and " " in before:
        before = before[before.index(" ") + 1:]
    if len(after) == READING_CONTEXT and " " in after:
        after = after[:after.rindex(" ")]
    headings = list(HEADING_LINE.finditer(before))
    if headings:
        before = before[headings[-1].end():].lstrip()
    following = HEADING_LINE.search(after)
    if following:
        after = after[:following.start()].rstrip()
    return tuple(LINK.sub(r"\1", t).replace("**", "").replace("__", "") for t in (before, after))


@pytest.mark.parametrize("text", ["intro words\n\n## Heading\n\nbefore the QUOTE after it\n\n# Next\nmore",
                                  "a # b QUOTE c [x](y) d",
                                  "see [the report](http://x) **QUOTE** and [no] (link)",
                                  "x" * 300 + " QUOTE " + "y " * 200, "#QUOTE#\n   ### h\nz"])
def test_reading_context_skips_its_patterns_only_where_they_cannot_match(text):
    start = text.index("QUOTE")
    assert reading_context(text, start, start + 5) == _reading_context_always(text, start, start + 5)
    assert plain_context("no link [here] (really)") == "no link [here] (really)"


def test_embedded_json_escapes_what_could_close_its_block():
    value = {"q": "</script><!-- & \u2028\u2029 é", "n": [1, None]}
    text = embedded_json(value)
    assert text == ('{"q":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029 é","n":[1,null]}')
    assert json.loads(text) == value


def test_provenance_body_bytes_are_its_chunks_and_with_build_takes_either():
    record = {"format": "f", "build": {"b": 1}, "inputs": {"p": "é"}, "claims": [],
              "evidence": (r for r in [{"id": "a"}, {"id": "b"}]), "avenues": [{"id": "x"}]}
    again = dict(record, evidence=(r for r in [{"id": "a"}, {"id": "b"}]))
    data = body_bytes(record)
    assert data == "".join(body_chunks(again)).encode("utf-8")
    assert data == (b'{\n "inputs": {"p":"\xc3\xa9"},\n "claims": [],\n'
                    b' "evidence": [\n  {"id":"a"},\n  {"id":"b"}\n ],\n "avenues": [\n  {"id":"x"}\n ]\n}\n')
    whole = b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c)
                     for c in with_build(data, {"b": 1}))
    assert whole == "".join(with_build(data.decode("utf-8"), {"b": 1})).encode("utf-8")
    with pytest.raises(ValueError):
        list(with_build(b"[]", {}))


def test_provenance_json_is_written_from_the_body_mapped_as_from_its_bytes(tmp_path):
    from synthesis.cli.shared import write_provenance

    record = {"format": "f", "build": {"b": 1}, "inputs": {"p": "é"}, "claims": [],
              "evidence": [{"id": "a"}, {"id": "b"}], "avenues": []}
    body = tmp_path / "provenance-body.json"
    body.write_bytes(body_bytes(record))
    write_provenance(str(body), str(tmp_path / "provenance.json"), {"b": 1})
    expected = b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c)
                        for c in with_build(body.read_bytes(), {"b": 1}))
    assert (tmp_path / "provenance.json").read_bytes() == expected
    for wrong in (b"", b"[]", b"{\n cut short"):
        body.write_bytes(wrong)
        with pytest.raises(InputError, match="not a provenance body"):
            write_provenance(str(body), str(tmp_path / "again.json"), {"b": 1})
    assert not (tmp_path / "again.json").exists()


def test_evidence_records_serialised_in_blocks_are_the_bytes_of_the_records():
    """Records given already serialised (a source's joined by ",\\n  ", as kept_provenance keeps them) are
    written as the records themselves would be; none, as an empty list."""
    records = [{"id": "a", "q": "é"}, {"id": "b"}, {"id": "c"}]
    record = {"format": "f", "build": {}, "claims": [], "evidence": records, "avenues": []}
    blocks = [orjson.dumps(records[0]) + b",\n  " + orjson.dumps(records[1]), orjson.dumps(records[2])]
    assert body_bytes(dict(record, evidence=Serialised(blocks))) == body_bytes(record)
    assert body_bytes(dict(record, evidence=Serialised(iter([])))) == body_bytes(dict(record, evidence=[]))


def test_crate_json_is_what_json_dumps_wrote():
    entity = {"@id": "./", "name": "é \u2028 \"q\"", "list": [], "obj": {}, "n": [{"a": None, "b": True}]}
    metadata = {"@context": "https://w3id.org/ro/crate/1.1/context", "@graph": [entity]}
    assert crate_json(metadata) == (json.dumps(metadata, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@pytest.mark.parametrize("path", ["sources/a.md", "review.yaml", "extraction/coders/x/a.csv", "../outside.md",
                                  "./sources/a.md", "sources//a.md", "/abs/a.md", "sources/../b.md"])
@pytest.mark.parametrize("crate_dir, review_dir", [("output", "."), (".", "."), ("out/crate", "review")])
def test_crate_input_ids_are_what_relpath_gave(path, crate_dir, review_dir):
    base = Path(os.path.relpath(Path(review_dir), Path(crate_dir))).as_posix()
    expected = Path(os.path.relpath(Path(review_dir) / path, Path(crate_dir))).as_posix()
    assert _relative(path, Path(crate_dir), Path(review_dir), base) == expected


def test_source_reader_decodes_a_checked_file_and_checks_a_changed_one_again(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.md").write_bytes(b"\xef\xbb\xbfhello \xe2\x80\x9cworld\xe2\x80\x9d\n")
    sources = [{"path": "a.md", "sha256": hashlib.sha256(Path("a.md").read_bytes()).hexdigest()}]
    read = source_reader(sources)
    assert read("a.md") == "hello \u201cworld\u201d\n"  # the BOM dropped, as decode drops it
    Path("b.md").write_bytes(b"bell \x07 here\n")  # changed since the build recorded it: checked again
    changed = source_reader([{"path": "b.md", "sha256": "0" * 64}])
    with pytest.raises(InputError, match="control character U\\+0007"):
        changed("b.md")


def _facts_by_comprehensions(items, sources, scope, values):
    """facts() as it was before its single pass: a list of the counted excerpts, then one comprehension per fact."""
    from collections import Counter

    counted = [(i, v) for i in items if (v := values[id(i)]).evidence]
    items = [i for i, _v in counted]
    rows = [v for _i, v in counted]
    if scope is None:
        direct = rows
    else:
        inside = set(scope)
        direct = [v for v in rows if v.countries and all(c in inside for c in v.countries)]
    studies = sorted({v.study for v in rows if v.study})
    first_hand = sorted({v.study for v in rows if v.study and v.role == "primary"})
    known = set(first_hand)
    return {
        "excerpts": len(rows), "documents": sorted({v.citekey for v in rows}), "studies": studies,
        "first_hand_studies": first_hand, "second_hand_studies": [s for s in studies if s not in known],
        "primary": sum(1 for v in rows if v.role == "primary"),
        "roles": dict(sorted(Counter(v.role for v in rows).items())),
        "countries": sorted({c for v in rows for c in v.countries}),
        "years": sorted({v.year for v in rows if v.year}),
        "periods": [f"{a}" if a == b else f"{a}-{b}" for a, b in sorted({v.period for v in rows if v.period})],
        "in_scope": len(direct), "out_of_scope": len(rows) - len(direct),
        "direct_primary": sum(1 for v in direct if v.role == "primary"),
        "in_scope_documents": sorted({v.citekey for v in direct}),
        "in_scope_studies": sorted({v.study for v in direct if v.study}),
        "evidence_types": sorted({t for v in direct for t in v.evidence_types}),
        "study_designs": sorted({d for v in direct for d in v.study_designs}),
        "stances": sorted({t for v in rows for t in v.stances}),
        "evidence": [i["evidence_id"] for i in items],
    }


@pytest.mark.parametrize("seed", range(40))
def test_facts_in_one_pass_are_the_facts_of_the_comprehensions(seed):
    import random

    from synthesis.analysis.counting import counted_values, facts

    rng = random.Random(seed)
    roles = ["primary", "secondary", "grey", "protocol"]
    sources = {f"s{n}": {"role": rng.choice(roles), "countries": rng.sample(["UK", "FR", "DE", "US"], rng.randint(0, 2)),
                         "year": rng.choice([None, 2001, 2019, ""]), "type": rng.choice(["report", "article"])}
               for n in range(rng.randint(1, 8))}
    items = []
    for n in range(rng.randint(0, 60)):
        extra = {}
        if rng.random() < 0.4:
            extra[rng.choice(["period", "Period"])] = rng.choice(["2011", "1999-2003", " 2005 ; 2007", ""])
        if rng.random() < 0.4:
            extra["evidence_type"] = rng.choice(["survey", "survey; interview", ""])
        if rng.random() < 0.4:
            extra["study_design"] = rng.choice(["RCT", "case study; RCT", ""])
        items.append({"evidence_id": f"e{n}", "citekey": rng.choice(sorted(sources)), "extra": extra,
                      "countries": rng.sample(["UK", "FR", "DE", "US", "IT"], rng.randint(0, 2)),
                      "study": rng.choice([None, "", "studyA", "studyB", "s0"]),
                      "stance": rng.choice(["", "for", "against; for", "mixed"])})
    years = {"studyA": "2010", "studyB": "", "s0": "1998"}
    values = counted_values(items, sources, "stance", years)
    for scope in (None, [], ["UK"], ["UK", "FR", "IT"]):
        subset = rng.sample(items, rng.randint(0, len(items)))
        expected = json.dumps(_facts_by_comprehensions(subset, sources, scope, values))  # key order too
        assert json.dumps(facts(subset, sources, scope, "stance", years, values)) == expected
        assert json.dumps(facts(subset, sources, scope, "stance", years)) == expected


def test_compiled_templates_are_kept_and_a_changed_template_is_compiled_again(tmp_path, monkeypatch):
    import jinja2

    from synthesis.report import context as module

    (tmp_path / "t").mkdir()
    page = tmp_path / "t" / "page.md.j2"
    page.write_text("{% for x in xs %}* {{ x }}\n{% endfor %}{## a comment ##}{#q-1}\n", encoding="utf-8")
    cache = tmp_path / "cache"
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: compiled.append(1) or real(self, *a, **k))

    def render(cached):
        return module.environment(tmp_path / "t", cache if cached else None).get_template("page.md.j2").render(xs=["a*", "<b>"])

    plain = render(False)
    assert render(True) == plain and len(compiled) == 2  # the first cached run compiles and keeps it
    assert render(True) == plain and len(compiled) == 2  # the next loads it
    page.write_text("{% for x in xs %}- {{ x }}\n{% endfor %}", encoding="utf-8")  # a stale entry is never used
    assert render(True) == render(False) != plain and len(compiled) == 4
    (folder,) = cache.iterdir()
    monkeypatch.setitem(module.OPTIONS, "trim_blocks", False)  # other compile options: another folder
    assert render(True) == render(False) and len(compiled) == 6 and len(list(cache.iterdir())) == 2 and folder.exists()


def test_the_json_in_pieces_is_the_json_whole():
    """embedded_json_pieces (the explorer's data block, streamed) against embedded_json of the same dict."""
    import random

    from synthesis.report import explorer_page

    rng = random.Random(7)
    alphabet = ["a", "<", ">", "&", "\u2028", "\u2029", "\u00e9", "\U0001f600", '"', "\\", " ", "</script>"]
    for size in (0, 1, 2, 3, 5, 8, 13):
        records = [{"id": i, "x": "".join(rng.choice(alphabet) for _ in range(rng.randrange(8))), "n": [1, None]}
                   for i in range(size)]
        fields = [("format", "f<"), ("evidence", records), ("headings", ["h&"]), ("gap_map", {"c": []})]
        whole = embedded_json(dict(fields)).encode("utf-8")
        for batch in (1, 2, 3, 100):
            explorer_page._BATCH = batch
            try:
                pieces = list(explorer_page.embedded_json_pieces((k, iter(v) if k == "evidence" else v) for k, v in fields))
            finally:
                explorer_page._BATCH = 2000
            assert b"".join(pieces) == whole, (size, batch)


def test_the_source_reader_reads_once_until_it_forgets(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.md").write_text("one\n", encoding="utf-8")
    read = source_reader([{"path": "a.md", "sha256": hashlib.sha256(b"one\n").hexdigest()}])
    assert read("a.md") == "one\n"
    Path("a.md").write_text("two\n", encoding="utf-8")
    assert read("a.md") == "one\n"  # read once
    read.forget("a.md")
    assert read("a.md") == "two\n"  # and again once forgotten (checked: its hash is no longer the recorded one)


def _gap_map_by_passes(protocol, evidence, sources, columns):
    """gap_map() as it was before its single pass: each cell's excerpts listed, then counted."""
    from collections import defaultdict

    from synthesis.analysis.counting import countries_of, is_evidence, study_of
    from synthesis.analysis.gapmap import DIRECTNESS

    cells = defaultdict(list)
    for item in evidence:
        if is_evidence(item, sources):
            for country in countries_of(item, sources):
                for code in item["codes"]:
                    cells[(code, country)].append(item)
    out = []
    for code in protocol["codes"]:
        for column in columns:
            items = cells.get((code["id"], column), [])
            roles = {sources[i["citekey"]]["role"] for i in items}
            out.append({"code": code["id"], "label": code["label"], "country": column,
                        "documents": len({i["citekey"] for i in items}),
                        "studies": len({s for i in items if (s := study_of(i, sources))}),
                        "directness": next((d for d in DIRECTNESS if d in roles), "none"),
                        "evidence": [i["evidence_id"] for i in items]})
    return out


def _country_rows_by_passes(protocol, evidence, sources):
    """country_rows() as it was before its single pass."""
    from collections import defaultdict

    from synthesis.analysis.comparison import settings
    from synthesis.analysis.counting import countries_of

    cells = defaultdict(lambda: defaultdict(list))
    for item in evidence:
        for country in countries_of(item, sources):
            for q in item["questions"]:
                cells[country][q].append(item)
    home = settings(protocol)["home"]
    rows = []
    for country, by_q in cells.items():
        everything = {i["evidence_id"]: i for items in by_q.values() for i in items}
        rows.append({"country": country, "home": country == home, "excerpts": len(everything),
                     "sources": len({i["citekey"] for i in everything.values()}),
                     "by_question": {q["id"]: len(by_q.get(q["id"], [])) for q in protocol["questions"]},
                     "evidence": sorted(everything)})
    return sorted(rows, key=lambda r: (not r["home"], -r["excerpts"], r["country"]))


def _random_review(seed):
    """A random evidence set: sources of each role, excerpts with countries (one twice, too), codes (one the
    codebook lacks), questions, works cited and studies; an evidence id is its source's citekey and a row (the
    same id twice is of the same source)."""
    import random

    rng = random.Random(seed)
    countries = ["UK", "FR", "DE", "US", "IT"]
    protocol = {"codes": [{"id": f"c{n}", "label": f"Code {n}"} for n in range(4)],
                "questions": [{"id": q} for q in ("Q1", "Q2", "Q3")],
                "comparison": {"home": rng.choice(countries), "groups": {"Nordic": ["SE", "DK"], "Core": ["FR", "DE"]}}}
    sources = [{"citekey": f"s{n}", "citation": f"S{n}", "role": rng.choice(["primary", "secondary", "commentary", "protocol"]),
                "countries": rng.sample(countries, rng.randint(0, 2))} for n in range(rng.randint(1, 8))]
    keys = [s["citekey"] for s in sources]
    cited = ["w1", "w2", "w3"] + keys[:2]  # works that are not sources, and sources
    evidence = [{"evidence_id": f"{key}:{rng.randint(0, 9)}", "citekey": key,
                 "countries": rng.sample(countries, rng.randint(0, 2)) * rng.randint(1, 2),
                 "codes": rng.choices([c["id"] for c in protocol["codes"]] + ["other"], k=rng.randint(0, 3)),
                 "questions": rng.choices(["Q1", "Q2", "Q3"], k=rng.randint(0, 2)),
                 "cites": rng.sample(cited, rng.randint(0, 2)), "study": rng.choice([None, "", "studyA", "s0"])}
                for key in rng.choices(keys, k=rng.randint(0, 60))]
    return {"protocol": protocol, "sources": sources, "evidence": evidence,
            "bibliography": {k: {"citation": k, "title": k, "year": "2020"} for k in ["w1", "w2", "w3", "w4"] + keys}}


@pytest.mark.parametrize("seed", range(40))
def test_gap_map_and_country_rows_in_one_pass_are_those_of_their_passes(seed):
    from synthesis.analysis.comparison import country_rows
    from synthesis.analysis.gapmap import gap_columns, gap_map

    data = _random_review(seed)
    protocol, evidence, sources = data["protocol"], data["evidence"], {s["citekey"]: s for s in data["sources"]}
    columns = gap_columns(protocol, evidence, sources) + ["XX"]
    assert json.dumps(gap_map(protocol, evidence, sources, columns)) == json.dumps(_gap_map_by_passes(protocol, evidence, sources, columns))
    assert json.dumps(country_rows(protocol, evidence, sources)) == json.dumps(_country_rows_by_passes(protocol, evidence, sources))


@pytest.mark.parametrize("seed", range(40))
def test_coverage_in_one_pass_is_that_of_the_five_passes(seed):
    from synthesis.analysis.cells import source_matrix
    from synthesis.analysis.comparison import country_rows
    from synthesis.analysis.counting import is_evidence
    from synthesis.analysis.coverage import coverage
    from synthesis.analysis.gapmap import gap_columns, gap_map
    from synthesis.analysis.gaps import snowball

    data = _random_review(seed)
    protocol, evidence, by_key = data["protocol"], data["evidence"], {s["citekey"]: s for s in data["sources"]}
    columns = gap_columns(protocol, evidence, by_key)
    assert json.dumps(coverage(data)) == json.dumps({
        "gap_columns": columns, "gap_map": gap_map(protocol, evidence, by_key, columns),
        "countries": country_rows(protocol, [i for i in evidence if is_evidence(i, by_key)], by_key),
        "snowball": snowball(data), "source_matrix": source_matrix(protocol, data)})


def test_shipped_country_names_are_babels_and_another_version_falls_back_to_babel(tmp_path, monkeypatch):
    from importlib import metadata

    from synthesis.common import names

    shipped = json.loads(names.SHIPPED.read_text(encoding="utf-8"))
    names._territories.cache_clear()
    assert names._territories() == names.babel_territories()  # whichever it read, babel's names
    if shipped["babel"] == metadata.version("babel"):
        assert shipped["territories"] == names.babel_territories()
    stale = tmp_path / "territories.json"
    stale.write_text(json.dumps({"babel": "0.0", "territories": {"GB": "Not the name"}}), encoding="utf-8")
    monkeypatch.setattr(names, "SHIPPED", stale)
    names._territories.cache_clear()
    try:
        assert names.country("GB") == "United Kingdom"  # another babel's copy is not read
        stale.write_text("not JSON", encoding="utf-8")
        names._territories.cache_clear()
        assert names.country("DE") == "Germany"
    finally:
        names._territories.cache_clear()


@pytest.mark.parametrize("heading", [None, "Results", 'A "quoted", tricky ,"h": heading', "é\u2028<"])
def test_kept_explorer_parts_join_to_the_record_s_json(heading):
    import orjson

    from synthesis.report.explorer import placed
    from synthesis.report.pieces import _described, _parts_of, _placed_block, piece_json, placed_json

    record = {"id": 'x:1 ,"s":0, "q"', "s": 0, "q": ["Q1"], "c": [0], "n": ["GB"], "t": [], "f": 'a ,"h": finding',
              "b": "before", "x": "exact", "a": "after", "w": "line 3, paragraph 1", "l": "", "r": 4}
    if heading is not None:
        record["h"] = heading
    for extra in ({}, {"o": "ann"}, {"o": "ann", "st": "s1", "k": [[1, 2]], "qt": 'typed "so"'}):
        piece = record | extra
        parts = piece_json(piece)
        for position in (0, 7, 1234):
            headings: dict[str, int] = {"Other": 0}
            expected = orjson.dumps(placed(dict(piece), position, dict(headings)))
            assert placed_json(parts, position, dict(headings)) == expected
            # As kept (the page's bytes) and cut apart again, to be placed elsewhere.
            block, meta = _placed_block([parts, parts], position, dict(headings))
            assert block == expected + b"," + expected and _described(meta, 2, len(block))
            assert _parts_of(meta, block) == [parts, parts] and _parts_of(meta, block[:-1]) is None
            assert not _described(meta, 1, len(block)) and not _described(meta, 2, len(block) - 1)


@pytest.mark.parametrize("path", ["../sources/a.md", "../sources/a b.md", "sources/été#1.md", "../extraction/50%.csv",
                                  "x/what?.csv", "a/../b.md", "../../x.md", "a/./b.md", "./a.md", "a//b.md", "a/b/",
                                  "a/.", "a/..", "/abs/x.md", "..", ".", "plain.md", "../x:y.md", "a/b;c=d.md",
                                  "https://example.org/a.md", "#author-1", "./", "ro-crate-metadata.json", "a/~b-c_d.e"])
def test_the_crate_ids_and_keys_are_those_of_pathlib_and_urljoin(path):
    """The crate's file ids skip Path and its keys resolve a folder once: the ids and keys they replaced."""
    from pathlib import Path
    from urllib.parse import quote, urljoin

    from synthesis.exchange.crate import _Graph, is_url

    graph = _Graph({"@id": "./", "@type": "Dataset"})
    assert graph.add_file(path, {})["@id"] == quote(Path(path).as_posix())
    for identifier in (path, quote(path), quote(Path(path).as_posix())):
        expected = (identifier if is_url(identifier) else urljoin(_Graph.BASE, identifier)).rstrip("/")
        assert graph._key(identifier) == expected


def _spread_round_robin(items: list[dict], limit: int) -> list[dict]:
    """The round-robin as a sort: each source's d-th item in round d, the sources in the order they first
    appear; the first ``limit`` of those, in the items' order."""
    if len(items) <= limit:
        return items
    first: dict[str, int] = {}
    taken: dict[str, int] = {}
    rounds = []
    for n, item in enumerate(items):
        source = item["citekey"]
        first.setdefault(source, len(first))
        rounds.append((taken.get(source, 0), first[source], n))
        taken[source] = taken.get(source, 0) + 1
    return [items[n] for n in sorted(n for _round, _source, n in sorted(rounds)[:limit])]


@pytest.mark.parametrize("seed", range(60))
def test_a_theme_s_sample_is_the_round_robin_across_its_sources(seed):
    from random import Random

    from synthesis.report.themes import spread

    rng = Random(seed)
    sources = [f"s{n}" for n in range(rng.randint(1, 30))]
    items = [{"evidence_id": f"e{n}", "citekey": rng.choice(sources)} for n in range(rng.randint(0, 120))]
    by_id = {item["evidence_id"]: item for item in items}
    for limit in (1, 3, 8, len(sources), len(sources) + 1, 200):
        assert spread([i["evidence_id"] for i in items], by_id, limit) == _spread_round_robin(items, limit)
