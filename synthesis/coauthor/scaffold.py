"""``review add-source``: a new source from a BibTeX entry, without touching existing files.

Creates ``sources/<citekey>.md`` (front matter filled from the entry, a
placeholder where the text goes), appends the entry to references.bib and
creates an empty extraction sheet and an empty appraisal (``appraisal/<citekey>.yaml``;
none for the protocol document, which is never appraised). Refuses a key that exists; warns on a
probable duplicate work (same DOI, or same normalised title and year).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

from ..inputs import layout
from ..inputs.appraisals import scaffold as empty_appraisal
from ..inputs.bibliography import BibEntry, parse_bibliography, plain
from ..common.problems import InputError, Problem
from ..inputs.sheets import OPTIONAL, REQUIRED
from ..inputs.sources import CITEKEY_PATTERN, PLACEHOLDER
from ..common.textio import write_atomic
from ..inputs.door import read_input
from ..inputs.writes import permit

SHEET_COLUMNS = REQUIRED + OPTIONAL
# BibTeX/BibLaTeX entry types to the source types this project uses.
SOURCE_TYPES = {
    "article": "journal_article", "incollection": "book_chapter", "inbook": "book_chapter", "book": "book",
    "report": "report", "techreport": "report", "online": "web_page", "inproceedings": "conference_paper",
    "phdthesis": "thesis", "mastersthesis": "thesis", "thesis": "thesis", "unpublished": "unpublished",
}


def parse_entry(text: str, path: str) -> BibEntry:
    """The single BibTeX entry in ``text``."""
    entries = parse_bibliography(text, path)
    if len(entries) != 1:
        raise InputError([Problem(path, 1, f"expected exactly one BibTeX entry, found {len(entries)}")])
    return next(iter(entries.values()))


def _normal_title(title: str) -> str:
    folded = unicodedata.normalize("NFKD", plain(title)).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


def probable_duplicates(entry: BibEntry, bibliography: dict[str, BibEntry]) -> list[str]:
    """Keys of existing entries that are probably the same work."""
    doi = entry.fields.get("doi", "").strip().lower()
    title = (_normal_title(entry.fields.get("title", "")), entry.year)
    found = []
    for key, other in bibliography.items():
        same_doi = doi and other.fields.get("doi", "").strip().lower() == doi
        same_title = title[0] and (_normal_title(other.fields.get("title", "")), other.year) == title
        if same_doi or same_title:
            found.append(f"{key} ({'same DOI' if same_doi else 'same title and year'})")
    return found


ROLE_HINT = "  # primary (reports its own study), secondary (reports others' studies), commentary, or protocol"


def front_matter(entry: BibEntry, role: str = "", notes: str = "Record here anything you removed from the original, e.g. web-page menus.") -> list[str]:
    """A new source's front-matter lines (YAML), filled from the entry. Without a ``role`` the
    key is left empty with a hint, and ``review check`` asks for it."""
    url = entry.fields.get("url") or (f"https://doi.org/{entry.fields['doi']}" if entry.fields.get("doi") else "")
    lines = [f"citekey: {entry.key}", f"type: {SOURCE_TYPES.get(entry.entry_type, 'document')}",
             f"role: {role}" if role else f"role:{ROLE_HINT}",
             "tags: []  # e.g. [training, employer-engagement, uk]", "countries: []  # ISO 3166-1 alpha-2, e.g. [GB]"]
    if url:
        lines.append(f"url: {json.dumps(url)}")
    lines.append(f"notes: {json.dumps(notes)}")
    return lines


def source_document(entry: BibEntry, role: str = "") -> str:
    """The new source file: front matter from the entry, then a placeholder for the text."""
    lines = ["---", *front_matter(entry, role), "---", f"# {plain(entry.fields.get('title', entry.key))}", "", PLACEHOLDER, ""]
    return "\n".join(lines)


def pdf_sidecar(entry: BibEntry, role: str = "") -> str:
    """A PDF source's front matter (``sources/<citekey>.yaml``), filled from the entry."""
    return "\n".join(front_matter(entry, role, "Record here anything about the PDF a reader should know, e.g. pages left out.")) + "\n"


