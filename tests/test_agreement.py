"""Double coding: independent sheets, units on located spans, kappa and alpha, reconciliation.

Kappa and alpha are checked against published worked examples and against values this file computes by
hand, from unit groupings stated here (not computed by the code under test)."""

from __future__ import annotations

import csv
import json
from itertools import combinations
from pathlib import Path

import pytest

import reviewkit
from synthesis.analysis.agreement import _values, cohen_kappa, form_units, jaccard, krippendorff_alpha, overall_statistics, percent_agreement
from synthesis.cli.main import main
from synthesis.common.problems import InputError

CODES = ["bill_savings", "uptake", "local_trust", "grid_access"]
COLUMNS = ["id", "quote", "codes", "finding", "coder"]
# The smith2020 source reads "Members of the cooperative saw bills fall by 12 per cent\nin the first year." etc.
SHEETS = {
    "ann": {
        "smith2020": [["1", "Members of the cooperative saw bills fall by 12 per cent in the first year.", "bill_savings", "Bills fell by 12%.", "ann"],
                      ["2", "Uptake was highest among homeowners; renters rarely joined.", "uptake", "Homeowners joined.", ""],
                      ["3", "Savings depended on the feed-in tariff", "bill_savings", "Savings rested on the tariff.", ""]],
        "okafor2021": [["1", "Energy cooperatives in Germany are trusted because members own them", "local_trust", "Owners trust them.", ""]],
    },
    "bee": {
        # Different words for the same passages: 1 and 2 link to ann's 1 and 2 (2 is elided over the same range).
        "smith2020": [["1", "saw bills fall by 12 per cent in the first year", "bill_savings; uptake", "Members' bills fell.", ""],
                      ["2", "Uptake was highest among homeowners; [...] rarely joined.", "uptake", "Homeowners joined.", ""],
                      ["3", "Costs (£ | $) were tracked <daily> by *members* [@x].", "bill_savings", "Costs were tracked.", ""]],
        # Overlaps ann's excerpt with a Jaccard index near 0.35: a unit of its own.
        "okafor2021": [["1", "trusted because members own them - and \"own\" means a vote", "local_trust", "A vote builds trust.", ""],
                       ["2", "Trust rose after the scheme's first annual meeting.", "local_trust; uptake", "Meeting built trust.", ""]],
    },
    "cat": {
        "smith2020": [["1", "saw bills fall by 12 per cent", "bill_savings", "Bills fell.", ""],
                      ["2", "renters rarely joined", "uptake; local_trust", "Renters stayed out.", ""]],
    },
}
# The units, by hand: excerpts "coder:row" of each unit, in source order.
UNITS_3 = {"smith2020": [["ann:1", "bee:1", "cat:1"], ["ann:2", "bee:2"], ["cat:2"], ["bee:3"], ["ann:3"]],
           "okafor2021": [["ann:1"], ["bee:1"], ["bee:2"]]}
UNITS_2 = {"smith2020": [["ann:1", "bee:1"], ["ann:2", "bee:2"], ["bee:3"], ["ann:3"]], "okafor2021": [["ann:1"], ["bee:1"], ["bee:2"]]}


def write_coders(root: Path, coders: list[str]) -> None:
    for coder in coders:
        for citekey, rows in SHEETS[coder].items():
            folder = root / "extraction" / "coders" / coder
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{citekey}.csv").write_text(reviewkit.csv_text([COLUMNS] + rows), encoding="utf-8")


def declare_coders(root: Path) -> None:
    protocol = root / "review.yaml"
    protocol.write_text(protocol.read_text(encoding="utf-8") + "coders:\n" + "".join(f"  - {{id: {c}, name: Coder {c}}}\n" for c in SHEETS), encoding="utf-8")


# --- Hand computations, independent of synthesis.analysis.agreement -------------------------------

def hand_matrix(units: dict[str, list[list[str]]], coders: list[str], code: str) -> list[list]:
    """Rows per coder; None where the coder did not code the source."""
    codes_of = {(c, k, r[0]): r[2].replace(" ", "").split(";") for c in SHEETS for k, rows in SHEETS[c].items() for r in rows}
    matrix = [[] for _ in coders]
    for citekey in ("okafor2021", "smith2020"):  # units in citekey order, as the code orders them
        raters = [c for c in coders if citekey in SHEETS[c]]
        for unit in units[citekey]:
            for i, coder in enumerate(coders):
                if coder not in raters:
                    matrix[i].append(None)
                    continue
                mine = [m.split(":")[1] for m in unit if m.split(":")[0] == coder]
                matrix[i].append(int(any(code in codes_of[coder, citekey, row] for row in mine)))
    return matrix


