"""From records to included sources: de-duplication, consistency checks and the PRISMA 2020 flow numbers.

Every number of the flow diagram is counted here from the records and screening rows, so the diagram, the
method section and the PRISMA2020 CSV say the same thing. Records are taken in search order, then file
order; on de-duplication the first of a group is kept.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..common.dates import date_problem
from ..common.problems import Problem, suggest
from ..inputs.records import DATABASE_SOURCES, DECISIONS, STAGES
from .dedup import DUPLICATE_THRESHOLD, deduplicate, first_author, normal_doi, normal_text

FORWARD = ("include", "maybe")  # a title/abstract decision that sends a record on to full text


def screening_settings(protocol: dict) -> dict[str, Any]:
    """review.yaml's ``screening`` key, with defaults."""
    settings = protocol.get("screening") or {}
    return {"reasons": list(settings.get("reasons", [])), "threshold": float(settings.get("duplicate_threshold", DUPLICATE_THRESHOLD)),
            "added_otherwise": list(settings.get("added_otherwise", []))}


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def check(data: dict, duplicates: list[dict], protocol: dict, sources: list[dict], protocol_path: str = "review.yaml",
          protocol_text: str = "") -> list[Problem]:
    """Every inconsistency between searches, records, screening rows and the sources, as ``path:line: message``.

    ``sources``: the review's sources (``citekey``, ``path``, ``role``); a ``protocol`` source is never a record.
    """
    problems = []
    settings = screening_settings(protocol)
    records = {r["id"]: r for r in data["records"]}
    removed = {d["record"]: d for d in duplicates}
    counts = Counter(r["search"] for r in data["records"])
    for search in data["searches"]:
        held = counts.get(search["id"], 0)
        where = data["files"].get(search["id"])
        if search["results"] >= 0 and search["results"] != held:
            problems.append(Problem(search["path"], search["line"], f"search '{search['id']}' reports {search['results']} results but "
                                    + (f"{where} holds {held} records" if where else f"no records file records/{search['id']}.ris|.bib|.csv holds them")))
    seen: dict[tuple[str, str], dict] = {}
    decided: dict[tuple[str, str], dict] = {}
    by_source: dict[str, dict] = {}
    citekeys = {s["citekey"]: s for s in sources}
    for row in data["screening"]:
        at = (row["path"], row["line"])
        if row["record"] not in records:
            problems.append(Problem(*at, f"unknown record '{row['record']}': {suggest(row['record'], list(records))}"))
            continue
        if row["stage"] not in STAGES:
            problems.append(Problem(*at, f"unknown stage '{row['stage']}': {suggest(row['stage'], STAGES)}"))
            continue
        key = (row["record"], row["stage"])
        if key in seen:
            problems.append(Problem(*at, f"record '{row['record']}' already has a {row['stage']} decision on line {seen[key]['line']}: one row per record and stage"))
            continue
        seen[key] = row
        if row["record"] in removed:
            kept = removed[row["record"]]["kept"]
            problems.append(Problem(*at, f"record '{row['record']}' was removed as a duplicate of '{kept}'; screen '{kept}' instead"))
        allowed = DECISIONS[row["stage"]]
        if row["decision"] not in allowed:
            problems.append(Problem(*at, f"unknown decision '{row['decision']}' at {row['stage']}: {suggest(row['decision'], allowed)}"))
            continue
        if row["decision"] == "exclude" and not row["reason"]:
            problems.append(Problem(*at, f"an exclusion needs a reason: {suggest('', settings['reasons'])}"))
        elif row["reason"] and row["decision"] in ("exclude", "not_retrieved") and row["reason"] not in settings["reasons"]:
            problems.append(Problem(*at, f"unknown reason '{row['reason']}' (review.yaml screening.reasons): {suggest(row['reason'], settings['reasons'])}"))
        if not row["screener"]:
            problems.append(Problem(*at, "missing screener: who made this decision"))
        if row["date"] and date_problem(row["date"]):
            problems.append(Problem(*at, f"date {date_problem(row['date'])}"))
        if row["source"] and not (row["stage"] == "full_text" and row["decision"] == "include"):
            problems.append(Problem(*at, "only a full_text include names a source"))
        decided[key] = row
    for (record, stage), row in decided.items():
        at = (row["path"], row["line"])
        if stage == "full_text":
            first = decided.get((record, "title_abstract"))
            if first is None or first["decision"] not in FORWARD:
                got = f"'{first['decision']}'" if first else "no decision"
                problems.append(Problem(*at, f"record '{record}' has a full_text decision but {got} at title_abstract (include or maybe sends a record to full text)"))
            if row["decision"] == "include":
                if not row["source"]:
                    problems.append(Problem(*at, f"an included record names its source (the citekey of its file in sources/): {suggest('', list(citekeys))}"))
                elif row["source"] not in citekeys:
                    problems.append(Problem(*at, f"source '{row['source']}' is not in sources/: {suggest(row['source'], list(citekeys))}"))
                elif row["source"] in by_source:
                    problems.append(Problem(*at, f"source '{row['source']}' is already the included record '{by_source[row['source']]['record']}' (line {by_source[row['source']]['line']})"))
                else:
                    by_source[row["source"]] = row
                    if citekeys[row["source"]].get("role") == "protocol":
                        problems.append(Problem(*at, f"source '{row['source']}' is the review's protocol document, not a record"))
    added = set(settings["added_otherwise"])
    for key in sorted(added - set(citekeys)):
        problems.append(Problem(protocol_path, _line_of(protocol_text, key), f"screening.added_otherwise names '{key}', which is not in sources/: {suggest(key, list(citekeys))}"))
    for key in sorted(added & set(by_source)):
        problems.append(Problem(protocol_path, _line_of(protocol_text, key), f"'{key}' is both an included record and in screening.added_otherwise: keep one"))
    for key, source in sorted(citekeys.items()):
        if key not in by_source and key not in added and source.get("role") != "protocol":
            problems.append(Problem(source["path"], 1, f"source '{key}' is not an included record: give its record a full_text include with source {key} in records/screening.csv, or list it in review.yaml screening.added_otherwise"))
    return problems


