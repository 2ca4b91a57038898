"""Excel extraction sheets with the protocol's values as drop-down lists.

Worksheet 1 ("extraction") is the sheet the pipeline reads; "codebook" lists
the codes and questions for the coder; a hidden "lists" worksheet holds the
drop-down values (inline lists in Excel are limited to 255 characters).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..inputs.sheets import LIST_COLUMNS, OPTIONAL, REQUIRED

COLUMNS = REQUIRED + OPTIONAL
WIDTHS = {"id": 8, "quote": 60, "codes": 28, "finding": 48, "questions": 14, "locator": 12, "evidence_type": 22, "countries": 14, "cites": 20, "coder": 12, "notes": 30}
VALIDATED_ROWS = 2000


def dropdowns(protocol: dict) -> dict[str, list[str]]:
    """Column name -> allowed values offered in its drop-down."""
    lists = {"codes": [c["id"] for c in protocol.get("codes", [])], "questions": [q["id"] for q in protocol.get("questions", [])]}
    lists.update({column: [str(v) for v in values] for column, values in protocol.get("vocabularies", {}).items()})
    return {k: v for k, v in lists.items() if v}


def write_workbook(path: str | Path, protocol: dict, rows: list[dict[str, str]]) -> None:
    """Write an extraction workbook (atomically) holding ``rows`` (dicts by column name)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = dropdowns(protocol)
    extra = [c for c in lists if c not in COLUMNS] + [c for r in rows for c in r if c not in COLUMNS and c != "line"]
    header = list(COLUMNS) + list(dict.fromkeys(extra))
    book = Workbook()
    sheet = book.active
    sheet.title = "extraction"
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    sheet.freeze_panes = "A2"
    for i, column in enumerate(header, start=1):
        sheet.cell(row=1, column=i).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(i)].width = WIDTHS.get(column, 16)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    hidden = book.create_sheet("lists")
    for j, (column, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(j)
        hidden.cell(row=1, column=j, value=column)
        for k, value in enumerate(values, start=2):
            hidden.cell(row=k, column=j, value=value)
        several = column in LIST_COLUMNS
        # Excel's list validation accepts one value per cell; list columns may hold
        # several ("a; b"), so the drop-down guides without rejecting. `review check` validates.
        rule = DataValidation(type="list", formula1=f"=lists!${letter}$2:${letter}${len(values) + 1}", allow_blank=True,
                              showErrorMessage=not several, showInputMessage=True,
                              promptTitle=column, prompt="Pick from the list" + ("; for several, type them separated by ;" if several else ""))
        target = get_column_letter(header.index(column) + 1)
        rule.add(f"{target}2:{target}{VALIDATED_ROWS}")
        sheet.add_data_validation(rule)
    hidden.sheet_state = "hidden"

    codebook = book.create_sheet("codebook")
    codebook.append(["code", "label", "definition", "questions"])
    for code in protocol.get("codes", []):
        codebook.append([code["id"], code["label"], code["definition"], "; ".join(code["questions"])])
    codebook.append([])
    codebook.append(["question", "short", "text"])
    for question in protocol.get("questions", []):
        codebook.append([question["id"], question["short"], question["text"]])
    for letter, width in zip("ABCD", (24, 32, 80, 14)):
        codebook.column_dimensions[letter].width = width

    book.move_sheet("codebook", offset=-1)  # second, after the extraction sheet
    target_path = Path(path)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target_path.parent, prefix=f".{target_path.name}.", suffix=".xlsx")
    os.close(fd)
    try:
        book.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target_path)
    finally:
        Path(tmp).unlink(missing_ok=True)


__all__ = ["dropdowns", "write_workbook"]
