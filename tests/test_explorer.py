"""The evidence explorer of this repository's own review (output/report/explorer.html): it embeds every
excerpt, review finding and gap-map cell, rebuilds byte-identically, and works in a real browser (one
Chromium for the module): a gap-map cell, the filters, the search, an excerpt followed to its claims, the
keyboard, and a phone's width."""

from __future__ import annotations

import csv
import json
import re

import orjson
import pytest

from synthesis.report.explorer_page import DATA_ID, live_content

needs_chromium = pytest.mark.needs("chromium|chromium-browser", "apt-get install chromium")


def embedded(text: str) -> dict:
    return json.loads(text.split(f'<script type="application/json" id="{DATA_ID}">', 1)[1].split("</script>", 1)[0])


@pytest.fixture(scope="module")
def explorer(almp_built):
    path = almp_built / "output" / "report" / "explorer.html"
    text = path.read_text(encoding="utf-8")
    evidence = orjson.loads((almp_built / "output" / "build" / "evidence.json").read_bytes())
    return {"root": almp_built, "path": path, "text": text, "data": embedded(text), "evidence": evidence}


def test_it_embeds_every_excerpt_finding_and_gap_map_cell(explorer):
    data, evidence, root = explorer["data"], explorer["evidence"], explorer["root"]
    assert [e["id"] for e in data["evidence"]] == [e["evidence_id"] for e in evidence["evidence"]]
    assert [f["id"] for f in data["findings"]] == [f["id"] for r in evidence["findings"] for f in r["findings"]]
    with open(root / "output" / "tables" / "gap-map.csv", encoding="utf-8", newline="") as handle:
        table = {(r["code"], r["country"]): r for r in csv.DictReader(handle)}
    codes, columns = [c["id"] for c in data["codes"]], [c["id"] for c in data["gap_map"]["columns"]]
    cells = {(codes[c["c"]], columns[c["k"]]): c for c in data["gap_map"]["by_country"]}
    assert set(cells) == set(table)
    for key, cell in cells.items():
        ids = [data["evidence"][i]["id"] for i in cell["e"]]
        assert (str(cell["d"]), str(cell["s"]), cell["dir"], "; ".join(ids)) == (
            table[key]["documents"], table[key]["studies"], table[key]["directness"], table[key]["evidence"])
    claims = json.loads((root / "output" / "build" / "claims.json").read_text(encoding="utf-8"))["claims"]
    assert [(c["id"], [data["evidence"][i]["id"] for i in c["e"]]) for c in data["claims"]] == [(c["id"], c["evidence"]) for c in claims]
    # Each quote sits in its source's text, its context around it, and the source's hash is the build's.
    green = next(e for e in data["evidence"] if e["id"] == "green2023:1")
    text = (root / "sources" / "green2023.md").read_text(encoding="utf-8")
    assert green["b"] + green["x"] + green["a"] in text and len(green["b"] + green["a"]) <= 320
    assert data["sources"][green["s"]]["sha"] == next(s["sha256"] for s in evidence["sources"] if s["citekey"] == "green2023")


def test_it_rebuilds_byte_identically_and_holds_nothing_live(explorer, monkeypatch):
    from synthesis.analysis.cells import analyse
    from synthesis.report.context import report_context
    from synthesis.report.explorer_page import explorer_html

    monkeypatch.chdir(explorer["root"])
    data = explorer["evidence"]
    analysis = analyse(data)
    again = explorer_html(data, analysis, report_context(data, analysis=analysis)["claims"].checked())
    assert again.encode("utf-8") == explorer["path"].read_bytes()
    assert live_content(again) == []
    assert "http://" not in again.split("<script", 1)[0] and "<link" not in again  # nothing to fetch: it works offline


@pytest.fixture
def view(chromium, explorer):
    """The explorer open at 1280 px; fails the test on any script error or console message."""
    problems: list[str] = []
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text))
    page.goto(explorer["path"].as_uri())
    page.wait_for_selector("html[data-ready]")
    yield page
    page.close()
    assert problems == []


def shown(page) -> list[str]:
    return page.eval_on_selector_all("article.excerpt h3 code", "codes => codes.map(c => c.textContent)")


