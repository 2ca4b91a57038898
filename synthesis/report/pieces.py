"""Each source's share of the report job's largest outputs, kept between builds (``output/build/pieces/``):
its excerpts' lines of ``evidence.csv`` and their records in the explorer.

Most of the report job's time goes on making these per excerpt (20,000 at 1,000 sources), and an edited sheet
changes one source's. A source's pieces are kept under a key of everything they are made from: the package's
code, the source's record (its file's SHA-256 among it: the explorer's reading context comes from the text),
its excerpts, and for the CSV the table's columns, for the explorer the codebook's order. What depends on the
other sources is set when the pieces are used: the explorer record's position of its source (``s``) and of
its heading (``h``, kept as the heading's text). A piece that does not match is made again and replaced
(:mod:`synthesis.common.kept`), so the outputs are the bytes they would be without it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson

from ..common.kept import KeptValues, key_of

DIRECTORY = "output/build/pieces"
CSV = "evidence.csv"  # the name (and key) of the one file of every source's lines of evidence.csv


@dataclass
class SourcePieces:
    """Where the pieces are kept, each source's excerpts (by citekey: :func:`excerpt_groups` of the evidence
    set they are for) and its digest, which their keys start from."""

    csv: KeptValues
    explorer: KeptValues
    groups: dict[str, list[dict]]
    digests: dict[str, str]

    def prune(self) -> None:
        """Remove the pieces of sources no longer in the evidence set (the CSV's file holds only those in
        it)."""
        self.csv.prune([CSV])
        self.explorer.prune(self.digests)


def excerpt_groups(evidence: list[dict]) -> dict[str, list[dict]]:
    """Each source's excerpts (by citekey), in the evidence set's order."""
    groups: dict[str, list[dict]] = {}
    for item in evidence:
        groups.setdefault(item["citekey"], []).append(item)
    return groups


def source_pieces(data: dict[str, Any], directory: str | Path = DIRECTORY) -> SourcePieces:
    """The kept pieces of the evidence set ``data`` in ``directory``."""
    from ..inputs.layout import package_fingerprint

    code = package_fingerprint() + "\0" + sys.version
    sources = {s["citekey"]: s for s in data["sources"]}
    groups = excerpt_groups(data["evidence"])
    digests = {citekey: key_of(code, orjson.dumps(sources[citekey]), orjson.dumps(items))
               for citekey, items in groups.items()}
    base = Path(directory)
    return SourcePieces(KeptValues(base / "csv"), KeptValues(base / "explorer"), groups, digests)


def _usable(value: Any, count: int, kind: type) -> bool:
    return isinstance(value, list) and len(value) == count and all(isinstance(v, kind) for v in value)


def kept_lines(pieces: SourcePieces, evidence: list[dict], columns: list[str],
               make: Callable[[list[dict]], list[str]]) -> list[str]:
    """Each excerpt's line of ``evidence.csv`` in the order of ``evidence`` (the set ``pieces`` is for): a
    source's kept lines, or ``make``'s of its excerpts. They are kept together in one file (rewritten when one
    source's change), as they are all held anyway: a file per source would cost a file's creation each
    (0.15 ms)."""
    shape = orjson.dumps(columns)
    before = pieces.csv.get(CSV, CSV)
    before = before if isinstance(before, dict) else {}
    now: dict[str, list] = {}
    made: dict[str, Iterator[str]] = {}
    for citekey, items in pieces.groups.items():
        key = key_of("csv", shape, pieces.digests[citekey])
        kept = before.get(citekey)
        lines = kept[1] if isinstance(kept, list) and len(kept) == 2 and kept[0] == key else None
        if not _usable(lines, len(items), str):
            lines = make(items)
        now[citekey] = [key, lines]
        made[citekey] = iter(lines)
    if now != before:
        pieces.csv.put(CSV, CSV, now)
    return [next(made[item["citekey"]]) for item in evidence]


def piece_json(record: dict[str, Any]) -> list[bytes | str | None]:
    """An explorer.excerpt_piece's JSON (as orjson writes it, UTF-8) in the parts around what explorer.placed
    sets: up to ``s``'s value, from there up to where ``h`` goes, the heading's text (or None), the rest. Kept
    so, a source's records are joined without being read back as objects and written again (report.pieces)."""
    # Dumped once and cut: inside a JSON string every quote is escaped, so the first `,"s":0,` and `,"h":` are
    # the keys. Without a heading nothing goes between the last two parts: the cut is at the end.
    whole = orjson.dumps(record)
    at = whole.index(b',"s":0,') + len(b',"s":')
    start, after = whole[:at], whole[at + 1:]
    heading = record.get("h")
    if heading is None:
        return [start, after, None, b""]
    cut = after.index(b',"h":')
    end = cut + len(b',"h":') + len(orjson.dumps(heading))
    return [start, after[:cut], heading, after[end:]]


def placed_json(parts: list[bytes | str | None], position: int, headings: dict[str, int]) -> bytes:
    """:func:`piece_json`'s parts joined with the source's and the heading's positions: the bytes of
    ``orjson.dumps(explorer.placed(record, position, headings))``."""
    start, middle, heading, rest = parts
    at = b"" if heading is None else b',"h":%d' % headings.setdefault(heading, len(headings))
    return b"%s%d%s%s%s" % (start, position, middle, at, rest)


def kept_records(pieces: SourcePieces, citekey: str, items: list[dict], codes: dict[str, int],
                 make: Callable[[list[dict]], list[list]]) -> list[list]:
    """One source's explorer records, as the parts of their JSON around ``s`` and ``h`` (:func:`piece_json`):
    kept, or ``make``'s of ``items`` (then kept)."""
    key = key_of("explorer", orjson.dumps(codes), pieces.digests[citekey])
    kept = pieces.explorer.get_raw(citekey, key)
    records = _unpacked(*kept, len(items)) if kept else None
    if records is None:
        records = make(items)
        pieces.explorer.put_raw(citekey, key, *_packed(records))
    return records


def _packed(records: list[list]) -> tuple[list[list[int]], bytes]:
    """Records' parts as one string of bytes and each part's length (-1: no heading)."""
    lengths, chunks = [], []
    for start, middle, heading, rest in records:
        named = heading.encode("utf-8") if heading is not None else b""
        lengths.append([len(start), len(middle), -1 if heading is None else len(named), len(rest)])
        chunks += [start, middle, named, rest]
    return lengths, b"".join(chunks)


def _unpacked(lengths: Any, payload: bytes, count: int) -> list[list] | None:
    """:func:`_packed`'s records again; None unless the lengths describe ``count`` records and all the
    bytes."""
    ok = (isinstance(lengths, list) and len(lengths) == count
          and all(isinstance(r, list) and len(r) == 4 and all(n.__class__ is int for n in r)
                  and min(r[0], r[1], r[3]) >= 0 and r[2] >= -1 for r in lengths)
          and sum(r[0] + r[1] + max(r[2], 0) + r[3] for r in lengths) == len(payload))
    if not ok:
        return None
    records, at = [], 0
    try:
        for a, b, h, c in lengths:
            start, middle = payload[at:at + a], payload[at + a:at + a + b]
            at += a + b
            heading = None if h < 0 else payload[at:at + h].decode("utf-8")
            at += max(h, 0)
            records.append([start, middle, heading, payload[at:at + c]])
            at += c
    except UnicodeDecodeError:
        return None
    return records


__all__ = ["DIRECTORY", "SourcePieces", "excerpt_groups", "kept_lines", "kept_records", "piece_json",
           "placed_json", "source_pieces"]
