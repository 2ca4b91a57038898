"""Last stage, the command line: ``review`` for people, ``python -m synthesis STEP`` for the Snakefile."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