def summary(page) -> str:
    return page.inner_text(".summary")


def wait_for(page, excerpts: int) -> None:
    """Until the page says it shows ``excerpts`` (the search waits for typing to pause; the page's policy
    allows no evaluated code, so Playwright's own matchers wait, not wait_for_function)."""
    from playwright.sync_api import expect

    expect(page.locator(".summary")).to_have_text(re.compile(f"^{excerpts:,} excerpts? from"))


@needs_chromium
def test_a_gap_map_cell_shows_its_excerpts(view, explorer):
    data = explorer["data"]
    cell = max(data["gap_map"]["by_country"], key=lambda c: (len(c["e"]), -c["c"]))
    code, country = data["codes"][cell["c"]]["label"], data["gap_map"]["columns"][cell["k"]]["name"]
    button = view.locator(f"#grid-country button[aria-label^='{code} × {country}:']")
    assert button.inner_text() == f"{cell['d']}" + (f" ({cell['s']})" if cell["s"] else "")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert view.inner_text(".chosen h3") == f"Gap-map cell: {code} × {country}"
    assert shown(view) == [data["evidence"][i]["id"] for i in cell["e"]][:50]
    assert summary(view).startswith(f"{len(cell['e'])} excerpt")
    # By question: a theme of a question, its excerpts.
    view.click("#view-question")
    by_question = data["gap_map"]["by_question"][0]
    label, question = data["codes"][by_question["c"]]["label"], data["questions"][by_question["k"]]
    view.click(f"#grid-question button[aria-label^='{label} × {question['id']}: ']")
    assert shown(view) == [data["evidence"][i]["id"] for i in by_question["e"]][:50]
    view.click("#unselect")
    assert summary(view).startswith(f"{len(data['evidence'])} excerpts")


@needs_chromium
def test_filters_and_search_narrow_the_excerpts_and_findings(view, explorer):
    data = explorer["data"]
    sources = data["sources"]
    view.select_option("#filter-q", "Q1")
    q1 = [e["id"] for e in data["evidence"] if "Q1" in e["q"]]
    assert summary(view).startswith(f"{len(q1)} excerpts") and shown(view) == q1[:50]
    assert {f.split(" ")[0] for f in view.locator("article.finding h3").all_inner_texts()} == {f["id"] for f in data["findings"] if f["q"] == "Q1"}
    # The country and role of a Q1 excerpt about a country other than the home country.
    other = next(e for e in data["evidence"] if "Q1" in e["q"] and e["n"] and e["n"][-1] != "GB")
    country, role = other["n"][-1], sources[other["s"]]["role"]
    view.select_option("#filter-country", country)
    view.select_option("#filter-role", role)
    both = [e["id"] for e in data["evidence"] if "Q1" in e["q"] and country in e["n"] and sources[e["s"]]["role"] == role]
    assert shown(view) == both[:50] and len(both) < len(q1)
    view.click("#clear")
    view.select_option("#filter-conf", "very_low")
    rated = {i for f in data["findings"] if f["conf"] == "very_low" for i in f["e"]}
    assert shown(view) == [data["evidence"][i]["id"] for i in sorted(rated)][:50]
    view.click("#clear")
    word = "sector-based"
    hits = [e["id"] for e in data["evidence"] if word in " ".join([e["x"], e["f"], e["id"], sources[e["s"]]["cite"]]).lower()]
    view.fill("#search", word.upper())
    wait_for(view, len(hits))
    assert shown(view) == hits[:50] and hits
    findings = [f["id"] for f in data["findings"] if word in " ".join([f["id"], f["text"], f["why"]] + [r["why"] for r in f["table"]]).lower()]
    assert [t.split(" ")[0] for t in view.locator("article.finding h3").all_inner_texts()] == findings and findings