def hand_kappa(x: list, y: list) -> float:
    pairs = [(a, b) for a, b in zip(x, y) if a is not None and b is not None]
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    values = {v for pair in pairs for v in pair}
    pe = sum((sum(a == v for a, _ in pairs) / n) * (sum(b == v for _, b in pairs) / n) for v in values)
    return (po - pe) / (1 - pe)


def hand_used(matrix: list[list]) -> list[list]:
    """The items (columns) of a 0/1 matrix where at least one coder gave 1."""
    kept = [column for column in zip(*matrix) if 1 in column]
    return [list(row) for row in zip(*kept)] if kept else [[] for _ in matrix]


def hand_sets(units: dict[str, list[list[str]]], coders: list[str]) -> list[list]:
    """Rows per coder: per unit, the codes the coder applied there (as one label), None without a sheet."""
    codes_of = {(c, k, r[0]): r[2].replace(" ", "").split(";") for c in SHEETS for k, rows in SHEETS[c].items() for r in rows}
    matrix = [[] for _ in coders]
    for citekey in ("okafor2021", "smith2020"):
        for unit in units[citekey]:
            for i, coder in enumerate(coders):
                if citekey not in SHEETS[coder]:
                    matrix[i].append(None)
                    continue
                rows = [m.split(":")[1] for m in unit if m.split(":")[0] == coder]
                matrix[i].append("; ".join(sorted({code for row in rows for code in codes_of[coder, citekey, row]})))
    return matrix


def hand_alpha(matrix: list[list]) -> float:
    """Nominal alpha from the coincidence matrix: 1 - (n - 1) * D_o / sum of n_c * n_k over c != k."""
    coincidence: dict[tuple, float] = {}
    for item in zip(*matrix):
        given = [v for v in item if v is not None]
        m = len(given)
        if m < 2:
            continue
        for i, a in enumerate(given):
            for j, b in enumerate(given):
                if i != j:
                    coincidence[a, b] = coincidence.get((a, b), 0) + 1 / (m - 1)
    totals: dict = {}
    for (a, _), v in coincidence.items():
        totals[a] = totals.get(a, 0) + v
    n = sum(totals.values())
    observed = sum(v for (a, b), v in coincidence.items() if a != b)
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b)
    return 1 - (n - 1) * observed / expected


def hand_percent(matrix: list[list]) -> float:
    agree = total = 0
    for item in zip(*matrix):
        given = [v for v in item if v is not None]
        for a, b in combinations(given, 2):
            agree, total = agree + (a == b), total + 1
    return 100 * agree / total


def table(path: Path) -> dict[tuple[str, str], dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return {(r["code"], r["coders"]): r for r in csv.DictReader(handle)}


def three(value) -> str:
    return f"{value:.3f}"


# --- Published worked examples ----------------------------------------------------------------------

def test_alpha_of_krippendorffs_nominal_example_with_missing_data():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders x 12 units, nominal alpha = 0.743.
    n = None
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
            [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n]]
    assert three(krippendorff_alpha(data)) == "0.743"
    assert three(hand_alpha(data)) == "0.743"  # the hand formula used below agrees with the publication


def test_alpha_of_krippendorffs_binary_and_nominal_examples():
    # Krippendorff (2011), sections A and B: two observers, no missing data; alpha = 0.095 and 0.692.
    ben = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    gerry = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert three(krippendorff_alpha([ben, gerry])) == "0.095"
    ben, gerry = "a a b b d c c c e d d a".split(), "b a b b b c c c e d d d".split()
    assert three(krippendorff_alpha([ben, gerry])) == "0.692"  # any hashable values are nominal categories
    assert three(hand_alpha([ben, gerry])) == "0.692"


