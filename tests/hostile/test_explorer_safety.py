"""The evidence explorer is inert: review text that would close its data block (``</script>``), open a comment
(``<!--``), add markup or break a JavaScript line (U+2028) reaches the page only as text, in a real browser too;
a source's appraisal (its explanation and its items' notes) as well."""

from __future__ import annotations

import contextlib
import json
import re

import pytest

import reviewkit
from synthesis.report.explorer_page import DATA_ID, embedded_json, explorer_html, live_content, page
from synthesis.common.problems import InputError


QUOTE = "Members wrote </script><script>alert('quote')</script> and <!-- <script>alert('comment')</script> on the\u2028board"
AFTER = "then <img src=x onerror=alert('img')> and ]]> and \u2029 and </SCRIPT >."
FINDING = "</script><!--<script>alert('finding')</script>"
APPRAISED = "Its </script><script>alert('appraisal')</script> method <!-- is unstated \u2028 <b onclick=alert('why')>"
NOTE = "No source for <img src=x onerror=alert('note')> or ]]> </SCRIPT >"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A review whose title, codebook, a source, its sheet and a review finding carry hostile text; its
    explorer built in this process (as the report step builds it), written to explorer.html."""
    import os

    from synthesis.analysis.cells import analyse
    from synthesis.evidence.build import build_evidence
    from synthesis.report.context import report_context

    root = reviewkit.make_named_review(tmp_path_factory.mktemp("hostile-explorer") / "review")
    protocol = (root / "review.yaml").read_text(encoding="utf-8")
    protocol = protocol.replace("title: Community energy schemes", "title: \"Energy </title><script>alert('title')</script>\"")
    protocol = protocol.replace("label: Uptake", "label: \"Uptake <b onmouseover=alert('label')>x</b>\"")
    (root / "review.yaml").write_text(protocol + "appraisal:\n  tools: [aacods]\n", encoding="utf-8")
    (root / "appraisal").mkdir()
    items = "".join(f"  {k}: {{answer: {'no' if k == 'accuracy' else 'yes'}, note: {json.dumps(NOTE if k == 'accuracy' else 'Seen.')}}}\n"
                    for k in ("authority", "accuracy", "coverage", "objectivity", "date", "significance"))
    (root / "appraisal" / "smith2020.yaml").write_text(
        f"tool: aacods\nappraiser: AT\nitems:\n{items}overall: {{concern: serious, explanation: {json.dumps(APPRAISED)}}}\n",
        encoding="utf-8")
    smith = root / "sources" / "smith2020.md"
    smith.write_bytes(smith.read_bytes() + f"\n{QUOTE} {AFTER}\n".encode("utf-8"))
    rows = [row[:] for row in reviewkit.SMITH_ROWS] + [["5", QUOTE, "uptake", FINDING, "", "survey", "GB", "", "AT", ""]]
    (root / "extraction" / "smith2020.csv").write_text(reviewkit.csv_text(rows), encoding="utf-8")
    findings = root / "findings" / "RQa.yaml"
    findings.write_text(findings.read_text(encoding="utf-8").replace(
        "statement: Bills fell for members in the first year.", f"statement: \"{FINDING}\"").replace(
        "[smith2020:1, smith2020:2]", "[smith2020:1, smith2020:5]"), encoding="utf-8")
    before = os.getcwd()
    os.chdir(root)
    try:
        data = build_evidence()
        analysis = analyse(data)
        context = report_context(data, analysis=analysis)
        text = explorer_html(data, analysis, context["claims"].checked())
    finally:
        os.chdir(before)
    (root / "explorer.html").write_text(text, encoding="utf-8")
    return {"root": root, "text": text, "data": data, "page": root / "explorer.html"}


def _block(text: str) -> str:
    return text.split(f'<script type="application/json" id="{DATA_ID}">', 1)[1].split("</script>", 1)[0]


def test_the_page_holds_nothing_live_and_the_data_block_round_trips(hostile):
    text = hostile["text"]
    assert live_content(text) == []
    block = _block(text)
    assert not re.search("[<>&\u2028\u2029]", block)
    data = json.loads(block)
    [item] = [e for e in data["evidence"] if e["id"] == "smith2020:5"]
    assert item["x"] == QUOTE and item["f"] == FINDING and AFTER.split("\u2029")[0] in item["a"]
    assert data["title"] == "Energy </title><script>alert('title')</script>"
    appraised = data["appraisals"]["smith2020"]
    assert appraised["why"] == " ".join(APPRAISED.split()) and appraised["items"] == [{"label": "Accuracy", "answer": "no", "note": NOTE}]
    # Outside the data block, values are HTML-escaped: the title is text in <title> and <h1>.
    assert "<h1>Energy &lt;/title&gt;&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;</h1>" in text
    assert text.count("<script") == 2


def test_embedded_json_escapes_what_would_end_the_block():
    assert embedded_json({"q": "</script><!--\u2028\u2029&"}) == '{"q":"\\u003c/script\\u003e\\u003c!--\\u2028\\u2029\\u0026"}'
    assert json.loads(embedded_json({"q": "a\\<b"})) == {"q": "a\\<b"}  # an escaped backslash before '<' stays one


def test_the_static_check_finds_live_content(hostile):
    text = hostile["text"]
    script = text.rsplit("<script>", 1)[1].split("</script>", 1)[0]
    assert live_content(text.replace("<div id=\"app\"></div>", "<div id=\"app\" onclick=\"x()\"></div>")) == ["onclick= on <div>"]
    assert live_content(text.replace("</body>", "<script>alert(1)</script></body>"))[0].startswith("script elements")
    assert live_content(text.replace(script, script + "alert(1);")) == ["the script is not the explorer's own"]
    raw = text.replace(_block(text), '{"x": "<b>"}')
    assert live_content(raw) == ["the data block holds '<'"]
    assert live_content(page({**json.loads(_block(text)), "report": "javascript:alert(1)"})) == ["href=javascript:alert(1) on <a>"]


@pytest.mark.needs("chromium|chromium-browser", "apt-get install chromium; the static checks still run without it")
def test_no_hostile_text_runs_in_a_real_browser(hostile, chromium):
    from playwright.sync_api import expect

    url = hostile["page"].as_uri()
    events: list[str] = []
    with contextlib.closing(chromium.new_context()) as context:
        view = context.new_page()
        view.on("dialog", lambda d: (events.append(f"dialog: {d.message}"), d.dismiss()))
        view.on("console", lambda m: events.append(f"console: {m.text}"))
        view.on("pageerror", lambda e: events.append(f"error: {e}"))
        view.goto(url)
        view.wait_for_selector("html[data-ready]")
        view.fill("#search", "alert('quote')")
        expect(view.locator(".summary")).to_have_text(re.compile("^1 excerpt from 1 source"))
        for _ in range(2):  # every button the page has: cells, claims, findings, views
            for handle in view.query_selector_all("button"):
                try:
                    handle.click(timeout=200, no_wait_after=True)
                except Exception:  # a button redrawn away by the click before it is reached
                    pass
        view.fill("#search", "")
        view.click("#clear")
        view.wait_for_timeout(200)
        for handle in view.query_selector_all("details:not([open]) > summary"):  # the appraisals and CERQual tables
            handle.click()
        shown = view.inner_text("body")
        counts = view.evaluate("[document.scripts.length, document.images.length, document.querySelectorAll('[onmouseover], [onclick], b').length]")
        assert view.url == url
    assert events == []
    assert counts == [2, 0, 0]
    assert "</script><script>alert('quote')</script> and <!-- <script>alert('comment')</script>" in shown
    assert "<img src=x onerror=alert('img')>" in shown and FINDING in shown
    assert "Uptake <b onmouseover=alert('label')>x</b>" in shown
    # The appraisal, beside smith2020's excerpts and beside the finding's methodological limitations.
    assert " ".join(APPRAISED.split()) in shown and f"Accuracy: no. {NOTE}" in shown
    assert "smith2020 2/2: AACODS (Tyndall 2010), serious concerns; items of concern: Accuracy" in shown


def test_the_streamed_page_is_the_same_bytes_and_refuses_what_would_run(hostile, tmp_path, monkeypatch):
    """write_explorer (the report step's: in pieces) writes explorer_html's bytes, and refuses, writing nothing,
    a data block that would hold a '<' or a frame that would run code."""
    from synthesis.analysis.cells import analyse
    from synthesis.report import explorer_page
    from synthesis.report.appendix import source_reader
    from synthesis.report.context import report_context

    monkeypatch.chdir(hostile["root"])
    data = hostile["data"]
    analysis = analyse(data)
    claims = report_context(data, analysis=analysis)["claims"].checked()
    for batch in (1, 2, 3, 2000):  # records a piece: the joins between pieces are where a comma could go wrong
        monkeypatch.setattr(explorer_page, "_BATCH", batch)
        explorer_page.write_explorer(tmp_path / "explorer.html", data, analysis, claims, source_reader(data["sources"]))
        assert (tmp_path / "explorer.html").read_bytes() == hostile["text"].encode("utf-8")
    monkeypatch.setattr(explorer_page, "_escaped", lambda data: data)  # as if the escapes were forgotten
    with pytest.raises(InputError, match="the data block holds '<'"):
        explorer_page.write_explorer(tmp_path / "again.html", data, analysis, claims)
    assert not (tmp_path / "again.html").exists() and not list(tmp_path.glob(".again.html.*"))
    monkeypatch.setattr(explorer_page, "asset", lambda name: "x" if name == "explorer.css" else "</script><script>alert(1)")
    with pytest.raises(InputError, match="would run code"):
        explorer_page.write_explorer(tmp_path / "again.html", data, analysis, claims)
    assert not (tmp_path / "again.html").exists()
