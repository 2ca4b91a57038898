"""Appraisals: one file per source, ``appraisal/<citekey>.yaml``, saying how the source was appraised.

An appraisal names its tool (one of review.yaml's ``appraisal.tools``, each shipped in
``schema/appraisal-tools.json`` with its items and its source cited), answers each of the tool's items with a
note, names its appraiser (a declared coder) and gives an overall concern about the source's methodological
limitations, on GRADE-CERQual's scale. A file ``review add-source`` scaffolded and nobody filled in is an
unappraised source, not an error. The protocol document is never appraised. Format: docs/formats.md,
"Appraisals".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..common.problems import InputError, Problem, suggest, warning
from . import yamlio
from .door import read_input
from .findings import CONCERNS
from .schemacheck import schema_problems, shipped_schema

WEAK = ("moderate", "serious")  # an overall concern at which a source counts as weak evidence
GUIDE = 'docs/formats.md, "Appraisals"'
OPTIONAL = ("tool_reason", "parts")


def shipped_tools() -> dict[str, dict]:
    """The appraisal tools shipped with the package, by id."""
    return shipped_schema("appraisal-tools.json")["tools"]


def declared_tools(protocol: dict | None) -> list[str]:
    """The tools review.yaml's ``appraisal.tools`` lets the review use; [] when it appraises nothing."""
    section = (protocol or {}).get("appraisal")
    tools = section.get("tools") if isinstance(section, dict) else None
    return [t for t in tools if isinstance(t, str)] if isinstance(tools, list) else []


def tool_items(tool: dict, parts: list[str]) -> list[dict]:
    """The items an appraisal with ``parts`` answers: every item of a tool without parts, else those of its
    required parts and of the parts chosen."""
    if not tool.get("parts"):
        return list(tool["items"])
    wanted = {p["id"] for p in tool["parts"] if p.get("required")} | set(parts)
    return [i for i in tool["items"] if i.get("part") in wanted]


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def is_unfilled(data: Any) -> bool:
    """A scaffold nobody has filled in: every value empty (``review add-source`` writes one)."""
    if not isinstance(data, dict) or not data:
        return data is None
    overall = data.get("overall")
    parts = [v for k, v in data.items() if k != "overall"] + (list(overall.values()) if isinstance(overall, dict) else [overall])
    return all(_blank(v) for v in parts)