def test_overall_agreement_counts_only_codes_a_coder_applied():
    # Two coders, one unit, each applying one code the other did not: no agreement at all. Rating every
    # code on every unit would have counted the other codes as agreement (12 of 14 here).
    units = [{"raters": ["a", "b"], "coders": ["a", "b"], "excerpts": [{"coder": "a", "codes": ["x"]}, {"coder": "b", "codes": ["y"]}]}]
    values = _values(units, ["a", "b"])
    presence = [[[None if v is None else int(code in v) for v in row] for row in values] for code in ["x", "y"] + [f"c{n}" for n in range(12)]]
    stats = overall_statistics(values, presence, ["a", "b"])
    assert (stats["items"], stats["percent_agreement"]) == (2, 0.0)
    # The same sets of codes on a unit agree; a unit one coder left empty disagrees.
    assert percent_agreement([["x; y", "x", ""], ["x; y", "x", "z"]]) == pytest.approx(2 / 3)


def test_cohen_kappa_of_a_published_two_by_two_example():
    # 50 items: both yes 20, A yes B no 5, A no B yes 10, both no 15: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert three(cohen_kappa(a, b)) == "0.400"
    assert cohen_kappa([1, 1, 0, None], [1, 1, 0, 1]) == 1.0  # an item one coder did not rate is left out


def test_undefined_statistics_are_none():
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) is None  # one value only: p_e = 1
    assert krippendorff_alpha([[0, 0], [0, 0]]) is None
    assert krippendorff_alpha([[1, None], [None, 0]]) is None  # no unit two coders rated
    assert percent_agreement([[1, None], [None, 0]]) is None
    assert percent_agreement([[1, 0, 1], [1, 1, 1], [1, 0, None]]) == pytest.approx(5 / 7)


# --- Units -------------------------------------------------------------------------------------------

def excerpt(coder: str, start: int, end: int, name: str) -> dict:
    return {"coder": coder, "start": start, "end": end, "sheet_line": 2, "independent_id": name, "codes": []}


def test_jaccard_of_ranges():
    assert jaccard((0, 10), (0, 10)) == 1.0
    assert jaccard((0, 10), (5, 15)) == pytest.approx(5 / 15)
    assert jaccard((0, 10), (10, 20)) == 0.0


def test_units_link_at_half_overlap_transitively_and_never_within_one_coder():
    linked = form_units([excerpt("a", 0, 10, "a1"), excerpt("b", 0, 5, "b1")])  # 5/10 = 0.5: linked
    assert [[e["independent_id"] for e in u["excerpts"]] for u in linked] == [["a1", "b1"]]
    apart = form_units([excerpt("a", 0, 100, "a1"), excerpt("b", 0, 49, "b1")])  # 0.49: two units, the shorter first
    assert [[e["independent_id"] for e in u["excerpts"]] for u in apart] == [["b1"], ["a1"]]
    same = form_units([excerpt("a", 0, 10, "a1"), excerpt("a", 0, 10, "a2")])  # one coder's excerpts never link
    assert len(same) == 2
    # a-b linked (0.6), b-c linked (0.6), a-c not (0.36): one unit through b.
    chain = form_units([excerpt("a", 0, 60, "a1"), excerpt("b", 20, 80, "b1"), excerpt("c", 32, 100, "c1")])
    assert [[e["independent_id"] for e in u["excerpts"]] for u in chain] == [["a1", "b1", "c1"]]
    assert (chain[0]["start"], chain[0]["end"]) == (0, 100)


def _units_by_hand_format(summary: dict) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for unit in summary["units"]:
        out.setdefault(unit["citekey"], []).append([e.replace(f"/{unit['citekey']}", "") for e in unit["excerpts"]])
    return out


# --- The fixture review with two and with three coders ---------------------------------------------