def _arm(search: dict) -> str:
    return "databases" if search["source"] in DATABASE_SOURCES else "other"


def flow(data: dict, duplicates: list[dict], protocol: dict) -> dict[str, Any]:
    """The PRISMA 2020 flow, per arm (``databases`` and registers; ``other`` methods), from the records."""
    searches = {s["id"]: s for s in data["searches"]}
    removed = {d["record"] for d in duplicates}
    decision = {(r["record"], r["stage"]): r for r in data["screening"]}
    arms = {}
    for arm in ("databases", "other"):
        mine = [r for r in data["records"] if _arm(searches[r["search"]]) == arm]
        unique = [r for r in mine if r["id"] not in removed]
        ta = {r["id"]: decision.get((r["id"], "title_abstract")) for r in unique}
        found = [r for r in unique if searches[r["search"]]["source"] != "provided"]
        screened = [k for k, row in ta.items() if row]
        sought = [k for k in screened if ta[k]["decision"] in FORWARD]
        ft = {k: decision.get((k, "full_text")) for k in sought}
        arms[arm] = {
            "identified": dict(sorted(Counter(searches[r["search"]]["source"] for r in mine).items())),
            "by_name": _by_kind_name(mine, searches),
            "records": len(mine),
            "partial": sum(1 for r in mine if r.get("partial")),  # read only in part: a warning names each
            "duplicates": len(mine) - len(unique),
            "screened": len(screened),
            "awaiting_screening": len(unique) - len(screened),
            # A document the team provided is in hand: only found records are screened on what is known of them.
            "screened_title_only": sum(1 for r in found if ta[r["id"]] and not r["abstract"]),
            "screened_no_title": sum(1 for r in found if ta[r["id"]] and not r["abstract"] and not r["title"]),
            "excluded": sum(1 for k in screened if ta[k]["decision"] == "exclude"),
            "excluded_reasons": _reasons(ta[k] for k in screened if ta[k]["decision"] == "exclude"),
            "sought": len(sought),
            "not_retrieved": sum(1 for k in sought if ft[k] and ft[k]["decision"] == "not_retrieved"),
            "not_retrieved_reasons": _reasons(ft[k] for k in sought if ft[k] and ft[k]["decision"] == "not_retrieved"),
            "awaiting_retrieval": sum(1 for k in sought if not ft[k]),
            "assessed": sum(1 for k in sought if ft[k] and ft[k]["decision"] != "not_retrieved"),
            "assessed_excluded": sum(1 for k in sought if ft[k] and ft[k]["decision"] == "exclude"),
            "assessed_reasons": _reasons(ft[k] for k in sought if ft[k] and ft[k]["decision"] == "exclude"),
            "awaiting_classification": sum(1 for k in sought if ft[k] and ft[k]["decision"] == "maybe"),
            "included": sum(1 for k in sought if ft[k] and ft[k]["decision"] == "include"),
        }
    included = sorted({r["source"] for r in data["screening"] if r["stage"] == "full_text" and r["decision"] == "include" and r["record"] not in removed})
    added = screening_settings(protocol)["added_otherwise"]
    return {"arms": arms, "included_reports": arms["databases"]["included"] + arms["other"]["included"],
            "included_sources": included, "added_otherwise": sorted(added), "total_sources": len(set(included) | set(added)),
            "uses_databases": arms["databases"]["records"] > 0, "uses_other": arms["other"]["records"] > 0}


