"""The cells' and questions' facts kept as tallies between builds (analysis/tallies.py, kept_tallies.py): on
random evidence sets and random edits of them, the analysis read off the kept tallies is the analysis counted
from every excerpt; an edit re-counts only the sources it changed; a damaged store, or one whose shares do not
add up, is counted again (a store whose keys match is used as kept, as the report's other pieces are)."""

from __future__ import annotations

import copy
import hashlib
import random

import orjson
import pytest

from synthesis.analysis import kept_tallies as kept_module
from synthesis.analysis.cells import analyse
from synthesis.analysis.kept_tallies import TALLIES, in_runs, kept_tallies
from synthesis.analysis.tallies import Tally, change, shares
from synthesis.common.kept import KeptBlocks
from synthesis.report.pieces import source_pieces

COUNTRIES = ["GB", "FR", "DE", "US", "DK", "AU"]


@pytest.fixture(scope="module")
def almp(almp_built):
    """This repository's evidence set, with no review findings (the random sets drop and add excerpts)."""
    data = orjson.loads((almp_built / "output" / "build" / "evidence.json").read_bytes())
    return data | {"findings": [], "records": None, "agreement": None}


def _excerpt(rng: random.Random, template: dict, citekey: str, n: int, protocol: dict) -> dict:
    pairs = [(q, c["id"]) for c in protocol["codes"] for q in c["questions"]]
    chosen = rng.sample(pairs, rng.randint(0, 3))
    chosen += [rng.choice(pairs)] if rng.random() < 0.2 else []  # a pair twice
    questions = [q["id"] for q in protocol["questions"]]
    extra = {}
    for column, choices in (("period", ["2011", "1999-2003", "2005-2005", ""]),
                            ("Stance", ["for", "against; for", ""]),
                            ("evidence_type", ["survey", "survey; interview", ""]),
                            ("study_design", ["RCT", "case study; RCT"])):
        if rng.random() < 0.4:
            extra[column] = rng.choice(choices)
    return template | {
        "evidence_id": f"{citekey}:{n}", "citekey": citekey, "sheet_line": n + 1, "extra": extra,
        "pairs": [list(p) for p in chosen],
        "questions": sorted({p[0] for p in chosen} | set(rng.sample(questions, rng.randint(0, 2)))),
        "codes": sorted({p[1] for p in chosen}),
        "countries": rng.sample(COUNTRIES, rng.choice([0, 0, 1, 1, 2, 3])),
        "study": rng.choice([None, "", "studyA", "studyB", citekey]),
        "stance": rng.choice(["", "for", "mixed; for"]),
        # Works cited: bibliography entries, one twice, and a source of the review (not a work to find).
        "cites": rng.sample(["atkinson2008", "bellis2011", "lauder1999", "k001"], rng.randint(0, 2))
                 + (["k001"] if rng.random() < 0.1 else []),
    }


def _source(rng: random.Random, template: dict, citekey: str) -> dict:
    return template | {"citekey": citekey, "role": rng.choice(["primary", "secondary", "commentary", "protocol"]),
                       "countries": rng.sample(COUNTRIES, rng.randint(0, 2)),
                       "year": rng.choice([2001, 2019, None, ""]), "type": rng.choice(["report", "article"])}


def _random_set(almp: dict, rng: random.Random, size: int) -> dict:
    data = copy.deepcopy(almp)
    source, item = data["sources"][0], data["evidence"][0]
    keys = sorted(f"k{n:03d}" for n in range(size))
    data["sources"] = [_source(rng, source, k) for k in keys]
    data["evidence"] = [_excerpt(rng, item, k, n, data["protocol"]) for k in keys for n in range(rng.randint(0, 6))]
    first = data["bibliography"][next(iter(data["bibliography"]))]
    data["bibliography"] = data["bibliography"] | {"studyA": first | {"year": "2010"}}
    return data


def _edit(data: dict, rng: random.Random) -> str:
    """One random edit of the evidence set in place: what it was."""
    keys = [s["citekey"] for s in data["sources"]]
    kind = rng.choice(["excerpt", "excerpt", "gone", "new", "source", "years"])
    if kind == "excerpt" and data["evidence"]:
        at = rng.randrange(len(data["evidence"]))
        old = data["evidence"][at]
        data["evidence"][at] = _excerpt(rng, old, old["citekey"], old["sheet_line"] - 1, data["protocol"])
    elif kind == "gone" and len(keys) > 1:
        gone = rng.choice(keys)
        data["sources"] = [s for s in data["sources"] if s["citekey"] != gone]
        data["evidence"] = [e for e in data["evidence"] if e["citekey"] != gone]
    elif kind == "new":
        key = f"k{rng.randrange(1000):03d}x"
        if key not in keys:
            data["sources"] = sorted(data["sources"] + [_source(rng, data["sources"][0], key)], key=lambda s: s["citekey"])
            new = [_excerpt(rng, data["evidence"][0], key, n, data["protocol"]) for n in range(rng.randint(1, 4))]
            data["evidence"] = sorted(data["evidence"] + new, key=lambda e: (e["citekey"], e["sheet_line"]))
    elif kind == "source":
        at = rng.randrange(len(data["sources"]))
        data["sources"][at] = _source(rng, data["sources"][at], data["sources"][at]["citekey"])
    elif kind == "years":
        data["bibliography"]["studyA"] = data["bibliography"]["studyA"] | {"year": rng.choice(["2010", "2012"])}
    return kind


