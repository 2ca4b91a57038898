"""``review code`` in a real browser (Playwright driving the system's Chromium): a passage selected with the
mouse is coded and saved, the sheet holds the row with the source's own words, and ``review check`` passes; a
row edited while the file changed on disk is refused, reloaded, and saved with nothing lost. The README's
``review code ...`` (tests/test_docs.py's ELSEWHERE) is run here as written, on this repository; CONTRIBUTING's
is walked by tests/test_docs.py's coding-app route, from ``review add-source`` to the built report, no quote
typed, with the helpers below."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import doccommands as docs

needs_chromium = pytest.mark.needs("chromium|chromium-browser", "apt-get install chromium")
STALE = ("{sheet} changed on disk since it was loaded: nothing was saved; reload to see the file as it is now "
         "(the row you were editing stays in the form)")


@contextlib.contextmanager
def running(command: str, cwd: Path):
    """A documented ``review code`` command run as a shell runs it, until the test ends; yields the address
    it prints."""
    server = subprocess.Popen(["bash", "-c", "exec " + command], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        printed = b""
        while b"(this address" not in printed:  # the address's line is printed whole, the next one after it
            ready, _w, _x = select.select([server.stdout], [], [], 60)
            chunk = os.read(server.stdout.fileno(), 65536) if ready else b""
            assert chunk, f"{command}: no address printed\n{printed.decode()}" + (server.stderr.read().decode() if server.poll() is not None else "")
            printed += chunk
        url = re.search(r"open (http://127\.0\.0\.1:\d+/\?token=[\w-]+)", printed.decode()).group(1)
        yield url
    finally:
        server.terminate()  # this test's own server, by its process id
        server.wait(timeout=20)


@contextlib.contextmanager
def browser_page(browser):
    """A page of its own context in the session's Chromium (conftest's ``chromium``), closed afterwards."""
    with contextlib.closing(browser.new_context(viewport={"width": 1280, "height": 900})) as context:
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        yield page


FIND = """([first, last]) => {
  const walker = document.createTreeWalker(document.getElementById("text"), NodeFilter.SHOW_TEXT);
  const nodes = []; let all = "", node;
  while ((node = walker.nextNode())) { nodes.push([node, all.length]); all += node.data; }
  const from = all.indexOf(first), to = all.indexOf(last, from) + last.length - 1;
  if (from < 0 || to < from) return null;
  const at = i => { const [n, o] = nodes.filter(([n, o]) => o <= i && i < o + n.data.length)[0]; return [n, i - o]; };
  const a = at(from), b = at(to);
  a[0].parentElement.scrollIntoView({block: "center"});
  const rect = (n, i) => { const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1); return r.getBoundingClientRect(); };
  const s = rect(...a), e = rect(...b);
  return [s.left + 1, s.top + s.height / 2, e.right - 1, e.top + e.height / 2];
}"""


def drag_select(page, first: str, last: str) -> None:
    """Select with the mouse from the first character of ``first`` to the last of ``last`` in the text."""
    box = page.evaluate(FIND, [first, last])
    assert box, f"not on the page: {first!r} ... {last!r}"
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move(box[2], box[3], steps=8)
    page.mouse.up()


def code_row(page, codes: list[str], finding: str, evidence_type: str = "", countries: tuple[str, ...] = (),
             coder: str = "") -> None:
    for code in codes:
        page.check(f'input[name="codes"][value="{code}"]')
    page.fill("#f-finding", finding)  # the finding is the coder's own words; the quote is never typed
    if evidence_type:
        page.select_option("#f-evidence_type", evidence_type)
    if countries:
        page.select_option("#f-countries", list(countries))
    if coder:
        page.select_option("#f-coder", coder)
    page.click("#save")


def said(page) -> str:
    page.wait_for_selector("#messages li")
    return page.inner_text("#messages")


def last_row(path: Path) -> dict[str, str]:
    table = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return table[-1]


def review_cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(Path(sys.prefix) / "bin" / "review"), *args], cwd=root, capture_output=True, text=True)


@pytest.fixture
def fixture_review(review):
    (review / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return review


@needs_chromium
def test_select_code_save_and_check(fixture_review, chromium):
    root = fixture_review
    with running(".venv/bin/review code smith2020", root) as url, browser_page(chromium) as page:
        page.goto(url)
        page.wait_for_selector("#text span[data-s]")
        assert page.locator("#text span.hl").count() > 0  # the sheet's excerpts are marked
        drag_select(page, "Members", "year.")
        assert page.inner_text("#quote") == "Members of the cooperative saw bills fall by 12 per cent in the first year."
        code_row(page, ["bill_savings"], "Members' bills fell in the first year.", "survey", ("GB",))
        assert said(page).startswith("Saved.")
        page.wait_for_selector('#text span.hl[data-ids~="5"]')  # the new excerpt is marked too
    row = last_row(root / "extraction/smith2020.csv")
    assert {k: row[k] for k in ("id", "quote", "codes", "finding", "evidence_type", "countries")} == {
        "id": "5", "quote": "Members of the cooperative saw bills fall by 12 per cent in the first year.", "codes": "bill_savings",
        "finding": "Members' bills fell in the first year.", "evidence_type": "survey", "countries": "GB"}
    checked = review_cli(root, "check")
    assert checked.returncode == 0 and checked.stdout.startswith("ok:"), checked.stdout + checked.stderr


@needs_chromium
def test_an_edit_after_the_file_changed_on_disk_is_refused_then_saved_after_a_reload(fixture_review, chromium):
    root = fixture_review
    sheet = root / "extraction/smith2020.csv"
    with running(".venv/bin/review code smith2020", root) as url, browser_page(chromium) as page:
        page.goto(url)
        page.wait_for_selector("#rows li")
        page.click('button[aria-label="Edit row 1"]')
        page.fill("#f-finding", "Bills fell by 12 per cent in the first year.")
        sheet.write_text(sheet.read_text(encoding="utf-8").replace(",checked", ",checked twice"), encoding="utf-8")  # someone else
        page.click("#save")
        assert said(page) == STALE.format(sheet="extraction/smith2020.csv")
        assert ",checked twice" in sheet.read_text(encoding="utf-8") and "Bills fell by 12" not in sheet.read_text(encoding="utf-8")
        page.click("#reload")
        page.wait_for_selector("#messages li.note")
        assert page.input_value("#f-finding") == "Bills fell by 12 per cent in the first year."  # nothing lost
        page.click("#save")
        page.locator("#messages li.note", has_text="Saved.").wait_for()
    text = sheet.read_text(encoding="utf-8")
    assert ",checked twice" in text and "Bills fell by 12 per cent in the first year." in text


@needs_chromium
def test_the_readme_s_command_codes_a_source_of_this_review(repo_built, tmp_path, chromium):
    root = docs.copy_of(repo_built, tmp_path / "synthesis")
    command = docs.documented("README.md", r"review code ").text
    key = command.split()[2]
    sheet = root / "extraction" / f"{key}.csv"
    before = sheet.read_text(encoding="utf-8")
    with running(command, root) as url, browser_page(chromium) as page:
        page.goto(url)
        page.wait_for_selector("#text h2")  # the source's headings, rendered
        drag_select(page, "Historically,", "primary concern.")
        code_row(page, ["work_first"], "Green and Sissons say UK employment policy has long aimed at reducing unemployment.",
                 "argument", ("GB",))
        assert said(page).startswith("Saved.")
        page.screenshot(path=str(tmp_path / "code.png"), full_page=False)
    after = sheet.read_text(encoding="utf-8")
    assert after.startswith(before)
    assert last_row(sheet)["quote"] == ("Historically, the focus of employment policy in the UK has been on reducing unemployment. "
                                        "Hence, the quantity of jobs available has been a primary concern.")
    checked = review_cli(root, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    if os.environ.get("REVIEW_CODE_SCREENSHOT"):  # how docs/review-code.png is made
        shutil.copyfile(tmp_path / "code.png", os.environ["REVIEW_CODE_SCREENSHOT"])