def parse_appraisal(text: str, path: str, protocol: dict, coders: list[str] | None) -> dict[str, Any]:
    """One appraisal file, checked on its own; raise :class:`InputError` with every problem."""
    data, node = yamlio.load(text, path)
    citekey = Path(path).stem
    if is_unfilled(data):
        return {"citekey": citekey, "path": path, "filled": False}
    if isinstance(data, dict):  # an optional key the scaffold leaves empty is as good as absent
        data = {k: v for k, v in data.items() if not (k in OPTIONAL and v is None)}
    problems = schema_problems(shipped_schema("appraisal.schema.json"), data, node, path)
    # Past the schema, read defensively: the tool's own checks run too, so one pass shows every problem.
    if not isinstance(data, dict) or not isinstance(data.get("tool"), str):
        raise InputError(problems or [Problem(path, 1, "expected a mapping (tool, appraiser, items, overall)")])
    line = lambda *keys: yamlio.line_of(node, list(keys))  # noqa: E731
    if coders is not None and isinstance(data.get("appraiser"), str) and data["appraiser"] not in coders:
        problems.append(Problem(path, line("appraiser"), f"appraiser: unknown coder '{data['appraiser']}' (appraisers are coders "
                                                          f"declared in review.yaml): {suggest(data['appraiser'], coders)}"))
    tools, declared = shipped_tools(), declared_tools(protocol)
    name = data["tool"]
    if name not in tools:
        raise InputError(problems + [Problem(path, line("tool"), f"tool: '{name}' is not an appraisal tool: "
                                                                 f"{suggest(name, declared or sorted(tools))}")])
    if name not in declared:
        uses = ", ".join(declared) if declared else "none"
        raise InputError(problems + [Problem(path, line("tool"), f"tool: '{name}' is not among review.yaml's appraisal.tools ({uses}): "
                                                                 f"add it there to appraise with it ({GUIDE})")])
    tool = tools[name]
    parts = [p for p in data.get("parts", []) if isinstance(p, str)] if isinstance(data.get("parts"), list) else []
    problems += _part_problems(tool, parts, path, line)
    expected = tool_items(tool, [p for p in parts if p in {q["id"] for q in tool.get("parts", [])}])
    answers = {a["id"]: a["concern"] for a in tool["answers"]}
    given = data["items"] if isinstance(data.get("items"), dict) else {}
    for key in given:
        if key not in {i["id"] for i in expected}:
            every = [i["id"] for i in tool["items"]]
            hint = (f"it belongs to part '{next(i['part'] for i in tool['items'] if i['id'] == key)}', which 'parts' does not name"
                    if key in every else suggest(str(key), [i["id"] for i in expected]))
            problems.append(Problem(path, yamlio.key_line(node, ["items"], key), f"items: '{key}' is not an item of {tool['name']} here: {hint}"))
    items = []
    for item in expected:
        if item["id"] not in given:
            problems.append(Problem(path, line("items"), f"items: no answer to '{item['id']}' ({item['label']}: {item['prompt']})"))
            continue
        entry = given[item["id"]]
        answer = entry.get("answer") if isinstance(entry, dict) else None
        if not isinstance(answer, str) or not isinstance(entry.get("note"), str):
            continue  # the schema's message says what is wrong
        if answer not in answers:
            problems.append(Problem(path, line("items", item["id"], "answer"),
                                    f"items.{item['id']}.answer: '{answer}' is not an answer {tool['name']} allows: {suggest(answer, list(answers))}"))
            continue
        items.append({"id": item["id"], "label": item["label"], "part": item.get("part", ""), "answer": answer, "concern": answers[answer],
                      "note": " ".join(given[item["id"]]["note"].split()), "line": line("items", item["id"], "answer")})
    if problems:
        raise InputError(problems)
    overall = data["overall"]
    return {"citekey": citekey, "path": path, "filled": True, "tool": name, "tool_name": tool["name"],
            "tool_reason": " ".join(data.get("tool_reason", "").split()), "appraiser": data["appraiser"], "parts": parts,
            "items": items, "overall": {"concern": overall["concern"], "explanation": " ".join(overall["explanation"].split()),
                                        "line": line("overall", "concern")}}


def _part_problems(tool: dict, parts: list[str], path: str, line) -> list[Problem]:
    known = [p["id"] for p in tool.get("parts", [])]
    chosen = [p["id"] for p in tool.get("parts", []) if not p.get("required")]
    if not known:
        return [Problem(path, line("parts"), f"parts: {tool['name']} has no parts: remove 'parts'")] if parts else []
    problems = [Problem(path, line("parts"), f"parts: '{p}' is not a part of {tool['name']}: {suggest(p, chosen)}") for p in parts if p not in known]
    if not any(p in chosen for p in parts):
        problems.append(Problem(path, line("parts") if parts else 1,
                                f"parts: name the parts of {tool['name']} this source is appraised with "
                                f"(its study design; a mixed-methods study names each component too): allowed: {', '.join(chosen)}"))
    return problems


def load_appraisals(paths: list[str], protocol: dict, coders: list[str] | None) -> tuple[dict[str, dict], list[Problem]]:
    """Every appraisal file by citekey, with its SHA-256, and every problem in them."""
    found: dict[str, dict] = {}
    problems: list[Problem] = []
    for path in paths:
        key = Path(path).stem
        if key in found:
            problems.append(Problem(path, 1, f"two appraisals for '{key}': keep one of {found[key]['path']} and {path}"))
            continue
        try:
            text, sha = read_input(path)
            found[key] = parse_appraisal(text, path, protocol, coders) | {"sha256": sha}
        except InputError as err:
            problems += err.problems
            found.setdefault(key, {"citekey": key, "path": path, "filled": False, "broken": True})
    return found, problems


