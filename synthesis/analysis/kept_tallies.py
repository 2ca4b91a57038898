"""The review's tallies (:mod:`.tallies`) kept between builds in one file of blocks
(``output/build/pieces/tallies.blocks``, :class:`~synthesis.common.kept.KeptBlocks`): each source's share
under the key of its digest (its record and excerpts, as the report's pieces key them) and of what every
share is counted with (the code, the protocol, the agreement column, the studies' years); and the tallies
themselves, with the digests they were summed from.

A run takes the shares of the sources changed or gone off the kept tallies and adds those of the sources
changed or new: an edited sheet costs one source's counting. Each block is checked by its SHA-256 on each run
(:class:`~synthesis.common.kept.KeptBlocks`): tallies missing, damaged since they were written (a flipped bit,
an edit) or counted with other settings are counted again from every source, a share damaged is made again
from its source's excerpts, and the file is written anew; so the tallies are always the evidence set's.
"""

from __future__ import annotations

from typing import Any

import orjson

from ..common.kept import KeptBlocks, key_of
from .cells import study_years
from .counting import agreement_column
from .tallies import Tally, change, shares, total

TALLIES = "\0tallies"  # the tallies' block (no citekey holds a NUL)


def settings_key(protocol: dict, column: str, years: dict[str, str]) -> str:
    """The key of what every share is counted with, the code that counts them among it (a share kept by
    another version is never taken off these tallies)."""
    from ..inputs.layout import package_fingerprint

    return key_of(package_fingerprint(), orjson.dumps(protocol, option=orjson.OPT_SORT_KEYS), column,
                  orjson.dumps(years, option=orjson.OPT_SORT_KEYS))


def in_runs(evidence: list[dict], groups: dict[str, list[dict]]) -> bool:
    """Each source's excerpts come together in the evidence set (as the merge sorts them): the tallies'
    evidence ids are put in that order a source at a time."""
    switches = sum(1 for a, b in zip(evidence, evidence[1:]) if a["citekey"] != b["citekey"])
    return switches == max(len(groups) - 1, 0)


def _updated(store: KeptBlocks, settings: str, digests: dict[str, str], groups: dict[str, list[dict]],
             sources: dict[str, dict], protocol: dict, column: str,
             years: dict[str, str]) -> tuple[dict[str, Tally] | None, dict[str, bytes]]:
    """The kept tallies with the shares of the sources changed or gone taken off and those of the sources
    changed or new added, and the new shares' bytes; (None, {}) when there are none to use."""
    found = store.get(TALLIES, settings)  # None too if damaged (each block is checked by its SHA-256)
    if found is None:
        return None, {}
    state = orjson.loads(found[1])
    tallies = {name: Tally.from_json(value) for name, value in state["tallies"].items()}
    counted = set()
    for citekey, digest in state["digests"].items():
        if digests.get(citekey) == digest:
            counted.add(citekey)
            continue
        share = store.get(citekey, key_of(digest, settings))
        if share is None:
            return None, {}
        change(tallies, orjson.loads(share[1]), -1)
    made = {}
    for citekey, items in groups.items():
        if citekey not in counted:
            share = shares(items, sources, protocol, column, years)
            change(tallies, share, 1)
            made[citekey] = orjson.dumps(share)
    return tallies, made


def kept_tallies(store: KeptBlocks | None, data: dict[str, Any], groups: dict[str, list[dict]],
                 digests: dict[str, str]) -> dict[str, Tally] | None:
    """The tallies of the evidence set ``data``, from those kept in ``store`` where they can be, and kept
    again for the next run (the store closed). ``groups``: each source's excerpts, ``digests``: each
    source's digest (:func:`~synthesis.report.pieces.source_pieces`). None when the evidence set's sources
    do not come one after another (the caller counts as usual)."""
    if not in_runs(data["evidence"], groups):
        return None
    protocol, column, years = data["protocol"], agreement_column(data["protocol"]), study_years(data)
    settings = settings_key(protocol, column, years)
    sources = {s["citekey"]: s for s in data["sources"]}
    tallies, made = None, {}
    if store is not None:
        try:  # kept tallies that do not add up (a share taking off what they never counted) are counted again
            tallies, made = _updated(store, settings, digests, groups, sources, protocol, column, years)
        except (KeyError, TypeError, ValueError, AttributeError):
            tallies, made = None, {}
    if tallies is None:
        by_source = {c: shares(items, sources, protocol, column, years) for c, items in groups.items()}
        tallies = total(by_source)
        made = {c: orjson.dumps(share) for c, share in by_source.items()} if store is not None else {}
    if store is not None:
        for citekey, digest in digests.items():
            key = key_of(digest, settings)
            share = made.get(citekey)
            if share is None:  # kept and counted: its bytes kept again (made again if damaged or gone)
                found = store.get(citekey, key)
                share = found[1] if found else orjson.dumps(
                    shares(groups[citekey], sources, protocol, column, years))
            store.put(citekey, key, None, share)
        state = {"digests": digests, "tallies": {name: t.as_json() for name, t in tallies.items()}}
        store.put(TALLIES, settings, None, orjson.dumps(state))
        store.close()
    return tallies


__all__ = ["TALLIES", "in_runs", "kept_tallies", "settings_key"]
