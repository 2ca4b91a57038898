"""Nothing in a rendered report runs: raw HTML, event attributes and javascript: links are
neutralised on the way through pandoc, checked statically, and (where Chromium exists) in a
real headless browser that records any dialog, console message or navigation a script causes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import reviewkit
from synthesis.report.render import live_content, render


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


def attributes(html: str) -> list[tuple[str, str, str | None]]:
    """Every attribute of every tag of the page, as a browser's parser reads them."""
    from html.parser import HTMLParser

    found: list[tuple[str, str, str | None]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend((tag, key, value) for key, value in attrs)

    Tags().feed(html)
    return found


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
    # No tag's URL is javascript: (the hostile text itself, e.g. `src="javascript:..."`, stays as visible text).
    assert not [(tag, key, value) for tag, key, value in attributes(html)
                if key in ("href", "src") and "javascript" in (value or "").lower()]
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


# Every element of the page, in one call: the events a reader's pointer and keyboard cause are dispatched to it
# (an inline handler runs for these as for real ones), and every link, source and form target is read as the
# browser parsed it, so an executable scheme however it is spelt (entities, tabs, case) is caught unclicked.
EVERY_ELEMENT = """() => {
  const kinds = ["pointerover", "pointerenter", "mouseover", "mouseenter", "mousemove", "pointerdown", "mousedown",
                 "focus", "focusin", "pointerup", "mouseup", "mouseout", "mouseleave", "blur", "focusout"];
  const found = [];
  for (const el of document.querySelectorAll("body *")) {
    for (const kind of kinds) el.dispatchEvent(new MouseEvent(kind, {bubbles: true}));
    for (const name of ["href", "src", "action", "formAction"]) {
      const value = el[name] && el[name].baseVal !== undefined ? el[name].baseVal : el[name];
      if (typeof value === "string" && value) {
        try {
          const scheme = new URL(value, document.baseURI).protocol;
          if (["javascript:", "vbscript:"].includes(scheme)) found.push(`${scheme} ${name} on <${el.localName}>`);
        } catch (e) { /* not a URL: nothing to run */ }
      }
    }
  }
  return found;
}"""
GESTURES = 30  # real hovers and clicks (Playwright's mouse) on the first elements; the rest get the events above


def _browse(browser, html: Path) -> list[str]:
    """Open ``html`` in headless Chromium; dispatch a reader's events to every element and read every link as
    the browser parsed it; hover and click the first elements with the mouse; open every <details>; return
    every dialog, console message, executable link and navigation away from the page."""
    events: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (events.append(f"dialog: {d.message}"), d.dismiss()))
        page.on("console", lambda m: events.append(f"console: {m.text}"))
        page.on("framenavigated", lambda f: events.append(f"navigated: {f.url}") if f.url != html.as_uri() and not f.url.startswith(html.as_uri() + "#") else None)
        page.goto(html.as_uri())
        page.wait_for_timeout(300)
        events += [f"executable link: {link}" for link in page.evaluate(EVERY_ELEMENT)]
        for element in page.query_selector_all("a, details, summary, img, span, button, input, p, li, td")[:GESTURES]:
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
    finally:
        context.close()
    return events + ([f"{scripts} script elements"] if scripts else [])


@pytest.mark.needs("chromium|chromium-browser", "apt-get install chromium; the static check still runs without it")
def test_no_script_runs_in_a_real_browser(rendered, chromium):
    assert _browse(chromium, rendered["html"]) == []


@pytest.mark.needs("chromium|chromium-browser", "apt-get install chromium; the static check still runs without it")
def test_the_browser_check_can_fail(tmp_path, chromium):
    page = tmp_path / "live.html"
    page.write_text("<html><body><script>alert('ran')</script></body></html>", encoding="utf-8")
    assert _browse(chromium, page) == ["dialog: ran", "1 script elements"]
    # Past the elements the mouse reaches: a handler that only a pointer runs, and a link spelt to pass a
    # static check by eye (a tab and an entity in the scheme), which the browser reads as javascript:.
    filler = "".join(f"<p>paragraph {n}</p>" for n in range(2 * GESTURES))
    page.write_text(f"<html><body>{filler}<span onpointerover=\"alert('pointer')\">s</span>"
                    "<a href=\"jav&#x09;ascript&colon;void(0)\">a</a></body></html>", encoding="utf-8")
    assert _browse(chromium, page) == ["dialog: pointer", "executable link: javascript: href on <a>"]
