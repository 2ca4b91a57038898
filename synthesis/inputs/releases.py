"""Releases: ``releases/<name>.json``, a version of the review as ``review release NAME`` recorded it.

A release holds what a reader of that version saw (each question's answer; each review finding's statement,
kind, confidence and component concerns, and its evidence ids), each excerpt's hashes and each source's
SHA-256 (so changed evidence can be told from new), the screened records' counts, and the commit when the
review is in git. Its ``fingerprint`` is the SHA-256 of that content: a release edited by hand no longer
matches it and is refused, since a release records a version as it was. The report reads the releases, so
they come through the door and are checked against ``schema/release.schema.json``, every problem at its
line. Format: docs/formats.md, "Releases".
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from ..common.dates import date_problem
from ..common.problems import InputError, Problem, suggest
from . import layout, yamlio
from .door import read_input
from .schemacheck import schema_problems, shipped_schema

FORMAT = "synthesis-release/1"
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"  # a file name on every system; also the schema's
MAX_RELEASE_BYTES = 64_000_000  # some 200,000 excerpts; refused before reading
GUIDE = 'docs/formats.md, "Releases"'


def name_problem(name: str) -> str:
    """'' for a name a release may have; else what is wrong with it."""
    if not re.match(NAME_PATTERN, name):
        return (f"'{name}' is not a release name: use up to 64 letters, digits, '_', '.' and '-', "
                "starting with a letter or digit (e.g. v1, 2024-06)")
    return ""


def fingerprint(review: dict[str, Any]) -> str:
    """The SHA-256 of a release's content, keys sorted: equal for equal versions, whatever their name or commit."""
    text = json.dumps(review, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def release_json(release: dict[str, Any]) -> str:
    """A release file's text: keys sorted, one value a line (a git diff of two releases reads), no time of writing."""
    return json.dumps(release, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


class _Duplicate(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _v in pairs]
    if len(set(keys)) != len(keys):
        raise _Duplicate()
    return dict(pairs)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _node(text: str, path: str):
    """The document's node tree, for line numbers (JSON is YAML); None when it cannot be read that way."""
    try:
        return yamlio.load(text, path)[1]
    except InputError:
        return None


def _duplicates(text: str, path: str) -> list[Problem]:
    try:
        yamlio.load(text, path)
    except InputError as err:
        return [Problem(p.path, p.line, p.message.replace("YAML would", "a reader would"))
                for p in err.problems if "duplicate key" in p.message]
    return []


def parse_release(text: str, path: str) -> dict[str, Any]:
    """One release file, checked; raise :class:`InputError` with every problem."""
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except _Duplicate:
        said = _duplicates(text, path)
        said = said or [Problem(path, 1, "a key appears twice: a reader would keep only the last")]
        raise InputError(said) from None
    except json.JSONDecodeError as err:
        said = (f"invalid JSON: {err.msg} (column {err.colno}); a release is written by `review release`: "
                "restore it from git or make it again")
        raise InputError([Problem(path, err.lineno, said)]) from None
    except ValueError as err:  # NaN or Infinity: Python reads them, JSON has no such number
        found = re.search(r"(?<![\w\"])-?(NaN|Infinity)\b", text)
        at = text.count("\n", 0, found.start()) + 1 if found else 1
        raise InputError([Problem(path, at, f"invalid JSON: {err}")]) from None
    from jsonschema import Draft202012Validator

    schema = shipped_schema("release.schema.json")
    nodes: list = []

    def line(*keys) -> int:  # the node tree (slow) is read only for a broken file
        nodes.append(nodes[0] if nodes else _node(text, path))
        return yamlio.line_of(nodes[0], list(keys))

    if not Draft202012Validator(schema).is_valid(data):
        line()
        raise InputError(schema_problems(schema, data, nodes[0], path))
    problems = []
    stem = Path(path).stem
    if data["name"] != stem:
        problems.append(Problem(path, line("name"), f"name: '{data['name']}' is not this file's name ({stem}): "
                                                    "a release's file is releases/<name>.json; rename the file back"))
    if data["date"] and date_problem(data["date"]):
        problems.append(Problem(path, line("date"), f"date: {date_problem(data['date'])}"))
    review = data["review"]
    for fid, finding in sorted(review["findings"].items()):
        missing = [e for e in finding["evidence"] if e not in review["evidence"]]
        if missing:
            problems.append(Problem(path, line("review", "findings", fid, "evidence"), f"review.findings.{fid}.evidence: "
                                    f"{', '.join(missing)} not among the release's evidence"))
    if not problems and fingerprint(review) != data["fingerprint"]:
        problems.append(Problem(path, line("fingerprint"), "the release was edited after `review release` made it "
                                                           "(its content no longer matches its fingerprint): a release "
                                                           "records a version as it was; restore it from git, or make "
                                                           "a new release"))
    if problems:
        raise InputError(problems)
    return data | {"path": path}


def load_release(path: str) -> dict[str, Any]:
    """One release file through the door, checked."""
    text, _sha = read_input(path, MAX_RELEASE_BYTES)
    return parse_release(text, path)


def load_releases(paths: list[str]) -> tuple[dict[str, dict], list[Problem]]:
    """Every release by name, and every problem in them (a broken release is left out)."""
    found: dict[str, dict] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            release = load_release(path)
        except InputError as err:
            problems += err.problems
            continue
        found[release["name"]] = release
    return found, problems


def _natural(name: str) -> list:
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", name) if part]


def ordered(releases: dict[str, dict]) -> list[dict]:
    """Releases oldest first: by date (a release without one first), then by name in natural order (v2 before v10)."""
    return sorted(releases.values(), key=lambda r: (r["date"], _natural(r["name"])))


def named(releases: dict[str, dict], name: str, where: str, line: int = 1) -> dict:
    """The release called ``name``; an :class:`InputError` at ``where`` naming the releases there are."""
    if name in releases:
        return releases[name]
    known = [r["name"] for r in ordered(releases)]
    which = suggest(name, known) if known else "there is none yet"
    raise InputError([Problem(where, line, f"no release '{name}' in releases/: {which} "
                                           f"(`review release NAME` makes one; {GUIDE})")])


def changes_since_setting(protocol: dict) -> str:
    """review.yaml's ``report.changes_since``: the release the report counts changes from ('' for the latest)."""
    report = protocol.get("report") or {}
    return report.get("changes_since", "") if isinstance(report, dict) else ""


def chosen(releases: dict[str, dict], protocol: dict, protocol_path: str, name: str = "") -> dict | None:
    """The release changes are counted from: ``name``, else review.yaml's ``report.changes_since``, else the
    latest; None without any release. A name no release has is an :class:`InputError` where it was given."""
    if name:
        return named(releases, name, layout.RELEASES)
    setting = changes_since_setting(protocol)
    if setting:
        return named(releases, setting, protocol_path, _setting_line(protocol_path))
    return ordered(releases)[-1] if releases else None


def _setting_line(protocol_path: str) -> int:
    try:
        text = Path(protocol_path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1
    return next((n for n, line in enumerate(text.splitlines(), 1) if line.strip().startswith("changes_since:")), 1)


__all__ = ["FORMAT", "GUIDE", "MAX_RELEASE_BYTES", "NAME_PATTERN", "changes_since_setting", "chosen", "fingerprint",
           "load_release", "load_releases", "name_problem", "named", "ordered", "parse_release", "release_json"]