@pytest.mark.parametrize("coders, units", [(["ann", "bee"], UNITS_2), (["ann", "bee", "cat"], UNITS_3)])
def test_agreement_table_matches_hand_computed_kappa_and_alpha(review, capsys, coders, units):
    write_coders(review, coders)
    assert main(["agree"]) == 0
    rows = table(review / "output/tables/agreement.csv")
    summary_units = json.loads(json.dumps(_units_of_review()))
    assert summary_units == units  # units form as specified (stated by hand above)
    everyone = "; ".join(coders)
    # Codes count only where a coder applied them: per code, percent agreement over the units where one did
    # (kappa and alpha of presence on every unit); overall, percent over the pooled unit-and-code pairs a
    # coder applied, and kappa and alpha of the units with each coder's set of codes as the value.
    used = {c: hand_used(hand_matrix(units, coders, c)) for c in CODES}
    pooled = [[v for code in CODES for v in used[code][i]] for i in range(len(coders))]
    sets = hand_sets(units, coders)
    for code in ["overall"] + CODES:
        row = rows[code, everyone]
        if code == "grid_access":  # nobody gave it: nothing to agree on, kappa and alpha undefined
            assert (row["kappa"], row["alpha"], row["percent_agreement"], row["items"]) == ("", "", "", "0")
            continue
        matrix = sets if code == "overall" else hand_matrix(units, coders, code)
        kappas = [hand_kappa(matrix[i], matrix[j]) for i, j in combinations(range(len(coders)), 2)]
        defined = [k for k in kappas if k is not None]
        assert row["kappa"] == three(sum(defined) / len(defined)), code
        assert row["alpha"] == three(hand_alpha(matrix)), code
        assert row["percent_agreement"] == f"{hand_percent(pooled if code == 'overall' else used[code]):.1f}", code
        assert row["units"] == str(sum(len(u) for k, u in units.items() if sum(k in SHEETS[c] for c in coders) >= 2))
    assert rows["overall", everyone]["one_coder_units"] == ("5" if len(coders) == 2 else "6")
    if len(coders) == 3:
        for a, b in combinations(coders, 2):
            matrix = [sets[coders.index(a)], sets[coders.index(b)]]
            assert rows["overall", f"{a}; {b}"]["kappa"] == three(hand_kappa(*matrix))
            assert rows["overall", f"{a}; {b}"]["alpha"] == three(hand_alpha(matrix))
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["code", "coders", "units", "one", "coder", "agree", "%", "kappa", "alpha"]


def _units_of_review() -> dict[str, list[list[str]]]:
    from synthesis.analysis.agreement import agreement
    from synthesis.evidence.build import prepare
    from synthesis.evidence.coders import locate_coders

    prepared = prepare()
    return _units_by_hand_format(agreement(locate_coders(prepared), prepared["protocol"]))


def test_two_coder_numbers_worked_out_by_hand(review):
    # bill_savings over the 7 units (smith 1-4, okafor 1-3): ann 1,0,0,1,0,0,0; bee 1,0,1,0,0,0,0.
    # Kappa on presence over all 7 units: p_o = 5/7; p_ann = p_bee = 2/7; p_e = (2/7)^2 + (5/7)^2 = 29/49;
    # kappa = (35/49 - 29/49) / (20/49) = 0.3. Percent agreement only where a coder applied the code
    # (units 1, 3 and 4): they agree on unit 1 alone, 33.3 %.
    write_coders(review, ["ann", "bee"])
    assert main(["agree"]) == 0
    row = table(review / "output/tables/agreement.csv")["bill_savings", "ann; bee"]
    assert (row["units"], row["items"], row["percent_agreement"], row["kappa"]) == ("7", "3", "33.3", "0.300")
    # alpha: coincidences o_11 = 2, o_00 = 8, o_10 = o_01 = 2; n = 14, n_1 = 4, n_0 = 10:
    # 1 - 13 * 4 / (2 * 4 * 10) = 0.35.
    assert row["alpha"] == "0.350"


# --- Checks of independent sheets --------------------------------------------------------------------

