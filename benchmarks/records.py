"""The records stage at scale: `review check` of this repository's review with one more database search of
N synthetic RIS records (default 100,000; a title, 1-5 authors, a year, a DOI, a 120-word abstract and two
keywords each, one record in 100 without its ER line), measured in CPU seconds of the process.

    .venv/bin/python benchmarks/records.py            # N = 100,000
    .venv/bin/python benchmarks/records.py --records 20000

The review is copied to benchmarks/work/records/ (git-ignored); nothing in the checkout is written.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = ("energy community policy training labour market skills progression welfare employment outcomes evidence review "
         "cooperative solar heat pumps households bills trust ownership grid local government employers sector pathways").split()


def ris(n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    surnames = [f"Name{i}" for i in range(3000)] + ["Smith", "Jones", "Li", "Wang", "Garcia", "Müller", "Nguyen", "Okafor"]
    out = []
    for i in range(n):
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize()
        authors = [f"AU  - {rng.choice(surnames)}, {rng.choice('ABCDEFGH')}." for _ in range(rng.randint(1, 5))]
        out += ["TY  - JOUR", f"ID  - R{i}", f"TI  - {title}", *authors, f"PY  - {rng.randint(1990, 2024)}",
                f"DO  - 10.1000/bench.{i}", f"T2  - Journal of {rng.choice(WORDS).capitalize()}",
                "AB  - " + " ".join(rng.choice(WORDS) for _ in range(120)), "KW  - policy", "KW  - training"]
        if i % 100 != 99:  # one record in a hundred has lost its ER line: it is still counted, with a warning
            out.append("ER  - ")
        out.append("")
    return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    args = parser.parse_args()
    work = ROOT / "benchmarks" / "work" / "records"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for name in ("sources", "extraction", "findings", "records"):
        shutil.copytree(ROOT / name, work / name)
    shutil.copy(ROOT / "review.yaml", work / "review.yaml")
    (work / "records" / "bench.ris").write_text(ris(args.records), encoding="utf-8")
    with open(work / "records" / "searches.csv", "a", encoding="utf-8") as handle:
        handle.write(f"bench,database,Synthetic database,2024-01-01,benchmark,{args.records},\n")
    size = (work / "records" / "bench.ris").stat().st_size / 2**20
    review = Path(sys.executable).with_name("review")
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    result = subprocess.run([str(review), "check"], cwd=work, capture_output=True, text=True)
    after, wall = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter() - start
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(result.stdout.splitlines()[-1] if result.stdout else result.stderr[-2000:])
    print(f"review check, {args.records:,} RIS records ({size:.0f} MB): {cpu:.1f} CPU s, {wall:.1f} s wall, "
          f"peak RSS {after.ru_maxrss / 1024:.0f} MiB, exit {result.returncode}")
    return 0 if result.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