def _by_kind_name(records: list[dict], searches: dict) -> dict[str, dict[str, int]]:
    """Records per source kind and search name (``{"database": {"Scopus": 4}}``), for PRISMA2020's
    database- and register-specific counts."""
    counts = Counter((searches[r["search"]]["source"], searches[r["search"]]["name"] or searches[r["search"]]["id"]) for r in records)
    out: dict[str, dict[str, int]] = {}
    for (kind, name), n in sorted(counts.items()):
        out.setdefault(kind, {})[name] = n
    return out


def _reasons(rows) -> list[list]:
    counts = Counter(row["reason"] or "no reason given" for row in rows)
    return [[reason, n] for reason, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


__all__ = ["DUPLICATE_THRESHOLD", "build_records", "check", "deduplicate", "first_author", "flow", "normal_doi", "normal_text", "screening_settings"]


def _basis(record: dict, search: dict) -> str:
    if search["source"] == "provided":
        return "provided by the team (full text in hand)"
    if record["abstract"]:
        return "title and abstract"
    return "title only (no abstract known)" if record["title"] else "authors and year only (no title known)"


def build_records(data: dict, protocol: dict, sources: list[dict], protocol_path: str = "review.yaml", protocol_text: str = "") -> dict[str, Any]:
    """De-duplicate, check and count; raise :class:`InputError` with every inconsistency.

    Returns what the build writes to ``output/build/records.json``: searches, records with their
    de-duplication and decisions, duplicates and the flow.
    """
    from ..common.problems import InputError

    settings = screening_settings(protocol)
    duplicates = deduplicate(data["records"], settings["threshold"])
    problems = check(data, duplicates, protocol, sources, protocol_path, protocol_text)
    if problems:
        raise InputError(problems, data.get("warnings", []))  # what reading found is shown beside
    kept_as = {d["record"]: d for d in duplicates}
    searches = {s["id"]: s for s in data["searches"]}
    decision = {(r["record"], r["stage"]): r for r in data["screening"]}
    rows = []
    for record in data["records"]:
        ta, ft = decision.get((record["id"], "title_abstract"), {}), decision.get((record["id"], "full_text"), {})
        rows.append({key: record.get(key, "") for key in RECORD_FIELDS}
                    | {"duplicate_of": kept_as.get(record["id"], {}).get("kept", ""), "screened_on": _basis(record, searches[record["search"]]),
                       "title_abstract": ta.get("decision", ""), "title_abstract_reason": ta.get("reason", ""),
                       "full_text": ft.get("decision", ""), "full_text_reason": ft.get("reason", ""), "source": ft.get("source", "")})
    protocol_sources = sorted(s["citekey"] for s in sources if s.get("role") == "protocol")
    formats = {}
    for record in data["records"]:
        formats.setdefault(record["search"], record.get("format", ""))
    return {"searches": [s | {"format": formats.get(s["id"], "")} for s in data["searches"]], "records": rows,
            "duplicates": duplicates, "screening": data["screening"], "warnings": [w.as_dict() for w in data.get("warnings", [])],
            "flow": flow(data, duplicates, protocol) | {"protocol_sources": protocol_sources}}


# What records.json keeps of each record (then its de-duplication and decisions).
RECORD_FIELDS = ("id", "search", "title", "authors", "year", "doi", "journal", "abstract", "keywords", "format", "path", "line",
                 "end", "partial")