def test_undeclared_coder_folder_and_a_mismatched_coder_cell_are_reported(review, capsys):
    declare_coders(review)
    write_coders(review, ["ann", "bee"])
    (review / "extraction/coders/bee").rename(review / "extraction/coders/bea")
    sheet = review / "extraction/coders/ann/smith2020.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("Bills fell by 12%.,ann", "Bills fell by 12%.,bee"), encoding="utf-8")
    assert main(["agree"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert "extraction/coders/bea:1: unknown coder 'bea' (the folder names the coder; declare coders in review.yaml): did you mean 'bee'? allowed: ann, bee, cat" in err
    assert ("extraction/coders/ann/smith2020.csv:2: row 2 (id 1): coder 'bee' in a sheet of coder 'ann' "
            "(the folder extraction/coders/ann names the coder; leave the cell empty or write 'ann')") in err


def test_independent_sheets_are_checked_like_sheets(review, capsys):
    write_coders(review, ["ann", "bee"])
    sheet = review / "extraction/coders/bee/smith2020.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("bill_savings; uptake", "bill_saving"), encoding="utf-8")
    (review / "extraction/coders/bee/nobody2020.csv").write_text(reviewkit.csv_text([COLUMNS]), encoding="utf-8")
    assert main(["agree"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert "extraction/coders/bee/nobody2020.csv:1: no source for this sheet: expected sources/nobody2020.md or sources/nobody2020.txt" in err
    assert any(line.startswith("extraction/coders/bee/smith2020.csv:2: C2 (id 1): unknown code 'bill_saving': did you mean 'bill_savings'?") for line in err)


def test_agree_without_independent_sheets_says_how_to_start(review, capsys):
    assert main(["agree"]) == 1
    assert capsys.readouterr().err.startswith("extraction/coders:1: no independent sheets: each coder codes a source in extraction/coders/<coder>/<citekey>.csv")


# --- Reconciliation ----------------------------------------------------------------------------------

def test_reconciliation_sheet_lists_every_disagreement(review, capsys):
    write_coders(review, ["ann", "bee", "cat"])
    assert main(["reconcile", "smith2020"]) == 0
    with (review / "reconcile/smith2020.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    differs = {r["unit"]: r["differs"] for r in rows}
    assert differs == {
        "smith2020#1": "code uptake: given by bee, not by ann, cat; quoted ranges differ; findings differ",
        "smith2020#2": "marked by ann, bee, not by cat; code uptake: given by ann, bee, not by cat",
        "smith2020#3": "marked by cat, not by ann, bee; code uptake: given by cat, not by ann, bee; code local_trust: given by cat, not by ann, bee",
        "smith2020#4": "marked by bee, not by ann, cat; code bill_savings: given by bee, not by ann, cat",
        "smith2020#5": "marked by ann, not by bee, cat; code bill_savings: given by ann, not by bee, cat",
    }
    # Each unit has a row per coder; a coder who marked nothing there says so.
    assert [(r["unit"], r["coder"], r["row"]) for r in rows if r["unit"] == "smith2020#2"] == [("smith2020#2", "ann", "2"), ("smith2020#2", "bee", "2"), ("smith2020#2", "cat", "")]
    assert [r["quote"] for r in rows if r["unit"] == "smith2020#2"][2] == "(nothing coded)"
    # Every unit-and-code disagreement of the hand-made units appears in its unit's row.
    for citekey_units in [UNITS_3["smith2020"]]:
        for n, unit in enumerate(citekey_units, start=1):
            for code in CODES:
                values = hand_matrix({"smith2020": [unit], "okafor2021": []}, ["ann", "bee", "cat"], code)
                if len({row[0] for row in values}) > 1:
                    assert f"code {code}:" in differs[f"smith2020#{n}"]
    assert "Wrote reconcile/smith2020.csv: 5 units, 5 where the coders differ." in capsys.readouterr().out


def test_reconcile_never_overwrites_a_consensus_sheet(review, capsys):
    write_coders(review, ["ann", "bee"])
    before = (review / "extraction/smith2020.csv").read_bytes()
    assert main(["reconcile", "smith2020", "--output", "extraction/smith2020.csv", "--force"]) == 1
    assert capsys.readouterr().err.startswith("extraction/smith2020.csv:1: this would be a consensus sheet")
    assert (review / "extraction/smith2020.csv").read_bytes() == before
    assert main(["reconcile", "smith2020"]) == 0
    assert main(["reconcile", "smith2020"]) == 1
    assert "reconcile/smith2020.csv:1: exists already: pass --force to replace this reconciliation sheet" in capsys.readouterr().err
    assert main(["reconcile", "smith2020", "--force"]) == 0
    assert main(["reconcile", "smith2021"]) == 1
    assert "no independent sheet for 'smith2021' (expected extraction/coders/<coder>/smith2021.csv or .xlsx): did you mean 'smith2020'?" in capsys.readouterr().err


def test_locating_a_bad_quote_in_an_independent_sheet_fails(review):
    from synthesis.evidence.build import prepare
    from synthesis.evidence.coders import locate_coders

    write_coders(review, ["ann"])
    sheet = review / "extraction/coders/ann/okafor2021.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("are trusted", "are loved"), encoding="utf-8")
    with pytest.raises(InputError) as err:
        locate_coders(prepare())
    assert [str(p).split(";")[0] for p in err.value.problems] == [
        "extraction/coders/ann/okafor2021.csv:2: B2 (ann/okafor2021:1): quote not found in sources/okafor2021.txt"]


# --- The workflow ------------------------------------------------------------------------------------

def test_workflow_adds_the_agreement_steps_only_with_independent_sheets(another_review_built, coded_twice_built):
    from importlib import resources

    from jsonschema import Draft202012Validator

    before = another_review_built[0]  # the fixture review, built without independent sheets
    assert not (before / "output/tables/agreement.csv").exists() and not (before / "output/build/coders.json").exists()
    report = (before / "output/report/state-of-play.md").read_text(encoding="utf-8")
    assert "Agreement between independent coders" not in report
    provenance = json.loads((before / "output/provenance.json").read_text(encoding="utf-8"))
    assert "coders" not in provenance["inputs"] and not any("independent" in e for e in provenance["evidence"])

    root = coded_twice_built  # the same review with ann's and bee's sheets added, built again
    assert [p.relative_to(root).as_posix() for p in sorted((root / "extraction/coders").rglob("*.csv"))] == [
        "extraction/coders/ann/okafor2021.csv", "extraction/coders/ann/smith2020.csv",
        "extraction/coders/bee/okafor2021.csv", "extraction/coders/bee/smith2020.csv"]
    rows = table(root / "output/tables/agreement.csv")
    assert rows["bill_savings", "ann; bee"]["kappa"] == "0.300"
    report = (root / "output/report/state-of-play.md").read_text(encoding="utf-8")
    assert "## Agreement between independent coders {#agreement}" in report
    assert "2 sources of this review were coded independently by 2 coders (ann; bee)." in report
    provenance = json.loads((root / "output/provenance.json").read_text(encoding="utf-8"))
    schema = json.loads(resources.files("synthesis").joinpath("schema/provenance.schema.json").read_text("utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(provenance)) == []
    assert [(c["coder"], c["citekey"]) for c in provenance["inputs"]["coders"]] == [
        ("ann", "okafor2021"), ("bee", "okafor2021"), ("ann", "smith2020"), ("bee", "smith2020")]
    independent = {e["id"]: e["independent"] for e in provenance["evidence"]}
    # Consensus smith2020:1 quotes "saw bills fall by 12 per cent in the first year", as bee's 1 does exactly,
    # and 47 of the 75 characters of ann's 1 (Jaccard 0.63); smith2020:4 quotes within ann's 3.
    assert independent["smith2020:1"] == ["ann/smith2020:1", "bee/smith2020:1"]
    assert independent["smith2020:4"] == ["ann/smith2020:3"]
    assert independent["okafor2021:2"] == ["bee/okafor2021:2"]


def test_review_check_checks_independent_sheets(review, capsys):
    write_coders(review, ["ann", "bee"])
    sheet = review / "extraction/coders/ann/smith2020.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("bill_savings,Savings", "bill_saving,Savings"), encoding="utf-8")
    for paths in ([], ["extraction/coders/ann/smith2020.csv"]):
        assert main(["check", *paths]) == 1
        out = capsys.readouterr().out
        assert out.startswith("extraction/coders/ann/smith2020.csv:4: C4 (id 3): unknown code 'bill_saving': did you mean 'bill_savings'?"), out
    assert main(["check", "extraction/coders/bee/okafor2021.csv"]) == 0  # another source: not checked
    assert capsys.readouterr().out.splitlines()[0] == "ok: checked 1 of 2 sources (2 excerpts), every quote located"


def test_one_coder_alone_gives_no_statistics(review, capsys):
    from synthesis.analysis.agreement import agreement
    from synthesis.evidence.build import prepare
    from synthesis.evidence.coders import locate_coders
    from synthesis.report.agreement import agreement_context

    write_coders(review, ["cat"])
    prepared = prepare()
    summary = agreement(locate_coders(prepared), prepared["protocol"])
    assert summary["rows"] == [] and summary["double_coded"] == []
    assert agreement_context(summary, prepared["protocol"])["lines"] == [
        "1 source has independent sheets (cat), but none has been coded by two coders yet, so no agreement can be computed."]
    assert agreement_context(None, prepared["protocol"]) is None
