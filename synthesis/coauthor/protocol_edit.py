"""Small edits to ``review.yaml`` that ``review add-source`` makes when asked: a new coder under
``coders:``, a source under ``screening.added_otherwise``.

The protocol is the team's hand-written file, so it is edited as text (its comments, order and
style kept) and never rewritten from parsed data. Every edit is checked by parsing the result: it
must be the same protocol with exactly the one item added, else nothing is written and the message
says what to add by hand.
"""

from __future__ import annotations

import copy
import json
import re

from ..common.problems import InputError, Problem
from ..inputs import yamlio

_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
_YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(value: str) -> str:
    """``value`` as a YAML scalar that reads back as the same string."""
    return value if _PLAIN.match(value) and value.lower() not in _YAML_WORDS else json.dumps(value, ensure_ascii=False)


def _block(lines: list[str], key: str, indent: str = "") -> tuple[int, int] | None:
    """(line of ``key:`` at this indent, last line of its block) or None; lines are 0-based."""
    pattern = re.compile(rf"^{re.escape(indent)}{re.escape(key)}:(\s|$)")
    start = next((i for i, line in enumerate(lines) if pattern.match(line)), None)
    if start is None:
        return None
    end = start
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        deeper = len(line) - len(line.lstrip()) > len(indent)
        if deeper or (not indent and line.startswith("- ")):
            end = i
            continue
        break
    return start, end


def _checked(old: str, new: str, path: str, expect, how: str) -> str:
    """``new`` when it parses as ``old`` with the change ``expect`` made to the parsed data; else refuse."""
    before, _node = yamlio.load(old, path)
    wanted = expect(copy.deepcopy(before))
    try:
        after, _node = yamlio.load(new, path)
    except InputError:
        after = None
    if after != wanted:
        raise InputError([Problem(path, 1, f"could not add this to {path} without changing its layout: {how}")])
    return new


def add_coder(text: str, coder: str, name: str, path: str = "review.yaml") -> str:
    """``text`` with ``{id: coder, name: name}`` appended to ``coders:``, in the list's own style."""
    how = f"add the line `  - {{id: {scalar(coder)}, name: {json.dumps(name, ensure_ascii=False)}}}` under `coders:` yourself"
    lines = text.splitlines(keepends=True)
    found = _block(lines, "coders")
    first = next((lines[i] for i in range(found[0] + 1, found[1] + 1) if lines[i].lstrip().startswith("- ")), None) if found else None
    if found is None or first is None:
        raise InputError([Problem(path, 1, f"review.yaml has no list of coders in block style to add to: {how}")])
    indent = first[: len(first) - len(first.lstrip())]
    if first.lstrip()[2:].lstrip().startswith("{"):
        item = [f"{indent}- {{id: {scalar(coder)}, name: {json.dumps(name, ensure_ascii=False)}}}\n"]
    else:
        item = [f"{indent}- id: {scalar(coder)}\n", f"{indent}  name: {json.dumps(name, ensure_ascii=False)}\n"]
    end = found[1]
    if not lines[end].endswith("\n"):
        lines[end] += "\n"
    new = "".join(lines[: end + 1] + item + lines[end + 1:])

    def expect(data: dict) -> dict:
        data["coders"].append({"id": coder, "name": name})
        return data

    return _checked(text, new, path, expect, how)


def add_added_otherwise(text: str, citekey: str, path: str = "review.yaml") -> str:
    """``text`` with ``citekey`` listed in ``screening.added_otherwise`` (the key and its section made when missing)."""
    how = f"add '{citekey}' to `added_otherwise:` under `screening:` yourself (docs/formats.md, \"review.yaml screening\")"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    section = _block(lines, "screening")
    if section is None:
        new = "".join(lines) + ("\n# Sources that came in without a record of a search (review add-source --added-otherwise).\n"
                                f"screening:\n  added_otherwise: [{scalar(citekey)}]\n")
    else:
        start, end = section
        child = next((lines[i] for i in range(start + 1, end + 1) if lines[i].strip() and not lines[i].lstrip().startswith("#")), "  x")
        indent = child[: len(child) - len(child.lstrip())] or "  "
        listed = _block(lines[start + 1: end + 1], "added_otherwise", indent)
        if listed is None:
            lines.insert(end + 1, f"{indent}added_otherwise: [{scalar(citekey)}]\n")
        else:
            at, last = listed[0] + start + 1, listed[1] + start + 1
            flow = re.match(r"^(\s*added_otherwise:\s*)\[(.*?)\](.*)$", lines[at].rstrip("\n"))
            if flow:
                items = [item.strip() for item in flow.group(2).split(",") if item.strip()]
                lines[at] = f"{flow.group(1)}[{', '.join(items + [scalar(citekey)])}]{flow.group(3)}\n"
            else:
                item = next((lines[i] for i in range(at + 1, last + 1) if lines[i].lstrip().startswith("- ")), None)
                if item is None:
                    raise InputError([Problem(path, at + 1, f"screening.added_otherwise is not a list this command can add to: {how}")])
                lines.insert(last + 1, f"{item[: len(item) - len(item.lstrip())]}- {scalar(citekey)}\n")
        new = "".join(lines)

    def expect(data: dict) -> dict:
        screening = data.setdefault("screening", {})
        screening["added_otherwise"] = list(screening.get("added_otherwise") or []) + [citekey]
        return data

    return _checked(text, new, path, expect, how)


__all__ = ["add_added_otherwise", "add_coder", "scalar"]
