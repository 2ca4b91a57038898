"""A sheet's rows located in their source: each quote found (once, or in the paragraph its locator names),
with its offsets, paragraph, heading, context and, for a PDF, its pages; a quote not found is explained by
the closest passage and how it differs."""

from __future__ import annotations

import bisect
import re
from typing import Any

from ..common.problems import Problem, warning
from ..common.textio import line_of
from ..inputs.sources import Source
from .closest import closest_passage
from .normalise import matchable
from .quotes import MAX_ELISION, elided_negations, find_matches

CONTEXT = 32  # characters of prefix/suffix kept for each quote (W3C TextQuoteSelector)
_PARAGRAPH_LOCATOR = re.compile(r"(?i)^\s*(?:para(?:graph)?\.?|¶)\s*(\d+)\s*$")
SHOWN = 240  # characters of a closest passage shown in a message


def locate_rows(rows: list[dict], source: Source, sheet: str, problems: list[Problem], coder: str = "") -> list[dict]:
    """Locate each row's quote in its source; a quote not found is a problem (``coder``: of an independent sheet)."""
    norm = matchable(source.text, source.breaks if source.pages is not None else None)
    text = source.text
    line_at = _line_counter(text)
    located = []
    for row in rows:
        ident = f"{coder}/{source.citekey}:{row['id']}" if coder else f"{source.citekey}:{row['id']}"
        where = f"{row.get('cell') or 'row ' + str(row['id'])} ({ident})"
        matches = find_matches(norm, row["quote"], start=source.body_start, text=text, limit=2)
        if not matches:
            problems.append(Problem(sheet, row["line"], f"{where}: quote not found in {source.path}; {_closest(norm, row['quote'], source)}"))
            continue
        if len(matches) > 1:
            paragraph = _PARAGRAPH_LOCATOR.match(row["locator"] or "")
            every = find_matches(norm, row["quote"], start=source.body_start, text=text, limit=1000)
            chosen = [m for m in every if paragraph and source.place(m.start)[0] == int(paragraph.group(1))]
            if len(chosen) != 1:
                places = ", ".join(f"line {line_of(text, m.start)} (para. {source.place(m.start)[0]})" for m in every[:5])
                problems.append(Problem(sheet, row["line"], f"{where}: quote occurs {len(every)}{'+' if len(every) == 1000 else ''} times in {source.path}, at {places}{', ...' if len(every) > 5 else ''}: "
                                        f"lengthen it until it is unique, or name its paragraph in the locator column (e.g. para. {source.place(every[0].start)[0]})"))
                continue
            matches = chosen
        match = matches[0]
        negations = elided_negations(text, match)
        if negations:
            cut = " | ".join(" ".join(text[a:b].split())[:80] for a, b in match.cuts)
            problems.append(warning(sheet, row["line"], "ELIDED_NEGATION", f"{where}: the [...] cuts {', '.join(repr(n) for n in dict.fromkeys(negations))} from the source (cut: \"{cut}\"): check the quote keeps the source's meaning"))
        start, end = match.start, match.end
        paragraph, heading = source.place(start)
        located.append({
            **{k: v for k, v in row.items() if k not in ("cell", "where")}, "citekey": source.citekey, "start": start, "end": end, "paragraph": paragraph, "heading": heading,
            "source_line": line_at(start), "exact": text[start:end],
            "prefix": text[max(source.body_start, start - CONTEXT):start], "suffix": text[end:end + CONTEXT],
            "cuts": [[a, b] for a, b in match.cuts],  # what each [...] left out (shown in the appendix)
            "sheet": sheet, "sheet_line": row["line"],
        } | ({"pages": _pages(source, row, start, end, sheet, problems)} if source.pages is not None else {}))
    return located


def _line_counter(text: str):
    """The line an offset of ``text`` is on, from where its line breaks are (found once, when first asked):
    counting them from the start for each quote would read the text once a quote."""
    breaks: list[int] = []

    def line_at(offset: int) -> int:
        if not breaks:
            breaks.extend(m.start() for m in _NEWLINE.finditer(text))
            breaks.append(len(text))  # never empty again
        return bisect.bisect_left(breaks, offset) + 1

    return line_at


_NEWLINE = re.compile("\n")


def _closest(norm, quote: str, source: Source) -> str:
    """What a co-author needs to fix a quote: where the source says nearly the same, and how it differs."""
    offset, passage, score, differences = closest_passage(norm.base or norm, quote, start=source.body_start)
    norm = norm.base or norm
    hint = f" (a [...] may cut at most {MAX_ELISION:,} characters, within one paragraph)" if "[...]" in quote or "[\u2026]" in quote else ""
    if not passage:
        return f"no similar passage{hint}"
    line = line_of(source.text, norm.original(offset))
    if not differences:
        shown = passage if len(passage) <= SHOWN else passage[:SHOWN - 3] + "..."
        return f"closest passage, line {line} (similarity {score:.2f}), same words{hint}: \"{shown}\""
    return f"closest passage, line {line} (similarity {score:.2f}){hint}, differs at: " + "; ".join(f"\"{d}\"" if d[:4] != "and " else d for d in differences)
def _pages(source: Source, row: dict, start: int, end: int, sheet: str, problems: list[Problem]) -> dict[str, Any]:
    """Where a quote in a PDF is: its first and last page (the number printed on the page, else its
    label, else its place in the file; all three recorded) and its page locator; a coder's page
    locator that disagrees with the printed page is a warning."""
    from ..inputs.pdf_text import page_locator, page_place, pages_of, parse_page_locator  # only for a PDF

    first, last = pages_of(source.pages, source.spans, start, end)
    pages = {"first": first["number"], "last": last["number"], "first_index": first["index"], "last_index": last["index"],
             "labelled": first["labelled"], "first_label": first["label"], "last_label": last["label"],
             "first_printed": first["printed"], "last_printed": last["printed"],
             "locator": page_locator(first["number"], last["number"])}
    given = parse_page_locator(row.get("locator") or "")
    if given is not None:
        coder = tuple(p.casefold() for p in given)
        if coder[0] != first["number"].casefold() or (given[1] != given[0] and coder[1] != last["number"].casefold()):
            problems.append(warning(sheet, row["line"], "PAGE_MISMATCH",
                                    f"row {row['id']} ({source.citekey}:{row['id']}): locator '{row['locator']}' disagrees with where the quote is in {source.path}: "
                                    f"{page_place(pages)}; correct the locator, or leave it empty to use the located page"))
    return pages


__all__ = ["CONTEXT", "locate_rows"]