def tallied(data: dict, store) -> tuple[dict[str, Tally], list[str]] | None:
    """The tallies as the report job makes them (the pieces' digests, the store kept) and the sources' order."""
    pieces = source_pieces(data, "unused-pieces")  # its digests only: nothing is kept there
    tallies = kept_tallies(store, data, pieces.groups, pieces.digests)
    return (tallies, list(pieces.groups)) if tallies is not None else None


def same_analysis(data: dict, store, reverse: bool = False) -> None:
    if reverse:  # the sources' runs of excerpts in another order than their citekeys'
        data = data | {"evidence": sorted(data["evidence"], key=lambda e: e["citekey"], reverse=True)}
    expected = orjson.dumps(analyse(copy.deepcopy(data)))
    assert orjson.dumps(analyse(data, tallied(data, store))) == expected


@pytest.mark.parametrize("seed", range(12))
def test_the_analysis_off_kept_tallies_is_the_analysis_counted_through_random_edits(almp, tmp_path, seed):
    rng = random.Random(seed)
    data = _random_set(almp, rng, rng.randint(1, 12))
    path = tmp_path / TALLIES.strip("\0")
    same_analysis(data, KeptBlocks(path))  # counted, then kept
    for _ in range(8):
        _edit(data, rng)
        same_analysis(data, KeptBlocks(path), reverse=rng.random() < 0.3)
    same_analysis(data, None)  # nothing kept


def test_an_edit_counts_only_the_sources_it_changed_and_the_settings_count_all_again(almp, tmp_path, monkeypatch):
    rng = random.Random(7)
    data = _random_set(almp, rng, 10)
    path = tmp_path / "tallies.blocks"
    counted: list[str] = []
    real = kept_module.shares
    monkeypatch.setattr(kept_module, "shares", lambda items, *a: counted.append(items[0]["citekey"]) or real(items, *a))
    same_analysis(data, KeptBlocks(path))
    assert len(counted) == len({e["citekey"] for e in data["evidence"]})
    counted.clear()
    same_analysis(data, KeptBlocks(path))
    assert counted == []  # all kept
    at = next(i for i, e in enumerate(data["evidence"]) if e["citekey"] == "k004")
    data["evidence"][at] = data["evidence"][at] | {"countries": ["FR", "FR"], "stance": "against"}
    same_analysis(data, KeptBlocks(path))
    assert counted == ["k004"]
    counted.clear()
    data["bibliography"]["studyA"] = data["bibliography"]["studyA"] | {"year": "1990"}  # a study's year: every share
    same_analysis(data, KeptBlocks(path))
    assert len(counted) == len({e["citekey"] for e in data["evidence"]})


def test_damaged_kept_tallies_are_counted_again(almp, tmp_path):
    rng = random.Random(3)
    data = _random_set(almp, rng, 8)
    path = tmp_path / "tallies.blocks"
    same_analysis(data, KeptBlocks(path))
    whole = path.read_bytes()
    # The kept share of the source edited below, its excerpts' document changed: it takes off what was never counted.
    edited = data["evidence"][0]["citekey"]
    kept = KeptBlocks(path)
    blocks = {name: kept.get(name, entry[0]) for name, entry in kept._index.items()}
    foreign = KeptBlocks(tmp_path / "foreign.blocks")
    for name, entry in kept._index.items():
        share = orjson.loads(blocks[name][1]) if name == edited else None
        data_bytes = orjson.dumps([e[:2] + ["zzz"] + e[3:] for e in share]) if share else blocks[name][1]
        foreign.put(name, entry[0], None, data_bytes)
    kept.close()
    foreign.close()
    damaged = [whole[:-3], b"not blocks", whole.replace(b'"digests"', b'"digestz"'), (tmp_path / "foreign.blocks").read_bytes()]
    for bad in damaged:
        path.write_bytes(bad)
        data["evidence"][0] = _excerpt(rng, data["evidence"][0], edited, 0, data["protocol"])
        same_analysis(data, KeptBlocks(path))


