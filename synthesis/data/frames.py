"""The built review as pandas DataFrames, for analysis in a notebook or script.

:func:`open_review` reads the build's own data (``output/build/evidence.json``, and the analysis the report
and tables are made from), not the CSV exports, whose cells are made safe for spreadsheets. Every table is
a plain DataFrame with one row per thing and the columns documented in docs/analysis.md; list-valued
cells (codes, countries) are Python lists, and ``evidence_long`` is the tidy form to group by.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from ..analysis.cells import analyse
from ..analysis.counting import is_evidence
from ..inputs.findings import COMPONENTS

EVIDENCE_FILE = Path("output") / "build" / "evidence.json"
PROVENANCE_FILE = Path("output") / "provenance.json"
RECORDS_FILE = Path("output") / "build" / "records.json"  # only for a review with a records/ folder

EVIDENCE_COLUMNS = ["evidence_id", "citekey", "id", "citation", "year", "role", "counts", "quote", "exact", "finding", "codes",
                    "questions", "evidence_type", "countries", "cites", "study", "study_design", "coder", "locator", "notes",
                    "heading", "paragraph", "source_line", "start", "end", "sheet", "sheet_line"]
LONG_COLUMNS = ["evidence_id", "citekey", "question", "code", "role", "counts", "coder", "year"]
SOURCE_COLUMNS = ["citekey", "citation", "title", "year", "type", "role", "countries", "tags", "excerpts", "path", "sha256",
                  "sheet", "sheet_sha256", "url", "accessed"]
CODE_COLUMNS = ["code", "label", "definition", "questions"]
QUESTION_COLUMNS = ["question", "short", "text", "scope", "scope_countries", "answer", "excerpts", "documents", "studies",
                    "in_scope", "out_of_scope"]
CELL_COLUMNS = ["question", "code", "label", "excerpts", "documents", "studies", "primary", "in_scope", "out_of_scope",
                "rating", "capped", "evidence"]
GAP_COLUMNS = ["code", "label", "country", "documents", "studies", "directness", "evidence"]
FINDING_COLUMNS = (["finding", "kind", "question", "statement", "status", "authors", "evidence", "confidence", "confidence_explanation"]
                   + [f"{c}_{part}" for c in COMPONENTS for part in ("concern", "explanation")]
                   + ["excerpts", "documents", "studies", "weak_excerpts", "unappraised_excerpts", "draft", "warnings", "path", "line"])
APPRAISAL_COLUMNS = ["citekey", "tool", "tool_name", "appraiser", "draft", "overall_concern", "overall_explanation", "item", "label",
                     "part", "answer", "concern", "note", "path", "line"]
RECORD_COLUMNS = ["record", "search", "search_name", "search_kind", "title", "authors", "year", "doi", "journal", "abstract",
                  "keywords", "format", "partial", "duplicate_of", "screened_on", "title_abstract", "title_abstract_reason",
                  "full_text", "full_text_reason", "source", "path", "line"]
DUPLICATE_COLUMNS = ["record", "kept", "reason", "search", "kept_search"]
SCREENING_COLUMNS = ["record", "search", "stage", "decision", "reason", "screener", "date", "source", "notes", "path", "line"]


class Review:
    """One built review. ``evidence`` has a row per excerpt; ``evidence_long`` a row per excerpt, question
    and code it was coded for; ``cells`` a row per question x code theme; ``gap_map`` a row per theme
    and country column; ``findings`` a row per review finding (empty when the review has none);
    ``appraisals`` a row per item of each source's appraisal (empty when the review has none).

    Each DataFrame is made when first used; those from the analysis (``questions``, ``cells``,
    ``gap_map``, ``findings``) share one run of it, the same the tables and report are made from.

    With a ``records/`` folder, ``records`` has a row per record found by a search (duplicates included,
    with the record each duplicates), ``duplicates`` a row per duplicate removed and ``screening`` a row
    per screening decision; without one they are empty, with these columns."""

    def __init__(self, data: dict, path: Path = Path(".")):
        self.path = Path(path)
        self.data = data
        self.title = data["protocol"]["title"]

    @cached_property
    def analysis(self) -> dict:
        return analyse(self.data)

    @cached_property
    def evidence(self):
        return _frame(evidence_rows(self.data), EVIDENCE_COLUMNS)

    @cached_property
    def evidence_long(self):
        rows = [e | {"pairs": item["pairs"]} for e, item in zip(evidence_rows(self.data), self.data["evidence"])]
        return _frame(long_rows(rows), LONG_COLUMNS)

    @cached_property
    def sources(self):
        return _frame([{k: s.get(k, "") for k in SOURCE_COLUMNS} for s in self.data["sources"]], SOURCE_COLUMNS)

    @cached_property
    def codes(self):
        return _frame([{"code": c["id"], "label": c["label"], "definition": c.get("definition", ""), "questions": list(c["questions"])}
                       for c in self.data["protocol"]["codes"]], CODE_COLUMNS)

    @cached_property
    def questions(self):
        return _frame(question_rows(self.data, self.analysis), QUESTION_COLUMNS)

    @cached_property
    def cells(self):
        return _frame(cell_rows(self.analysis), CELL_COLUMNS)

    @cached_property
    def gap_map(self):
        return _frame([dict(g) for g in self.analysis["gap_map"]], GAP_COLUMNS)

    @cached_property
    def findings(self):
        return _frame(finding_rows(self.data, self.analysis), FINDING_COLUMNS)

    @cached_property
    def appraisals(self):
        return _frame(appraisal_rows(self.data), APPRAISAL_COLUMNS)

    @cached_property
    def _records(self) -> dict:
        import orjson

        file = self.path / RECORDS_FILE
        return orjson.loads(file.read_bytes()) if file.is_file() else {"searches": [], "records": [], "duplicates": [], "screening": []}

    @cached_property
    def records(self):
        return _frame(record_rows(self._records), RECORD_COLUMNS)

    @cached_property
    def duplicates(self):
        search = {r["id"]: r["search"] for r in self._records["records"]}
        return _frame([{"record": d["record"], "kept": d["kept"], "reason": d["reason"], "search": search.get(d["record"], ""),
                        "kept_search": search.get(d["kept"], "")} for d in self._records["duplicates"]], DUPLICATE_COLUMNS)

    @cached_property
    def screening(self):
        search = {r["id"]: r["search"] for r in self._records["records"]}
        return _frame([{k: (row.get(k, "") if k != "search" else search.get(row["record"], "")) for k in SCREENING_COLUMNS}
                       for row in self._records.get("screening", [])], SCREENING_COLUMNS)

    def provenance(self) -> dict:
        """``output/provenance.json`` (every claim, excerpt and selector), read when asked for: it is large."""
        import orjson

        return orjson.loads((self.path / PROVENANCE_FILE).read_bytes())

    def __repr__(self) -> str:
        findings = sum(len(r["findings"]) for r in self.data.get("findings", []))
        return (f"Review({self.title!r}: {len(self.data['sources'])} sources, {len(self.data['evidence'])} excerpts, "
                f"{len(self.data['protocol']['codes'])} codes, {len(self.data['protocol']['questions'])} questions, {findings} findings)")


def _frame(rows: list[dict], columns: list[str]):
    import pandas as pd

    extra = [k for row in rows for k in row if k not in columns]
    return pd.DataFrame(rows, columns=columns + list(dict.fromkeys(extra)))


def evidence_rows(data: dict) -> list[dict]:
    """One row per excerpt; a sheet's own extra columns (e.g. ``stance``) come after the standard ones."""
    sources = {s["citekey"]: s for s in data["sources"]}
    rows = []
    for item in data["evidence"]:
        source = sources[item["citekey"]]
        row = {k: item.get(k, "") for k in EVIDENCE_COLUMNS if k not in ("year", "role", "counts")}
        row.update(year=source["year"], role=source["role"], counts=is_evidence(item, sources))
        row.update({k: v for k, v in item.get("extra", {}).items() if k not in row})
        rows.append(row)
    return rows


