"""Measure the evidence explorer of a built review in headless Chromium: its size, how long it takes to open
(navigation to the page built from its data) and to filter (a question, a theme and a country, a gap-map cell,
a search), each the median of three runs in a fresh page.

    python benchmarks/explorer.py benchmarks/work/review-1000/output/report/explorer.html

Needs Playwright (the test extra) and Chromium (/usr/bin/chromium, as the tests use it).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

# Each filter: the JavaScript that makes the change, timed in the page up to the next layout.
CHANGES = {
    "filter by question": "const s = document.querySelector('#filter-q'); s.value = s.options[2].value; s.dispatchEvent(new Event('change'));",
    "filter by theme and country": "for (const [id, n] of [['#filter-code', 1], ['#filter-country', 1]]) { const s = document.querySelector(id);"
                                   " s.value = s.options[n].value; s.dispatchEvent(new Event('change')); }",
    "click the largest gap-map cell": "[...document.querySelectorAll('#grid-country button.cell')].sort((a, b) =>"
                                      " parseInt(b.textContent) - parseInt(a.textContent))[0].click();",
}
TIMED = "() => { const t = performance.now(); %s document.body.offsetHeight; return performance.now() - t; }"


def measure(path: Path) -> dict[str, float]:
    from playwright.sync_api import expect, sync_playwright

    runs: dict[str, list[float]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for _ in range(3):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("html[data-ready]")
            runs.setdefault("open (navigation to the page built)", []).append(time.perf_counter() - start)
            for name, change in CHANGES.items():
                page.click("#clear")
                runs.setdefault(name, []).append(page.evaluate(TIMED % change) / 1000)
            page.click("#clear")
            word = page.evaluate("document.querySelector('article.excerpt mark').textContent.split(' ')[1]")
            before = page.inner_text(".summary")
            start = time.perf_counter()
            page.fill("#search", word)
            expect(page.locator(".summary")).not_to_have_text(before, timeout=10_000)
            runs.setdefault("search for a word (120 ms typing pause included)", []).append(time.perf_counter() - start)
            page.close()
        browser.close()
    return {name: statistics.median(values) for name, values in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("explorer", type=Path, help="a built review's output/report/explorer.html")
    args = parser.parse_args()
    print(f"size: {args.explorer.stat().st_size / 1e6:.1f} MB")
    for name, seconds in measure(args.explorer.resolve()).items():
        print(f"{name}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
