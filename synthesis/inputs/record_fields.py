"""Fields of a search's records cleaned as a screener needs them, whatever database wrote them.

Every reader of ``records/`` (RIS, Web of Science, MEDLINE, Ovid, BibTeX, CSV) hands this module the raw
values it found; the result is one record shape (see :func:`make_record`). Cleaning is cheap on clean
text: each step runs only when its marker character is present, so 100,000 records stay fast.
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterable

# A year of publication: four digits not inside a longer number (1500-2099: older dates are typos or ids).
# A compact date (TRID's "Start date: 20170812", "201708") counts: MMDD or MM may follow.
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?=(?:\d\d|\d{4})?(?!\d))")
_DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")
# Inline markup databases leave in titles and abstracts (<i>, <sup>, <jats:p>, <p>): dropped, text kept.
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:._-]*(?:\s[^<>]*)?/?>")
_LATEX = re.compile(r"\\[A-Za-z{}&%$#_'\"`^~=.-]|\{\\")
# What some exports write for "no value": R's NA, Scopus's "[No abstract available]".
_EMPTY = {"na", "n/a", "null", "none", "[no abstract available]", "no abstract available", "[no title available]"}
# Excel-protected cells (EBSCO writes ="4/3/2024"): the text inside.
_EXCEL = re.compile(r'^="(.*)"$', re.S)
_BRACED = re.compile(r"\{([^{}\s]+)\}")
_AUTHOR_ID = re.compile(r"\s*\(\d+\)$")
_SPECIAL = re.compile(r'[&<\\{"\n\t\r\xa0\u2028]')
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")


def clean(value: Any) -> str:
    """One line of plain text: HTML entities and tags, LaTeX escapes and Excel wrappers undone."""
    if not value:
        return ""
    if isinstance(value, (list, tuple)):
        value = " ".join(str(v) for v in value)
    text = value if isinstance(value, str) else str(value)
    if _SPECIAL.search(text) or "  " in text or text[0] == " " or text[-1] == " ":  # most fields need nothing done
        if '="' in text:
            text = _EXCEL.sub(r"\1", text.strip())
        if "&" in text:
            text = html.unescape(text)
        if "<" in text:
            text = _TAG.sub("", text)
        if "\\" in text or "{" in text:
            text = _latex(text)
        text = " ".join(text.split())
    return "" if len(text) < 30 and text.lower() in _EMPTY else text


def _latex(text: str) -> str:
    if _LATEX.search(text):
        from .bibliography import plain

        try:
            return plain(text)
        except Exception:  # a stray backslash in a title: keep the text as written
            return text
    return _BRACED.sub(r"\1", text)  # "{DNA}" protects case in BibTeX-made text


def year_of(*fields: Any) -> str:
    """The first four-digit year in the first field that has one ('' when none does)."""
    for value in fields:
        for part in (value if isinstance(value, (list, tuple)) else [value]):
            if part:
                match = _YEAR.search(str(part))
                if match:
                    return match.group(1)
    return ""


def doi_of(*fields: Any) -> str:
    """The first DOI in the fields (a ``https://doi.org/`` URL or a ``10.x/y [doi]`` value), without its prefix."""
    for value in fields:
        for part in (value if isinstance(value, (list, tuple)) else [value]):
            if part and "10." in str(part):
                text = html.unescape(str(part)) if "&" in str(part) else str(part)
                match = _DOI.search(text.replace("\\", "") if "\\" in text else text)  # BibTeX writes 10.1007/x\_3
                if match:
                    return match.group(0).rstrip(".,;)]")
    return ""


def split_authors(value: Any) -> list[str]:
    """Author names from a list or one cell: ``;``, a new line or `` and `` separate names; commas only
    where every part is a name with initials (``Griffin DK, Larkin DM``), never ``Smith, John``."""
    if not value:
        return []
    if isinstance(value, (list, tuple)):
        parts: Iterable[str] = value
    else:
        text = str(value)
        if ";" in text or "\n" in text:
            parts = re.split(r"[;\n]", text)
        elif " and " in text:
            parts = text.split(" and ")
        elif "," in text and _comma_list(text):
            parts = text.split(",")
        else:
            parts = [text]
    # Scopus's "Author full names" end each name with its author id: "Liu, Fengyuan (57202138757)".
    names = (_AUTHOR_ID.sub("", clean(p)) for p in parts)
    return [n for n in names if n and n.lower() not in ("et al.", "et al")]


def _comma_list(text: str) -> bool:
    parts = [p.strip(" .") for p in text.split(",") if p.strip(" .")]
    return len(parts) > 1 and all(" " in p for p in parts)


def family_name(name: str) -> str:
    """The family name in ``Smith, J.``, ``Smith JA``, ``J. A. Smith`` or ``Smith J.A.``."""
    name = name.strip()
    if "," in name:
        return name.split(",")[0].strip()
    words = name.split()
    if len(words) > 1 and _INITIALS.match(words[-1].replace(".", "")) and not _INITIALS.match(words[0].replace(".", "")):
        return " ".join(words[:-1])  # "Smith JA", "Phillips J.C."
    return words[-1] if words else ""


def keywords_of(*fields: Any) -> list[str]:
    """Keywords from list fields or ``;``-separated cells, each once, in order."""
    found: list[str] = []
    for value in fields:
        for part in (value if isinstance(value, (list, tuple)) else [value]):
            if part:
                text = html.unescape(str(part)) if "&" in str(part) else str(part)  # "&#x2013;" is not a separator
                found += [k.strip() for k in text.split(";")] if ";" in text else [text.strip()]
    return list(dict.fromkeys(k for k in found if k))  # cleaned with the record (make_record)


def _plain(values: list[str]) -> bool:
    """No value needs cleaning: one scan of them all, the usual case for a database's export."""
    blob = "\x1f".join(values)
    return not (_SPECIAL.search(blob) or "  " in blob or " \x1f" in blob or "\x1f " in blob or blob[:1] == " " or blob[-1:] == " ")


def make_record(search: str, key: str, path: str, line: int, *, title: Any = "", authors: Any = (), year: str = "",
                date: Any = "", doi: str = "", abstract: Any = "", journal: Any = "", keywords: Iterable[str] = (),
                notes: Any = "", fmt: str = "", partial: str = "", end: int = 0) -> dict[str, Any]:
    """One record: its id is ``<search>:<key>``; ``line`` is where it starts in its file (``end`` where it
    ends); ``partial`` says why it could not be read whole ('' when it was)."""
    texts, words = [title, date, abstract, journal, notes], list(keywords)
    names = authors if isinstance(authors, list) else None
    if names is not None and all(isinstance(t, str) for t in texts + names + words) and _plain(texts + names + words):
        title, date, abstract, journal, notes = (t if len(t) >= 30 or t.lower() not in _EMPTY else "" for t in texts)
        names = [n for n in names if n and n[-1] != ")" and n.lower() not in ("et al.", "et al")] \
            if not any(n[-1:] == ")" for n in names) else split_authors(names)
        words = list(dict.fromkeys(w for w in words if len(w) >= 30 or w.lower() not in _EMPTY))
    else:
        title, date, abstract, journal, notes = (clean(t) for t in texts)
        names, words = split_authors(authors), list(dict.fromkeys(w for w in (clean(k) for k in words) if w))
    return {"id": f"{search}:{key}", "search": search, "title": title, "authors": names, "year": year, "date": date, "doi": doi,
            "abstract": abstract, "journal": journal, "keywords": words, "notes": notes, "format": fmt, "path": path,
            "line": line, "end": end or line, "partial": partial}


__all__ = ["clean", "doi_of", "family_name", "keywords_of", "make_record", "split_authors", "year_of"]
