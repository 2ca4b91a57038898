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


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def load(text: str, path: str, first_line: int = 1) -> tuple[Any, yaml.Node | None]:
    """Parse ``text`` and return the data and its node tree (for line numbers).

    ``first_line`` is the file line on which ``text`` starts, so errors in an
    embedded block (front matter) point at the right line of the file.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = _Loader(text).get_single_data() if node is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = first_line + (mark.line if mark else 0)
        raise InputError([Problem(path, line, f"invalid YAML: {err.problem or err.context}")]) from None
    except yaml.YAMLError as err:
        raise InputError([Problem(path, first_line, f"invalid YAML: {err}")]) from None
    return data, node


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