def sheet_csv() -> str:
    """An empty extraction sheet: just the header row."""
    return ",".join(SHEET_COLUMNS) + "\n"


def _place_problems() -> list[Problem]:
    """Refuse to scaffold anywhere but a review's folder, before anything is written."""
    here = Path.cwd()
    if not Path(layout.PROTOCOL).is_file():
        above = next((p for p in here.parents if (p / layout.PROTOCOL).is_file()), None)
        hint = f"; the review is in {above}: cd there first" if above else ": run it in the review's folder"
        return [Problem(layout.PROTOCOL, 1, f"no review protocol in {here}{hint}")]
    return [Problem(folder, 1, "is a file, but must be a folder: rename it and run again")
            for folder in (layout.SOURCES, layout.EXTRACTION, layout.APPRAISAL) if Path(folder).exists() and not Path(folder).is_dir()]


def add_source(entry_text: str, entry_path: str, xlsx: bool = False, protocol: dict | None = None, role: str = "",
               pdf: str | None = None) -> tuple[list[str], list[str]]:
    """Create a source, its bibliography entry and its sheet; return (files written, warnings).

    With ``pdf`` the source is a copy of that PDF with its front matter in a sidecar
    file; a PDF without a text layer (scanned) is refused before anything is written.
    """
    entry = parse_entry(entry_text, entry_path)
    problems = _place_problems()
    if not re.match(CITEKEY_PATTERN, entry.key):
        problems.append(Problem(entry_path, entry.line, f"citekey '{entry.key}' cannot name a file: use letters, digits, '_', '.' and '-' ({CITEKEY_PATTERN})"))
    bib_path = layout.BIBLIOGRAPHY
    bib_text = read_input(bib_path)[0] if Path(bib_path).is_file() else ""
    bibliography = parse_bibliography(bib_text, bib_path) if bib_text else {}
    if entry.key in bibliography:
        problems.append(Problem(entry_path, entry.line, f"key '{entry.key}' already exists in {bib_path} (line {bibliography[entry.key].line}): choose another key"))
    source = Path(layout.SOURCES) / f"{entry.key}.{'pdf' if pdf else 'md'}"
    sheet = Path(layout.EXTRACTION) / f"{entry.key}.{'xlsx' if xlsx else 'csv'}"
    existing = [p for p in layout.source_files() + layout.sidecar_files() + layout.sheet_files() if Path(p).stem == entry.key]
    appraisal = Path(layout.APPRAISAL) / f"{entry.key}.yaml" if role != "protocol" else None
    existing += [str(appraisal)] if appraisal and os.path.lexists(appraisal) else []
    for path in existing:
        problems.append(Problem(path, 1, f"already exists; add-source never overwrites a file (key '{entry.key}')"))
    pdf_bytes = _readable_pdf(pdf, problems) if pdf else b""
    if problems:
        raise InputError(problems)
    permit("add-source", source, sheet, bib_path, *([source.with_suffix(layout.SIDECAR_SUFFIX)] if pdf else []),
           *([appraisal] if appraisal else []), citekey=entry.key)
    warnings = [f"{entry_path}:{entry.line}: '{entry.key}' is probably the same work as {d}; check before coding it twice"
                for d in probable_duplicates(entry, bibliography)]
    # Append the entry as written; keep whatever the file had before it.
    raw = entry_text.strip("\n\ufeff")
    written = [str(source)]
    created: list[Path] = []
    try:  # all or none: a failed write (a full disk) undoes the others
        if pdf:
            sidecar = source.with_suffix(layout.SIDECAR_SUFFIX)
            write_atomic(source, pdf_bytes)
            created.append(source)
            write_atomic(sidecar, pdf_sidecar(entry, role))
            created.append(sidecar)
            written.append(str(sidecar))
        else:
            write_atomic(source, source_document(entry, role))
            created.append(source)
        if xlsx:
            from .workbook import write_workbook

            write_workbook(sheet, protocol or {"questions": [], "codes": []}, [])
        else:
            write_atomic(sheet, sheet_csv())
        created.append(sheet)
        if appraisal:
            write_atomic(appraisal, empty_appraisal(protocol if protocol is not None else _lenient_protocol()))
            created.append(appraisal)
        write_atomic(bib_path, (bib_text.rstrip("\n") + "\n\n" if bib_text.strip() else "") + raw + "\n")
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    return written + [bib_path] + ([str(appraisal)] if appraisal else []) + [str(sheet)], warnings


