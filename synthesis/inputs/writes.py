"""What each command may write: one rule, called by every command before it writes anything.

An input of the review (the protocol, a file under sources/, extraction/, findings/, records/, commentary/, appraisal/,
releases/, or the review's git folder; a link there counts as what it points at) is written only by a command whose documented
job that is, and only where (:data:`COMMANDS`, shown in docs/formats.md, "What each command may write"); any
other input is refused, ``--force`` or not. An existing file elsewhere is replaced only as the command's entry
says (``--force``, never, or always for the build's own steps). The message names what was refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..common.problems import InputError, Problem
from . import layout
from .door import enclosing_review

INPUT_FOLDERS = (layout.SOURCES, layout.EXTRACTION, layout.FINDINGS, layout.RECORDS, layout.COMMENTARY, layout.APPRAISAL, layout.RELEASES,
                 ".git")


@dataclass(frozen=True)
class Writes:
    """A command's writing rule: the inputs its job writes (patterns, ``{name}`` filled by the command), and
    whether it replaces another existing file: ``"force"`` (with --force), ``"never"`` or ``"always"``."""

    inputs: tuple[str, ...] = ()
    replaces: str = "force"
    exists: str = "exists already: pass --force to replace it"  # the message for an existing file it may not replace
    own: tuple[str, ...] = ()  # outputs it replaces without --force (its default output)


_SHEETS = ("extraction/{citekey}.csv", "extraction/{citekey}.xlsx")
_NEVER = "exists already; `review {command}` never overwrites a file: choose another name"
# How add-source records a new source in records/ (synthesis.coauthor.intake): a record, its decisions.
_RECORDED = (f"{layout.RECORDS}/{{search}}.csv", f"{layout.RECORDS}/{{search}}.bib", f"{layout.RECORDS}/searches.csv",
             f"{layout.RECORDS}/screening.csv")
STEP = Writes(replaces="always")  # a pipeline step replaces the outputs the Snakefile names
COMMANDS: dict[str, Writes] = {
    "add-source": Writes(("sources/{citekey}.md", "sources/{citekey}.pdf", "sources/{citekey}.yaml", layout.BIBLIOGRAPHY)
                         + _SHEETS + ("appraisal/{citekey}.yaml",) + _RECORDED + (layout.PROTOCOL,), "never", _NEVER),
    "sheet": Writes(_SHEETS + ("extraction/coders/{coder}/{citekey}.csv", "extraction/coders/{coder}/{citekey}.xlsx", layout.PROTOCOL),
                    "never", "already exists; `review sheet` never overwrites a file"),
    "code": Writes(("extraction/{citekey}.csv", "extraction/coders/{coder}/{citekey}.csv"), "never",
                   "`review code` writes only the source's CSV sheet"),
    "screen": Writes(("{records}/screening.csv",), "never",
                     "already exists: choose another file name (filled decisions would be lost)"),
    "snowball-records": Writes(("{records}/{search}.csv", "{records}/searches.csv"), "never", _NEVER),
    "agree": Writes(own=("output/tables/agreement.csv",)),
    "reconcile": Writes(exists="exists already: pass --force to replace this reconciliation sheet"),
    "export": Writes(),
    "release": Writes((f"{layout.RELEASES}/{{name}}.json",), "never", "exists already: a release is never replaced; choose another name"),
}
READ_ONLY = ("check", "trace", "audit", "text", "slurm-check", "diff")  # write nothing (standard output only)
STEP_OUTPUTS = ("output", "output_dir", "svg", "png", "table", "claims", "text_cache", "changes", "kept")  # the steps' arguments naming outputs


def _absolute(path: str | Path) -> Path:
    """``path`` with every link resolved, also when the file does not exist yet."""
    return Path(os.path.realpath(path))


def protected(review: str | Path = ".") -> dict[Path, str]:
    """The review's inputs (files and folders, links resolved), each with what it is."""
    review = Path(review)
    found = {_absolute(review / layout.PROTOCOL): "the review's protocol"}
    found |= {_absolute(p): "a citation style the protocol may name" for p in review.glob("*.csl")}
    for folder in INPUT_FOLDERS:
        where = review / folder
        found[_absolute(where)] = f"the review's {folder}/ folder"
        if where.is_dir() and folder != ".git":  # links inside an input folder make their targets inputs too
            for entry in _links(where):
                found[_absolute(entry)] = f"what {entry.relative_to(review)} links to"
    return found


