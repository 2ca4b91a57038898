"""``review code``: a selection in the rendered text maps to the source's own characters (headings, emphasis,
line breaks, hyphens, curly quotes), and every quote so made is located; the server's checks refuse a bad token,
a bad Host, an oversized body and a stale sheet with exact messages; a save writes the one sheet."""

from __future__ import annotations

import glob
import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

import reviewkit
from synthesis.coauthor import code_app, code_sheet
from synthesis.coauthor.code_text import quote_of, render, whole_words
from synthesis.evidence.normalise import matchable
from synthesis.evidence.quotes import find_quote

SOURCE = """---
citekey: x
---
# The *weakest* link?

Training is \u201cthe right job\u201d first, and a **work-first**
system second; self-
reporting is _rare_ in [the survey](https://example.org/s "S").

- one item with `code`
- another item

> a quoted line
> and its second line
"""


class Spans(HTMLParser):
    """The page's visible text as a browser lays it out, with each span's source offset."""

    def __init__(self):
        super().__init__()
        self.runs, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        self.stack.append(dict(attrs).get("data-s") if tag == "span" else None)

    def handle_endtag(self, tag):
        self.stack.pop()

    def handle_data(self, data):
        at = self.stack[-1] if self.stack else None
        self.runs.append((int(at) if at is not None else None, data))


def parsed(html: str) -> list[tuple[int | None, str]]:
    spans = Spans()
    spans.feed(html)
    return spans.runs


def select(html: str, first: str, last: str) -> tuple[int, int]:
    """The source offsets of a selection from the start of ``first`` to the end of ``last`` in the page's text."""
    runs = parsed(html)
    page = "".join(data for _at, data in runs)
    a, b = page.index(first), page.index(last) + len(last)
    start = end = None
    pos = 0
    for at, data in runs:
        if at is not None:
            if start is None and pos <= a < pos + len(data):
                start = at + a - pos
            if pos < b <= pos + len(data):
                end = at + b - pos
        pos += len(data)
    return start, end


def quoted(first: str, last: str, text: str = SOURCE) -> str:
    start, end = whole_words(text, *select(render(text, text.index("---\n#") + 4), first, last))
    return quote_of(text, start, end)


def test_every_span_is_the_source_s_own_characters():
    for path in sorted(glob.glob(str(reviewkit.ROOT / "sources/*.md"))) + [None]:
        text = Path(path).read_text(encoding="utf-8") if path else SOURCE
        for at, data in parsed(render(text)):
            if at is not None:
                assert text[at:at + len(data)] == data, (path, at)


@pytest.mark.parametrize("first, last, quote", [
    ("weakest", "link?", "weakest* link?"),  # a heading: its text, the emphasis mark between as the source has it
    ("Training", "job\u201d", "Training is \u201cthe right job\u201d"),  # curly quotes kept
    ("work-first", "second", "work-first** system second"),  # a line break is a space
    ("self-", "reporting", "self- reporting"),  # a hyphen at a line end kept with its break
    ("rare", "survey", "rare_ in [the survey"),  # a link's text, without its address
    ("item with", "another", "item with `code` - another"),  # across list items
    ("quoted", "second line", "quoted line > and its second line"),
    ("aining", "the rig", "Training is \u201cthe right"),  # widened to whole words
])
def test_a_selection_maps_to_the_source_s_characters_and_is_located(first, last, quote):
    got = quoted(first, last)
    assert got == quote
    assert find_quote(matchable(SOURCE), got) is not None


def test_the_page_leaves_markup_out():
    page = "".join(data for _at, data in parsed(render(SOURCE, SOURCE.index("# The"))))
    assert "The weakest link?" in page and "work-first\nsystem" in page
    for mark in ("**", "https://example.org", "`", "# "):
        assert mark not in page, mark
    html = render(SOURCE, SOURCE.index("# The"))
    assert "<h2>" in html and "<ul><li>" in html and "<blockquote>" in html


