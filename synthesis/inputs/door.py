"""The one door every input file comes through: what it is, where it points, how large it is, how it is encoded.

An input must be a file where the review's layout puts a file and a folder where it puts a folder; a symbolic
link must point inside the review folder (the nearest folder holding ``review.yaml``), so a link to
``/etc/passwd`` is refused without being read; a text file must be UTF-8 without control characters and at
most :data:`MAX_TEXT_BYTES`. :func:`read_input` checks one file as it is read; :func:`layout_problems` checks
the whole layout, so a folder named like a file (``findings/Q1.yaml/``) or a file named like a folder
(``extraction/coders/ann``) is reported instead of being skipped. Limits: docs/formats.md, "Hostile inputs".
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from ..common.problems import InputError, Problem
from ..common.textio import BOM, decode
from . import layout

MAX_TEXT_BYTES = 200_000_000  # any text input: far beyond a 50 MB source, small enough to hold in memory
MAX_YAML_FILE_BYTES = 4_000_000  # YAML is limited to 1,000,000 characters (yamlio); refused before reading

# Each input folder of the layout: what its entries are (suffixes of files; "coders" holds folders).
FOLDERS = {
    layout.SOURCES: layout.SOURCE_SUFFIXES + (layout.SIDECAR_SUFFIX, ".bib"),
    layout.EXTRACTION: layout.SHEET_SUFFIXES,
    layout.FINDINGS: (".yaml", ".yml"),
    layout.RECORDS: layout.RECORD_SUFFIXES,
    layout.COMMENTARY: (".md",),
    layout.APPRAISAL: (".yaml", ".yml"),
    layout.RELEASES: (".json",),
}
WHAT = {layout.SOURCES: "sources", layout.EXTRACTION: "extraction sheets", layout.FINDINGS: "review findings",
        layout.RECORDS: "searches, records and screening", layout.COMMENTARY: "commentary",
        layout.APPRAISAL: "appraisals", layout.RELEASES: "releases"}


@lru_cache(maxsize=256)
def _root_of_folder(folder: str) -> str:
    for candidate in (Path(folder), *Path(folder).parents):
        if os.path.lexists(candidate / layout.PROTOCOL):
            return str(candidate)
    return str(Path(folder).parent)  # no review.yaml above: the folder holding the input's folder


def enclosing_review(path: str | Path) -> Path | None:
    """The nearest folder holding ``review.yaml`` at or above ``path`` (a file or folder, existing or not), or None."""
    absolute = Path(os.path.abspath(path))
    for candidate in (absolute, *absolute.parents):
        if os.path.lexists(candidate / layout.PROTOCOL):
            return candidate
    return None


def review_root(path: str | Path) -> Path:
    """The review folder an input belongs to: the nearest folder above it holding ``review.yaml``."""
    return Path(_root_of_folder(str(Path(os.path.abspath(path)).parent)))


@lru_cache(maxsize=1024)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)  # once per folder: thousands of sources share a few folders


def link_problem(path: str | Path, root: str | Path | None = None) -> Problem | None:
    """A symbolic link (the file or a folder on its way) that leads out of the review folder, or to nothing."""
    absolute = os.path.abspath(path)
    folder, name = os.path.split(absolute)
    linked = os.path.islink(absolute)
    resolved = os.path.realpath(absolute) if linked else os.path.join(_real_folder(folder), name)
    if resolved == absolute:
        return None  # no link on the way
    real_root = _real_folder(str(Path(root).absolute() if root is not None else review_root(path)))
    inside = resolved == real_root or resolved.startswith(real_root.rstrip(os.sep) + os.sep)
    if inside and (not linked or os.path.exists(resolved)):
        return None
    if not inside:
        return Problem(str(path), 1, f"a link to {resolved}, outside the review folder {real_root}: "
                                     "copy the file into the review instead")
    return Problem(str(path), 1, f"a link to {resolved}, which does not exist: remove the link or restore the file")


def kind_problem(path: str | Path, folder: bool = False, what: str = "") -> Problem | None:
    """A folder where a file belongs, or a file where a folder belongs (``folder``)."""
    p = Path(path)
    about = f" ({what})" if what else ""
    if folder and p.exists() and not p.is_dir():
        return Problem(str(path), 1, f"is a file, but must be a folder{about}: rename or move it")
    if not folder and p.is_dir():
        return Problem(str(path), 1, f"is a folder, but must be a file{about}: rename or move it")
    return None


def refused(path: str | Path, folder: bool = False, what: str = "") -> list[Problem]:
    """Why the door refuses ``path`` before reading it (a link out of the review, the wrong kind), or []."""
    found = link_problem(path) or kind_problem(path, folder, what)
    return [found] if found else []


def read_input_bytes(path: str | Path, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of an input file, through the door; raises :class:`InputError` before reading a refused file."""
    link = link_problem(path)
    if link:
        raise InputError([link])
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise InputError([Problem(str(path), 1, f"too large: {size:,} bytes; at most {limit:,} are accepted")])
            return handle.read()
    except IsADirectoryError:
        raise InputError([kind_problem(path)]) from None


