"""A locate job's shard as a file (``output/build/shards/<n>.jsonl``), and the evidence set written from the
shards without parsing their evidence items again.

The merge joins the shards' evidence in the order of citekeys and sheet lines: at 5,000 sources 100,000 items,
115 MB of JSON, of which it checks only the studies' designs. So a shard is JSON Lines: a first line with
everything but the evidence (sources, row ids, problems), each source's number of excerpts and what the merge
checks of them (their study and design), then a line per source: its evidence items, a JSON array, in the order
of their sheet lines. The merge reads the first lines and writes ``evidence.json`` with each source's items
spliced in as they are: the bytes ``orjson.dumps`` gives of the whole evidence set (parsing and writing them
again cost about 1.5 CPU s of every merge at 5,000 sources, and 500 MB of memory).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, NamedTuple

import orjson

from ..common.problems import InputError, Problem

HEAD_KEYS = ("sources", "row_ids", "problems", "source_count")  # check_sources' shard, but its evidence
STUDY_KEYS = ("citekey", "sheet", "sheet_line", "id", "study", "study_design")  # what study_problems reads


class Block(NamedTuple):
    """One source's evidence items in a shard file: its citekey, how many, and their JSON without the array's
    brackets (the items joined by commas, as orjson writes a list)."""

    citekey: str
    count: int
    items: bytes


class Spliced:
    """The evidence set's items as the shards' blocks, in the order of citekeys (:func:`evidence_set_pieces`
    writes them as they are)."""

    def __init__(self, blocks: list[Block]):
        self.blocks = blocks


def _order(item: dict) -> tuple[str, int]:
    return item["citekey"], item["sheet_line"]


def shard_lines(shard: dict[str, Any]) -> Iterator[bytes]:
    """The shard file of :func:`~synthesis.evidence.build.check_sources`' shard, line by line."""
    evidence = sorted(shard["evidence"], key=_order)  # the merge's order (stable: as it sorts the whole set)
    by_source: dict[str, list[dict]] = {}
    for item in evidence:
        by_source.setdefault(item["citekey"], []).append(item)
    studies = [{k: e.get(k) for k in STUDY_KEYS} for e in evidence if e.get("study") and e.get("study_design")]
    head = {k: shard[k] for k in HEAD_KEYS} | {"blocks": [[c, len(items)] for c, items in by_source.items()],
                                               "studies": studies}
    yield orjson.dumps(head) + b"\n"
    for items in by_source.values():
        yield orjson.dumps(items) + b"\n"


def read_shard(path: str | Path) -> dict[str, Any]:
    """A shard file as the merge takes it: the first line's values, ``evidence`` the studies' items it checks
    and ``blocks`` each source's items (:class:`Block`). A file that is not such a shard (cut short, another
    file) is a problem asking to build again, not a traceback."""
    lines = Path(path).read_bytes().split(b"\n")
    try:
        head = orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        head = None
    counts = head.get("blocks") if isinstance(head, dict) and all(k in head for k in HEAD_KEYS) else None
    body = lines[1:-1] if lines[-1] == b"" else None
    well = (isinstance(counts, list) and isinstance(head.get("studies"), list) and body is not None
            and len(body) == len(counts)
            and all(isinstance(c, list) and len(c) == 2 and isinstance(c[0], str) and c[1].__class__ is int
                    and c[1] > 0 for c in counts)
            and all(line.startswith(b"[{") and line.endswith(b"}]") for line in body))
    if not well:
        raise InputError([Problem(str(path), 1, "not a shard the locate step writes (cut short or another file): "
                                                "build the review again")])
    shard = {k: head[k] for k in HEAD_KEYS}
    shard["evidence"] = head["studies"]
    shard["blocks"] = [Block(c, n, line[1:-1]) for (c, n), line in zip(counts, body)]
    return shard


def read_shards(paths: list[str]) -> list[dict[str, Any]]:
    """:func:`read_shard` of each path; every file that is not a shard is reported together, and a source given
    by two shards (shards of two counts given together) too: its evidence would be counted twice."""
    shards, problems = [], []
    first: dict[str, str] = {}
    for path in paths:
        try:
            shard = read_shard(path)
            shards.append(shard)
            for source in shard["sources"]:
                citekey = source.get("citekey") if isinstance(source, dict) else None
                if citekey in first:
                    problems.append(Problem(str(path), 1, f"source '{citekey}' is also in {first[citekey]}: give the "
                                                          "shards of one build (one count of shards)"))
                first.setdefault(citekey, str(path))
        except InputError as err:
            problems += err.problems
        except FileNotFoundError:
            problems.append(Problem(str(path), 1, "no such file or folder"))
        except OSError as err:  # a folder, unreadable
            problems.append(Problem(str(path), 1, f"cannot be read ({err.strerror}): build the review again"))
    if problems:
        raise InputError(problems)
    return shards


def evidence_set_pieces(data: dict[str, Any]) -> Iterator[bytes]:
    """``evidence.json``'s bytes (``orjson.dumps(data)`` and a line end), its evidence items spliced in from the
    shards' blocks where ``data["evidence"]`` is :class:`Spliced`."""
    evidence = data["evidence"]
    if not isinstance(evidence, Spliced):
        yield orjson.dumps(data) + b"\n"
        return
    keys = list(data)
    at = keys.index("evidence")
    before, after = {k: data[k] for k in keys[:at]}, {k: data[k] for k in keys[at + 1:]}
    yield (orjson.dumps(before)[:-1] + b"," if before else b"{") + b'"evidence":['
    for n, block in enumerate(evidence.blocks):
        yield (b"," if n else b"") + block.items
    yield b"]" + (b"," + orjson.dumps(after)[1:] if after else b"}") + b"\n"


__all__ = ["Block", "Spliced", "evidence_set_pieces", "read_shard", "read_shards", "shard_lines"]
