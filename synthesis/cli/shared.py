"""What every command module shares: declaring a subcommand, the review's input options, build files."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..inputs import layout

INPUT_OPTIONS = {
    "protocol": (layout.PROTOCOL, "the review protocol"),
    "bibliography": (layout.BIBLIOGRAPHY, "BibTeX file"),
    "sources": (layout.SOURCES, "folder of tagged sources"),
    "extraction": (layout.EXTRACTION, "folder of extraction sheets"),
    "findings": (layout.FINDINGS, "folder of review findings"),
    "appraisals": (layout.APPRAISAL, "folder of the sources' appraisals"),
}


def add_command(sub, name: str, help_text: str, example: str) -> argparse.ArgumentParser:
    """A subcommand whose help ends with an example (tests check every one has it)."""
    return sub.add_parser(name, help=help_text, description=help_text, epilog=f"example:\n  {example}",
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def add_inputs(parser: argparse.ArgumentParser, *names: str) -> None:
    """Options naming the review's input files, with the layout's defaults."""
    for name in names or ("protocol", "bibliography", "sources", "extraction"):
        default, what = INPUT_OPTIONS[name]
        parser.add_argument(f"--{name}", default=default, help=f"{what} (default: %(default)s)")


# Values a command takes from its arguments and writes into the review's files are checked like a sheet's cells:
# argparse refuses them (exit 2) before anything runs.
def _plain(value: str, what: str) -> str:
    from ..common.textio import CONTROL, FORMULA_START, visible

    if CONTROL.search(value):
        raise argparse.ArgumentTypeError(f"'{visible(value)}' holds a control character: {what} is plain text")
    if not value.strip():
        raise argparse.ArgumentTypeError(f"empty: give {what}")
    if value.startswith(FORMULA_START):
        raise argparse.ArgumentTypeError(f"'{value}' starts with '{value[0]}', which a spreadsheet would run as a formula: give {what}")
    return value


def name_argument(value: str) -> str:
    """A person's name or initials (e.g. ``--screener``), as a cell holds it."""
    return _plain(value, "a name or initials").strip()


def id_argument(value: str) -> str:
    """An id that names a file or folder (``--coder``, ``--search``): letters, digits, ``_ . -``."""
    import re

    from ..inputs.sources import CITEKEY_PATTERN

    _plain(value, "an id")
    if not re.match(CITEKEY_PATTERN, value):
        raise argparse.ArgumentTypeError(f"'{value}' is not an id: use letters, digits, '_', '.' and '-', starting with a letter or digit")
    return value


def date_argument(value: str) -> str:
    """A real date, ``YYYY-MM-DD``."""
    from ..common.dates import date_problem

    problem = date_problem(_plain(value, "a date, YYYY-MM-DD"))
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def read_json(path: str) -> dict:
    """A build's JSON file. Its objects (millions for a large review's evidence set) hold no reference
    cycles and live until the step ends: the cycle collector is paused while they are made and then told
    to skip them (gc.freeze), instead of scanning them again and again (a third of a report job's time)."""
    import gc

    import orjson

    enabled = gc.isenabled()
    gc.disable()
    try:
        data = orjson.loads(Path(path).read_bytes())
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    return data


def read_build(path: str, what: str = "evidence set", keys: tuple[str, ...] = ("protocol", "sources", "evidence")) -> dict:
    """A build's JSON file (e.g. ``output/build/evidence.json``) for a command: missing, damaged or of the wrong
    shape is a problem asking to build again, never a traceback."""
    from ..common.problems import InputError, Problem

    if not Path(path).is_file():
        raise InputError([Problem(path, 1, "no built review here: build it first (snakemake --cores 2)")])
    try:
        data = read_json(path)
    except ValueError as err:
        raise InputError([Problem(path, 1, f"not a valid {what} ({err}): build the review again")]) from None
    if not isinstance(data, dict) or not all(k in data for k in keys):
        raise InputError([Problem(path, 1, f"not an {what} of this version (it needs {', '.join(keys)}): build the review again")])
    return data


def shape_guard(path: str, step, what: str = "evidence set"):
    """Run ``step`` on a build's data; data of the wrong shape is a clear problem, not a traceback."""
    from ..common.problems import InputError, Problem

    try:
        return step()
    except (KeyError, TypeError, IndexError, AttributeError, ValueError) as err:
        raise InputError([Problem(path, 1, f"the {what} is damaged ({type(err).__name__}: {err}): build the review again")]) from None


def write_json(path: str, data: dict) -> None:
    # The build's intermediate files: orjson is several times faster than json on
    # the tens of MB a large review produces, and its output is just as deterministic.
    import orjson

    from ..common.textio import write_atomic

    write_atomic(path, orjson.dumps(data) + b"\n")


def write_provenance(body: str, output: str, build: dict) -> None:
    """provenance.json at ``output``: the report step's body (``body``, a file) with the build metadata. A file
    that is not such a body (another JSON file given by mistake, one cut short) is a problem, not a traceback."""
    import mmap
    import os

    from ..audit.provenance import with_build
    from ..common.problems import InputError, Problem
    from ..common.textio import write_atomic

    with open(body, "rb") as handle:
        # Mapped, not read: the file's pages are written out from the page cache as they are, not copied into
        # 130 MB of the process's own memory first (5,000 sources).
        size = os.fstat(handle.fileno()).st_size
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        try:
            if data[:2] != b"{\n" or not data[-64:].rstrip().endswith(b"}"):  # its end, not a copy of 100 MB
                raise InputError([Problem(body, 1, "not a provenance body (what the report step writes to "
                                          "output/build/provenance-body.json): build the review again")])
            write_atomic(output, with_build(data, build))
        finally:
            if size:
                data.close()


def print_warnings(warnings: list[dict]) -> None:
    """A build step's warnings, on standard error, in the one warning format."""
    import sys

    from ..common.problems import Problem

    for item in warnings:
        print(Problem(**item), file=sys.stderr)


__all__ = ["INPUT_OPTIONS", "add_command", "add_inputs", "date_argument", "id_argument", "name_argument", "print_warnings", "read_build", "read_json", "shape_guard", "write_json"]
