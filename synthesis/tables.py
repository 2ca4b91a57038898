"""Evidence tables: one row per excerpt, per question, and question x code coverage."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from .protocol import theme_pairs
from .sheets import OPTIONAL
from .textio import write_atomic

LEADING = ("evidence_id", "citekey", "citation", "questions", "codes", "finding", "quote", "locator", "start", "end", "paragraph", "heading")
TRAILING = tuple(c for c in OPTIONAL if c not in ("questions", "locator")) + ("source", "source_line", "sheet", "sheet_line")


def evidence_columns(evidence: list[dict]) -> list[str]:
    """Fixed columns, then extra sheet columns in order of first appearance."""
    extras: dict[str, None] = {}
    for item in evidence:
        extras.update(dict.fromkeys(item["extra"]))
    return list(LEADING + TRAILING) + [c for c in extras if c not in LEADING + TRAILING]


def evidence_rows(evidence: list[dict], sources: dict[str, str]) -> list[dict[str, Any]]:
    """Flatten evidence items to table rows (lists joined with ``; ``)."""
    rows = []
    for item in evidence:
        row = {**item["extra"], **{k: v for k, v in item.items() if k != "extra"}, "source": sources[item["citekey"]]}
        rows.append({k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return rows


def coverage_rows(protocol: dict, evidence: list[dict]) -> list[dict[str, Any]]:
    """Question x code cells: every code mapped to a question (gaps included), plus
    any pairing coders made explicitly (see :func:`protocol.theme_pairs`)."""
    pairs = {(q["id"], c["id"]): set() for q in protocol["questions"] for c in protocol["codes"] if q["id"] in c["questions"]}
    excerpts: dict[tuple[str, str], int] = {}
    for item in evidence:
        for pair in theme_pairs(item, protocol):
            pairs.setdefault(pair, set()).add(item["citekey"])
            excerpts[pair] = excerpts.get(pair, 0) + 1
    q_order = {q["id"]: i for i, q in enumerate(protocol["questions"])}
    c_order = {c["id"]: i for i, c in enumerate(protocol["codes"])}
    labels = {c["id"]: c["label"] for c in protocol["codes"]}
    rows = []
    for q, c in sorted(pairs, key=lambda p: (q_order[p[0]], c_order[p[1]])):
        rows.append({"question": q, "code": c, "label": labels[c], "excerpts": excerpts.get((q, c), 0), "sources": len(pairs[q, c])})
    return rows


def to_csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """CSV text with ``\\n`` line ends and every column in ``columns`` order."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_tables(data: dict[str, Any], directory: str | Path) -> list[Path]:
    """Write evidence.csv, one CSV per question and coverage.csv; return the paths."""
    directory = Path(directory)
    evidence = data["evidence"]
    columns = evidence_columns(evidence)
    rows = evidence_rows(evidence, {s["citekey"]: s["path"] for s in data["sources"]})
    outputs = {"evidence.csv": to_csv(rows, columns)}
    for question in data["protocol"]["questions"]:
        qid = question["id"]
        outputs[f"{qid}.csv"] = to_csv([r for r, e in zip(rows, evidence) if qid in e["questions"]], columns)
    outputs["coverage.csv"] = to_csv(coverage_rows(data["protocol"], evidence), ["question", "code", "label", "excerpts", "sources"])
    for name, text in outputs.items():
        write_atomic(directory / name, text)
    return [directory / name for name in outputs]
