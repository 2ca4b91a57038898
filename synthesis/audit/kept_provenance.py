"""Each source's evidence records of provenance.json, kept between builds as the bytes the file holds
(``output/build/pieces/provenance.blocks``, :class:`~synthesis.common.kept.KeptBlocks`).

A record is made from one excerpt and its source's record alone (:func:`.provenance.evidence_record`), so a
source's records are kept under the report pieces' digest of the source (the code, its record and its
excerpts): an edited sheet makes one source's records again, and the rest are written as they were kept
(100,000 records at 5,000 sources cost about a CPU second to make and serialise, a tenth of that to read back
and check). Each block is checked by its SHA-256 and by the number of records it holds; one missing or
damaged is made again, so the bytes are always those made from the evidence set.
"""

from __future__ import annotations

from typing import Any, Iterator

import orjson

from ..common.kept import KeptBlocks, key_of
from .provenance import Serialised, evidence_record

PROVENANCE = "provenance.blocks"  # in the report pieces' folder
SEPARATOR = b",\n  "  # between two evidence records in provenance.json (provenance.json_pieces)


def evidence_blocks(data: dict[str, Any], groups: dict[str, list[dict]], digests: dict[str, str],
                    store: KeptBlocks) -> Serialised:
    """Each source's evidence records (``groups``: its excerpts, in the evidence set's order, the source's
    excerpts together; ``digests``: the report pieces' digest of each), serialised and joined as provenance.json
    writes them: kept in ``store`` or made. The store is written anew (only the sources given) once they have
    all been given out: one block is held at a time."""
    return Serialised(_blocks(data, groups, digests, store))


def _blocks(data: dict[str, Any], groups: dict[str, list[dict]], digests: dict[str, str],
            store: KeptBlocks) -> Iterator[bytes]:
    sources = {s["citekey"]: s for s in data["sources"]}
    try:
        for citekey, items in groups.items():
            key = key_of("provenance", digests[citekey])
            kept = store.get(citekey, key)
            if kept is not None and kept[0] == len(items):
                block = kept[1]
            else:
                source = sources[citekey]
                block = SEPARATOR.join(orjson.dumps(evidence_record(item, source)) for item in items)
            store.put(citekey, key, len(items), block)
            yield block
    finally:
        store.close()


__all__ = ["PROVENANCE", "evidence_blocks"]
