"""The build remembers the documents whose schema check passed (inputs/schemacheck.py, output/build/valid/),
so a merge after an edited sheet need not import jsonschema: a pass is reused, a problem is always found
again, and a document that JSON could not tell apart from another is never remembered."""

from __future__ import annotations

import datetime
import sys

import pytest

from synthesis.inputs.schemacheck import KNOWN_VALID, schema_problems

SCHEMA = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"], "additionalProperties": False}


@pytest.fixture
def known(tmp_path, monkeypatch):
    monkeypatch.setattr(KNOWN_VALID, "directory", None)
    monkeypatch.setattr(KNOWN_VALID, "writable", False)
    KNOWN_VALID.use(tmp_path / "valid", writable=True)
    return tmp_path / "valid"


def without_jsonschema(monkeypatch):
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # importing it now raises ImportError


def test_a_pass_is_remembered_and_reused_without_jsonschema(known, monkeypatch):
    assert schema_problems(SCHEMA, {"id": "F1"}, None, "findings/Q1.yaml") == []
    assert len(list(known.iterdir())) == 1
    without_jsonschema(monkeypatch)
    assert schema_problems(SCHEMA, {"id": "F1"}, None, "findings/Q1.yaml") == []
    with pytest.raises(ImportError):  # another document is checked, not taken as known
        schema_problems(SCHEMA, {"id": "F2"}, None, "findings/Q1.yaml")
    with pytest.raises(ImportError):  # the same document against another schema too
        schema_problems(SCHEMA | {"required": []}, {"id": "F1"}, None, "findings/Q1.yaml")


def test_a_problem_is_never_remembered(known):
    for _ in range(2):
        problems = schema_problems(SCHEMA, {"id": 1}, None, "findings/Q1.yaml")
        assert [p.message for p in problems] == ["id: expected a string, got 1 (quote it: YAML reads some bare words as other types)"]
    assert not known.exists()


@pytest.mark.parametrize("data", [{"id": datetime.date(2020, 1, 1)}, {"id": float("nan")}, {1: "F1"}, {"id": ("F1",)}])
def test_a_document_json_would_confuse_with_another_is_never_remembered(known, data):
    schema_problems({"type": "object"}, data, None, "findings/Q1.yaml")  # passes: anything is an object
    assert not known.exists()


def test_check_reads_what_the_build_remembered_and_writes_nothing(known, monkeypatch):
    KNOWN_VALID.use(known, writable=False)
    assert schema_problems(SCHEMA, {"id": "F1"}, None, "findings/Q1.yaml") == []
    assert not known.exists()
    KNOWN_VALID.use(None)
    assert schema_problems(SCHEMA, {"id": "F1"}, None, "findings/Q1.yaml") == []
    assert not known.exists()
