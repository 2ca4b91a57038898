"""The CSV tables: one row per excerpt (all, and per question), then the analysis: theme cells with their
counts and ratings, the gap map, review findings with their facts, sources x questions, countries,
avenues and snowball candidates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..analysis.cells import analyse
from ..inputs.findings import COMPONENTS
from ..inputs.sheets import OPTIONAL
from ..common.textio import csv_text, inert_row, write_atomic
from .pieces import SourcePieces, kept_rows

LEADING = ("evidence_id", "citekey", "citation", "questions", "codes", "finding", "quote", "locator", "start", "end", "paragraph", "heading", "pages")
TRAILING = tuple(c for c in OPTIONAL if c not in ("questions", "locator")) + ("role", "source", "source_line", "sheet", "sheet_line")


def evidence_columns(evidence: list[dict]) -> list[str]:
    """Fixed columns, then extra sheet columns in order of first appearance."""
    extras: dict[str, None] = {}
    for item in evidence:
        extras.update(dict.fromkeys(item["extra"]))
    return list(LEADING + TRAILING) + [c for c in extras if c not in LEADING + TRAILING]


def evidence_rows(evidence: list[dict], sources: dict[str, dict], columns: list[str]) -> list[list[Any]]:
    """Flatten evidence items to table rows in ``columns`` order (lists joined with ``; ``)."""
    # Three columns come from elsewhere than the item: each row is made as if they did not, then they are set.
    special = [(at, column) for at, column in enumerate(columns) if column in ("pages", "source", "role")]
    rows = []
    for item in evidence:
        extra = item["extra"]
        row = [item[c] if c in item else extra.get(c, "") for c in columns]
        for at, column in special:
            if column == "pages":  # a PDF source's located page(s), e.g. "pp. 4-5"
                row[at] = item["pages"]["locator"] if "pages" in item else ""
            else:
                row[at] = sources[item["citekey"]]["path" if column == "source" else "role"]
        rows.append(["; ".join(v) if v.__class__ is list else v for v in row])
    return rows


def csv_lines(rows: list[list[Any]]) -> list[str]:
    """Each row's CSV text (``\\n``-ended), as :func:`~synthesis.common.textio.csv_text` writes it, cells as
    they are: evidence.csv and the per-question tables share their rows, written once."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    ends = [0]
    for row in rows:
        writer.writerow(row)
        ends.append(out.tell())
    text = out.getvalue()
    return [text[a:b] for a, b in zip(ends, ends[1:])]


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """CSV text with ``\\n`` line ends and every column in ``columns`` order."""
    return csv_text([columns, *([row.get(c, "") for c in columns] for row in rows)])


def _joined(values) -> str:
    return "; ".join(values)


def _cell_row(c: dict) -> dict[str, Any]:
    f, s = c["facts"], c["strength"]
    return {"question": c["question"], "code": c["code"], "label": c["label"], "excerpts": f["excerpts"],
            "documents": len(f["documents"]), "studies": len(f["studies"]), "second_hand_studies": len(f["second_hand_studies"]),
            "primary": f["primary"], "in_scope": f["in_scope"],
            "out_of_scope": f["out_of_scope"], "rating": s["rating"], "capped": "yes" if s["capped"] else "",
            "reasons": _joined(s["reasons"]), "not_higher": _joined(s["not_higher"]), "evidence_types": _joined(f["evidence_types"]),
            "study_designs": _joined(f["study_designs"]), "periods": _joined(f["periods"]), "evidence": _joined(f["evidence"])}


def _finding_rows(findings: list[dict], analysis: dict[str, Any]) -> list[dict[str, Any]]:
    assessed = {a["id"]: a for a in analysis["findings"]}
    rows = []
    for record in findings:
        for finding in record["findings"]:
            a = assessed[finding["id"]]
            f = a["facts"]
            rated = finding["overall"] is not None  # an evidence gap has no CERQual assessment
            rows.append({"question": record["question"], "id": finding["id"], "kind": a["kind"], "statement": finding["statement"], "status": finding["status"],
                         "draft": "yes" if a["draft"] else "", "confidence": finding["overall"]["confidence"] if rated else "",
                         **{c: v["concern"] if rated else "" for c, v in (finding["components"] or dict.fromkeys(COMPONENTS, {})).items()},
                         "documents": _joined(f["documents"]), "studies": _joined(f["studies"]),
                         "second_hand_studies": _joined(f["second_hand_studies"]), "excerpts": f["excerpts"],
                         "primary": f["primary"], "in_scope": f["in_scope"], "countries": _joined(f["countries"]),
                         "years": _joined(f["years"]), "periods": _joined(f["periods"]),
                         "warnings": _joined(c["code"] for c in a["checks"] if not c["addressed"]),
                         "addressed": _joined(c["code"] for c in a["checks"] if c["addressed"]), "evidence": _joined(finding["evidence"])})
    return rows


FINDING_COLUMNS = ["question", "id", "kind", "statement", "status", "draft", "confidence", "methodological_limitations", "coherence", "adequacy",
                   "relevance", "documents", "studies", "second_hand_studies", "excerpts", "primary", "in_scope", "countries", "years", "periods",
                   "warnings", "addressed", "evidence"]
