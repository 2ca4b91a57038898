"""De-duplication of a review's records across searches and databases.

A record is a duplicate of an earlier one (search order, then file order: the first of a group is kept)
with the same DOI; or, unless both give different DOIs, with the same normalised title and year and a
first author who is the same person, or with a title at least ``threshold`` similar (rapidfuzz ratio) in
the same year and, when both name one, with a first author who is alike.
"""

from __future__ import annotations

import re
import unicodedata

from ..inputs.record_fields import family_name

DUPLICATE_THRESHOLD = 95  # rapidfuzz ratio (0-100) of normalised titles, with the same year and first author


def normal_text(value: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", value.lower()).split())


def normal_doi(value: str) -> str:
    """A DOI compared: lower case, without a ``https://doi.org/`` or ``doi:`` prefix; ``10.1037//x`` is ``10.1037/x``."""
    value = value.strip().lower()
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", value).replace("//", "/")


def first_author(record: dict) -> str:
    """The first author's family name, normalised ('' when unknown): ``Smith, J.``, ``Smith JA`` (MEDLINE,
    Scopus) and ``J. Smith`` (IEEE) all give ``smith``."""
    if not record["authors"]:
        return ""
    return normal_text(family_name(record["authors"][0]))


# Within one year and first author, titles are compared one by one; a block larger than this (only
# synthetic or damaged exports have one) compares a title with those sharing its first or last characters.
_BLOCK = 200
_KEY_CHARS = 16


class _Block:
    """Kept records of one year (and author word): ``(order, id, title, author)``; indexed by the first and
    last characters of their titles once the block grows past ``_BLOCK`` records."""

    def __init__(self):
        self.kept: list[tuple[int, str, str, str]] = []
        self.by_key: dict[str, list[tuple[int, str, str, str]]] | None = None

    def add(self, entry: tuple[int, str, str, str]) -> None:
        self.kept.append(entry)
        if self.by_key is not None:
            self._index(entry)
        elif len(self.kept) > _BLOCK:
            self.by_key = {}
            for kept in self.kept:
                self._index(kept)

    def _index(self, entry: tuple[int, str, str, str]) -> None:
        for key in _keys(entry[2]):
            self.by_key.setdefault(key, []).append(entry)

    def candidates(self, title: str) -> list[tuple[int, str, str, str]]:
        if self.by_key is None:
            return self.kept
        found = {e[0]: e for key in _keys(title) for e in self.by_key.get(key, ())}
        return [found[k] for k in sorted(found)]


def _alike(author: str, kept: str) -> bool:
    """Two normalised family names of the same person: equal, one inside the other, or 80% similar."""
    from rapidfuzz import fuzz

    return not author or not kept or author == kept or f" {author} " in f" {kept} " or f" {kept} " in f" {author} " \
        or fuzz.ratio(author, kept) >= 80


def _who(author: str, kept: str) -> str:
    if not author or not kept:
        return ""
    return f" and first author {author}" if author == kept else f", first authors {kept} and {author} alike"


def _keys(title: str) -> tuple[str, str]:
    return "<" + title[:_KEY_CHARS], ">" + title[-_KEY_CHARS:]


def deduplicate(records: list[dict], threshold: float = DUPLICATE_THRESHOLD) -> list[dict[str, str]]:
    """Duplicates among ``records`` (in order): ``{record, kept, reason}``, the first of each group kept.

    Same DOI; or titles at least ``threshold`` similar (rapidfuzz ratio of normalised titles) with the same
    year and, when both records name one, first authors who are alike (the same family name, one inside
    the other as in "Gomez-Ruiz" and "Antonio Gomez-Ruiz", or 80% similar); two records that both give a
    DOI, and different ones, are never duplicates by their titles. A title is compared only with
    kept records of its year that share a word of its first author's family name (or have no author; a
    record without an author with its whole year), so 100,000 records stay fast.
    """
    from rapidfuzz import fuzz

    by_doi: dict[str, str] = {}
    by_title: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    dois: dict[str, str] = {}  # kept record -> its DOI
    by_author: dict[tuple[str, str], _Block] = {}
    no_author: dict[str, _Block] = {}
    by_year: dict[str, _Block] = {}
    found = []
    for order, record in enumerate(records):
        doi, title, year, author = normal_doi(record["doi"]), normal_text(record["title"]), record["year"], first_author(record)
        if doi and doi in by_doi:
            found.append({"record": record["id"], "kept": by_doi[doi], "reason": f"same DOI {doi}"})
            continue
        match = None
        for kept_id, kept_author, kept_doi in by_title.get((year, title), ()) if title and year else ():
            if doi and kept_doi:
                continue  # two different DOIs: two works with one title ("Comment on ...", a book's chapters)
            # The same title and year: a first author spelt differently by one database ("Mandavian",
            # "Mahdavian") or given with a first name ("Antonio Gomez-Ruiz") is still the same author.
            if _alike(author, kept_author):
                who = _who(author, kept_author)
                match = (kept_id, f"title 100% similar (threshold {threshold:g}), same year {year}{who}")
                break
        if title and year and not match:
            if author:  # kept records sharing a word of the first author's family name, and those without one
                pools = [by_author[(year, w)].candidates(title) for w in author.split() if (year, w) in by_author]
                if year in no_author:
                    pools.append(no_author[year].candidates(title))
                candidates = sorted({e[0]: e for pool in pools for e in pool}.values()) if len(pools) > 1 else (pools[0] if pools else [])
            else:
                candidates = by_year[year].candidates(title) if year in by_year else []
            for _order, kept_id, kept_title, kept_author in candidates:
                if not _alike(author, kept_author) or (doi and dois.get(kept_id)):
                    continue
                score = fuzz.ratio(title, kept_title, score_cutoff=threshold)
                if score >= threshold:
                    who = _who(author, kept_author)
                    match = (kept_id, f"title {score:.0f}% similar (threshold {threshold:g}), same year {year}{who}")
                    break
        if match:
            found.append({"record": record["id"], "kept": match[0], "reason": match[1]})
            if doi:  # a later record with this DOI is a duplicate of the same kept record
                by_doi.setdefault(doi, match[0])
                dois.setdefault(match[0], doi)
            continue
        if doi:
            by_doi[doi] = record["id"]
        if title and year:
            by_title.setdefault((year, title), []).append((record["id"], author, doi))
            if doi:
                dois[record["id"]] = doi
            entry = (order, record["id"], title, author)
            by_year.setdefault(year, _Block()).add(entry)
            if author:
                for word in dict.fromkeys(author.split()):
                    by_author.setdefault((year, word), _Block()).add(entry)
            else:
                no_author.setdefault(year, _Block()).add(entry)
    return found


__all__ = ["DUPLICATE_THRESHOLD", "deduplicate", "first_author", "normal_doi", "normal_text"]
