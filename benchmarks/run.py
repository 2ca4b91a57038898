"""Benchmark the pipeline on synthetic reviews of N sources.

For each N: full build, no-op rebuild, rebuild after editing one sheet,
`review check`, peak memory, and where the time goes (Snakemake's DAG and
scheduling, Python start-up per job, quote location, tables, report, pandoc).
One source in twenty is a PDF (``--pdf-share``); PDF text extraction is also
measured on its own (pages and MB of PDF per second).
Writes benchmarks/results.csv and the summary in benchmarks/README.md.

    .venv/bin/python benchmarks/run.py                 # N = 100, 1000, 5000
    .venv/bin/python benchmarks/run.py --sizes 100     # a quick run
    .venv/bin/python benchmarks/run.py --pdf-share 0   # Markdown sources only
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
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

# Runs a command and reports its wall time and the peak RSS of its process tree.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "peak_kib": peak, "code": code.returncode, "stderr": code.stderr[-2000:]}))
"""
TARGETS = {1000: {"full_build_s": 60, "edit_one_sheet_s": 10, "noop_s": 3, "peak_rss_mib": 1024}, 5000: {"full_build_s": 300}}


def measure(cmd: list[str], cwd: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", MEASURE, *cmd], cwd=cwd, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["code"] != 0:
        raise SystemExit(f"failed in {cwd}: {' '.join(cmd)}\n{result['stderr']}")
    return result


def snakemake(cores: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "--cores", str(cores), "--quiet", *extra]


def job_times(review: Path) -> dict[str, float]:
    """Seconds per rule, summed over its jobs, from Snakemake's benchmark files."""
    totals: dict[str, float] = {}
    for path in sorted((review / "output" / "benchmarks").glob("*.tsv")):
        rule = re.sub(r"-\d+$", "", path.stem)
        rows = list(csv.DictReader(path.open(), delimiter="\t"))
        totals[rule] = totals.get(rule, 0.0) + float(rows[-1]["s"])
    return totals


def python_startup(review: Path) -> float:
    """Seconds to start Python and import the CLI, as every job does."""
    runs = [measure([sys.executable, "-m", "synthesis", "--help"], review)["wall"] for _ in range(3)]
    return min(runs)


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
    start = time.perf_counter()
    found = 0
    for key, text in sources.items():
        norm = normalise(text)
        found += sum(find_quote(norm, q) is not None for q in quotes.get(key, []))
    seconds = time.perf_counter() - start
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


def bench(n: int, work: Path, cores: int, pdf_share: float = 0.0) -> dict[str, float]:
    review = work / (f"review-{n}-pdf{pdf_share:g}" if pdf_share else f"review-{n}")
    if not (review / "review.yaml").exists():
        started = time.perf_counter()
        generate(n, review, pdf_share=pdf_share)
        print(f"N={n}: generated in {time.perf_counter() - started:.1f} s", flush=True)
    shutil.rmtree(review / "output", ignore_errors=True)
    shutil.rmtree(review / ".snakemake", ignore_errors=True)
    result: dict[str, float] = {"sources": n}
    dry = measure(snakemake(cores, "--dry-run"), review)
    result["snakemake_dag_s"] = dry["wall"]
    full = measure(snakemake(cores), review)
    result["full_build_s"] = full["wall"]
    result["peak_rss_mib"] = full["peak_kib"] / 1024
    jobs = job_times(review)
    for rule, seconds in sorted(jobs.items()):
        result[f"job_{rule}_s"] = seconds
    result["jobs"] = len(list((review / "output" / "benchmarks").glob("*.tsv")))
    result["python_startup_per_job_s"] = python_startup(review)
    # Median of three runs: this machine's timings vary by a second or two from run to run.
    result["noop_s"] = statistics.median(measure(snakemake(cores), review)["wall"] for _ in range(3))
    edits = []
    for which in (1, 2, 3):
        edit_one_sheet(review, which)
        edits.append(measure(snakemake(cores), review)["wall"])
    result["edit_one_sheet_s"] = statistics.median(edits)
    result["edit_one_sheet_max_s"] = max(edits)
    result["review_check_s"] = measure([str(Path(sys.executable).parent / "review"), "check"], review)["wall"]
    result["source_text_mb"] = sum(p.stat().st_size for p in (review / "sources").glob("*.md")) / 1e6
    result["pdf_sources"] = len(list((review / "sources").glob("*.pdf")))
    result["pdf_mb"] = sum(p.stat().st_size for p in (review / "sources").glob("*.pdf")) / 1e6
    result |= pdf_extraction(review) | real_pdfs()
    if n <= 1000:
        result["quote_location_mb_s"] = location_throughput(review)
    print(f"N={n}: " + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in result.items()), flush=True)
    return result


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0") if Path("/proc/meminfo").exists() else "0"
    from importlib.metadata import version

    sys.path.insert(0, str(ROOT))
    from synthesis.report.render import pandoc_version

    return (f"{cpu}; {os.cpu_count()} cores; {int(memory) / 1024 / 1024:.1f} GiB RAM; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; Snakemake {version('snakemake')}; pandoc {pandoc_version()}")


