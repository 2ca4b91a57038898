"""Each source's share of the report job's largest outputs, kept between builds (``output/build/pieces/``):
its excerpts' lines of ``evidence.csv`` and their records in the explorer.

Most of the report job's time goes on making these per excerpt (20,000 at 1,000 sources), and an edited sheet
changes one source's. A source's pieces are kept under a key of everything they are made from: the package's
code, the source's record (its file's SHA-256 among it: the explorer's reading context comes from the text),
its excerpts, and for the CSV the table's columns, for the explorer the codebook's order. What depends on the
other sources is in the explorer's records as kept: their source's position (``s``) and their headings'
numbers (``h``); while those are the same (a sheet edited elsewhere) the records are used as they are, else
the numbers are put in again. A piece that does not match is made again and replaced
(:mod:`synthesis.common.kept`), so the outputs are the bytes they would be without it. The explorer's pieces
are one file (``explorer.blocks``) and the CSV's another (``evidence-csv.blocks``: each source's lines as the
UTF-8 bytes the table holds, with their lengths), each read a source at a time and written anew by each run.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import orjson

from ..common.kept import KeptBlocks, key_of

DIRECTORY = "output/build/pieces"
CSV = "evidence-csv.blocks"  # the one file of every source's lines of evidence.csv
EXPLORER = "explorer.blocks"  # the one file of every source's explorer records


@dataclass
class SourcePieces:
    """Where the pieces are kept, each source's excerpts (by citekey: :func:`excerpt_groups` of the evidence
    set they are for) and its digest, which their keys start from."""

    csv: KeptBlocks
    explorer: KeptBlocks
    groups: dict[str, list[dict]]
    digests: dict[str, str]

    def keep_explorer(self) -> None:
        """Keep the explorer's pieces it used (the page written): those of sources gone are left out."""
        self.explorer.close()
        if self.explorer.path is not None:  # a file per source, as builds before kept them
            shutil.rmtree(self.explorer.path.parent / "explorer", ignore_errors=True)

    def prune(self) -> None:
        """Remove the folder of the CSV's lines as builds before kept them (one JSON file)."""
        if self.csv.path is not None:
            shutil.rmtree(self.csv.path.parent / "csv", ignore_errors=True)


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
    return SourcePieces(KeptBlocks(base / CSV), KeptBlocks(base / EXPLORER), groups, digests)


def _usable(value: Any, count: int, kind: type) -> bool:
    return isinstance(value, list) and len(value) == count and all(isinstance(v, kind) for v in value)


def kept_rows(pieces: SourcePieces, evidence: list[dict], columns: list[str],
              make: Callable[[list[dict]], list[str]]) -> list[bytes]:
    """Each excerpt's line of ``evidence.csv`` (UTF-8) in the order of ``evidence`` (the set ``pieces`` is for):
    a source's kept lines, or ``make``'s of its excerpts. A source's lines are kept as one block of the bytes
    the table holds, with each line's length (a line may hold a quoted line break): read back without being
    parsed, encoded or written again as JSON. The file is written anew (only the sources given) at the end."""
    shape = orjson.dumps(columns)
    made: dict[str, Iterator[bytes]] = {}
    for citekey, items in pieces.groups.items():
        key = key_of("csv", shape, pieces.digests[citekey])
        kept = pieces.csv.get(citekey, key)
        lines = _cut(kept[0], kept[1], len(items)) if kept is not None else None
        if lines is None:
            lines = [line.encode("utf-8") for line in make(items)]
            block, lengths = b"".join(lines), [len(line) for line in lines]
        else:
            block, lengths = kept[1], kept[0]
        pieces.csv.put(citekey, key, lengths, block)
        made[citekey] = iter(lines)
    pieces.csv.close()
    return [next(made[item["citekey"]]) for item in evidence]


def _cut(lengths: Any, block: bytes, count: int) -> list[bytes] | None:
    """A kept block of lines cut by their lengths; None unless there are ``count`` lengths covering it."""
    if not _usable(lengths, count, int) or min(lengths, default=1) < 1 or sum(lengths) != len(block):
        return None
    lines, at = [], 0
    for length in lengths:
        lines.append(block[at:at + length])
        at += length
    return lines


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