@needs_chromium
def test_an_excerpt_leads_to_its_claims_and_the_report(view, explorer):
    data = explorer["data"]
    finding = data["findings"][0]
    first = data["evidence"][finding["e"][0]]
    view.fill("#search", first["id"])
    wait_for(view, sum(first["id"] in " ".join([e["x"], e["f"], e["id"]]).lower() for e in data["evidence"]))
    card = view.locator("article.excerpt", has=view.locator("h3 code", has_text=re.compile(f"^{re.escape(first['id'])}$")))
    assert card.locator("mark").inner_text() == first["x"]
    assert data["sources"][first["s"]]["sha"] in card.inner_text()
    resting = [c["id"] for c in data["claims"] if finding["e"][0] in c["e"]]
    assert card.locator("button.claim").all_inner_texts() == resting and finding["id"] in resting
    card.locator("button.claim", has_text=re.compile(f"^{re.escape(finding['id'])}$")).click()
    assert view.inner_text(".chosen h3") == f"Claim {finding['id']}"
    assert view.evaluate("document.activeElement.textContent") == f"Claim {finding['id']}"  # focus follows
    view.fill("#search", "")
    wait_for(view, len(finding["e"]))
    assert shown(view) == [data["evidence"][i]["id"] for i in finding["e"]]
    link = view.locator(".chosen a.report-link").get_attribute("href")
    assert link == f"state-of-play.html#claim-{finding['id']}"
    report = (explorer["root"] / "output" / "report" / "state-of-play.html").read_text(encoding="utf-8")
    assert f'id="claim-{finding["id"]}"' in report
    # The finding itself: its CERQual table, and its evidence a click away.
    article = view.locator("article.finding", has=view.locator("h3", has_text=finding["id"])).first
    article.locator("summary").click()
    assert article.locator("table.cerqual tbody tr").count() == 4
    assert article.locator("table.cerqual tbody th").all_inner_texts()[0] == "Methodological limitations"


@needs_chromium
def test_the_keyboard_reaches_everything_with_visible_focus(view, explorer):
    view.keyboard.press("Tab")
    assert view.evaluate("document.activeElement.textContent") == "Skip to the excerpts"
    view.keyboard.press("Tab")
    assert view.evaluate("document.activeElement.textContent") == "the report"
    view.keyboard.press("Tab")
    assert view.evaluate("document.activeElement.id") == "search"
    for _ in range(8):  # the six filters, the clear button, then the gap map's view buttons
        view.keyboard.press("Tab")
    assert view.evaluate("document.activeElement.id") == "view-country"
    outline = view.evaluate("getComputedStyle(document.activeElement).outlineStyle + ' ' + getComputedStyle(document.activeElement).outlineWidth")
    assert outline == "solid 3px"
    view.keyboard.press("Tab")
    view.keyboard.press("Tab")
    assert view.evaluate("document.activeElement.className").startswith("cell")
    view.keyboard.press("Enter")
    assert view.evaluate("document.activeElement.textContent").startswith("Gap-map cell: ")
    assert view.locator("article.excerpt").count() > 0


@needs_chromium
def test_it_fits_a_phone_and_a_desktop(view):
    for width in (1280, 390):
        view.set_viewport_size({"width": width, "height": 800})
        assert view.evaluate("document.documentElement.scrollWidth") <= width
    # At a phone's width the filters sit above the content, not beside it.
    assert view.evaluate("document.querySelector('main').getBoundingClientRect().top > document.querySelector('aside').getBoundingClientRect().bottom")


@needs_chromium
def test_a_link_opens_it_at_a_claim_or_an_excerpt(chromium, explorer):
    page = chromium.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))  # a malformed %-escape is no error, it opens nothing
    first = explorer["data"]["evidence"][0]["id"]
    for fragment, heading in (("claim=Q1-F1", "Claim Q1-F1"), (f"ev={first}", f"Excerpt {first}"), ("ev=%E0%A4%A", None)):
        page.goto("about:blank")  # a load of its own, not a change of fragment in the open page
        page.goto(explorer["path"].as_uri() + "#" + fragment)
        page.wait_for_selector("html[data-ready]")
        assert (page.inner_text(".chosen h3") if heading else page.locator(".chosen").count()) == (heading or 0)
    page.close()
    assert errors == []