CELL_COLUMNS = ["question", "code", "label", "excerpts", "documents", "studies", "second_hand_studies", "primary", "in_scope", "out_of_scope",
                "rating", "capped", "reasons", "not_higher", "evidence_types", "study_designs", "periods", "evidence"]
GAP_COLUMNS = ["id", "question", "kind", "text", "codes", "findings", "basis", "evidence"]
AVENUE_COLUMNS = ["id", "kind", "question", "code", "text", "basis", "gaps", "evidence"]


def synthesis_tables(protocol: dict, analysis: dict[str, Any], findings: list[dict]) -> dict[str, str]:
    """cells, gap-map, findings, sources-questions, countries, gaps, avenues and snowball tables as CSV
    text."""
    questions = [q["id"] for q in protocol["questions"]]
    gap = [{**g, "evidence": _joined(g["evidence"])} for g in analysis["gap_map"] if g["documents"]]
    matrix = [{"citekey": r["citekey"], "citation": r["citation"], "role": r["role"], **r["by_question"]} for r in analysis["source_matrix"]]
    countries = [{"country": r["country"], "home": "yes" if r["home"] else "", "excerpts": r["excerpts"], "sources": r["sources"],
                  **r["by_question"], "evidence": _joined(r["evidence"])} for r in analysis["countries"]]
    avenues = [{**a, "gaps": _joined(a["gaps"]), "evidence": _joined(a["evidence"])} for a in analysis["avenues"]]
    gaps = [{**g, "codes": _joined(g["codes"]), "findings": _joined(g["findings"]), "evidence": _joined(g["evidence"])} for g in analysis["gaps"]]
    snowball = [{**r, "cited_by_sources": len(r["cited_by"]), "cited_by": _joined(r["cited_by"]), "excerpts": _joined(r["excerpts"])} for r in analysis["snowball"]]
    return {
        "cells.csv": to_csv([_cell_row(c) for c in analysis["cells"]], CELL_COLUMNS),
        "gap-map.csv": to_csv(gap, ["code", "label", "country", "documents", "studies", "directness", "evidence"]),
        "findings.csv": to_csv(_finding_rows(findings, analysis), FINDING_COLUMNS),
        "sources-questions.csv": to_csv(matrix, ["citekey", "citation", "role", *questions]),
        "countries.csv": to_csv(countries, ["country", "home", "excerpts", "sources", *questions, "evidence"]),
        "gaps.csv": to_csv(gaps, GAP_COLUMNS),
        "avenues.csv": to_csv(avenues, AVENUE_COLUMNS),
        "snowball.csv": to_csv(snowball, ["key", "citation", "title", "year", "cited_by_sources", "cited_by", "excerpts"]),
    }


def write_tables(data: dict[str, Any], directory: str | Path, analysis: dict[str, Any] | None = None,
                 pieces: SourcePieces | None = None) -> list[Path]:
    """Write evidence.csv, one CSV per question and the synthesis tables; return the paths. With ``pieces``, a
    source's lines of evidence.csv are reused when it and its excerpts are unchanged (report.pieces)."""
    directory = Path(directory)
    evidence = data["evidence"]
    columns = evidence_columns(evidence)
    # Each row made inert and written as CSV once (not once per file it appears in).
    by_key = {s["citekey"]: s for s in data["sources"]}
    header = csv_lines([inert_row(columns)])[0]

    def lines(items: list[dict]) -> list[str]:
        return csv_lines([inert_row(row) for row in evidence_rows(items, by_key, columns)])

    # Encoded once too: the per-question tables repeat the rows (130 MB of text to encode at 5,000 sources,
    # not 55).
    rows = kept_rows(pieces, evidence, columns, lines) if pieces else [r.encode("utf-8") for r in lines(evidence)]
    head = header.encode("utf-8")
    outputs: dict[str, str | bytes] = {"evidence.csv": head + b"".join(rows)}
    # Each question's rows gathered in one pass over the rows (not one pass a question).
    by_question: dict[str, list[bytes]] = {q["id"]: [] for q in data["protocol"]["questions"]}
    for row, item in zip(rows, evidence):
        asked = item["questions"]
        for qid in asked if len(asked) < 2 else dict.fromkeys(asked):  # a row once in a table
            found = by_question.get(qid)
            if found is not None:
                found.append(row)
    for qid, question_rows in by_question.items():
        outputs[f"{qid}.csv"] = head + b"".join(question_rows)
    outputs.update(synthesis_tables(data["protocol"], analysis if analysis is not None else analyse(data), data.get("findings", [])))
    for name, text in outputs.items():
        write_atomic(directory / name, text)
    _remove_stale(directory, list(outputs))
    return [directory / name for name in outputs]


def _remove_stale(directory: Path, written: list[str]) -> None:
    """Delete the tables this step wrote last time but not now (e.g. a question since renamed).

    The list of what it wrote is kept in ``output/build/tables.json``: other steps write tables
    into the same folder, and theirs are never touched.
    """
    import json

    manifest = directory.parent / "build" / "tables.json"
    try:
        before = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = []
    for name in before if isinstance(before, list) else []:
        if isinstance(name, str) and name not in written and "/" not in name and name.endswith(".csv"):
            (directory / name).unlink(missing_ok=True)
    write_atomic(manifest, json.dumps(sorted(written)) + "\n")