def reference_problems(appraisals: dict[str, dict], roles: dict[str, str], known: list[str]) -> list[Problem]:
    """An appraisal must be of a source of the review (``roles``: the sources read, by citekey; ``known``: every
    source's citekey, for the did-you-mean), and never of its protocol document."""
    problems = []
    for key, record in sorted(appraisals.items()):
        if key not in roles and key not in known:  # a source that failed to load still has its file
            problems.append(Problem(record["path"], 1, f"no source '{key}': name the file after the citekey of the source it appraises "
                                                       f"({suggest(key, known)})"))
        elif roles.get(key) == "protocol" and record["filled"]:
            problems.append(Problem(record["path"], 1, f"{key} is the review's protocol document: it frames the questions and is never "
                                                       "appraised; remove this file"))
    return problems


def unappraised_warnings(appraisals: dict[str, dict], sources: list[dict], protocol: dict, folder: str) -> list[Problem]:
    """Each evidence source (never the protocol document) without a filled-in appraisal, when the review appraises."""
    tools = declared_tools(protocol)
    if not tools:
        return []
    found = []
    for source in sources:
        key = source["citekey"]
        record = appraisals.get(key)
        if source["role"] == "protocol" or (record and (record["filled"] or record.get("broken"))):
            continue
        if record:
            found.append(warning(record["path"], 1, "NOT_APPRAISED", f"{key} is not appraised yet: this file is not filled in; give its tool "
                                                                     f"({', '.join(tools)}), appraiser, each item's answer and note, and the overall concern"))
        else:
            found.append(warning(source["path"], 1, "NOT_APPRAISED", f"{key} is not appraised: write {folder}/{key}.yaml with one of "
                                                                     f"review.yaml's appraisal.tools ({', '.join(tools)}) ({GUIDE})"))
    return found


def check_appraisals(paths: list[str], protocol: dict, sources: list[dict], known: list[str],
                     folder: str) -> tuple[dict[str, dict], list[Problem]]:
    """Every appraisal in ``paths`` for the evidence set's ``sources`` (``known``: every source's citekey), with
    every problem in them and a warning for each evidence source left unappraised."""
    appraisals, problems = load_appraisals(paths, protocol, [c["id"] for c in protocol.get("coders") or []] or None)
    problems += reference_problems(appraisals, {s["citekey"]: s["role"] for s in sources}, known)
    return appraisals, problems + unappraised_warnings(appraisals, sources, protocol, folder)


def tool_summaries(protocol: dict) -> dict[str, dict]:
    """What the report and the explorer say of each declared tool: its name, title, source and what it suits."""
    tools = shipped_tools()
    return {t: {k: tools[t][k] for k in ("name", "short", "title", "citation", "url", "suits")} for t in declared_tools(protocol)}


def scaffold(protocol: dict | None) -> str:
    """An empty appraisal, as ``review add-source`` writes it: until filled in, its source counts as unappraised."""
    tools = declared_tools(protocol)
    which = f"one of review.yaml's appraisal.tools: {', '.join(tools)}" if tools else "declare the tools in review.yaml's appraisal.tools first"
    return "\n".join([
        f"# How this source was appraised ({GUIDE}). Until it is filled in, the source counts as unappraised.",
        f"tool:        # {which}",
        "tool_reason: # optional: why this tool suits the document",
        "appraiser:   # a coder declared in review.yaml",
        "items: {}    # each item of the tool: <item id>: {answer: <an answer the tool allows>, note: <what in the document shows it>}",
        "overall:",
        "  concern:     # no_or_very_minor, minor, moderate or serious: the concern about its methodological limitations",
        "  explanation: # one or two sentences",
        ""])


__all__ = ["CONCERNS", "WEAK", "check_appraisals", "declared_tools", "is_unfilled", "load_appraisals", "parse_appraisal", "reference_problems",
           "scaffold", "shipped_tools", "tool_items", "tool_summaries", "unappraised_warnings"]
