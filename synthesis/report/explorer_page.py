"""The evidence explorer: one self-contained HTML file (``output/report/explorer.html``) that works offline.

The review's data is embedded as JSON in a ``<script type="application/json">`` block, which browsers never
run, with ``<``, ``>``, ``&`` and U+2028/U+2029 written as ``\\u`` escapes so that no quote (``</script>``,
``<!--``) can end the block; the page's one script (``explorer/explorer.js``, shipped with the package and
inlined) builds the page from it with DOM methods, setting every value as text. A Content-Security-Policy
allows that script and stylesheet by hash and nothing else (no network, no other script, no plugin), and
:func:`live_content` checks the page before it is written. The same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path
from typing import Any, Callable, Iterator

from ..common.problems import InputError, Problem
from .appendix import read_source_text
from .explorer import explorer_data, explorer_fields

ASSETS = Path(__file__).parent / "explorer"
OUTPUT = "output/report/explorer.html"
DATA_ID = "explorer-data"
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def embedded_json(value: Any) -> str:
    """``value`` as JSON that can sit inside a ``<script>`` element: the characters that could close the
    element or open a comment (and the two line separators old parsers treat as line ends) are escaped."""
    import orjson

    return _escaped(orjson.dumps(value)).decode("utf-8")


def _escaped(data: bytes) -> bytes:
    # Replaced in the UTF-8 bytes (a 17 MB embed for 1,000 sources: a pattern scanning the text took longer);
    # in any order, since no escape holds one of these characters. Each piece of JSON holds whole characters.
    for char, escape in _JSON_ESCAPES.items():
        data = data.replace(char.encode("utf-8"), escape.encode("ascii"))
    return data


_BATCH = 2000  # excerpt records per piece of the streamed JSON


def embedded_json_pieces(fields: Iterator[tuple[str, Any]]) -> Iterator[bytes]:
    """:func:`embedded_json` of the dict of ``fields`` (keys and values, as :func:`explorer_fields` gives
    them), as UTF-8 pieces: ``evidence``'s records are dumped a batch at a time as they are made. The same
    bytes: orjson writes a dict as its keys and values dumped in order, with no space."""
    import orjson

    yield b"{"
    for n, (key, value) in enumerate(fields):
        yield (b"," if n else b"") + _escaped(orjson.dumps(key)) + b":"
        if key != "evidence":
            yield _escaped(orjson.dumps(value))
            continue
        batch: list[bytes] = []
        yield b"["
        for i, record in enumerate(value):
            # A record as bytes is its JSON already (a source's kept records: report.pieces).
            batch.append(record if record.__class__ is bytes else orjson.dumps(record))
            if len(batch) == _BATCH:
                yield (b"," if i >= _BATCH else b"") + _escaped(b",".join(batch))
                batch = []
        if batch:
            yield (b"," if i >= _BATCH else b"") + _escaped(b",".join(batch))
        yield b"]"
    yield b"}"


def asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def policy(script: str, style: str) -> str:
    """The page's Content-Security-Policy: its own script and stylesheet, by hash; nothing else loads or
    runs."""
    return (f"default-src 'none'; script-src '{_sha256(script)}'; style-src '{_sha256(style)}'; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def page(data: dict[str, Any]) -> str:
    """The explorer page for explorer data (:func:`synthesis.report.explorer.explorer_data`)."""
    head, tail = _frame(data["title"], data["subtitle"], data["report"], len(data["evidence"]), len(data["sources"]),
                        len(data["findings"]), len(data["claims"]))
    return head + embedded_json(data) + tail


def _frame(title: str, subtitle: str, report: str, excerpts: int, sources: int, findings: int, claims: int) -> tuple[str, str]:
    """The page before and after its data block's JSON."""
    script, style = asset("explorer.js"), asset("explorer.css")
    title = html.escape(title)
    subtitle = f"<p>{html.escape(subtitle)}</p>\n" if subtitle else ""
    counts = (f"{excerpts:,} excerpts from {sources:,} sources, "
              f"{findings:,} review findings, {claims:,} claims of the report")
    head = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{html.escape(policy(script, style))}\">\n"
        f"<title>Evidence explorer: {title}</title>\n<style>{style}</style>\n</head>\n<body>\n"
        "<a class=\"skip\" href=\"#results-heading\">Skip to the excerpts</a>\n"
        f"<header class=\"top\">\n<h1>{title}</h1>\n{subtitle}"
        f"<p>Evidence explorer: {html.escape(counts)}. "
        f"Built with <a href=\"{html.escape(report)}\">the report</a>; "
        "every quote is shown as located in its source, with the file's SHA-256.</p>\n</header>\n"
        "<noscript><p>The explorer is built by its script, which this browser does not run. "
        "The report (state-of-play.html) and the tables in output/tables/ hold the same evidence.</p></noscript>\n"
        "<div id=\"app\"></div>\n"
        f"<script type=\"application/json\" id=\"{DATA_ID}\">"
    )
    return head, f"</script>\n<script>{script}</script>\n</body>\n</html>\n"