def _same_size(whole: bytes, old: bytes, new: bytes) -> bytes:
    """``whole`` with its first ``old`` replaced by ``new`` (as long): the file's index still fits."""
    assert len(old) == len(new) and old in whole
    return whole.replace(old, new, 1)


def _whole(path) -> bool:
    """Every block of the store is the bytes it was written as (its SHA-256 in the index)."""
    kept = KeptBlocks(path)
    index = kept._index
    kept.close()
    whole = path.read_bytes()
    return bool(index) and all(hashlib.sha256(whole[e[1]:e[1] + e[2]]).hexdigest() == e[4] for e in index.values())


def test_a_kept_block_damaged_in_place_is_counted_again_and_kept_anew(almp, tmp_path):
    """Bytes changed in place (the JSON still whole, every block where the index says): the tallies' counts, a
    period, the share of a source then edited, the share of a source left alone. Each is found by its block's
    SHA-256, counted or made again, and the store written anew (not left damaged for the next run)."""
    rng = random.Random(11)
    data = _random_set(almp, rng, 8)
    at = next(i for i, e in enumerate(data["evidence"]) if e["pairs"])
    data["evidence"][at] |= {"countries": ["AU"], "period": "1999-2003"}
    edited = data["evidence"][at]["citekey"]
    data["sources"] = [r | {"role": "secondary"} if r["citekey"] == edited else r for r in data["sources"]]
    path = tmp_path / "tallies.blocks"
    for case in range(4):
        path.unlink(missing_ok=True)
        same_analysis(data, KeptBlocks(path))
        whole = path.read_bytes()
        kept = KeptBlocks(path)
        index = dict(kept._index)
        kept.close()
        other = next(n for n, e in index.items() if n not in (edited, TALLIES) and e[2] > 2)
        start, size = index[TALLIES][1], index[TALLIES][2]
        tallies = whole[start:start + size]
        counts = tallies.index(b'"excerpts":') + len(b'"excerpts":')
        period = tallies.index(b'"1999-2003"')
        if case == 0:  # a count
            digit = b"9" if tallies[counts:counts + 1] != b"9" else b"8"
            tallies = tallies[:counts] + digit + tallies[counts + 1:]
        elif case == 1:  # a period that would not even parse
            tallies = tallies[:period] + b'"1999x2003"' + tallies[period + 11:]
        bad = whole[:start] + tallies + whole[start + size:]
        if case >= 2:  # a country of the share of the source edited below; an id in another's (JSON still)
            name, old, new = (edited, b'"AU"', b'"GB"') if case == 2 else (other, b':0"', b':9"')
            offset, length = index[name][1], index[name][2]
            block = whole[offset:offset + length]
            assert old in block
            bad = whole[:offset] + block.replace(old, new, 1) + whole[offset + length:]
        assert bad != whole and len(bad) == len(whole)
        path.write_bytes(bad)
        same_analysis(data, KeptBlocks(path))  # nothing changed: the tallies used, or found damaged
        assert _whole(path)
        current = data["evidence"][at]["stance"]
        data["evidence"][at] = data["evidence"][at] | {"stance": "for" if current != "for" else "against"}
        same_analysis(data, KeptBlocks(path))  # the edited source's kept share taken off
        assert _whole(path)


def test_a_tally_takes_off_only_what_it_counts():
    tallies: dict[str, Tally] = {}
    share = [("a:1", "primary", "a", "a", "2001", "2001-2003", ["GB"], ["for"], ["survey"], [], [["q\x1fQ1", True]])]
    change(tallies, share, 1)
    change(tallies, share, -1)
    assert tallies == {}  # nothing left: the group is gone
    change(tallies, share, 1)
    other = [(e[0], e[1], e[2], "b") + e[4:] for e in share]  # another study
    with pytest.raises(ValueError, match="'b' taken off a tally that does not count it"):
        change(tallies, other, -1)


def test_evidence_not_in_runs_of_its_sources_is_counted_as_usual(almp):
    data = copy.deepcopy(almp)
    first, second = (data["evidence"][0], next(e for e in data["evidence"] if e["citekey"] != data["evidence"][0]["citekey"]))
    data["evidence"] = [first, second, first | {"evidence_id": first["evidence_id"] + "b"}]
    pieces = source_pieces(data, "")
    assert not in_runs(data["evidence"], pieces.groups)
    assert tallied(data, None) is None
    assert shares([], {}, data["protocol"], "stance", {}) == []


def test_a_store_that_cannot_be_written_changes_nothing_but_the_time(almp, tmp_path):
    (tmp_path / "file").write_text("a file where the store's folder goes", encoding="utf-8")
    data = _random_set(almp, random.Random(5), 6)
    for _ in range(2):
        same_analysis(data, KeptBlocks(tmp_path / "file" / "tallies.blocks"))
    assert [p.name for p in tmp_path.iterdir()] == ["file"]
