"""``review code``: code a source in the browser (a local app; see synthesis.coauthor.code_app)."""

from __future__ import annotations

import sys

from .shared import add_command, id_argument


def cmd_code(args) -> int:
    from ..coauthor.code_app import serve
    from ..coauthor.code_sheet import find_sheet

    sheet = find_sheet(args.citekey, args.coder)  # an Excel sheet or no sheet: said before anything starts

    def ready(url: str) -> None:
        print(f"review code: coding {sheet.source} into {sheet.path}\nopen {url}\n"
              "(this address works on this computer only; press Ctrl+C to stop)", flush=True)

    browser = not args.no_browser and sys.stdout.isatty()  # in a terminal; a script reads the address
    return serve(sheet, args.port, browser, ready)


def register(sub) -> None:
    """Add ``review code``."""
    p = add_command(sub, "code", "Code a source in your browser: select a passage, choose its codes, save the "
                    "row to its CSV sheet (checked as review check checks it).",
                    "review code smith2024\n  review code smith2024 --coder ann   # your own sheet, for double coding")
    p.add_argument("citekey", help="the source's citekey (its sheet is extraction/KEY.csv)")
    p.add_argument("--coder", type=id_argument, help="code the independent sheet extraction/coders/CODER/KEY.csv")
    p.add_argument("--port", type=int, default=0, help="the port on 127.0.0.1 (default: any free one)")
    p.add_argument("--no-browser", action="store_true",
                   help="print the address only (a browser opens it when run in a terminal)")
    p.set_defaults(func=cmd_code)
