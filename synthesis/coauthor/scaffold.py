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
               pdf: str | None = None, intake: "Intake | None" = None, coder: tuple[str, str] | None = None
               ) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Create a source, its bibliography entry and its sheet, and record how it came in; return
    (files written with what was written to each, warnings, notes for the co-author).

    With ``pdf`` the source is a copy of that PDF with its front matter in a sidecar file; a PDF
    without a text layer (scanned) is refused before anything is written. In a review with
    ``records/`` the document is recorded as ``intake`` says (see :mod:`.intake`); ``coder``
    (id, name) is added to review.yaml's ``coders`` unless declared. All or nothing.
    """
    from .intake import Intake, plan_intake

    entry = parse_entry(entry_text, entry_path)
    problems = _place_problems()
    if not re.match(CITEKEY_PATTERN, entry.key):
        problems.append(Problem(entry_path, entry.line, f"citekey '{entry.key}' cannot name a file: use letters, digits, '_', '.' and '-' ({CITEKEY_PATTERN})"))
    bib_path = layout.BIBLIOGRAPHY
    bib_text = read_input(bib_path)[0] if Path(bib_path).is_file() else ""
    bibliography = parse_bibliography(bib_text, bib_path) if bib_text else {}
    # A work the sources cite (in the bibliography, not a source) may become a source under its own key.
    cited = entry.key in bibliography and _normal_title(bibliography[entry.key].fields.get("title", "")) == _normal_title(entry.fields.get("title", ""))
    if entry.key in bibliography and not cited:
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
    appraisal_protocol = protocol if protocol is not None else _lenient_protocol()  # its appraisal tools
    protocol = protocol or {"questions": [], "codes": []}
    protocol_text = read_input(layout.PROTOCOL)[0]
    new_protocol, coder_note, advice = _coder_plan(protocol, protocol_text, coder)
    edits, new_protocol, listed_note, intake_advice = plan_intake(entry, entry_text, str(source), role, intake or Intake(), protocol,
                                                                  layout.PROTOCOL, new_protocol)
    others = {k: e for k, e in bibliography.items() if k != entry.key}
    warnings = [f"{entry_path}:{entry.line}: '{entry.key}' is probably the same work as {d}; check before coding it twice"
                for d in probable_duplicates(entry, others)]
    raw = entry_text.strip("\n\ufeff")  # appended as written; whatever the file had before it is kept
    files: list[tuple[Path, str | bytes, str]] = [(source, pdf_bytes if pdf else source_document(entry, role), "")]
    if pdf:
        files.append((source.with_suffix(layout.SIDECAR_SUFFIX), pdf_sidecar(entry, role), ""))
    if not cited:
        files.append((Path(bib_path), (bib_text.rstrip("\n") + "\n\n" if bib_text.strip() else "") + raw + "\n", ""))
    if appraisal:
        files.append((appraisal, empty_appraisal(appraisal_protocol), ""))
    files += [(Path(e.path), e.text, e.note) for e in edits]
    if new_protocol != protocol_text:
        files.append((Path(layout.PROTOCOL), new_protocol, "; ".join(n for n in (coder_note, listed_note) if n)))
    search = next((Path(e.path).stem for e in edits if Path(e.path).stem not in ("searches", "screening")), None)
    permit("add-source", *[path for path, _data, _note in files], sheet, citekey=entry.key,
           **({"search": search} if search else {}))  # before anything is written
    _write_all(files, lambda: _write_sheet(sheet, xlsx, protocol))
    written = [(str(path), note) for path, _data, note in files]
    written.insert(1 + bool(pdf) + (not cited), (str(sheet), ""))
    kept = (f"bibliography: {entry.key} is in {bib_path} already (line {bibliography[entry.key].line}), a work the sources cite: "
            "its entry is kept as it is") if cited else ""
    return written, warnings, [a for a in (kept, intake_advice, advice) if a]


def _write_sheet(sheet: Path, xlsx: bool, protocol: dict) -> None:
    if xlsx:
        from .workbook import write_workbook

        write_workbook(sheet, protocol, [])
    else:
        write_atomic(sheet, sheet_csv())


def _write_all(files: list[tuple[Path, str | bytes, str]], write_sheet) -> None:
    """Write every file (each atomically) and the sheet; when one fails (a full disk), undo the others:
    new files removed, changed files restored byte for byte."""
    before = {path: path.read_bytes() if path.is_file() else None for path, _data, _note in files}
    done: list[Path] = []
    try:
        for path, data, _note in files:
            if isinstance(data, str) and (before[path] or b"").startswith(b"\xef\xbb\xbf"):
                data = "\ufeff" + data  # a byte-order mark the file had stays
            write_atomic(path, data)
            done.append(path)
        write_sheet()
    except BaseException:
        for path in done:
            if before[path] is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, before[path])
        raise


def _coder_plan(protocol: dict, text: str, coder: tuple[str, str] | None) -> tuple[str, str, str]:
    """review.yaml's text with the co-author added as a coder when asked, what was added, and which
    coder id to write in the sheet."""
    from .protocol_edit import add_coder, scalar

    declared = [c["id"] for c in protocol.get("coders") or []]
    if coder is None:
        if not declared:
            return text, "", "coder: review.yaml declares no coders, so the sheet's coder column takes any short id of yours (e.g. your initials)"
        return text, "", (f"coder: the sheet's coder column takes a coder id declared in review.yaml ({', '.join(declared)}); to declare yourself, add "
                          f"the line `  - {{id: YOUR-ID, name: \"Your Name\"}}` under coders: in review.yaml (add-source does it with --add-coder YOUR-ID)")
    ident, name = coder[0], coder[1] or coder[0]
    if not re.match(CITEKEY_PATTERN, ident):
        raise InputError([Problem(layout.PROTOCOL, 1, f"coder id '{ident}' must start with a letter or digit and hold only letters, digits, '_', '.' or '-'")])
    if not declared:
        raise InputError([Problem(layout.PROTOCOL, 1, "review.yaml declares no coders, so every coder id is accepted as it is: leave out --add-coder "
                                  "(declaring one coder would make every other coder named in the sheets unknown)")])
    if ident in declared:
        return text, "", f"coder: {ident} is declared in review.yaml: write {ident} in the sheet's coder column"
    return (add_coder(text, ident, name, layout.PROTOCOL), f"coder {scalar(ident)} ({name}) added to coders",
            f"coder: write {ident} in the sheet's coder column")


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


__all__ = ["add_source", "front_matter", "parse_entry", "pdf_sidecar", "probable_duplicates", "sheet_csv", "source_document"]
