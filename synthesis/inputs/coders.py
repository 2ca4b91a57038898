"""Independent coders' sheets: ``extraction/coders/<coder>/<citekey>.csv|xlsx``.

Each has the columns of a sheet and is checked like one (:func:`synthesis.inputs.sheets.check_sheet`). The
folder names the coder: it must be a declared coder id when ``review.yaml`` declares ``coders``, and a
row's ``coder`` cell, when filled, must agree with it. The consensus sheet (``extraction/<citekey>.csv``)
stays what the report uses; these sheets only feed the agreement statistics and reconciliation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..common.problems import Problem, suggest
from . import layout
from .door import coders_problems
from .protocol import coder_ids
from .sheets import check_sheet


def coder_sheets(extraction: str, protocol: dict, source_keys: set[str], sources_dir: str = layout.SOURCES,
                 only: set[str] | None = None) -> tuple[list[dict[str, str]], list[Problem]]:
    """The independent sheets as ``{coder, citekey, path}`` (sorted by citekey, then coder), and the
    problems of the folder layout: undeclared coders, two sheets of one coder for one source, a sheet
    without a source. ``only`` limits the sheets to those citekeys."""
    declared = coder_ids(protocol)
    problems: list[Problem] = coders_problems(Path(extraction) / layout.CODERS)  # the door: files and folders as they must be
    sheets: dict[tuple[str, str], str] = {}
    unknown: set[str] = set()
    for path in layout.coder_sheet_files(extraction):
        coder, citekey = Path(path).parent.name, Path(path).stem
        if only is not None and citekey not in only:
            continue
        if declared is not None and coder not in declared:
            if coder not in unknown:
                folder = str(Path(path).parent)
                problems.append(Problem(folder, 1, f"unknown coder '{coder}' (the folder names the coder; declare coders in review.yaml): {suggest(coder, declared)}"))
            unknown.add(coder)
            continue
        if (coder, citekey) in sheets:
            problems.append(Problem(path, 1, f"two sheets of coder '{coder}' for '{citekey}': keep one of {sheets[coder, citekey]} and {path}"))
            continue
        if citekey not in source_keys:
            problems.append(Problem(path, 1, f"no source for this sheet: expected {sources_dir}/{citekey}.md or {sources_dir}/{citekey}.txt"))
            continue
        sheets[coder, citekey] = path
    listed = [{"coder": coder, "citekey": citekey, "path": path} for (coder, citekey), path in sheets.items()]
    return sorted(listed, key=lambda s: (s["citekey"], s["coder"])), problems


def check_coder_sheet(sheet: dict[str, str], protocol: dict, bib_keys: set[str] | None) -> tuple[list[dict[str, Any]], list[Problem]]:
    """One independent sheet's rows (their ``coder`` set to the folder's) and its problems."""
    rows, problems = check_sheet(sheet["path"], protocol, bib_keys)
    for row in rows:
        if row["coder"] and row["coder"] != sheet["coder"]:
            problems.append(Problem(sheet["path"], row["line"], f"{row['where']}: coder '{row['coder']}' in a sheet of coder '{sheet['coder']}' "
                                    f"(the folder {Path(sheet['path']).parent} names the coder; leave the cell empty or write '{sheet['coder']}')"))
        row["coder"] = sheet["coder"]
    return rows, problems


__all__ = ["check_coder_sheet", "coder_sheets"]
