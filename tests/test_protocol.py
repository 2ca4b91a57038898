"""review.yaml: schema violations and cross-references, each with its exact message."""

from __future__ import annotations

import pytest

import reviewkit
from synthesis.common.problems import InputError
from synthesis.inputs.protocol import load_protocol, theme_pairs


def problems_of(tmp_path, text: str) -> list[str]:
    path = tmp_path / "review.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_protocol(str(path))
    return [str(p).replace(str(tmp_path) + "/", "") for p in err.value.problems]


def test_fixture_protocol_loads_with_norway_as_a_string(tmp_path):
    path = tmp_path / "review.yaml"
    path.write_text(reviewkit.PROTOCOL, encoding="utf-8")
    protocol = load_protocol(str(path))
    assert [q["id"] for q in protocol["questions"]] == ["RQa", "RQb"]
    assert protocol["vocabularies"]["countries"] == ["DE", "GB", "NO"]


def test_unknown_key_suggests_the_close_one(tmp_path):
    text = reviewkit.PROTOCOL.replace("subtitle:", "subtitel:")
    assert problems_of(tmp_path, text) == [
        "review.yaml:2: unknown key 'subtitel' in top level: did you mean 'subtitle'? allowed: appraisal, authors, coders, codes, comparison, questions, report, screening, strength, subtitle, title, vocabularies"
    ]


def test_every_schema_problem_is_reported_at_its_line(tmp_path):
    text = reviewkit.PROTOCOL.replace("title: Community energy schemes\n", "").replace("  - id: RQb\n", "  - id: 2b\n").replace("questions: [RQb]\n  - id: grid_access", "questions: []\n  - id: grid_access")
    assert problems_of(tmp_path, text) == [
        "review.yaml:1: top level: missing required key 'title'",
        "review.yaml:9: questions[1].id: '2b' does not match the pattern ^[A-Za-z][A-Za-z0-9_-]*$",
        "review.yaml:20: codes[1].questions: unknown question 'RQb': did you mean 'RQa'? allowed: RQa, 2b",
        "review.yaml:24: codes[2].questions: needs at least 1 item",
        "review.yaml:28: codes[3].questions: unknown question 'RQb': did you mean 'RQa'? allowed: RQa, 2b",
    ]


def test_wrong_type(tmp_path):
    text = reviewkit.PROTOCOL.replace("title: Community energy schemes", "title: 3")
    assert problems_of(tmp_path, text) == ["review.yaml:1: title: expected a string, got 3 (quote it: YAML reads some bare words as other types)"]


def test_code_mapped_to_unknown_question(tmp_path):
    text = reviewkit.PROTOCOL.replace("questions: [RQa, RQb]", "questions: [RQa, RQc]")
    assert problems_of(tmp_path, text) == ["review.yaml:21: codes[1].questions: unknown question 'RQc': did you mean 'RQb'? allowed: RQa, RQb"]


def test_duplicate_and_reserved_ids(tmp_path):
    text = reviewkit.PROTOCOL.replace("id: RQb", "id: rqa").replace("id: local_trust", "id: uptake")
    text = text.replace("questions: [RQa, RQb]", "questions: [RQa]").replace("questions: [RQb]", "questions: [RQa]")
    assert problems_of(tmp_path, text) == [
        "review.yaml:10: questions[1].id: duplicate id 'rqa' (first used in questions[0]; ids must differ in more than case)",
        "review.yaml:22: codes[2].id: duplicate id 'uptake' (first used in codes[1]; ids must differ in more than case)",
    ]
    reserved = reviewkit.PROTOCOL.replace("id: RQb", "id: cells").replace("[RQa, RQb]", "[RQa]").replace("[RQb]", "[RQa]")
    assert problems_of(tmp_path, reserved) == ["review.yaml:10: questions[1].id: 'cells' is reserved for an output table; choose another id"]


def test_unknown_csl_style(tmp_path):
    text = reviewkit.PROTOCOL + "report:\n  csl: harvard-cite-them-rite\n"
    assert problems_of(tmp_path, text) == [
        "review.yaml:34: report.csl: no CSL file 'harvard-cite-them-rite' in the review folder and no bundled style of that name (e.g. harvard-cite-them-right, apa, chicago-author-date)"
    ]


def test_yaml_syntax_error(tmp_path):
    assert problems_of(tmp_path, "title: [unclosed\nquestions: []\n") == [
        "review.yaml:2: invalid YAML: expected ',' or ']', but got ':'"
    ]


def test_theme_pairs_follow_the_codebook_unless_the_coder_says_otherwise(tmp_path):
    path = tmp_path / "review.yaml"
    path.write_text(reviewkit.PROTOCOL, encoding="utf-8")
    protocol = load_protocol(str(path))
    derived = {"questions": ["RQa", "RQb"], "codes": ["uptake", "bill_savings"]}
    assert theme_pairs(derived, protocol) == [("RQa", "uptake"), ("RQa", "bill_savings"), ("RQb", "uptake")]
    explicit = {"questions": ["RQb"], "codes": ["bill_savings"]}
    assert theme_pairs(explicit, protocol) == [("RQb", "bill_savings")]


def test_strength_and_comparison_values_must_be_in_the_vocabularies(tmp_path):
    text = reviewkit.PROTOCOL + """strength:
  evaluation_types: [surveys]
  ratings:
    - rating: strong
      requires_evaluation: true
comparison:
  home: UK
  groups:
    Nordic: [NO, SE]
"""
    assert problems_of(tmp_path, text) == [
        "review.yaml:34: strength.evaluation_types: 'surveys' is not in vocabularies.evidence_type: did you mean 'survey'? allowed: survey, case_study",
        "review.yaml:39: comparison.home: 'UK' is not in vocabularies.countries: did you mean 'GB'? allowed: DE, GB, NO",
        "review.yaml:41: comparison.groups.Nordic: 'SE' is not in vocabularies.countries: allowed: DE, GB, NO",
    ]
    missing = reviewkit.PROTOCOL + "strength:\n  ratings:\n    - rating: strong\n      requires_evaluation: true\n"
    assert problems_of(tmp_path, missing) == [
        "review.yaml:34: strength.ratings: a rule requires_evaluation, but neither strength.evaluation_designs nor strength.evaluation_types lists what counts as an evaluation"
    ]