def live_content(text: str) -> list[str]:
    """What in an explorer page could run besides its own script: any other script or active element, an
    event attribute, an executable URL, or a data block that does not hold exactly the embedded JSON."""
    from html.parser import HTMLParser

    script = asset("explorer.js")
    found: list[str] = []
    blocks: list[tuple[dict, list[str]]] = []

    class Scan(HTMLParser):
        inside = False

        def handle_starttag(self, tag, attrs):
            named = dict(attrs)
            if tag == "script":
                blocks.append((named, []))
                self.inside = True
            elif tag in ("iframe", "object", "embed", "base", "form", "frame", "link"):
                found.append(f"<{tag}>")
            elif tag == "meta" and "http-equiv" in named and named["http-equiv"].lower() != "content-security-policy":
                found.append("<meta http-equiv>")
            for key, value in attrs:
                compact = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                if key.startswith("on"):
                    found.append(f"{key}= on <{tag}>")
                elif key in URL_ATTRIBUTES and compact.startswith(("javascript:", "vbscript:", "data:")):
                    found.append(f"{key}={compact[:20]} on <{tag}>")

        def handle_endtag(self, tag):
            self.inside = self.inside and tag != "script"

        def handle_data(self, data):
            if self.inside:
                blocks[-1][1].append(data)

    Scan(convert_charrefs=False).feed(text)
    kinds = [(b.get("type"), b.get("id")) for b, _ in blocks]
    if kinds != [("application/json", DATA_ID), (None, None)]:
        found.append(f"script elements {kinds}, expected the data block then the explorer's script")
    else:
        data, code = ("".join(parts) for _, parts in blocks)
        if "<" in data:
            found.append("the data block holds '<'")
        if code != script:
            found.append("the script is not the explorer's own")
    return found


def explorer_html(evidence_set: dict[str, Any], analysis: dict[str, Any], claims: list[dict[str, Any]],
                  source_text: Callable[[str], str] = read_source_text) -> str:
    """The explorer of a built review (pure: the same evidence set, analysis and claims give the same text).
    Raises :class:`InputError` if the page would hold anything live (it never should)."""
    text = page(explorer_data(evidence_set, analysis, claims, source_text))
    live = live_content(text)
    if live:
        said = ", ".join(live[:5])
        raise InputError([Problem(OUTPUT, 1, f"the explorer would run code ({said}); nothing was written")])
    return text


def write_explorer(path: str | Path, evidence_set: dict[str, Any], analysis: dict[str, Any],
                   claims: list[dict[str, Any]], source_text: Callable[[str], str] = read_source_text,
                   kept: Any = None) -> None:
    """Write :func:`explorer_html`'s page to ``path`` (atomically) in pieces, its excerpt records made,
    written and let go a batch at a time (a review of 5,000 sources embeds 100,000 of them). The page is
    checked as :func:`explorer_html` checks it: its frame whole, its data block for a ``<`` (without one, the
    block's text cannot change how the frame parses). ``kept``: each source's records kept between builds
    (report.pieces)."""
    from ..common.textio import write_atomic

    data = evidence_set
    protocol = data["protocol"]
    findings = sum(len(r["findings"]) for r in data.get("findings", []))
    head, tail = _frame(protocol["title"], protocol.get("subtitle", ""), "state-of-play.html", len(data["evidence"]),
                        len(data["sources"]), findings, len(claims))
    refuse = lambda live: InputError([Problem(OUTPUT, 1, f"the explorer would run code ({', '.join(live[:5])}); nothing was written")])  # noqa: E731
    live = live_content(head + tail)
    if live:
        raise refuse(live)

    def pieces():
        yield head
        for piece in embedded_json_pieces(explorer_fields(evidence_set, analysis, claims, source_text, kept)):
            if b"<" in piece:
                raise refuse(["the data block holds '<'"])
            yield piece
        yield tail

    write_atomic(path, pieces())


__all__ = ["DATA_ID", "OUTPUT", "embedded_json", "embedded_json_pieces", "explorer_html", "live_content", "page",
           "policy", "write_explorer"]
