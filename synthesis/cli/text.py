"""``review text``: show the text a source's quotes are matched against."""

from __future__ import annotations

import sys

from ..inputs import layout
from .shared import add_command, add_inputs


def cmd_text(args) -> int:
    from ..coauthor.source_text import source_text

    sys.stdout.write(source_text(args.citekey, args.sources, args.text_cache, pages=args.pages))
    return 0


def register(sub) -> None:
    """Add ``review text``."""
    p = add_command(sub, "text", "Print the text a source's quotes are matched against: a PDF's extracted text (copy quotes from it), or a Markdown source.",
                    "review text trust2024\n  review text trust2024 --pages   # with a line marking where each page starts")
    p.add_argument("citekey", help="the source's citekey")
    p.add_argument("--pages", action="store_true", help="mark where each page starts (leave the markers out of quotes)")
    add_inputs(p, "sources")
    p.add_argument("--text-cache", default=layout.TEXT_CACHE, help="the build's cache of extracted PDF text, read if present (default: %(default)s)")
    p.set_defaults(func=cmd_text)
