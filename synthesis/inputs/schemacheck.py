"""YAML inputs checked against JSON Schemas shipped in the package, with messages at file lines."""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..common.problems import Problem, suggest
from . import yamlio

_TYPE_NAMES = {"string": "a string", "array": "a list", "object": "a mapping", "integer": "a whole number", "boolean": "true or false"}


@lru_cache(maxsize=None)
def shipped_schema(name: str) -> dict[str, Any]:
    """A JSON Schema from ``synthesis/schema/``."""
    return json.loads(resources.files("synthesis").joinpath(f"schema/{name}").read_text("utf-8"))


class KnownValid:
    """Where the build remembers documents its schema checks passed (``output/build/valid/``): importing
    jsonschema costs 0.25-0.4 CPU s, about a third of the merge job after an edited sheet, whose findings
    files have not changed. A document is remembered under a key of its schema, its data (only of JSON's own
    types, so that no two documents share a key) and jsonschema's version; only a pass is remembered, never a
    problem's message."""

    def __init__(self) -> None:
        self.directory: Path | None = None
        self.writable = False

    def use(self, directory: str | Path | None, writable: bool = False) -> None:
        self.directory, self.writable = (Path(directory) if directory else None), writable

    def key(self, schema: dict[str, Any], data: Any) -> str | None:
        if self.directory is None or not _plain(data):
            return None
        import hashlib

        import orjson

        from ..common.installed import version

        return hashlib.sha256(orjson.dumps([version("jsonschema"), schema, data])).hexdigest()

    def known(self, key: str | None) -> bool:
        return key is not None and (self.directory / key).is_file()

    def remember(self, key: str | None) -> None:
        if key is None or not self.writable:
            return
        try:  # an empty file: nothing to write half
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / key).touch()
        except OSError:  # not remembered: checked again next time
            pass


KNOWN_VALID = KnownValid()  # off until a command of the build turns it on (cli.main)


def _plain(data: Any) -> bool:
    """Whether ``data`` holds only JSON's types (a YAML date or a number as a key would dump like a
    string)."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if not all(k.__class__ is str for k in value):
                return False
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif value.__class__ is float:
            if not math.isfinite(value):  # orjson writes NaN and infinity as null
                return False
        elif value is not None and value.__class__ not in (str, int, bool):
            return False
    return True


def schema_problems(schema: dict[str, Any], data: Any, node, path: str, first_line: int = 1) -> list[Problem]:
    """Every way ``data`` breaks ``schema``, each at its line (``node`` is the YAML node tree)."""
    key = KNOWN_VALID.key(schema, data)
    if KNOWN_VALID.known(key):
        return []
    from jsonschema import Draft202012Validator

    errors = Draft202012Validator(schema).iter_errors(data)
    problems = [p for err in errors for p in _schema_problems(err, node, path)]
    if not problems:
        KNOWN_VALID.remember(key)
    return problems


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


__all__ = ["KNOWN_VALID", "KnownValid", "schema_problems", "shipped_schema", "where_of"]
