"""Benchmark the pipeline on synthetic reviews of N sources.

For each run: full build, no-op rebuild, rebuild after editing one sheet,
`review check` and peak memory, in CPU seconds (user + system of the whole
process tree, which a busy machine barely changes) beside wall time and the
load average; the floor's pieces (Snakemake's start, reading and hashing the
inputs, normalising the text, finding the quotes, parsing the sheets, pandoc)
measured in the same run, and each figure as a ratio to its floor.
A run is N sources, or N:SHARE with that share of them PDFs; PDF text
extraction is also measured on its own (pages per CPU second).
Writes benchmarks/results.csv and the summary in benchmarks/README.md (with --no-readme, neither: it prints them).

    .venv/bin/python benchmarks/run.py                 # N = 100, 1000, 1000 with 5% PDFs, 5000
    .venv/bin/python benchmarks/run.py --sizes 100     # a quick run
    .venv/bin/python benchmarks/run.py --sizes 1000:0.05 --no-readme
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Builds keep compiled modules as Python does by default: where the environment sets PYTHONDONTWRITEBYTECODE,
# every job would compile the package again (0.05-0.2 CPU s a job), which is not what a user's build pays.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

TARGETS = {  # CPU seconds (user + system of the process tree); peak RSS in MiB
    # An edit's target holds for both kinds: a finding the report does not show (the renderings kept are used)
    # and one it shows (pandoc renders again).
    (1000, 0.0): {"full_build_s": 8, "edit_one_sheet_s": 5, "edit_shown_finding_s": 5, "noop_s": 1.5, "review_check_s": 2,
                  "peak_rss_mib": 1024},
    (1000, 0.05): {"full_build_s": 15, "peak_rss_mib": 1024},
    (5000, 0.0): {"full_build_s": 35, "edit_one_sheet_s": 9, "edit_shown_finding_s": 9, "peak_rss_mib": 1024},
}


def measure(cmd: list[str], cwd: Path) -> dict:
    """Run a command; its wall time, CPU seconds (user + system of the whole process tree: every
    descendant is waited for by its parent, so wait4 counts it), peak RSS of any one process, and
    the load average (one minute) before and after."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"failed in {cwd}: {' '.join(cmd)}\n{err.read().decode('utf-8', 'replace')[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_kib": usage.ru_maxrss, "load": max(load, os.getloadavg()[0])}


def measure_rebuild(cores: int, review: Path) -> dict:
    """:func:`measure` of a build, and whether it changed the report's Markdown (pandoc then renders again)."""
    markdown = review / "output" / "report" / "state-of-play.md"
    before = markdown.read_bytes()
    measured = measure(snakemake(cores), review)
    return measured | {"markdown_changed": markdown.read_bytes() != before}


def snakemake(cores: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "--cores", str(cores), "--quiet", *extra]


def job_times(review: Path) -> dict[str, float]:
    """Wall seconds per rule, summed over its jobs, from Snakemake's benchmark files."""
    totals: dict[str, float] = {}
    for path in sorted((review / "output" / "benchmarks").glob("*.tsv")):
        rule = re.sub(r"-\d+$", "", path.stem)
        rows = list(csv.DictReader(path.open(), delimiter="\t"))
        totals[rule] = totals.get(rule, 0.0) + float(rows[-1]["s"])
    return totals


def python_startup(review: Path) -> float:
    """CPU seconds to start Python and import the CLI, as every job does."""
    return min(measure([sys.executable, "-m", "synthesis", "--help"], review)["cpu"] for _ in range(3))


# A workflow with nothing to do: what Snakemake costs before any of our rules runs.
EMPTY_SNAKEFILE = 'rule all:\n    input: "done.txt"\n\n\nrule done:\n    output: "done.txt"\n    shell: "touch {output}"\n'


def snakemake_floor(work: Path, cores: int) -> float:
    """CPU seconds of Snakemake's start, DAG and bookkeeping on a one-rule workflow that is up to date."""
    folder = work / "empty-workflow"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Snakefile").write_text(EMPTY_SNAKEFILE, encoding="utf-8")
    base = [sys.executable, "-m", "snakemake", "--snakefile", "Snakefile", "--cores", str(cores), "--quiet"]
    measure(base, folder)
    return min(measure(base, folder)["cpu"] for _ in range(3))


def _cpu(step) -> tuple[float, object]:
    start = time.process_time()
    value = step()
    return time.process_time() - start, value


def floor_pieces(review: Path, work: Path, cores: int) -> dict[str, float]:
    """The work no build can avoid, measured piece by piece in CPU seconds: Snakemake's start, Python's
    start with our imports, reading and hashing every input file, normalising every source's text
    (a PDF's from the build's text cache), finding every quote, parsing the sheets, pandoc's two
    renderings of the report (as the build runs them) and, with PDFs, poppler's `pdftotext` on them
    (GPL: a yardstick only)."""
    import hashlib

    sys.path.insert(0, str(ROOT))
    from synthesis.evidence.normalise import matchable
    from synthesis.evidence.quotes import find_quote
    from synthesis.inputs import layout
    from synthesis.inputs.sheets import read_table

    out = {"floor_snakemake_s": snakemake_floor(work, cores), "floor_python_s": python_startup(review)}
    files = sorted(p for folder in ("sources", "extraction") for p in (review / folder).iterdir() if p.is_file())
    def read_and_hash() -> dict[Path, tuple[bytes, str]]:
        return {p: (b, hashlib.sha256(b).hexdigest()) for p in files for b in [p.read_bytes()]}

    out["floor_read_hash_s"], data = _cpu(read_and_hash)
    texts = {p.stem: (b.decode("utf-8").split("\n---\n", 1)[-1], None) for p, (b, _sha) in data.items() if p.suffix == ".md"}
    cache = review / "output" / "build" / "text"
    for p, (_b, sha) in data.items():
        for cached in sorted(cache.glob(f"{sha}-*.json")) if p.suffix == ".pdf" else []:
            extraction = json.loads(cached.read_text(encoding="utf-8"))
            texts[p.stem] = (extraction["text"], extraction["breaks"])
    out["floor_normalise_s"], norms = _cpu(lambda: {k: matchable(t, breaks) for k, (t, breaks) in texts.items()})
    sheets = [str(p) for p in files if p.parent.name == "extraction"]
    out["floor_parse_sheets_s"], tables = _cpu(lambda: {Path(p).stem: read_table(p) for p in sheets})
    quotes = {}
    for key, table in tables.items():
        column = [c.lower() for c in table[0][1]].index("quote")
        quotes[key] = [cells[column] for _line, cells in table[1:]]
    out["floor_find_quotes_s"], found = _cpu(lambda: sum(find_quote(norms[k], q) is not None for k in norms for q in quotes.get(k, [])))
    out["quotes"] = found
    markdown = review / "output" / "report" / "state-of-play.md"
    with tempfile.TemporaryDirectory() as tmp:
        # Both formats from one reading of the Markdown, as the build renders them.
        out["floor_pandoc_s"] = measure([sys.executable, "-m", "synthesis", "render", "--to", "html", "docx", "--input", str(markdown),
                                         "--protocol", layout.PROTOCOL, "--bibliography", layout.BIBLIOGRAPHY,
                                         "--css", str(ROOT / "templates" / "report.css"), "--resource-path", str(markdown.parent),
                                         "--output", str(Path(tmp) / "report.html"), str(Path(tmp) / "report.docx")], review)["cpu"]
    pdfs = sorted((review / "sources").glob("*.pdf"))
    if pdfs and shutil.which("pdftotext"):
        out["floor_pdf_text_s"] = pdftotext_ratio(pdfs, 1.0)["pdftotext_s"]
    inputs = out["floor_read_hash_s"] + out["floor_normalise_s"] + out["floor_find_quotes_s"] + out["floor_parse_sheets_s"] + out.get("floor_pdf_text_s", 0.0)
    out["floor_full_build_s"] = out["floor_snakemake_s"] + inputs + out["floor_pandoc_s"]
    out["floor_edit_one_sheet_s"] = out["floor_snakemake_s"] + out["floor_pandoc_s"]
    out["floor_noop_s"] = out["floor_snakemake_s"]
    out["floor_review_check_s"] = out["floor_python_s"] + inputs - out.get("floor_pdf_text_s", 0.0)  # the check reads cached PDF text
    return out


def location_throughput(review: Path) -> float:
    """MB/s of source text for normalising sources and locating every quote (the in-job work)."""
    sys.path.insert(0, str(ROOT))
    from synthesis.inputs import layout
    from synthesis.evidence.normalise import normalise
    from synthesis.evidence.quotes import find_quote
    from synthesis.inputs.sheets import read_table

    sources = {Path(p).stem: Path(p).read_text(encoding="utf-8") for p in layout.source_files(review / "sources") if p.endswith(".md")}
    quotes = {}
    for path in layout.sheet_files(review / "extraction"):
        table = read_table(path)
        column = [c.lower() for c in table[0][1]].index("quote")
        if Path(path).stem in sources:
            quotes[Path(path).stem] = [cells[column] for _line, cells in table[1:]]
    start = time.process_time()
    found = 0
    for key, text in sources.items():
        norm = normalise(text)
        found += sum(find_quote(norm, q) is not None for q in quotes.get(key, []))
    seconds = time.process_time() - start
    assert found == sum(len(q) for q in quotes.values()), "every generated quote must be found"
    return sum(len(t.encode("utf-8")) for t in sources.values()) / 1e6 / seconds


def pdf_extraction(review: Path, limit: int = 20) -> dict[str, float]:
    """PDF text extraction on its own, in one process, without the cache: pages and MB of PDF per second."""
    sys.path.insert(0, str(ROOT))
    from synthesis.inputs.pdf_text import extract

    pdfs = sorted((review / "sources").glob("*.pdf"))[:limit]
    if not pdfs:
        return {}
    start = time.process_time()
    pages = sum(len(extract(p.read_bytes(), str(p))["pages"]) for p in pdfs)
    seconds = time.process_time() - start
    out = {"pdf_extraction_pages_s": pages / seconds, "pdf_extraction_mb_s": sum(p.stat().st_size for p in pdfs) / 1e6 / seconds,
           "pdf_extraction_s_per_source": seconds / len(pdfs)}
    return out | pdftotext_ratio(pdfs, seconds)


def pdftotext_ratio(pdfs: list[Path], seconds: float) -> dict[str, float]:
    """Our extractor's CPU time over poppler's `pdftotext` (GPL; a yardstick only, never a dependency) on the same PDFs."""
    if shutil.which("pdftotext") is None:
        return {}
    before = os.times()
    for p in pdfs:
        subprocess.run(["pdftotext", str(p), os.devnull], check=True)
    after = os.times()
    poppler = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return {"pdftotext_s": poppler, "pdf_extraction_vs_pdftotext": seconds / max(poppler, 1e-3)}


def real_pdfs() -> dict[str, float]:
    """Extraction of the real PDFs in tests/pdfs/ (journal articles, a Federal Register notice, reports) beside pdftotext."""
    sys.path.insert(0, str(ROOT))
    from synthesis.inputs.pdf_text import extract

    pdfs = sorted((ROOT / "tests" / "pdfs").glob("*.pdf"))
    start = time.process_time()
    pages = sum(len(extract(p.read_bytes(), str(p))["pages"]) for p in pdfs)
    seconds = time.process_time() - start
    return {"real_pdf_pages": pages, "real_pdf_pages_s": pages / seconds, **{f"real_{k}": v for k, v in pdftotext_ratio(pdfs, seconds).items()}}


def edit_one_sheet(review: Path, which: int) -> None:
    """Change one finding in one CSV sheet (the which-th quarter of the list)."""
    sheets = sorted((review / "extraction").glob("*.csv"))
    path = sheets[(len(sheets) * which // 4) % len(sheets)]
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[1][3] = rows[1][3] + " (edited)" if not rows[1][3].endswith("(edited)") else rows[1][3][:-9]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def edit_reported_finding(review: Path) -> bool:
    """Change a finding the report's Markdown shows (generate.py's findings start "Finding N of CITEKEY"): the
    first one shown whose sheet is a CSV, marked as edited, or the mark taken off again. False if none."""
    shown = (review / "output" / "report" / "state-of-play.md").read_text(encoding="utf-8")
    for match in re.finditer(r"Finding (\d+)( \(edited\))? of (\w+)", shown):
        path = review / "extraction" / f"{match.group(3)}.csv"
        if not path.is_file():
            continue
        rows = list(csv.reader(path.open(encoding="utf-8")))
        column = rows[0].index("finding")
        for row in rows[1:]:
            if row[column].startswith(match.group(0)):
                number = match.group(1)
                plain, marked = f"Finding {number} of", f"Finding {number} (edited) of"
                row[column] = row[column].replace(*((marked, plain) if match.group(2) else (plain, marked)), 1)
                with path.open("w", encoding="utf-8", newline="") as handle:
                    csv.writer(handle, lineterminator="\n").writerows(rows)
                return True
    return False


def bench(n: int, work: Path, cores: int, pdf_share: float = 0.0, repeat: int = 3) -> dict[str, float]:
    review = work / (f"review-{n}-pdf{pdf_share:g}" if pdf_share else f"review-{n}")
    if not (review / "review.yaml").exists():
        started = time.perf_counter()
        generate(n, review, pdf_share=pdf_share)
        print(f"N={n}: generated in {time.perf_counter() - started:.1f} s", flush=True)
    shutil.rmtree(review / "output", ignore_errors=True)
    shutil.rmtree(review / ".snakemake", ignore_errors=True)
    result: dict[str, float] = {"sources": n, "pdf_share": pdf_share}
    loads = []

    def run(key: str, cmd: list[str]) -> dict:
        measured = measure(cmd, review)
        result[key], result[key.replace("_s", "_wall_s", 1)] = measured["cpu"], measured["wall"]
        loads.append(measured["load"])
        return measured

    def runs(key: str, measured: list[dict]) -> None:
        """Several runs of one kind: the median CPU and wall seconds, the fastest and slowest, their loads."""
        cpu, stem = [m["cpu"] for m in measured], key.removesuffix("_s")
        result[key], result[f"{stem}_min_s"], result[f"{stem}_max_s"] = statistics.median(cpu), min(cpu), max(cpu)
        result[f"{stem}_wall_s"] = statistics.median(m["wall"] for m in measured)
        peaks = [result.get("peak_rss_mib", 0.0)] + [m["peak_kib"] / 1024 for m in measured]
        result["peak_rss_mib"] = max(peaks)
        loads.extend(m["load"] for m in measured)

    run("snakemake_dag_s", snakemake(cores, "--dry-run"))
    # Full builds from nothing (a cold text cache: output/ removed), the median of `repeat`: one build's CPU
    # seconds moved by a fifth between runs 20 minutes apart on one machine (8.61 and 10.32 at 1,000 sources).
    fulls = []
    for attempt in range(repeat):
        if attempt:
            shutil.rmtree(review / "output", ignore_errors=True)
            shutil.rmtree(review / ".snakemake", ignore_errors=True)
        fulls.append(measure(snakemake(cores), review))
    runs("full_build_s", fulls)
    for rule, seconds in sorted(job_times(review).items()):
        result[f"job_{rule}_wall_s"] = seconds
    result["jobs"] = len(list((review / "output" / "benchmarks").glob("*.tsv")))
    # Median of three runs: one run can be slowed by a neighbour's burst even in CPU time (caches).
    runs("noop_s", [measure(snakemake(cores), review) for _ in range(repeat)])
    edits = []
    for which in (1, 2, 3)[:repeat]:
        edit_one_sheet(review, which)
        edits.append(measure_rebuild(cores, review))
    runs("edit_one_sheet_s", edits)
    result["edits_markdown_changed"] = sum(m["markdown_changed"] for m in edits)
    # A finding the report shows edited: the Markdown changes, so pandoc renders again (the edits above may
    # leave it as it was, and the renderings kept are used).
    shown = []
    for _ in range(repeat):
        if not edit_reported_finding(review):
            break
        shown.append(measure_rebuild(cores, review))
    if shown:
        runs("edit_shown_finding_s", shown)
        result["edits_shown_markdown_changed"] = sum(m["markdown_changed"] for m in shown)
    check = run("review_check_s", [str(Path(sys.executable).parent / "review"), "check"])
    result["peak_rss_mib"] = max(result["peak_rss_mib"], check["peak_kib"] / 1024)
    result["load_min"], result["load_max"] = min(loads), max(loads)
    result["source_text_mb"] = sum(p.stat().st_size for p in (review / "sources").glob("*.md")) / 1e6
    result["pdf_sources"] = len(list((review / "sources").glob("*.pdf")))
    result["pdf_mb"] = sum(p.stat().st_size for p in (review / "sources").glob("*.pdf")) / 1e6
    result |= floor_pieces(review, work, cores)
    result |= pdf_extraction(review) | (real_pdfs() if result["pdf_sources"] else {})
    if n <= 1000:
        result["quote_location_mb_s"] = location_throughput(review)
    print(f"N={n}, PDFs {pdf_share:.0%}: " + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()), flush=True)
    return result


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0") if Path("/proc/meminfo").exists() else "0"
    from importlib.metadata import version

    sys.path.insert(0, str(ROOT))
    from synthesis.report.render import pandoc_version

    return (f"{cpu}; {os.cpu_count()} cores; {int(memory) / 1024 / 1024:.1f} GiB RAM; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; Snakemake {version('snakemake')}; pandoc {pandoc_version()}")


# (key, label, floor key): each figure in CPU seconds, beside its floor where it has one.
METRICS = [
    ("full_build_s", "Full build (median)", "floor_full_build_s"), ("full_build_min_s", "... the fastest", "floor_full_build_s"),
    ("full_build_max_s", "... the slowest", "floor_full_build_s"), ("edit_one_sheet_s", "Rebuild after editing one sheet's finding (median)", "floor_edit_one_sheet_s"),
    ("edit_one_sheet_max_s", "... the slowest", "floor_edit_one_sheet_s"),
    ("edit_shown_finding_s", "Rebuild after editing a finding the report shows (median)", "floor_edit_one_sheet_s"),
    ("noop_s", "No-op rebuild (median)", "floor_noop_s"),
    ("review_check_s", "`review check`", "floor_review_check_s"), ("snakemake_dag_s", "Snakemake dry run (start-up + DAG)", "floor_snakemake_s"),
]
FLOOR = [
    ("floor_snakemake_s", "Snakemake's start on an up-to-date one-rule workflow"), ("floor_python_s", "Python start-up with the CLI's imports"),
    ("floor_read_hash_s", "reading and hashing every input file"), ("floor_normalise_s", "normalising every source's text"),
    ("floor_find_quotes_s", "finding every quote"), ("floor_parse_sheets_s", "parsing every sheet"),
    ("floor_pandoc_s", "pandoc: HTML and DOCX from one reading"), ("floor_pdf_text_s", "poppler's pdftotext on the PDFs (a yardstick)"),
    ("floor_full_build_s", "floor of a full build (Snakemake + inputs + pandoc)"), ("floor_edit_one_sheet_s", "floor of a one-sheet rebuild (Snakemake + pandoc)"),
    ("floor_review_check_s", "floor of `review check` (Python + inputs)"),
]
OTHER = [
    ("full_build_wall_s", "Full build, wall (s, median)"), ("edit_one_sheet_wall_s", "One-sheet rebuild, wall (s, median)"),
    ("edits_markdown_changed", "... of those edits, how many changed the report's Markdown"),
    ("edit_shown_finding_wall_s", "Rebuild after editing a finding the report shows, wall (s, median)"),
    ("edits_shown_markdown_changed", "... of those edits, how many changed the report's Markdown"),
    ("noop_wall_s", "No-op rebuild, wall (s, median)"),
    ("review_check_wall_s", "`review check`, wall (s)"), ("load_min", "Load average during the runs, lowest"), ("load_max", "... highest"),
    ("peak_rss_mib", "Peak RSS of any process (MiB)"), ("jobs", "Snakemake jobs"),
    ("job_locate_wall_s", "locate jobs, summed (wall s)"), ("job_evidence_wall_s", "merge (wall s)"),
    ("job_report_wall_s", "report: tables, gap map, Markdown, provenance's body (wall s)"),
    ("job_render_wall_s", "pandoc: the Markdown read, citeproc, HTML and DOCX (wall s)"), ("job_crate_wall_s", "provenance and the RO-Crate (wall s)"),
    ("source_text_mb", "Source text (MB)"), ("quote_location_mb_s", "Quote location (MB of text per CPU s)"), ("pdf_sources", "PDF sources"),
    ("pdf_mb", "PDF files (MB)"), ("pdf_extraction_pages_s", "PDF extraction (pages per CPU s, one process, no cache)"),
    ("pdf_extraction_s_per_source", "PDF extraction per PDF source (CPU s)"), ("pdf_extraction_vs_pdftotext", "PDF extraction CPU / pdftotext's, same PDFs"),
    ("real_pdf_pages_s", "Real PDFs (tests/pdfs): pages per CPU s"), ("real_pdf_extraction_vs_pdftotext", "Real PDFs: CPU / pdftotext's"),
]


def _column(r: dict) -> str:
    return f"N = {int(r['sources']):,}" + (f", {float(r['pdf_share']):.0%} PDF" if float(r.get("pdf_share") or 0) else "")


def summary(results: list[dict], cores: int) -> str:
    head = "| CPU seconds (user + system, whole process tree) | " + " | ".join(_column(r) for r in results) + " |"
    rule = "|:--|" + "--:|" * len(results)
    lines = [head, rule]
    for key, label, floor in METRICS:
        cells = [f"{r[key]:.2f} ({r[key] / r[floor]:.1f}x floor)" if key in r and r.get(floor) else "" for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "| The floor, measured in the same run (CPU s) | " + " | ".join(_column(r) for r in results) + " |", rule]
    for key, label in FLOOR:
        lines.append(f"| {label} | " + " | ".join(f"{r[key]:.2f}" if key in r else "" for r in results) + " |")
    lines += ["", "| Other figures | " + " | ".join(_column(r) for r in results) + " |", rule]
    for key, label in OTHER:
        cells = [f"{r[key]:.2f}" if isinstance(r.get(key), float) else (str(r[key]) if key in r else "") for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    checks = []
    by_run = {(int(r["sources"]), float(r.get("pdf_share") or 0)): r for r in results}
    for (n, share), targets in TARGETS.items():
        for key, limit in targets.items():
            if key in by_run.get((n, share), {}):
                value = by_run[(n, share)][key]
                unit = "MiB" if key.endswith("mib") else "CPU s"
                checks.append(f"- N = {n:,}{f' ({share:.0%} PDF, cold text cache)' if share else ''}: {key} = {value:.2f} {unit} "
                              f"(target <= {limit}): {'met' if value <= limit else 'MISSED'}")
    return (f"Machine: {machine()}. Builds use `--cores {cores}`.\n\n" + "\n".join(lines) + "\n\nTargets:\n\n" + "\n".join(checks) + "\n")


def run_spec(text: str, share: float) -> tuple[int, float]:
    """``N`` or ``N:SHARE`` (the share of PDF sources for that run)."""
    n, _, given = text.partition(":")
    return int(n), float(given) if given else share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["100", "1000", "1000:0.05", "5000"],
                        help="runs, each N or N:SHARE (SHARE of the sources PDFs; default: %(default)s)")
    parser.add_argument("--work", type=Path, default=HERE / "work", help="where synthetic reviews are generated (default: benchmarks/work)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--pdf-share", type=float, default=0.0, help="share of PDF sources for a size given without one (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, choices=(1, 2, 3),
                        help="full builds, no-op and one-sheet rebuilds per run (default: %(default)s)")
    parser.add_argument("--no-readme", action="store_true", help="print the figures only: leave benchmarks/README.md and results.csv as they are")
    args = parser.parse_args()
    results = [bench(n, args.work, args.cores, share, args.repeat) for n, share in (run_spec(s, args.pdf_share) for s in args.sizes)]
    text = summary(results, args.cores)
    print(text)
    if not args.no_readme:  # a quick or partial run leaves the committed figures as they are
        keys = list(dict.fromkeys(k for r in results for k in r))
        with (HERE / "results.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=keys, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: (f"{v:.3f}" if isinstance(v, float) else v) for k, v in r.items()} for r in results)
        readme = HERE / "README.md"
        current = readme.read_text(encoding="utf-8")
        start, end = "<!-- results:start -->", "<!-- results:end -->"
        readme.write_text(current.split(start)[0] + start + "\n" + text + end + current.split(end)[1], encoding="utf-8")


if __name__ == "__main__":
    main()
