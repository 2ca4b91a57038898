"""Hostile inputs for ``review code``: what stops it before it serves anything (an Excel sheet, no sheet, an
unknown source, a link out of the review, a coder id that names a folder). The app's requests are attacked
in test_code_app.py; same rows as cases.py (id, setup, argv, exit code, exact lines)."""

from __future__ import annotations

from cases import SHEET, SMITH
from cases_second import feeding, linked, nothing

LINK_OUT = "{path}:1: a link to {{outside}}/outside-secret.txt, outside the review folder {{root}}: copy the file into the review instead"

CASES = [
    ("code-excel-sheet", nothing, ["code", "okafor2021"], 1,
     ["extraction/okafor2021.xlsx:1: an Excel sheet: review code edits CSV sheets; `review sheet okafor2021 --replace` turns it "
      "into extraction/okafor2021.csv with every row (and `review sheet okafor2021 --xlsx --replace` turns it back into Excel)"]),
    ("code-unknown-source", nothing, ["code", "smith2021"], 1,
     ["sources:1: no source 'smith2021': did you mean 'smith2020'? allowed: okafor2021, smith2020"]),
    ("code-no-coder-sheet", nothing, ["code", "smith2020", "--coder", "ann"], 1,
     ["extraction/coders/ann/smith2020.csv:1: no sheet for 'smith2020': `review sheet smith2020 --coder ann` makes one"]),
    ("code-source-link-out", feeding(linked(SMITH), absent=("never reads me",)), ["code", "smith2020"], 1,
     [LINK_OUT.format(path=SMITH)]),
    ("code-sheet-link-out", feeding(linked(SHEET), absent=("never reads me",)), ["code", "smith2020"], 1,
     [LINK_OUT.format(path=SHEET)]),
]