def long_rows(evidence: list[dict]) -> list[dict]:
    """The tidy form: one row per excerpt x (question, code) pair it was coded for."""
    return [{"evidence_id": e["evidence_id"], "citekey": e["citekey"], "question": q, "code": c, "role": e["role"],
             "counts": e["counts"], "coder": e["coder"], "year": e["year"]}
            for e in evidence for q, c in e["pairs"]]


def record_rows(summary: dict) -> list[dict]:
    """One row per record of ``records.json``, with its search's name and kind (database, register, ...)."""
    searches = {s["id"]: s for s in summary["searches"]}
    rows = []
    for r in summary["records"]:
        search = searches.get(r["search"], {})
        row = {k: r.get(k, "") for k in RECORD_COLUMNS if k not in ("record", "search_name", "search_kind")}
        rows.append(row | {"record": r["id"], "search_name": search.get("name") or r["search"], "search_kind": search.get("source", "")})
    return rows


def finding_rows(data: dict, analysis: dict) -> list[dict]:
    assessed = {a["id"]: a for a in analysis["findings"]}
    rows = []
    for record in data.get("findings", []):
        for f in record["findings"]:
            a = assessed[f["id"]]
            rated = f.get("overall") is not None  # an evidence gap (kind: gap) has no CERQual assessment
            row = {"finding": f["id"], "kind": f.get("kind", "finding"), "question": record["question"], "statement": f["statement"],
                   "status": f["status"], "authors": f["authors"], "evidence": f["evidence"],
                   "confidence": f["overall"]["confidence"] if rated else None,
                   "confidence_explanation": f["overall"]["explanation"] if rated else None}
            for c in COMPONENTS:
                row[f"{c}_concern"] = f["components"][c]["concern"] if rated else None
                row[f"{c}_explanation"] = f["components"][c]["explanation"] if rated else None
            row.update(excerpts=a["facts"]["excerpts"], documents=len(a["facts"]["documents"]), studies=len(a["facts"]["studies"]),
                       weak_excerpts=a["limitations"]["weak_excerpts"], unappraised_excerpts=a["limitations"]["unappraised_excerpts"],
                       draft=a["draft"], warnings=[c["code"] for c in a["checks"] if not c["addressed"]],
                       path=record["path"], line=f["line"])
            rows.append(row)
    return rows


