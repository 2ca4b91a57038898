"""The evidence explorer's data: what ``output/report/explorer.html`` embeds, from the evidence set, the
analysis and the report's claims (the page itself is :mod:`synthesis.report.explorer_page`).

Every excerpt is embedded with its quote as located in the source (``exact``) inside a window of context
(the appendix's: up to :data:`~synthesis.report.appendix.READING_CONTEXT` characters either side, within its
section), never the whole source; the claims, review findings and gap-map cells refer to excerpts by their
position in ``evidence``, so an excerpt's text is embedded once. Keys are short because a review of 1,000
sources has 20,000 excerpts; docs/formats.md lists them.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..analysis.kept_tallies import in_runs
from ..analysis.counting import countries_of
from ..inputs.findings import COMPONENTS, CONCERNS
from ..inputs.pdf_text import page_place
from . import markdown, words
from .answers import component_facts
from .appendix import read_source_text, reading_context
from .pieces import SourcePieces, excerpt_groups, kept_block, piece_json

FORMAT = "synthesis-explorer/1"
# What a coder's typing differs by and is not worth showing twice: curly quotes, dashes, no-break spaces.
_FOLD = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
         "\u2010": "-", "\u2011": "-", "\u00a0": " "}


def _folded(text: str) -> str:
    # One replace per character (str.translate with a mapping looks each character up in Python: 5x slower);
    # no replacement is itself replaced, so the order does not matter.
    for char, plain in _FOLD.items():
        if char in text:
            text = text.replace(char, plain)
    return " ".join(text.split())


def _listed(value: Any) -> list[str]:
    return [v for v in value if v] if isinstance(value, list) else [value] if value else []


def source_record(source: dict) -> dict[str, Any]:
    """A source as the explorer shows it beside each of its excerpts."""
    record = {"key": source["citekey"], "cite": source.get("citation") or source["citekey"],
              "title": source.get("title", ""), "year": source.get("year", ""), "role": source["role"],
              "type": source.get("type", ""), "path": source["path"], "sha": source["sha256"],
              "sheet": source.get("sheet", "")}
    if source.get("text_path"):  # a PDF: its quotes are located in the text extracted from it
        record["extractor"] = source.get("extractor", "")
    return record


def excerpt_record(item: dict, source: dict, text: str, codes: dict[str, int], sources: dict[str, dict],
                   index: dict[str, int], headings: dict[str, int]) -> dict[str, Any]:
    """One excerpt: its quote in a window of its source's text, where it is, how it was coded. Its heading is
    an index into ``headings`` (a section's heading is shared by its excerpts)."""
    return placed(excerpt_piece(item, source, text, codes, sources), index[item["citekey"]], headings)


def placed(record: dict[str, Any], position: int, headings: dict[str, int]) -> dict[str, Any]:
    """An :func:`excerpt_piece` among the others: its source's position (``s``) and its heading's (``h``)
    set."""
    record["s"] = position
    if "h" in record:
        record["h"] = headings.setdefault(record["h"], len(headings))
    return record


def excerpt_piece(item: dict, source: dict, text: str, codes: dict[str, int],
                  sources: dict[str, dict]) -> dict[str, Any]:
    """:func:`excerpt_record` without what depends on the other sources (kept between builds: report.pieces):
    ``s`` is 0 and ``h`` the heading's text, each in its place among the keys (the JSON's order)."""
    before, after = reading_context(text, item["start"], item["end"], source.get("body_start", 0))
    # Where it is, as the appendix says it (appendix.where), without the path and heading shown apart.
    place = (f"{page_place(item['pages'])}, paragraph {item['paragraph']} of the extracted text" if "pages" in item
             else f"line {item['source_line']}, paragraph {item['paragraph']}")
    record = {"id": item["evidence_id"], "s": 0, "q": list(item["questions"]),
              "c": [codes[c] for c in item["codes"] if c in codes], "n": list(countries_of(item, sources)),
              "t": _listed(item.get("evidence_type")), "f": item["finding"], "b": before, "x": item["exact"],
              "a": after, "w": place, "l": markdown.locator(item), "r": item["sheet_line"]}
    if item["heading"]:
        record["h"] = item["heading"]
    if item["coder"]:
        record["o"] = item["coder"]
    if item.get("study"):
        record["st"] = item["study"]
    if item.get("cuts"):
        record["k"] = [[a - item["start"], b - item["start"]] for a, b in item["cuts"]]
    if item["quote"] != item["exact"] and _folded(item["quote"]) != _folded(item["exact"]):
        record["qt"] = item["quote"]  # as typed, when it differs from the located text beyond quotes and dashes
    return record


def appraisal_record(appraisal: dict, coders: dict[str, dict]) -> dict[str, Any]:
    """A source's appraisal as the explorer shows it beside the source's excerpts and the findings resting on
    them: its tool, appraiser, overall concern and explanation, and the items whose answers raise concern."""
    coder = coders.get(appraisal["appraiser"], {"name": appraisal["appraiser"]})
    record = {"tool": appraisal["tool"], "by": coder["name"], "path": appraisal["path"],
              "concern": appraisal["overall"]["concern"], "why": appraisal["overall"]["explanation"],
              "n": len(appraisal["items"]),
              "items": [{"label": i["label"], "answer": i["answer"], "note": i["note"]}
                        for i in appraisal["items"] if i["concern"]]}
    if coder.get("draft"):
        record["draft"] = True
    return record


def limitation_rows(limits: dict | None, index: dict[str, int]) -> dict[str, Any] | None:
    """Beside a finding's methodological limitations, as the report puts them: each source of its evidence
    (by position in ``sources``; its appraisal is in ``appraisals``) with its excerpts, of ``n`` in all."""
    if not limits or not limits["excerpts"]:
        return None
    return {"n": limits["excerpts"], "r": [[index[r["citekey"]], r["excerpts"]] for r in limits["sources"]]}


def finding_record(finding: dict, assessed: dict, scope: str, names: dict[str, str], positions: dict[str, int],
                   claim: int | None, index: dict[str, int] | None = None) -> dict[str, Any]:
    """A review finding with its GRADE-CERQual table (each judgement beside the facts counted for it; the
    methodological limitations also beside the appraisals of its sources, ``ap``)."""
    facts = assessed["facts"]
    gap = finding["kind"] == "gap"
    record = {"id": finding["id"], "q": finding["question"], "kind": finding["kind"], "text": finding["statement"],
              "status": finding["status"], "draft": assessed["draft"],
              "e": list(map(positions.__getitem__, finding["evidence"])),
              "claim": claim, "conf": "" if gap else finding["overall"]["confidence"],
              "why": "A statement of what the documents lack: not rated." if gap else finding["overall"]["explanation"],
              "facts": f"{words.plural(facts['excerpts'], 'excerpt')} from "
                       f"{words.plural(len(facts['documents']), 'document')}; {words.years(facts)}."}
    record["table"] = [] if gap else [
        {"name": words.cerqual(c), "concern": words.cerqual(finding["components"][c]["concern"]),
         "why": finding["components"][c]["explanation"], "facts": component_facts(c, facts, scope, names)}
        for c in COMPONENTS]
    limits = limitation_rows(assessed.get("limitations"), index or {})
    if record["table"] and limits:
        record["table"][COMPONENTS.index("methodological_limitations")]["ap"] = limits
    return record


def findings_records(data: dict, analysis: dict, positions: dict[str, int], claim_at: dict[str, int],
                     index: dict[str, int] | None = None) -> tuple[list, list]:
    """The review findings, and each question's answer (with its claim), in the findings files' order."""
    assessed = {a["id"]: a for a in analysis["findings"]}
    questions = {q["id"]: q for q in data["protocol"]["questions"]}
    names = {k: e["citation"] for k, e in data.get("bibliography", {}).items()}
    found, answers = [], []
    for record in data.get("findings", []):
        question = questions[record["question"]]
        scope = question["scope"]["description"] if question.get("scope") else ""
        answers.append({"q": record["question"], "text": record["answer"],
                        "claim": claim_at.get(f"{record['question']}.answer")})
        found += [finding_record(f, assessed[f["id"]], scope, names, positions, claim_at.get(f["id"]), index)
                  for f in record["findings"]]
    return found, answers


def gap_maps(analysis: dict, codes: dict[str, int], questions: list[str], positions: dict[str, int]) -> dict[str, Any]:
    """Both grids: themes by country (the report's gap map; cells with evidence) and themes by question (every
    cell of the analysis, so a theme of a question without evidence shows as such)."""
    columns = analysis["gap_columns"]
    at = {c: i for i, c in enumerate(columns)}
    by_country = [{"c": codes[g["code"]], "k": at[g["country"]], "d": g["documents"], "s": g["studies"],
                   "dir": g["directness"], "e": list(map(positions.__getitem__, g["evidence"]))}
                  for g in analysis["gap_map"] if g["documents"]]
    by_question = [{"c": codes[c["code"]], "k": questions.index(c["question"]), "d": len(c["facts"]["documents"]),
                    "x": c["facts"]["excerpts"], "s": len(c["facts"]["studies"]), "rate": c["strength"]["rating"],
                    "e": list(map(positions.__getitem__, c["facts"]["evidence"]))}
                   for c in analysis["cells"] if c["code"] in codes and c["question"] in questions]
    return {"columns": [{"id": c, "name": words.country(c), "empty": c.startswith("group:")} for c in columns],
            "by_country": by_country, "by_question": by_question}


@contextmanager
def _without_cycle_collection():
    # The records are plain data without reference cycles; collecting while 20,000 of them are made beside a
    # loaded evidence set scans its millions of objects again and again for nothing (a third of the time).
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def explorer_data(data: dict[str, Any], analysis: dict[str, Any], claims: list[dict[str, Any]],
                  source_text: Callable[[str], str] = read_source_text) -> dict[str, Any]:
    """Everything the explorer shows, as plain JSON-ready data. ``claims`` are the report's
    (``Claims.checked()``); ``source_text`` reads a source file (each read once) for the context around its
    quotes."""
    with _without_cycle_collection():
        return {key: list(value) if key == "evidence" else value
                for key, value in explorer_fields(data, analysis, claims, source_text)}


def explorer_fields(data: dict[str, Any], analysis: dict[str, Any], claims: list[dict[str, Any]],
                    source_text: Callable[[str], str] = read_source_text,
                    pieces: SourcePieces | None = None) -> Iterator[tuple[str, Any]]:
    """:func:`explorer_data`'s keys and values in order, made as they are asked for: the value of ``evidence``
    is an iterator of its records, each source's text read for them and let go after its last excerpt (when
    ``source_text`` has a ``forget``), so that the records need not all be held at once; take every record
    before the next key (``headings`` is what they name). ``pieces``: each source's records kept between
    builds."""
    protocol = data["protocol"]
    sources = {s["citekey"]: s for s in data["sources"]}
    index = {s["citekey"]: i for i, s in enumerate(data["sources"])}
    codes = {c["id"]: i for i, c in enumerate(protocol["codes"])}
    questions = [q["id"] for q in protocol["questions"]]
    positions = {item["evidence_id"]: i for i, item in enumerate(data["evidence"])}
    headings: dict[str, int] = {}
    # What the records will name before they are made: their countries and evidence types.
    named, used_types = set(), set()
    for item in data["evidence"]:
        named.update(countries_of(item, sources))
        used_types.update(_listed(item.get("evidence_type")))
    yield from [
        ("format", FORMAT), ("title", protocol["title"]), ("subtitle", protocol.get("subtitle", "")),
        ("report", "state-of-play.html"),  # beside the explorer in output/report/: claim links open it at the claim
        ("questions", [{"id": q["id"], "short": q["short"], "text": q["text"]} for q in protocol["questions"]]),
        ("codes", [{"id": c["id"], "label": c["label"], "def": c.get("definition", ""), "q": list(c["questions"])}
                   for c in protocol["codes"]]),
        ("countries", {c: words.country(c) for c in sorted(named | set(analysis["gap_columns"]))}),
        ("roles", {r: words.role(r) for r in sorted({s["role"] for s in data["sources"]})}),
        ("types", {t: words.kind(t) for t in sorted(used_types)}),
        ("confidence", {c: words.cerqual(c) for c in ("high", "moderate", "low", "very_low")}),
        ("ratings", sorted({c["strength"]["rating"] for c in analysis["cells"]})),
        ("sources", [source_record(s) for s in data["sources"]]),
        # Each appraised source's appraisal by citekey; "tools" is empty in a review that appraises nothing.
        ("tools", {k: f"{t['name']} ({t['short']})" for k, t in (data.get("appraisal_tools") or {}).items()}),
        ("concerns", {c: words.cerqual(c) for c in CONCERNS}),
    ]
    coders = {c["id"]: c for c in protocol.get("coders") or []}
    yield "appraisals", {a["citekey"]: appraisal_record(a, coders) for a in data.get("appraisals") or []}
    yield "evidence", _excerpts(data["evidence"], sources, source_text, codes, index, headings, pieces)
    yield "headings", list(headings)
    claim_at = {c["id"]: i for i, c in enumerate(claims)}
    found, answered = findings_records(data, analysis, positions, claim_at, index)
    yield "claims", [{"id": c["id"], "kind": c["kind"], "text": c["text"], "q": c["question"], "code": c["code"],
                      "anchor": str(c["anchor"]), "e": list(map(positions.__getitem__, c["evidence"]))} for c in claims]
    yield "findings", found
    yield "answers", answered
    yield "gap_map", gap_maps(analysis, codes, questions, positions)


def _excerpts(evidence: list[dict], sources: dict[str, dict], source_text: Callable[[str], str],
              codes: dict[str, int], index: dict[str, int], headings: dict[str, int],
              pieces: SourcePieces | None = None) -> Iterator[dict[str, Any] | bytes]:
    # A source's records are made (or taken from ``pieces``) at its first excerpt, its text let go after them.
    # With ``pieces`` each record comes as its JSON (bytes), which the page writes as it is.
    groups = pieces.groups if pieces else excerpt_groups(evidence)
    forget = getattr(source_text, "forget", None)

    def make(items: list[dict]) -> list[dict]:
        source = sources[items[0]["citekey"]]
        path = source.get("text_path") or source["path"]
        text = source_text(path)
        records = [excerpt_piece(item, source, text, codes, sources) for item in items]
        if forget:
            forget(path)
        return records

    if pieces is not None and in_runs(evidence, groups):
        # Each source's excerpts one after another (as the merge sorts them): its records as one kept block
        # of JSON (report.pieces), which the page joins to the others with a comma like any record.
        for citekey, items in groups.items():
            yield kept_block(pieces, citekey, items, codes, index[citekey], headings,
                             lambda items: [piece_json(r) for r in make(items)])
        return
    last = {item["citekey"]: i for i, item in enumerate(evidence)}
    made: dict[str, Iterator] = {}
    first = {}
    for i, item in enumerate(evidence):
        first.setdefault(item["citekey"], i)
    for i, item in enumerate(evidence):
        citekey = item["citekey"]
        if pieces is not None and last[citekey] - first[citekey] + 1 == len(groups[citekey]):
            if i == first[citekey]:  # this source's excerpts together, though not every source's: as above
                yield kept_block(pieces, citekey, groups[citekey], codes, index[citekey], headings,
                                 lambda items: [piece_json(r) for r in make(items)])
            continue
        if citekey not in made:
            made[citekey] = iter(make(groups[citekey]))
        yield placed(next(made[citekey]), index[citekey], headings)
        if last[citekey] == i:
            del made[citekey]


__all__ = ["FORMAT", "appraisal_record", "excerpt_piece", "excerpt_record", "explorer_data",
           "explorer_fields", "finding_record", "gap_maps", "limitation_rows", "placed", "source_record"]
