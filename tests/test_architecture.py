"""The package's layout is its data flow: no module imports from a later stage, and there is no
import circle. Imports are read from the source (function-level imports included), not executed."""

from __future__ import annotations

import ast
from pathlib import Path

import synthesis

PACKAGE = Path(synthesis.__file__).parent
# Shared helpers < inputs < evidence < analysis < report < audit < co-author tools < cli.
STAGES = ["common", "inputs", "evidence", "analysis", "report", "audit", "data", "exchange", "coauthor", "cli"]
# The package root re-exports the public Python API (lazily, so importing synthesis stays cheap).
PUBLIC_API = {"synthesis": {"synthesis.data.frames"}}
TOP_LEVEL = {"__init__.py", "__main__.py", "schema"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The synthesis modules ``path`` imports, at any depth of the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "synthesis"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "synthesis":
                continue
            for alias in node.names:  # "from . import markdown" imports a module
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _is_module(candidate) else target)
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def stage_of(module: str) -> int:
    """The stage's rank; the package root (``synthesis``, its version) is below every stage."""
    parts = module.split(".")
    if len(parts) == 1:
        return -1
    if parts[1] == "__main__":
        return STAGES.index("cli")
    return STAGES.index(parts[1])


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def later_stage_imports(edges: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} -> {b}" for a, targets in edges.items() for b in targets
                  if b != a and stage_of(b) > stage_of(a) and b not in PUBLIC_API.get(a, ()))


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_from_a_later_stage():
    assert later_stage_imports(graph()) == []


def test_there_is_no_import_circle():
    assert circles(graph()) == []


def test_the_checks_catch_what_they_guard():
    edges = {"synthesis.inputs.sheets": {"synthesis.report.markdown"}, "synthesis.report.markdown": {"synthesis.report.claims"},
             "synthesis.report.claims": {"synthesis.report.markdown"}}
    assert later_stage_imports(edges) == ["synthesis.inputs.sheets -> synthesis.report.markdown"]
    assert circles(edges) == [["synthesis.report.claims", "synthesis.report.markdown"]]


def test_function_level_and_relative_imports_are_read(tmp_path):
    edges = graph()
    # audit.audit imports sheets inside a function; report.context imports markdown with "from . import".
    assert "synthesis.inputs.sheets" in edges["synthesis.audit.audit"]
    assert "synthesis.report.markdown" in edges["synthesis.report.context"]


def test_importing_the_package_does_not_import_pandas():
    import subprocess
    import sys

    code = "import sys, synthesis, synthesis.cli; assert 'pandas' not in sys.modules; print(callable(synthesis.open_review))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "True", out.stderr


def test_the_top_level_reads_as_the_pipeline():
    entries = {p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"}
    assert entries - TOP_LEVEL == set(STAGES), "a new module belongs in a stage folder"


def test_the_code_fingerprint_covers_every_stage():
    from synthesis.inputs import layout

    folders = {p.parts[0] for p in layout.package_files() if len(p.parts) > 1}
    assert set(STAGES) | {"schema"} <= folders


def test_provenance_records_the_pipeline_checkout():
    from synthesis.audit.provenance import build_metadata

    commit = build_metadata(PACKAGE.parent)["pipeline"]["commit"]
    assert isinstance(commit, str) and len(commit) == 40


def test_no_merge_conflict_is_left_in_a_tracked_file():
    import subprocess
    root = PACKAGE.parent
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    left = []
    for name in tracked:
        path = root / name
        if path.suffix in {".md", ".py", ".yaml", ".yml", ".json", ".csv", ".lua", ".j2", ".toml", ".cfg"} or path.name in {"Snakefile", "run"}:
            text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
            left += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1) if line.startswith(("<<<<<<< ", ">>>>>>> "))]
    assert left == []