def kept_block(pieces: SourcePieces, citekey: str, items: list[dict], codes: dict[str, int], position: int,
               headings: dict[str, int], make: Callable[[list[dict]], list[list]]) -> bytes:
    """One source's explorer records placed (:func:`placed_json` at ``position``, their headings numbered in
    ``headings``) and joined by commas, as the page writes them: kept as those bytes, so that while the
    source's position and its headings' numbers stay the same (an edited sheet elsewhere) they are used as
    they are; else the numbers are put in again, or the records made by ``make`` (:func:`piece_json`'s
    parts)."""
    key = key_of("explorer", orjson.dumps(codes), pieces.digests[citekey])
    kept = pieces.explorer.get(citekey, key)
    meta = kept[0] if kept and _described(kept[0], len(items), len(kept[1])) else None
    if meta is not None:
        numbers = [headings.setdefault(h, len(headings)) for h in meta["h"]]
        if meta["s"] == position and meta["i"] == numbers:
            pieces.explorer.put(citekey, key, meta, kept[1])  # kept for the next run as it is
            return kept[1]
        records = _parts_of(meta, kept[1])
    else:
        records = None
    if records is None:
        records = make(items)
    block, meta = _placed_block(records, position, headings)
    pieces.explorer.put(citekey, key, meta, block)
    return block


def _placed_block(records: list[list], position: int, headings: dict[str, int]) -> tuple[bytes, dict]:
    """Records' parts placed and joined, with what :func:`_parts_of` needs to cut them apart again: each
    record's lengths (up to ``s``'s number, the number, up to the heading's, the heading's number or -1, the
    rest) and heading (its place in ``h``, the source's headings in the order they first appear)."""
    named: dict[str, int] = {}
    lengths, placed = [], []
    digits = len(b"%d" % position)
    for start, middle, heading, rest in records:
        record = placed_json([start, middle, heading, rest], position, headings)
        if heading is None:
            lengths.append([len(start), digits, len(middle), -1, len(rest), -1])
        else:
            number = len(record) - len(start) - digits - len(middle) - len(rest) - len(b',"h":')
            local = named.setdefault(heading, len(named))
            lengths.append([len(start), digits, len(middle), number, len(rest), local])
        placed.append(record)
    block = b",".join(placed)
    meta = {"s": position, "h": list(named), "i": [headings[h] for h in named], "n": len(block), "r": lengths}
    return block, meta


def _described(meta: Any, count: int, size: int) -> bool:
    """Whether ``meta`` is :func:`_placed_block`'s description of ``count`` records in ``size`` bytes."""
    return (isinstance(meta, dict) and meta.get("n") == size and meta.get("s").__class__ is int
            and isinstance(meta.get("h"), list) and all(h.__class__ is str for h in meta["h"])
            and isinstance(meta.get("i"), list) and len(meta["i"]) == len(meta["h"])
            and isinstance(meta.get("r"), list) and len(meta["r"]) == count)


def _parts_of(meta: dict, block: bytes) -> list[list] | None:
    """:func:`_placed_block`'s records as :func:`piece_json`'s parts again; None unless the lengths describe
    all the bytes."""
    headings, lengths = meta["h"], meta["r"]
    ok = (all(isinstance(r, list) and len(r) == 6 and all(n.__class__ is int for n in r)
              and min(r[0], r[1], r[2], r[4]) >= 0 and r[3] >= -1 and -1 <= r[5] < len(headings)
              and (r[3] < 0) == (r[5] < 0) for r in lengths)
          and sum(a + b + c + e + (d + len(b',"h":') if d >= 0 else 0) for a, b, c, d, e, _h in lengths)
          + max(len(lengths) - 1, 0) == len(block))
    if not ok:
        return None
    records, at = [], 0
    for a, b, c, d, e, h in lengths:
        start, middle = block[at:at + a], block[at + a + b:at + a + b + c]
        at += a + b + c + (d + len(b',"h":') if d >= 0 else 0)
        records.append([start, middle, headings[h] if h >= 0 else None, block[at:at + e]])
        at += e + 1  # and the comma
    return records


__all__ = ["DIRECTORY", "SourcePieces", "excerpt_groups", "kept_block", "kept_rows", "piece_json",
           "placed_json", "source_pieces"]