def test_crlf_lines_and_a_page_s_set_aside_marker():
    text = "A line\r\nand the next.\r\n\r\nAnother."
    runs = [r for r in parsed(render(text, markdown=False)) if r[0] is not None]
    assert [(at, data) for at, data in runs] == [(0, "A line"), (8, "and the next."), (25, "Another.")]
    assert quote_of("one\n[table]\ntwo", 0, 15) == "one two"


def test_excerpts_are_marked_with_their_ids():
    html = render("Alpha beta gamma.", marks=[(6, 10, "3")])
    assert html == ('<p><span data-s="0">Alpha </span><span data-s="6" class="hl" data-ids="3">beta</span>'
                    '<span data-s="10"> gamma.</span></p>')
    assert "&lt;script&gt;" in render("<script>alert(1)</script>")


# ---- the server's checks -------------------------------------------------------------------------------

ADDRESS, TOKEN = "127.0.0.1:8123", "s3cret-token"


@pytest.mark.parametrize("host, token, length, expected", [
    ("evil.example:8123", TOKEN, None, (400, "refused: the Host header 'evil.example:8123' is not this app's address (127.0.0.1:8123)")),
    ("127.0.0.1:8123", "wrong", None, (403, "refused: missing or wrong token; open the address `review code` printed")),
    ("127.0.0.1:8123", "", None, (403, "refused: missing or wrong token; open the address `review code` printed")),
    ("localhost:8123", TOKEN, str(code_app.MAX_BODY + 1), (413, "refused: the request is larger than 262,144 bytes")),
    ("localhost:8123", TOKEN, "12", None),
])
def test_refusal(host, token, length, expected):
    assert code_app.refusal("POST", host, token, length, ADDRESS, TOKEN) == expected


@pytest.fixture
def client(review):
    from starlette.testclient import TestClient

    sheet = code_sheet.find_sheet("smith2020")
    app = code_app.create_app(sheet, ADDRESS, TOKEN)
    with TestClient(app, base_url=f"http://{ADDRESS}", headers={"X-Review-Token": TOKEN}) as c:
        yield c


def test_requests_without_the_token_or_with_another_host_are_refused(client):
    assert client.get("/", headers={"X-Review-Token": ""}).status_code == 403
    assert client.get(f"/?token={TOKEN}", headers={"X-Review-Token": ""}).status_code == 200
    bad = client.get("/api/state", headers={"host": "attacker.example"})
    assert (bad.status_code, bad.json()) == (400, {"error": "refused: the Host header 'attacker.example' is not this app's address (127.0.0.1:8123)"})


def test_an_oversized_body_is_refused_also_without_a_length(client):
    big = client.post("/api/save", content=b"x" * (code_app.MAX_BODY + 1), headers={"content-type": "application/json"})
    assert (big.status_code, big.json()) == (413, {"error": "refused: the request is larger than 262,144 bytes"})
    chunks = (b"x" * 65536 for _ in range(5))  # sent chunked: no Content-Length to check first
    big = client.post("/api/save", content=chunks, headers={"content-type": "application/json"})
    assert (big.status_code, big.json()) == (413, {"error": "refused: the request is larger than 262,144 bytes"})


def _add(client, version, **values):
    text = Path("sources/smith2020.md").read_text(encoding="utf-8-sig")
    start = text.index("Members of")
    body = {"version": version, "action": "add", "values": {"codes": "bill_savings", "finding": "Bills fell."} | values,
            "selection": [start, text.index("first year.") + len("first year.")]}
    return client.post("/api/save", json=body)


def test_a_save_adds_the_row_with_the_source_s_quote_and_refuses_a_stale_sheet(client):
    state = client.get("/api/state").json()
    before = Path("extraction/smith2020.csv").read_text(encoding="utf-8")
    saved = _add(client, state["version"])
    assert saved.status_code == 200, saved.json()
    after = Path("extraction/smith2020.csv").read_text(encoding="utf-8")
    assert after.startswith(before)
    assert after[len(before):] == "5,Members of the cooperative saw bills fall by 12 per cent in the first year.,bill_savings,Bills fell.,,,,,,\n"
    stale = _add(client, state["version"])  # the page's version is the one before the save
    message = ("extraction/smith2020.csv changed on disk since it was loaded: nothing was saved; reload to see the file as "
               "it is now (the row you were editing stays in the form)")
    assert (stale.status_code, stale.json()) == (409, {"error": message, "stale": True})
    assert Path("extraction/smith2020.csv").read_text(encoding="utf-8") == after


