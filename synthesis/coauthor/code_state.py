"""What the coding page shows (the source's text with its excerpts, the sheet's rows and problems) and a save:
the quote of a new or re-selected row is taken from the source's own characters at the selection, never typed."""

from __future__ import annotations

from pathlib import Path

from ..common.problems import InputError, Problem
from ..inputs import layout
from . import code_sheet
from .code_text import quote_of, render, render_pages, whole_words


def load_source(sheet: code_sheet.Sheet, text_cache: str | None = layout.TEXT_CACHE) -> dict:
    """The protocol, the bibliography's keys and the parsed source (read once: the app never writes it)."""
    from ..evidence.build import prepare
    from ..inputs.pdf_source import load_pdf_source
    from ..inputs.sources import load_source as load_markdown

    prepared = prepare()
    problems = [Problem(**p) for p in prepared["problems"] if p["severity"] != "warning"]
    if prepared["protocol"] is None or problems:
        raise InputError(problems or [Problem(layout.PROTOCOL, 1, "the protocol cannot be read: run review "
                                              "check")])
    bib_keys = set(prepared["bibliography"] or {})
    countries = prepared["protocol"].get("vocabularies", {}).get("countries")
    if sheet.source.lower().endswith(".pdf"):
        source = load_pdf_source(sheet.source, bib_keys, countries, text_cache, False)
    else:
        source = load_markdown(sheet.source, bib_keys, countries)
    return {"protocol": prepared["protocol"], "bib_keys": sorted(bib_keys), "source": source}


def _place(item: dict) -> str:
    if "pages" in item:
        return item["pages"]["locator"]
    return f"para. {item['paragraph']}" + (f", under \u201c{item['heading']}\u201d" if item.get("heading") else "")


def state(sheet: code_sheet.Sheet, loaded: dict) -> dict:
    """The page's data: the sheet's version, the text's HTML with every located excerpt marked, the rows."""
    source = loaded["source"]
    evidence, problems = code_sheet.excerpts(sheet)
    marks = [(e["start"], e["end"], str(e["id"])) for e in evidence]
    if source.pages is not None:
        html = render_pages(source.text, source.pages, source.spans, marks)
    else:
        html = render(source.text, source.body_start, marks=marks, markdown=not source.path.endswith(".txt"))
    where = {str(e["id"]): _place(e) for e in evidence}
    rows = []
    for row in code_sheet.rows(sheet.path):
        ident = row["cells"].get("id", "").strip()
        rows.append(row | {"id": ident, "place": where.get(ident, ""),
                           "problems": [str(p) for p in problems if p.line == row["line"] and p.path == sheet.path]})
    return {"version": code_sheet.version(sheet.path), "html": html, "rows": rows, "sheet": sheet.path,
            "problems": [str(p) for p in problems]}


def _offsets(source, start, end) -> tuple[int, int]:
    ok = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
    if not ok or not source.body_start <= start < end <= len(source.text):
        raise InputError([Problem("", 1, "the selection is not in the source's text: select the passage again")])
    return start, end


def saved(sheet: code_sheet.Sheet, loaded: dict, version: str, action: str, values: dict, ident: str,
          selection: list | None) -> list[Problem]:
    """Save one change (see :func:`code_sheet.save`); ``selection``: [start, end] in the source's text, the
    new quote (required to add a row)."""
    if "quote" in values:
        raise InputError([Problem("", 1, "the quote comes from a selection in the text, never typed: select the passage")])
    source = loaded["source"]
    start = None
    if selection is not None:
        if not isinstance(selection, list) or len(selection) != 2:
            raise InputError([Problem("", 1, "the selection is not in the source's text: select the passage again")])
        start, end = whole_words(source.text, *_offsets(source, *selection))
        values = values | {"quote": quote_of(source.text, start, end)}
    elif action == "add":
        raise InputError([Problem("", 1, "select the passage to code in the text first")])
    problems = code_sheet.save(sheet, version, action, values, ident)
    repeated = any("quote occurs" in p.message for p in problems if not p.is_warning)
    if repeated and start is not None and not values.get("locator"):  # the selection says which occurrence
        located = values | {"locator": f"para. {source.place(start)[0]}"}
        problems = code_sheet.save(sheet, version, action, located, ident)
    return problems


__all__ = ["load_source", "saved", "state"]