def _lenient_protocol() -> dict | None:
    """review.yaml as far as it reads, for the appraisal's list of tools (add-source does not check it)."""
    from ..inputs import yamlio

    try:
        data, _node = yamlio.load(read_input(layout.PROTOCOL)[0], layout.PROTOCOL)
    except (InputError, OSError):
        return None
    return data if isinstance(data, dict) else None


def _readable_pdf(path: str, problems: list[Problem]) -> bytes:
    """The PDF's bytes, when it is a PDF with a text layer; else a problem."""
    from ..inputs.pdf_text import extract

    if not Path(path).is_file():
        problems.append(Problem(path, 1, "no such file: give the path of the PDF to add"))
        return b""
    data = Path(path).read_bytes()
    if not data.startswith(b"%PDF-"):
        problems.append(Problem(path, 1, "not a PDF file (it does not start with %PDF-)"))
        return b""
    try:
        extract(data, path)
    except InputError as err:
        problems.extend(err.problems)
    return data


def create_sheet(citekey: str, xlsx: bool, output: str | None, protocol: dict | None, coder: str | None = None) -> str:
    """Write an extraction sheet for a source (copying an existing sheet's rows when
    ``output`` is elsewhere); return what was written. Never overwrites a file. With ``coder``,
    an empty independent sheet ``extraction/coders/<coder>/<citekey>.csv|xlsx`` (double coding)."""
    from ..common.problems import suggest
    from ..inputs.sheets import rows_by_id

    stems = {Path(p).stem for p in layout.source_files()}
    if citekey not in stems:
        raise InputError([Problem(layout.SOURCES, 1, f"no source '{citekey}': {suggest(citekey, sorted(stems))}")])
    declared = [c["id"] for c in (protocol or {}).get("coders") or []]
    if coder is not None and declared and coder not in declared:
        raise InputError([Problem(layout.PROTOCOL, 1, f"unknown coder '{coder}' (declare coders in review.yaml): {suggest(coder, declared)}")])
    # An independent coder starts from an empty sheet: never from the consensus sheet's rows.
    existing = [p for p in layout.sheet_files() if Path(p).stem == citekey] if coder is None else []
    folder = Path(layout.EXTRACTION) / layout.CODERS / coder if coder is not None else Path(layout.EXTRACTION)
    target = Path(output) if output else folder / f"{citekey}.{'xlsx' if xlsx else 'csv'}"
    if target.exists():
        raise InputError([Problem(str(target), 1, "already exists; `review sheet` never overwrites a file")])
    permit("sheet", target, citekey=citekey, **({"coder": coder} if coder is not None else {}))
    if existing and not output:
        raise InputError([Problem(existing[0], 1, f"'{citekey}' already has a sheet; for a copy in another format pass --output elsewhere, e.g. --output {citekey}.xlsx")])
    rows = list(rows_by_id(existing[0]).values()) if existing else []
    if xlsx or target.suffix.lower() == ".xlsx":
        from .workbook import write_workbook

        write_workbook(target, protocol or {}, rows)
    else:
        write_atomic(target, sheet_csv())
    return f"wrote {target}" + (f" with the {len(rows)} rows of {existing[0]}" if existing else "")


__all__ = ["add_source", "create_sheet", "front_matter", "parse_entry", "pdf_sidecar", "probable_duplicates", "sheet_csv", "source_document"]