def test_it_embeds_each_appraisal_and_the_appraisals_beside_each_finding(explorer):
    from synthesis.analysis.cells import analyse

    data, evidence = explorer["data"], explorer["evidence"]
    appraisals = {a["citekey"]: a for a in evidence["appraisals"]}
    assert set(data["appraisals"]) == set(appraisals) == {"green2023", "ray2017", "sectoral-pathways", "vincent2024"}
    for key, shown in data["appraisals"].items():
        a = appraisals[key]
        assert (shown["tool"], shown["concern"], shown["why"], shown["path"]) == (
            a["tool"], a["overall"]["concern"], a["overall"]["explanation"], f"appraisal/{key}.yaml")
        assert [(i["label"], i["answer"], i["note"]) for i in shown["items"]] == [
            (i["label"], i["answer"], i["note"]) for i in a["items"] if i["concern"]]
        assert shown["n"] == len(a["items"]) and data["tools"][a["tool"]].startswith(a["tool_name"] + " (")
    assert [i["label"] for i in data["appraisals"]["ray2017"]["items"]] == ["Accuracy", "Coverage", "Objectivity"]
    # Beside each finding's methodological limitations: its sources and their shares, as the analysis counts them.
    limits = {f["id"]: f["limitations"] for f in analyse(evidence)["findings"]}
    keys = [s["key"] for s in data["sources"]]
    for finding in data["findings"]:
        if finding["kind"] == "gap":
            continue
        row = finding["table"][0]
        assert row["name"] == "Methodological limitations"
        lim = limits[finding["id"]]
        assert row["ap"] == {"n": lim["excerpts"], "r": [[keys.index(r["citekey"]), r["excerpts"]] for r in lim["sources"]]}
        assert all("ap" not in r for r in finding["table"][1:])


@needs_chromium
def test_an_excerpt_and_a_finding_show_the_appraisals(view, explorer):
    data = explorer["data"]
    ray = data["appraisals"]["ray2017"]
    first = next(e for e in data["evidence"] if data["sources"][e["s"]]["key"] == "ray2017")
    view.fill("#search", first["id"])
    card = view.locator("article.excerpt", has=view.locator("h3 code", has_text=re.compile(f"^{re.escape(first['id'])}$")))
    details = card.locator("details.appraisal")
    assert details.locator("summary").inner_text() == "AACODS (Tyndall 2010): moderate concerns (3 of 6 items raise concern)"
    details.locator("summary").click()
    assert details.locator("p.why").inner_text() == ray["why"]
    assert details.locator("ul.concerns li").all_inner_texts() == [f"{i['label']}: {i['answer']}. {i['note']}" for i in ray["items"]]
    assert "Appraised by A language model (a draft coder), appraisal/ray2017.yaml." in details.inner_text()
    # The first finding resting on ray2017: its sources' appraisals beside its methodological limitations.
    view.fill("#search", "")
    finding = next(f for f in data["findings"] if f["table"] and any(data["sources"][s]["key"] == "ray2017" for s, _ in f["table"][0]["ap"]["r"]))
    article = view.locator("article.finding", has=view.locator("h3", has_text=finding["id"])).first
    article.locator("summary").first.click()
    listed = article.locator("table.cerqual tbody tr").first.locator(".appraisals li").all_inner_texts()
    ap = finding["table"][0]["ap"]
    assert len(listed) == len(ap["r"])
    for text, (s, n) in zip(listed, ap["r"]):
        a = data["appraisals"][data["sources"][s]["key"]]
        items = ", ".join(i["label"] for i in a["items"]) or "none"
        assert text == (f"{data['sources'][s]['key']} {n}/{ap['n']}: {data['tools'][a['tool']]}, "
                        f"{data['concerns'][a['concern']]} (a draft appraisal); items of concern: {items}")


@needs_chromium
def test_the_page_shows_every_excerpt_finding_and_gap_map_cell(view, explorer):
    data = explorer["data"]
    assert view.locator("#grid-country button.cell").count() == len(data["gap_map"]["by_country"])
    assert view.locator("article.finding").count() == len(data["findings"])
    while view.locator("#more").count():  # "Show more" until every excerpt is listed
        view.click("#more")
    assert shown(view) == [e["id"] for e in data["evidence"]]
    view.click("#view-question")
    with_evidence = [c for c in data["gap_map"]["by_question"] if c["e"]]
    assert view.locator("#grid-question button.cell").count() == len(with_evidence)
    assert view.locator("#grid-question td.gap").count() == len(data["gap_map"]["by_question"]) - len(with_evidence)
