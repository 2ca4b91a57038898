"""YAML inputs checked against JSON Schemas shipped in the package, with messages at file lines."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from ..common.problems import Problem, suggest
from . import yamlio

_TYPE_NAMES = {"string": "a string", "array": "a list", "object": "a mapping", "integer": "a whole number", "boolean": "true or false"}


@lru_cache(maxsize=None)
def shipped_schema(name: str) -> dict[str, Any]:
    """A JSON Schema from ``synthesis/schema/``."""
    return json.loads(resources.files("synthesis").joinpath(f"schema/{name}").read_text("utf-8"))


def schema_problems(schema: dict[str, Any], data: Any, node, path: str, first_line: int = 1) -> list[Problem]:
    """Every way ``data`` breaks ``schema``, each at its line (``node`` is the YAML node tree)."""
    from jsonschema import Draft202012Validator

    errors = Draft202012Validator(schema).iter_errors(data)
    return [p for err in errors for p in _schema_problems(err, node, path)]


def where_of(keys) -> str:
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "top level"


def _schema_problems(err, node, path: str) -> list[Problem]:
    keys = list(err.absolute_path)
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        return [Problem(path, yamlio.key_line(node, keys, extra), f"unknown key '{extra}' in {where_of(keys)}: {suggest(str(extra), allowed)}")
                for extra in sorted(set(err.instance) - set(allowed), key=str)]
    return [_schema_problem(err, node, path)]


def _schema_problem(err, node, path: str) -> Problem:
    keys = list(err.absolute_path)
    where = where_of(keys)
    kind = err.validator
    line = yamlio.line_of(node, keys)
    if kind == "required":
        missing = err.message.split("'")[1]
        return Problem(path, line, f"{where}: missing required key '{missing}'")
    if kind == "type":
        hint = " (quote it: YAML reads some bare words as other types)" if err.validator_value == "string" else ""
        return Problem(path, line, f"{where}: expected {_TYPE_NAMES.get(err.validator_value, err.validator_value)}, got {json.dumps(err.instance)}{hint}")
    if kind == "pattern":
        return Problem(path, line, f"{where}: {err.instance!r} does not match the pattern {err.validator_value}")
    if kind == "minItems":
        return Problem(path, line, f"{where}: needs at least {err.validator_value} {'item' if err.validator_value == 1 else 'items'}")
    if kind == "enum":
        allowed = [str(v) for v in err.validator_value]
        return Problem(path, line, f"{where}: {json.dumps(err.instance)} is not allowed: {suggest(str(err.instance), allowed)}")
    if kind == "minLength":
        return Problem(path, line, f"{where}: must not be empty")
    return Problem(path, line, f"{where}: {err.message}")


__all__ = ["schema_problems", "shipped_schema", "where_of"]
