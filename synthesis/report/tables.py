"""Evidence tables: one row per excerpt, per question, and question x code coverage."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..analysis.cells import analyse
from ..inputs.sheets import OPTIONAL
from ..common.textio import write_atomic

LEADING = ("evidence_id", "citekey", "citation", "questions", "codes", "finding", "quote", "locator", "start", "end", "paragraph", "heading", "pages")
TRAILING = tuple(c for c in OPTIONAL if c not in ("questions", "locator")) + ("source", "source_line", "sheet", "sheet_line")


def evidence_columns(evidence: list[dict]) -> list[str]:
    """Fixed columns, then extra sheet columns in order of first appearance."""
    extras: dict[str, None] = {}
    for item in evidence:
        extras.update(dict.fromkeys(item["extra"]))
    return list(LEADING + TRAILING) + [c for c in extras if c not in LEADING + TRAILING]


def evidence_rows(evidence: list[dict], sources: dict[str, str], columns: list[str]) -> list[list[Any]]:
    """Flatten evidence items to table rows in ``columns`` order (lists joined with ``; ``)."""
    rows = []
    for item in evidence:
        extra = item["extra"]
        row = []
        for column in columns:
            if column == "pages":  # a PDF source's located page(s), e.g. "pp. 4-5"
                value = item["pages"]["locator"] if "pages" in item else ""
            else:
                value = sources[item["citekey"]] if column == "source" else item[column] if column in item else extra.get(column, "")
            row.append("; ".join(value) if isinstance(value, list) else value)
        rows.append(row)
    return rows


def _csv_lists(rows: list[list[Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """CSV text with ``\\n`` line ends and every column in ``columns`` order."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _joined(values) -> str:
    return "; ".join(values)


def synthesis_tables(protocol: dict, analysis: dict[str, Any]) -> dict[str, str]:
    """coverage, gap-map, sources-questions, countries, avenues and snowball tables as CSV text."""
    questions = [q["id"] for q in protocol["questions"]]
    grid = analysis["cells"]
    gap_map = [{**c, "rating": c["strength"]["rating"], "reasons": _joined(c["strength"]["reasons"]),
                "not_higher": _joined(c["strength"]["not_higher"]), "evidence_types": _joined(c["strength"]["types"]),
                "evidence": _joined(c["evidence"])} for c in grid]
    matrix = [{"citekey": r["citekey"], "citation": r["citation"], **r["by_question"]} for r in analysis["source_matrix"]]
    countries = [{"country": r["country"], "home": "yes" if r["home"] else "", "excerpts": r["excerpts"], "sources": r["sources"],
                  **r["by_question"], "evidence": _joined(r["evidence"])} for r in analysis["countries"]]
    avenues = [{**a, "evidence": _joined(a["evidence"])} for a in analysis["avenues"]]
    snowball = [{**r, "cited_by_sources": len(r["cited_by"]), "cited_by": _joined(r["cited_by"]), "excerpts": _joined(r["excerpts"])} for r in analysis["snowball"]]
    return {
        "coverage.csv": to_csv(grid, ["question", "code", "label", "excerpts", "sources"]),
        "gap-map.csv": to_csv(gap_map, ["question", "code", "label", "excerpts", "sources", "rating", "reasons", "not_higher", "evidence_types", "evidence"]),
        "sources-questions.csv": to_csv(matrix, ["citekey", "citation", *questions]),
        "countries.csv": to_csv(countries, ["country", "home", "excerpts", "sources", *questions, "evidence"]),
        "avenues.csv": to_csv(avenues, ["id", "kind", "question", "code", "text", "basis", "evidence"]),
        "snowball.csv": to_csv(snowball, ["key", "citation", "title", "year", "cited_by_sources", "cited_by", "excerpts"]),
    }


def write_tables(data: dict[str, Any], directory: str | Path) -> list[Path]:
    """Write evidence.csv, one CSV per question and the synthesis tables; return the paths."""
    directory = Path(directory)
    evidence = data["evidence"]
    columns = evidence_columns(evidence)
    rows = evidence_rows(evidence, {s["citekey"]: s["path"] for s in data["sources"]}, columns)
    outputs = {"evidence.csv": _csv_lists(rows, columns)}
    for question in data["protocol"]["questions"]:
        qid = question["id"]
        outputs[f"{qid}.csv"] = _csv_lists([r for r, e in zip(rows, evidence) if qid in e["questions"]], columns)
    outputs.update(synthesis_tables(data["protocol"], analyse(data)))
    for name, text in outputs.items():
        write_atomic(directory / name, text)
    return [directory / name for name in outputs]