def appraisal_rows(data: dict) -> list[dict]:
    """One row per item of each source's appraisal, with the appraisal's tool, appraiser and overall concern."""
    drafts = {c["id"] for c in data["protocol"].get("coders") or [] if c.get("draft")}
    return [{"citekey": a["citekey"], "tool": a["tool"], "tool_name": a["tool_name"], "appraiser": a["appraiser"],
             "draft": a["appraiser"] in drafts, "overall_concern": a["overall"]["concern"], "overall_explanation": a["overall"]["explanation"],
             "item": i["id"], "label": i["label"], "part": i["part"], "answer": i["answer"], "concern": i["concern"], "note": i["note"],
             "path": a["path"], "line": i["line"]}
            for a in data.get("appraisals", []) for i in a["items"]]


def question_rows(data: dict, analysis: dict) -> list[dict]:
    answers = {r["question"]: r["answer"] for r in data.get("findings", [])}
    rows = []
    for q in data["protocol"]["questions"]:
        counted, scope = analysis["questions"][q["id"]], q.get("scope") or {}
        rows.append({"question": q["id"], "short": q.get("short", ""), "text": q["text"], "scope": scope.get("description", ""),
                     "scope_countries": list(scope.get("countries", [])), "answer": answers.get(q["id"], ""), "excerpts": counted["excerpts"],
                     "documents": len(counted["documents"]), "studies": len(counted["studies"]), "in_scope": counted["in_scope"],
                     "out_of_scope": counted["out_of_scope"]})
    return rows


def cell_rows(analysis: dict) -> list[dict]:
    return [{"question": c["question"], "code": c["code"], "label": c["label"], "excerpts": c["facts"]["excerpts"],
             "documents": len(c["facts"]["documents"]), "studies": len(c["facts"]["studies"]), "primary": c["facts"]["primary"],
             "in_scope": c["facts"]["in_scope"], "out_of_scope": c["facts"]["out_of_scope"], "rating": c["strength"]["rating"],
             "capped": c["strength"]["capped"], "evidence": c["facts"]["evidence"]} for c in analysis["cells"]]


def frames(data: dict, path: Path = Path(".")) -> Review:
    """The DataFrames of an evidence set (``evidence.json`` as loaded)."""
    return Review(data, path)


def open_review(path: str | Path = ".") -> Review:
    """The built review in folder ``path`` (run ``snakemake`` there first), or a build's ``evidence.json``."""
    import orjson

    path = Path(path)
    evidence_file = path if path.is_file() else path / EVIDENCE_FILE
    if not evidence_file.is_file():
        raise FileNotFoundError(f"{evidence_file}: no built review here; build it first with `snakemake --cores 2` in {path}")
    root = path if not path.is_file() else evidence_file.parent.parent.parent
    return frames(orjson.loads(evidence_file.read_bytes()), root)


__all__ = ["APPRAISAL_COLUMNS", "DUPLICATE_COLUMNS", "RECORD_COLUMNS", "SCREENING_COLUMNS", "Review", "frames", "open_review"]
