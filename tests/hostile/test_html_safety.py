"""Nothing in a rendered report runs: raw HTML, event attributes and javascript: links are
neutralised on the way through pandoc, checked statically, and (where Chromium exists) in a
real headless browser that records any dialog, console message or navigation a script causes."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

import reviewkit
from synthesis.report.render import live_content, render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Team text as it might arrive in any text field that reaches pandoc as Markdown.
HOSTILE = """\
---
title: Hostile
---

# Text

<script>alert('script')</script>

<details open ontoggle="alert('ontoggle')"><summary>s</summary>x</details>

<img src="x" onerror="alert('onerror')">

[a javascript link](javascript:alert('href')) and [an entity link](jav&#x61;script:alert('entity'))

[a span]{onclick="alert('span')" onmouseover="alert('hover')"} and ![an image](javascript:alert('img'))

[styled]{style="background:url(javascript:alert('style'))"}

```{=html}
<script>alert('raw block')</script>
```

`<b onmouseover="alert('raw inline')">x</b>`{=html}

<iframe src="javascript:alert('iframe')"></iframe>

<a href="data:text/html,<script>alert('data')</script>">data link</a>
"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile-report")
    (folder / "report.md").write_text(HOSTILE, encoding="utf-8")
    (folder / "references.bib").write_text(reviewkit.BIBLIOGRAPHY, encoding="utf-8")
    outputs = {}
    for fmt in ("html", "docx"):
        outputs[fmt] = folder / f"report.{fmt}"
        render(fmt, str(folder / "report.md"), str(outputs[fmt]), str(folder / "references.bib"))
    return outputs


def test_no_live_tag_event_attribute_or_javascript_url_survives_in_html(rendered):
    html = rendered["html"].read_text(encoding="utf-8")
    assert live_content(html) == []
    assert not any(f'{attr}="javascript' in html.lower() for attr in ("href", "src"))
    # The hostile text is still there, as text a reader can see.
    assert "&lt;script&gt;alert(&#39;script&#39;)&lt;/script&gt;" in html or "&lt;script&gt;alert('script')&lt;/script&gt;" in html


def test_no_javascript_link_survives_in_docx(rendered):
    with zipfile.ZipFile(rendered["docx"]) as archive:
        parts = {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist() if name.endswith((".xml", ".rels"))}
    # Hyperlink targets live in the relationships; the hostile text itself is shown as text.
    assert not any("javascript:" in text.lower() for name, text in parts.items() if name.endswith(".rels"))
    assert "&lt;script&gt;alert(" in parts["word/document.xml"]


def test_the_static_check_finds_live_content():
    page = '<p onclick="x()">a</p><script>1</script><a href=" JaVaScRiPt:alert(1)">b</a><img src="data:text/html,x">'
    assert live_content(page) == ["onclick= on <p>", "<script>", "href=javascript:alert(1) on <a>", "src=data:text/html,x on <img>"]
    assert live_content('<p class="a"><a href="#x">ok</a><img src="data:image/png;base64,AA"></p>') == []


def _browse(html: Path) -> list[str]:
    """Open ``html`` in headless Chromium, hover and click everything, open every <details>;
    return every dialog, console message and navigation away from the page."""
    from playwright.sync_api import sync_playwright

    events: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.on("dialog", lambda d: (events.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("console", lambda m: events.append(f"console: {m.text}"))
        page.on("framenavigated", lambda f: events.append(f"navigated: {f.url}") if f.url != html.as_uri() and not f.url.startswith(html.as_uri() + "#") else None)
        page.goto(html.as_uri())
        page.wait_for_timeout(300)
        # Everything a reader can point at or open (the first 300: a report's links repeat one pattern).
        for element in page.query_selector_all("a, details, summary, img, span, button, input, p, li, td")[:300]:
            try:
                element.hover(timeout=100)
                element.click(timeout=100, no_wait_after=True)
            except Exception:  # hidden or detached elements cannot be hovered; that is fine
                pass
            if page.url.split("#")[0] != html.as_uri():
                page.goto(html.as_uri())
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = !d.open)")
        page.wait_for_timeout(300)
        scripts = page.evaluate("document.scripts.length")
        browser.close()
    return events + ([f"{scripts} script elements"] if scripts else [])


@pytest.mark.needs("chromium|chromium-browser", "apt-get install chromium; the static check still runs without it")
def test_no_script_runs_in_a_real_browser(rendered):
    assert _browse(rendered["html"]) == []


@pytest.mark.needs("chromium|chromium-browser", "apt-get install chromium; the static check still runs without it")
def test_the_browser_check_can_fail(tmp_path):
    page = tmp_path / "live.html"
    page.write_text("<html><body><script>alert('ran')</script></body></html>", encoding="utf-8")
    assert _browse(page) == ["dialog: ran", "1 script elements"]
