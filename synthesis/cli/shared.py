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


def read_json(path: str) -> dict:
    import orjson

    return orjson.loads(Path(path).read_bytes())


def write_json(path: str, data: dict) -> None:
    # The build's intermediate files: orjson is several times faster than json on
    # the tens of MB a large review produces, and its output is just as deterministic.
    import orjson

    from ..common.textio import write_atomic

    write_atomic(path, orjson.dumps(data) + b"\n")


def print_warnings(warnings: list[dict]) -> None:
    """A build step's warnings, on standard error, in the one warning format."""
    import sys

    from ..common.problems import Problem

    for item in warnings:
        print(Problem(**item), file=sys.stderr)


__all__ = ["INPUT_OPTIONS", "add_command", "add_inputs", "print_warnings", "read_json", "write_json"]
