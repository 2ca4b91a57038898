"""What changed since a release, said three ways from the same rows (:func:`synthesis.analysis.releases.compare`):
the report's "Changes since NAME" section, ``review diff``'s lines and ``output/tables/changes.csv``.

Each change is one sentence (:func:`sentence`); the section and the terminal list the same sentences in the
same order, so a reader of either sees the same thing. Without a release there is no section, and the table
has only its header.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..analysis.releases import RECORD_COUNTS, Change
from ..common.textio import csv_text, write_atomic
from . import markdown

COLUMNS = ("change", "question", "item", "before", "after", "why")
TABLE = "changes.csv"


# One sentence per kind of change ({what}: " What changed: WHY." where the change says why); an answer and a
# record count are worded in sentence() itself.
SENTENCES = {
    "statement": "{item}'s statement changed. It was: “{before}” It is now: “{after}”",
    "finding_added": "{item} ({question}) is new, {why}: “{after}”",
    "finding_removed": "{item} ({question}) was removed: “{before}”",
    "confidence": "{item}: confidence moved from {before} to {after}.{what}",
    "judgements": "{item}: confidence unchanged ({after}), its judgements changed.{what}",
    "evidence": "{item}: judgements unchanged, its evidence changed.{what}",
    "source_added": "New source: {item}, {after} ({why}).",
    "source_removed": "Source removed: {item}, {before}.",
    "source_changed": "Source changed: {item} (its file's SHA-256 was {before}…, is now {after}…).",
}


def sentence(row: Change) -> str:
    """One change, as a reader reads it."""
    kind, item, before, after, why = row["change"], row["item"], row["before"], row["after"], row["why"]
    if kind == "answer":
        was, now = before or "(no answer)", after or "(no answer)"
        return f"The answer to {item} changed. It was: “{was}” It is now: “{now}”"
    if kind == "records":
        words = RECORD_COUNTS.get(item, item)
        return f"{words[0].upper()}{words[1:]}: {before or 'none counted'}, now {after or 'none counted'}."
    if kind in SENTENCES:
        return SENTENCES[kind].format_map({**row, "what": f" What changed: {why}." if why else ""})
    return f"{kind} {item}: {before} → {after} {why}".strip()


def since(release: dict[str, Any]) -> str:
    """What the release was: its name, date and commit."""
    parts = [p for p in (release["date"], f"commit {release['commit'][:12]}" if release["commit"] else "") if p]
    return f"release {release['name']}" + (f" ({', '.join(parts)})" if parts else "")


# Each kind of change with its words for one and for more, in the order the summary names them.
KINDS = (
    (("answer",), "answer changed", "answers changed"),
    (("finding_added",), "finding added", "findings added"),
    (("finding_removed",), "finding removed", "findings removed"),
    (("confidence",), "confidence level moved", "confidence levels moved"),
    (("statement", "judgements", "evidence"), "other change to a finding", "other changes to findings"),
    (("source_added",), "new source", "new sources"),
    (("source_removed", "source_changed"), "source removed or changed", "sources removed or changed"),
    (("records",), "record count changed", "record counts changed"),
)


def summary(rows: list[Change]) -> str:
    """How many changes of each kind, e.g. "1 answer changed, 1 confidence level moved, 1 new source"."""
    said = []
    for codes, one, more in KINDS:
        n = sum(r["change"] in codes for r in rows)
        if n:
            said.append(f"{n} {one if n == 1 else more}")
    return ", ".join(said)


def lead(release: dict[str, Any], rows: list[Change]) -> str:
    """The section's first sentence."""
    if not rows:
        return f"Nothing the report states has changed since {since(release)}."
    return f"Since {since(release)}: {summary(rows)}."


def section(release: dict[str, Any] | None, rows: list[Change]) -> markdown.Markdown:
    """The report's "Changes since NAME" section as Markdown ('' without a release)."""
    if release is None:
        return markdown.Markdown("")
    lines = [f"# Changes since {markdown.escape(release['name'])} {{#changes}}", "",
             markdown.escape(lead(release, rows)), ""]
    lines += [f"- {markdown.escape(sentence(r))}" for r in rows]
    return markdown.Markdown("\n".join(lines).rstrip("\n"))


def text(release: dict[str, Any], rows: list[Change]) -> str:
    """``review diff``'s output: the section's heading, lead and sentences, as plain lines."""
    lines = [f"Changes since {release['name']}", lead(release, rows), *[f"- {sentence(r)}" for r in rows]]
    return "\n".join(lines) + "\n"


def table(rows: list[Change]) -> str:
    """changes.csv: one row a change (only the header without a release)."""
    return csv_text([COLUMNS, *([r[c] for c in COLUMNS] for r in rows)])


def write_table(path: str | Path, rows: list[Change]) -> None:
    write_atomic(path, table(rows))


def since_release(data: dict[str, Any], releases_dir: str | Path,
                  protocol_path: str | Path) -> tuple[dict | None, list[Change]]:
    """The release the report counts changes from (see :func:`synthesis.inputs.releases.chosen`) and the changes
    from it to this build (``data`` is the evidence set, with ``records`` when the review has records/); every
    release is checked at the door, all problems at once."""
    from ..analysis.releases import compare, snapshot
    from ..common.problems import InputError
    from ..inputs.layout import release_files
    from ..inputs.releases import chosen, load_releases

    releases, problems = load_releases(release_files(releases_dir))
    if problems:
        raise InputError(problems)
    release = chosen(releases, data["protocol"], str(protocol_path))
    if release is None:
        return None, []
    flow = (data.get("records") or {}).get("flow")
    return release, compare(release["review"], snapshot(data, flow))


__all__ = ["COLUMNS", "TABLE", "lead", "section", "sentence", "since", "since_release", "summary", "table", "text",
           "write_table"]
