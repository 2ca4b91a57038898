"""A tagged export's record as fields: each format's table of rispy field names, tried in order (RIS,
Web of Science, MEDLINE, Ovid), and the raw values it gives (years, DOIs and keywords picked out, not yet
cleaned)."""

from __future__ import annotations

import re
from typing import Any

from .record_fields import doi_of, keywords_of, year_of


def _first(entry: dict, *names: str) -> Any:
    """The first of ``names`` with a value: a name list whole, any other field's first value."""
    for name in names:
        value = entry.get(name)
        if value:
            return value[0] if isinstance(value, list) and "author" not in name else value
    return ""


def _unknown(entry: dict, tag: str) -> list[str]:
    unknown = entry.get("unknown_tag")  # a record may have a field tagged UK itself: then it is that field's text
    return list(unknown.get(tag, [])) if isinstance(unknown, dict) else []


_ACCESSION = re.compile(r"Accession Number: ?([^;\s]+)")


def _accession(entry: dict) -> str:
    """EBSCO gives its accession number only inside a note (``N1  - Accession Number: 176404503; ...``)."""
    for note in entry.get("notes") or []:
        match = _ACCESSION.search(note)
        if match:
            return match.group(1)
    return ""


# Each format's fields, by rispy's names (the mappings of tagged.py), in the order tried; docs/formats.md has the tags.
FIELDS = {
    "ris": {"key": ("id", "accession_number"), "title": ("title", "primary_title", "short_title"),
            "authors": ("authors", "first_authors"), "year": ("year", "publication_year", "date"),
            "date": ("date", "publication_year", "year"),
            # EBSCO writes the DOI in L3; others put a doi.org link in UR, or the DOI in M1 or M3.
            "doi": ("doi", "L3", "doi_urls", "note", "type_of_work"), "abstract": ("abstract", "notes_abstract"),
            "journal": ("secondary_title", "journal_name", "alternate_title3", "alternate_title2", "alternate_title1"),
            "keywords": ("keywords",)},
    "wos": {"key": ("accession_number",), "title": ("document_title",),
            "authors": ("author_full_name", "authors", "group_authors"),
            "year": ("publication_year", "publication_date", "early_access_year", "early_access_date"),
            "date": ("publication_date", "publication_year"), "doi": ("doi", "book_doi"), "abstract": ("abstract",),
            "journal": ("publication_name", "book_series_title"), "keywords": ("author_keywords", "keywords_plus")},
    "medline": {"key": ("pmid", "other_id"), "title": ("title", "book_title", "transliterated_title"),
                "authors": ("full_authors", "authors", "corporate_author"), "year": ("date", "electronic_date"),
                "date": ("date", "electronic_date"), "doi": ("doi_ids", "location_id", "article_id"),
                "abstract": ("abstract",), "journal": ("journal", "journal_abbreviation"),
                "keywords": ("other_terms", "mesh_terms")},
    "ovid": {"key": ("id", "accession_number"), "title": ("title",), "authors": ("authors",),
             "year": ("year", "date", "source"), "date": ("date", "year"), "doi": ("doi", "identifiers"),
             "abstract": ("abstract",), "journal": ("journal", "source"), "keywords": ("keywords", "headings")},
}


def _value(entry: dict, name: str) -> Any:
    if name == "L3":
        return _unknown(entry, "L3")
    if name == "doi_urls":
        return [u for u in entry.get("urls") or [] if "doi.org/" in u]
    if name == "doi_ids":  # MEDLINE's LID and AID lines marked "[doi]"
        return [i for i in (entry.get("location_id") or []) + (entry.get("article_id") or []) if "doi" in i.lower()]
    return entry.get(name)


def fields_of(entry: dict, kind: str) -> dict[str, Any]:
    """A parsed record's raw fields (not yet cleaned) by the format's table."""
    spec = FIELDS[kind]
    values = {name: [_value(entry, n) for n in spec[name]] for name in ("year", "doi", "keywords")}
    out = {name: _first(entry, *spec[name]) for name in ("key", "title", "authors", "date", "journal", "abstract")}
    out |= {"year": year_of(*values["year"]), "given_year": _first(entry, *spec["year"]), "doi": doi_of(*values["doi"]),
            "keywords": keywords_of(*values["keywords"])}
    if kind == "ris" and not out["key"]:
        out["key"] = _accession(entry)
    if kind == "medline":
        out["abstract"] = entry.get("abstract") or ""  # several AB lines are one abstract
    return out


__all__ = ["FIELDS", "fields_of"]