def test_a_save_review_check_refuses_writes_nothing(client):
    before = Path("extraction/smith2020.csv").read_bytes()
    refused = _add(client, client.get("/api/state").json()["version"], codes="no_such_code")
    assert refused.status_code == 422
    assert refused.json()["problems"][0] == ("extraction/smith2020.csv:6: C6 (id 5): unknown code 'no_such_code': allowed: bill_savings, uptake, local_trust, grid_access")
    assert Path("extraction/smith2020.csv").read_bytes() == before


def test_edit_and_delete(client):
    version = client.get("/api/state").json()["version"]
    edited = client.post("/api/save", json={"version": version, "action": "edit", "id": "1", "values": {"finding": "New words."}})
    assert edited.status_code == 200, edited.json()
    row = next(r for r in edited.json()["rows"] if r["id"] == "1")
    assert row["cells"]["finding"] == "New words."
    gone = client.post("/api/save", json={"version": edited.json()["version"], "action": "delete", "id": "2", "values": {}})
    assert gone.status_code == 200, gone.json()
    assert [r["id"] for r in gone.json()["rows"]] == ["1", "3", "4"]


def test_a_typed_quote_is_refused(client):
    version = client.get("/api/state").json()["version"]
    typed = client.post("/api/save", json={"version": version, "action": "edit", "id": "1", "values": {"quote": "made up"}})
    assert (typed.status_code, typed.json()["problems"]) == (422, ["the quote comes from a selection in the text, never typed: select the passage"])


def _client_for(key: str, coder: str | None = None):
    from starlette.testclient import TestClient

    app = code_app.create_app(code_sheet.find_sheet(key, coder), ADDRESS, TOKEN)
    return TestClient(app, base_url=f"http://{ADDRESS}", headers={"X-Review-Token": TOKEN})


def test_a_pdf_source_shows_its_pages_and_a_selection_across_a_page_is_located(review):
    import pdfkit
    from synthesis.inputs.pdf_source import load_pdf_source

    pdfkit.add_pdf_source(review)
    text = load_pdf_source("sources/trust2024.pdf").text
    with _client_for("trust2024") as client:
        state = client.get("/api/state").json()
        assert '<div class="page" aria-hidden="true">=== p. 1 (page 3 of the file) ===</div>' in state["html"]
        start = text.index("In the second phase")
        end = text.index("associations in 2021.") + len("associations in 2021.")
        saved = client.post("/api/save", json={"version": state["version"], "action": "add", "selection": [start, end],
                                               "values": {"codes": "uptake", "finding": "Tenants were added in 2021."}})
        assert saved.status_code == 200, saved.json()
        row = saved.json()["rows"][-1]
        assert row["cells"]["quote"] == "In the second phase the scheme was extended to tenants of housing associations in 2021."
        assert row["place"] == "pp. 1-2" and row["problems"] == []


def test_an_independent_coder_s_sheet_is_edited_the_same_way(review):
    from test_agreement import declare_coders, write_coders

    declare_coders(review)
    write_coders(review, ["ann"])
    consensus = Path("extraction/smith2020.csv").read_bytes()
    with _client_for("smith2020", "ann") as client:
        assert "Coding smith2020 as ann" in client.get(f"/?token={TOKEN}").text
        saved = _add(client, client.get("/api/state").json()["version"], coder="ann")
        assert saved.status_code == 200, saved.json()
    import csv

    last = list(csv.DictReader(open("extraction/coders/ann/smith2020.csv", encoding="utf-8")))[-1]
    assert (last["quote"], last["coder"]) == ("Members of the cooperative saw bills fall by 12 per cent in the first year.", "ann")
    assert Path("extraction/smith2020.csv").read_bytes() == consensus