def read_input(path: str | Path, limit: int | None = None) -> tuple[str, str]:
    """The decoded text of an input file and the SHA-256 of its bytes, through the door."""
    if limit is None:
        limit = MAX_YAML_FILE_BYTES if Path(path).suffix.lower() in (".yaml", ".yml") else MAX_TEXT_BYTES
    data = read_input_bytes(path, limit)
    return _decoded(data, str(path)), hashlib.sha256(data).hexdigest()


# Every byte but the control characters' (and \xc2, which starts the UTF-8 of U+0080-U+009F): deleting them
# leaves nothing in most files, ten times quicker than searching the decoded text for a control character.
_NOT_CONTROL = bytes(range(0x20, 0x7F)) + b"\t\n\r" + bytes(range(0x80, 0xC2)) + bytes(range(0xC3, 0x100))


def _decoded(data: bytes, path: str) -> str:
    """:func:`decode`'s text, its control-character search skipped where the bytes show there is none."""
    if data.translate(None, _NOT_CONTROL):
        return decode(data, path)  # it finds and names each one
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return decode(data, path)  # it names the first bad byte
    return text[1:] if text.startswith(BOM) else text


def _entries(folder: Path):
    with os.scandir(folder) as listing:
        return sorted((e for e in listing if not e.name.startswith((".", "~$"))), key=lambda e: e.name)


def folder_problems(folder: str | Path, suffixes: tuple[str, ...], what: str, root: Path) -> list[Problem]:
    """The problems of one input folder's layout: the folder itself, and each entry named like an input."""
    folder = Path(folder)
    if not os.path.lexists(folder):
        return []
    found = refused(folder, folder=True, what=what)
    if found or not folder.is_dir():
        return found
    problems = []
    absolute = os.path.abspath(folder)
    linkless = _real_folder(absolute) == absolute  # no link on the way to the folder
    for entry in _entries(folder):
        path = folder / entry.name
        if entry.name == layout.CODERS and folder.name == layout.EXTRACTION:
            problems += coders_problems(path, root)
        elif linkless and entry.is_file(follow_symlinks=False):
            continue  # a file that is no link, in such a folder: nothing to refuse (no stat per source)
        elif Path(entry.name).suffix.lower() in suffixes:
            problem = link_problem(path, root) or kind_problem(path, what=f"one of the {what}")
            problems += [problem] if problem else []
    return problems


def coders_problems(coders: str | Path, root: Path | None = None) -> list[Problem]:
    """``extraction/coders/``: a folder of coders' folders, each holding that coder's sheets."""
    coders = Path(coders)
    root = root if root is not None else review_root(coders.parent)
    found = refused(coders, folder=True, what="a folder per independent coder")
    if found or not coders.is_dir():
        return found
    problems = []
    for entry in _entries(coders):
        problems += folder_problems(coders / entry.name, layout.SHEET_SUFFIXES, f"coder {entry.name}'s sheets", root)
    return problems


def layout_problems(root: str | Path = ".") -> list[Problem]:
    """Everything in a review's layout that is not what it must be (each entry named like an input)."""
    root = Path(root)
    prefix = (lambda name: name) if str(root) == "." else (lambda name: str(root / name))  # noqa: E731
    problems = []
    protocol = Path(prefix(layout.PROTOCOL))
    if os.path.lexists(protocol):
        problems += refused(protocol, what="the review protocol")
    for name, suffixes in FOLDERS.items():
        problems += folder_problems(prefix(name), suffixes, WHAT[name], root)
    return problems


def misplaced(root: str | Path = ".") -> list[str]:
    """The paths :func:`layout_problems` reports that exist (for the Snakefile: one appearing re-runs the check)."""
    return sorted({p.path for p in layout_problems(root) if os.path.exists(p.path)})


__all__ = ["MAX_TEXT_BYTES", "coders_problems", "folder_problems", "layout_problems", "link_problem", "misplaced",
           "read_input", "read_input_bytes", "refused", "review_root", "enclosing_review"]