def summary(results: list[dict], cores: int, pdf_share: float = 0.0) -> str:
    metrics = [("full_build_s", "Full build (s)"), ("noop_s", "No-op rebuild (s, median of 3)"), ("edit_one_sheet_s", "Rebuild after editing one sheet (s, median of 3)"), ("edit_one_sheet_max_s", "... slowest of the 3 (s)"),
               ("review_check_s", "`review check` (s)"), ("peak_rss_mib", "Peak RSS of any process (MiB)"), ("jobs", "Snakemake jobs"),
               ("snakemake_dag_s", "Snakemake start-up + DAG (dry run, s)"), ("python_startup_per_job_s", "Python start-up per job (s)"),
               ("job_locate_s", "Quote location: locate jobs, summed (s)"), ("job_evidence_s", "Merge of shards (s)"), ("job_tables_s", "Table writing (s)"),
               ("job_report_s", "Report Markdown (s)"), ("job_figures_s", "Gap map figure (s)"), ("job_provenance_s", "Provenance (s)"),
               ("job_html_s", "pandoc HTML (s)"), ("job_docx_s", "pandoc DOCX (s)"), ("source_text_mb", "Source text (MB)"),
               ("quote_location_mb_s", "Quote location throughput (MB/s)"), ("pdf_sources", "PDF sources"), ("pdf_mb", "PDF files (MB)"),
               ("pdf_extraction_pages_s", "PDF extraction (pages per CPU s, one process, no cache)"), ("pdf_extraction_mb_s", "PDF extraction (MB of PDF/s)"),
               ("pdf_extraction_s_per_source", "PDF extraction per PDF source (CPU s)"),
               ("pdf_extraction_vs_pdftotext", "PDF extraction CPU time / pdftotext's, same PDFs"),
               ("real_pdf_pages_s", "Real PDFs (tests/pdfs): pages/s"), ("real_pdf_extraction_vs_pdftotext", "Real PDFs: CPU time / pdftotext's")]
    head = "| Metric | " + " | ".join(f"N = {int(r['sources']):,}" for r in results) + " |"
    lines = [head, "|:--|" + "--:|" * len(results)]
    for key, label in metrics:
        cells = [f"{r[key]:.2f}" if isinstance(r.get(key), float) else (str(r[key]) if key in r else "") for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    checks = []
    by_n = {int(r["sources"]): r for r in results}
    for n, targets in TARGETS.items():
        for key, limit in targets.items():
            if n in by_n:
                value = by_n[n][key]
                checks.append(f"- N = {n:,}: {key} = {value:.2f} (target <= {limit}): {'met' if value <= limit else 'MISSED'}")
    if 1000 in by_n and 5000 in by_n:
        ratio = by_n[5000]["full_build_s"] / by_n[1000]["full_build_s"]
        checks.append(f"- t(5000) / t(1000) = {ratio:.2f} (target <= 5.5): {'met' if ratio <= 5.5 else 'MISSED'}")
    if 1000 in by_n and "quote_location_mb_s" in by_n[1000]:
        rate = by_n[1000]["quote_location_mb_s"]
        checks.append(f"- quote location = {rate:.1f} MB/s (target >= 20): {'met' if rate >= 20 else 'MISSED'}")
    pdfs = f"; {pdf_share:.0%} of the sources are PDFs" if pdf_share else "; no PDF sources"
    return (f"Machine: {machine()}. Builds use `--cores {cores}`{pdfs}.\n\n" + "\n".join(lines) + "\n\nTargets:\n\n" + "\n".join(checks) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--work", type=Path, default=HERE / "work", help="where synthetic reviews are generated (default: benchmarks/work)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--pdf-share", type=float, default=0.05, help="share of the sources that are PDFs (default: %(default)s)")
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite the summary in benchmarks/README.md")
    args = parser.parse_args()
    results = [bench(n, args.work, args.cores, args.pdf_share) for n in args.sizes]
    keys = list(dict.fromkeys(k for r in results for k in r))
    with (HERE / "results.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: (f"{v:.3f}" if isinstance(v, float) else v) for k, v in r.items()} for r in results)
    text = summary(results, args.cores, args.pdf_share)
    print(text)
    if not args.no_readme:
        readme = HERE / "README.md"
        current = readme.read_text(encoding="utf-8")
        start, end = "<!-- results:start -->", "<!-- results:end -->"
        readme.write_text(current.split(start)[0] + start + "\n" + text + end + current.split(end)[1], encoding="utf-8")


if __name__ == "__main__":
    main()