def _links(folder: Path) -> list[Path]:
    """The symbolic links anywhere under ``folder`` (what ``rglob("*")`` finds, links to folders not
    followed), told from the folders' listings: no stat per file (every step checks its outputs against
    the inputs, thousands of sources)."""
    found, folders = [], [folder]
    while folders:
        here = folders.pop()
        try:
            with os.scandir(here) as listing:
                entries = list(listing)
        except PermissionError:
            continue
        for entry in entries:
            if entry.is_symlink():
                found.append(here / entry.name)
            elif entry.is_dir(follow_symlinks=False):
                folders.append(here / entry.name)
    return found


def _input_of(target: Path, inputs: dict[Path, str]) -> str:
    if target in inputs:
        return inputs[target]
    for parent in target.parents:
        if parent in inputs:
            return f"in {inputs[parent]}"
    return ""


def permit(command: str, *paths: str | Path, force: bool = False, review: str | Path = ".", **names: str) -> None:
    """Refuse (:class:`InputError`, nothing written) any of ``paths`` that ``command`` may not write.

    ``names`` fill the patterns of the command's entry (``citekey``, ``coder``, ``search``).
    """
    rule = STEP if command not in COMMANDS and command not in READ_ONLY else COMMANDS.get(command, Writes(replaces="never"))
    # The review run in, the one above it (run from a sub-folder) and the one each target lies in (`../other/review.yaml`).
    around = {enclosing_review(p) for p in (review, *[_absolute(p).parent for p in paths])} - {None}
    inputs = {k: v for folder in {Path(os.path.abspath(review)), *around} for k, v in protected(folder).items()}
    allowed = {_absolute(Path(review) / p.format(**names)) for p in rule.inputs if _fills(p, names)}
    own = {_absolute(Path(review) / p) for p in rule.own}
    problems = []
    for path in paths:
        target = _absolute(path)
        what = _input_of(target, inputs)
        if target in allowed:
            continue
        if what:
            refusal = " (--force never replaces an input)" if force else ""
            is_ = f"links to {target}, which is" if os.path.islink(path) else "is"
            problems.append(Problem(str(path), 1, f"review {command} may not write here: {path} {is_} {what}, an input of the "
                                                  f"review{refusal}; write to a file outside the review's inputs "
                                                  "(docs/formats.md, \"What each command may write\")"))
        elif target.is_dir() and rule.replaces != "always":  # a step's output folder is a folder
            problems.append(Problem(str(path), 1, "is a folder: give the name of a file to write"))
        elif os.path.lexists(path) and not (rule.replaces == "always" or target in own
                                            or (rule.replaces == "force" and force)):
            problems.append(Problem(str(path), 1, rule.exists.format(command=command)))
    if problems:
        raise InputError(problems)


def _fills(pattern: str, names: dict[str, str]) -> bool:
    try:
        pattern.format(**names)
    except KeyError:
        return False
    return True


def rule_rows() -> list[tuple[str, list[str], str]]:
    """(command, inputs it may write, how it treats another existing file): the table in docs/formats.md."""
    how = {"force": "with --force", "never": "never", "always": "always"}
    return [(name, list(rule.inputs), how[rule.replaces]) for name, rule in COMMANDS.items()]


__all__ = ["COMMANDS", "READ_ONLY", "STEP_OUTPUTS", "Writes", "permit", "protected", "rule_rows"]
