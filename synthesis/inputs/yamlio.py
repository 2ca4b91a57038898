"""YAML with line numbers, and without YAML 1.1 surprises.

PyYAML follows YAML 1.1, where ``NO`` (Norway's country code) is ``false`` and
``2024-03-06`` becomes a date. Our loader resolves only ``true``/``false`` as
booleans and keeps dates as strings, as YAML 1.2 and users expect.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

import yaml

from ..common.problems import InputError, Problem


# Largest YAML text accepted (review.yaml, front matter): a protocol is a few KB.
MAX_YAML_BYTES = 1_000_000


class _AliasUsed(Exception):
    def __init__(self, line: int):
        self.line = line


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        # Aliases (*name) can make a few lines expand to gigabytes (an "alias bomb");
        # a review needs none, so they are refused before anything is built.
        if self.check_event(yaml.AliasEvent):
            raise _AliasUsed(self.peek_event().start_mark.line)
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

# libyaml's composer (when PyYAML was built with it) is several times faster than the pure-Python one, which
# matters for the front matter of thousands of sources. It resolves and constructs with the same (Python)
# rules; anything it cannot take cleanly (an alias, a duplicate key, any error) is left to _Loader, so every
# refusal and message is the one the pure-Python loader gives.
_CLoader = None
if getattr(yaml, "CSafeLoader", None) is not None:
    class _CLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _shares_a_node(root: yaml.Node) -> bool:
    """Whether a node appears twice in the tree: libyaml composes an alias as the anchored node itself."""
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return True
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack += (key, value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


def _load_fast(text: str):
    """``(data, node)`` by libyaml, or None where the pure-Python loader must decide (and word any problem)."""
    if _CLoader is None:
        return None
    try:
        loader = _CLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None, None
            if _shares_a_node(node) or _duplicate_keys(node, "", 1):
                return None
            return loader.construct_document(node), node
        finally:
            loader.dispose()
    except Exception:  # noqa: BLE001 - any problem is the pure-Python loader's to report, in its words
        return None


def load(text: str, path: str, first_line: int = 1) -> tuple[Any, yaml.Node | None]:
    """Parse ``text`` and return the data and its node tree (for line numbers).

    ``first_line`` is the file line on which ``text`` starts, so errors in an
    embedded block (front matter) point at the right line of the file.
    """
    if len(text) > MAX_YAML_BYTES:
        raise InputError([Problem(path, first_line, f"YAML too large: {len(text):,} characters; at most {MAX_YAML_BYTES:,} are accepted")])
    fast = _load_fast(text)
    if fast is not None:
        return fast
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            duplicates = _duplicate_keys(node, path, first_line) if node is not None else []
            if duplicates:
                raise InputError(duplicates)
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except _AliasUsed as err:
        raise InputError([Problem(path, first_line + err.line, "YAML aliases (*name) are not accepted: write the value out")]) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = first_line + (mark.line if mark else 0)
        raise InputError([Problem(path, line, f"invalid YAML: {err.problem or err.context}")]) from None
    except yaml.YAMLError as err:
        raise InputError([Problem(path, first_line, f"invalid YAML: {err}")]) from None
    return data, node


def _duplicate_keys(root: yaml.Node, path: str, first_line: int) -> list[Problem]:
    """A key given twice in one mapping (YAML keeps the last silently)."""
    problems, stack = [], [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                name = key.value if isinstance(key, yaml.ScalarNode) else None
                if name is not None and name in seen:
                    problems.append(Problem(path, first_line + key.start_mark.line, f"duplicate key '{name}' (first on line {first_line + seen[name]}): YAML would keep only the last"))
                elif name is not None:
                    seen[name] = key.start_mark.line
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return problems


def _walk(node: yaml.Node, keys: Sequence[Any]):
    """Yield ``(line, node)`` down ``keys`` for as far as the path exists."""
    yield node.start_mark.line, node
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == key), None)
            if pair is None:
                return
            line, node = pair[0].start_mark.line, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line
        else:
            return
        yield line, node


def line_of(node: yaml.Node | None, keys: Sequence[Any], first_line: int = 1) -> int:
    """File line of the value at ``keys``, or of its deepest existing parent."""
    if node is None:
        return first_line
    *_, (line, _node) = _walk(node, keys)
    return first_line + line


def key_line(node: yaml.Node | None, keys: Sequence[Any], key: str, first_line: int = 1) -> int:
    """File line of mapping key ``key`` inside the mapping at ``keys``."""
    if node is None:
        return first_line
    *_, (line, parent) = _walk(node, keys)
    if isinstance(parent, yaml.MappingNode):
        line = next((k.start_mark.line for k, _v in parent.value if k.value == key), line)
    return first_line + line
