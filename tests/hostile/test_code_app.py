"""Hostile requests to ``review code``'s app, served as the command serves it: paths that try to name a file,
another Host (DNS rebinding), no or a wrong token, other methods, oversized and malformed bodies, values a
spreadsheet would run, markup in a value (shown as text in the browser), a selection outside the source, and
another address of this machine than 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import reviewkit

from test_code_browser import browser_page, needs_chromium, running

SECRET = "the door never reads me"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One server for the module (each case leaves the sheet as it was, but the last, which adds a row)."""
    review = reviewkit.make_review(tmp_path_factory.mktemp("code") / "review")
    (review / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (review.parent / "outside-secret.txt").write_text(SECRET, encoding="utf-8")
    with running(".venv/bin/review code smith2020", review) as url:
        parts = urlsplit(url)
        yield parts.hostname, parts.port, parts.query.removeprefix("token="), url, review


def ask(app, method: str, path: str, body: bytes | None = None, headers: dict | None = None, token: bool = True):
    host, port, token_value = app[:3]
    connection = http.client.HTTPConnection(host, port, timeout=20)
    sent = {"Host": f"{host}:{port}"} | ({"X-Review-Token": token_value} if token else {}) | (headers or {})
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data


def _version(app) -> str:
    return json.loads(ask(app, "GET", "/api/state")[1])["version"]


def _add(app, values: dict, selection=None):
    text = (app[4] / "sources/smith2020.md").read_text(encoding="utf-8-sig")
    start = text.index("Members of")
    body = {"version": _version(app), "action": "add", "values": {"codes": "bill_savings"} | values,
            "selection": selection or [start, start + 26]}
    status, data = ask(app, "POST", "/api/save", json.dumps(body).encode(), {"Content-Type": "application/json"})
    return status, json.loads(data)


@pytest.mark.parametrize("path", ["/../review.yaml", "/app.js/../../review.yaml", "/%2e%2e/review.yaml", "/review.yaml",
                                  "/sources/smith2020.md", "//etc/passwd", "/../outside-secret.txt", "/static/code.js"])
def test_no_path_names_a_file(app, path):
    status, data = ask(app, "GET", path)
    assert status == 404 and b"citekey" not in data and SECRET.encode() not in data


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1.evil.example:{port}", "127.0.0.1:1", "localhost", ""])
def test_another_host_is_refused(app, host):
    status, data = ask(app, "GET", "/api/state", headers={"Host": host.format(port=app[1])})
    shown = host.format(port=app[1])
    assert (status, json.loads(data)) == (400, {"error": f"refused: the Host header '{shown}' is not this app's address (127.0.0.1:{app[1]})"})


@pytest.mark.parametrize("token", [None, "", "x", "A" * 32])
def test_no_or_a_wrong_token_is_refused(app, token):
    headers = {} if token is None else {"X-Review-Token": token}
    for path in ("/", "/app.js", "/api/state"):
        status, data = ask(app, "GET", path, headers=headers, token=False)
        assert (status, json.loads(data)) == (403, {"error": "refused: missing or wrong token; open the address `review code` printed"})


def test_other_methods_and_bodies_are_refused(app):
    assert ask(app, "PUT", "/api/save", b"{}")[0] == 405
    assert ask(app, "POST", "/api/save", b"{}", {"Content-Type": "text/plain"})[0] == 415
    assert ask(app, "POST", "/api/save", b"{not json", {"Content-Type": "application/json"})[0] == 400
    status, data = ask(app, "POST", "/api/save", b"{" + b" " * 300_000 + b"}", {"Content-Type": "application/json"})
    assert (status, json.loads(data)) == (413, {"error": "refused: the request is larger than 262,144 bytes"})


def test_values_a_spreadsheet_would_run_and_selections_outside_the_source(app):
    before = (app[4] / "extraction/smith2020.csv").read_bytes()
    assert _add(app, {"finding": "=HYPERLINK(\"http://x\")"}) == (
        422, {"error": "not saved", "problems": ["finding: starts with '=', which a spreadsheet would run as a formula"]})
    assert _add(app, {"finding": "a\x07bell"})[1]["problems"] == ["finding: holds a control character; give plain text"]
    assert _add(app, {"finding": "Fine."}, selection=[-5, 3])[1]["problems"] == [
        "the selection is not in the source's text: select the passage again"]
    assert _add(app, {"finding": "Fine.", "no_such_column": "x"})[1]["problems"] == [
        "unknown columns or values that are not text: no_such_column"]
    assert (app[4] / "extraction/smith2020.csv").read_bytes() == before


def test_only_the_loopback_address_listens(app):
    assert app[0] == "127.0.0.1"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.1.1", app[1]), timeout=5).close()  # another loopback address: not bound


@needs_chromium
def test_markup_in_a_value_is_shown_as_text(app, chromium):
    status, data = _add(app, {"finding": "<img src=x onerror=\"document.title='pwned'\"> <b>bold</b>"})
    assert status == 200, data
    with browser_page(chromium) as page:
        page.goto(app[3])
        page.wait_for_selector("#rows li")
        assert page.locator("#rows img, #rows b").count() == 0
        assert "<img src=x" in page.inner_text("#rows")
        assert page.title() != "pwned"
