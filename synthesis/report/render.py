"""Render the Markdown report with pandoc + citeproc to HTML or DOCX.

pandoc comes from pypandoc-binary (not on PATH). Citeproc warnings, e.g. an
unresolved citation, fail the build: a "???" must never reach a reader.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ..common.problems import InputError, Problem

FORMATS = ("html", "docx")
AST = "ast"  # pandoc's JSON of the report, citations resolved: what both renderings read in the build
FILTER = Path(__file__).parent / "pandoc" / "report.lua"
CITE_FILTER = Path(__file__).parent / "pandoc" / "cite.lua"  # runs before citeproc: short titles
# The draft banner in the DOCX: a shaded, bordered paragraph style (the HTML's is in report.css).
BANNER_STYLE = ('<w:style w:type="paragraph" w:customStyle="1" w:styleId="Banner"><w:name w:val="Banner"/>'
                '<w:basedOn w:val="BodyText"/><w:qFormat/><w:pPr><w:pBdr>'
                + "".join(f'<w:{side} w:val="single" w:sz="12" w:space="4" w:color="E6A23C"/>' for side in ("top", "left", "bottom", "right"))
                + '</w:pBdr><w:shd w:val="clear" w:color="auto" w:fill="FFF4E5"/><w:spacing w:before="120" w:after="120"/>'
                '<w:ind w:left="113" w:right="113"/></w:pPr></w:style>')
# US Letter portrait with 1 in margins (what the default reference document leaves to the word processor).
PAGE = ('<w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" '
        'w:header="720" w:footer="720" w:gutter="0"/>')
# Borders for every table of the DOCX (pandoc's default table style has none).
TABLE_BORDERS = ("<w:tblBorders>" + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="999999"/>'
                 for side in ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>")
READER = "markdown-smart-raw_html-raw_attribute-raw_tex-markdown_in_html_blocks"
SAFE_FILTER = Path(__file__).parent / "pandoc" / "safe.lua"
_PANDOC_LINE = re.compile(r"line (\d+)")
# 1980-01-01: the earliest date a ZIP (DOCX) can hold; used when no commit date exists.
FALLBACK_EPOCH = "315532800"
# pandoc's GHC runtime: an old generation of at least 64 MB. With pandoc's own setting alone (-H64m) the ast
# step of a 1,000-source report collects the old generation 10 times, each copying the live heap (0.27 of 1.2
# CPU s); with -O64m 3 times (0.08 s; html and docx alike), for at most ~30 MiB more memory. Runtime options
# never change what pandoc writes. A user's own GHCRTS goes after ours, so its settings win (GHC reads them
# left to right).
RTS_OPTIONS = "-O64m"


def pandoc_path() -> str:
    """Path of the pandoc executable shipped with pypandoc-binary."""
    import pypandoc

    return pypandoc.get_pandoc_path()


def pandoc_version() -> str:
    """pandoc's version string, e.g. ``3.9``."""
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, check=True).stdout
    return out.split("\n", 1)[0].split()[-1]


def source_date_epoch(review_dir: str | Path = ".") -> str:
    """``SOURCE_DATE_EPOCH`` if set, else the last commit's time, else 1980-01-01."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return os.environ["SOURCE_DATE_EPOCH"]
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=review_dir, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return FALLBACK_EPOCH
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip().isdigit() else FALLBACK_EPOCH


def ghcrts(own: str = "") -> str:
    """The GHCRTS pandoc runs with: :data:`RTS_OPTIONS`, then the user's own (``own``), which override
    them."""
    return f"{RTS_OPTIONS} {own}" if own.strip() else RTS_OPTIONS


def reference_docx(directory: str | Path) -> Path:
    """pandoc's default reference document with bordered tables, written into ``directory``."""
    import zipfile

    default = subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True, check=True).stdout
    path = Path(directory) / "reference.docx"
    with zipfile.ZipFile(io.BytesIO(default)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                # The page size and margins stated, as report.lua states them for a landscape table's pages.
                data = data.decode("utf-8").replace("</w:footnotePr>", "</w:footnotePr>" + PAGE, 1).encode("utf-8")
            if info.filename == "word/styles.xml":
                text = data.decode("utf-8")
                # OOXML orders a table's properties: borders go after the indent, before the cell margins.
                start = text.index('w:styleId="Table"')
                at = text.index("<w:tblCellMar>", start)
                text = text[:at] + TABLE_BORDERS + text[at:]
                data = text.replace("</w:styles>", BANNER_STYLE + "</w:styles>").encode("utf-8")
            # pandoc stamps the default file's entries with the current time and copies some of them into
            # the DOCX as they are: a fixed time keeps the DOCX byte-identical across builds.
            info.date_time = (1980, 1, 1, 0, 0, 0)
            target.writestr(info, data)
    return path


def pandoc_command(fmt: str, markdown: str, output: str, bibliography: str, csl: str | None = None, css: str | None = None,
                   reference: str | None = None, resource_path: str | None = None) -> list[str]:
    """The pandoc command line for one output format: ``ast`` parses the Markdown and resolves its citations
    (pandoc's JSON, which both renderings then read: the build parses and runs citeproc once, not twice);
    ``html`` and ``docx`` from such an AST (``markdown`` ending in ``.json``) only write, else do it all."""
    if fmt not in FORMATS + (AST,):
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS + (AST,))}")
    # markdown-smart: quotes and dashes in the text stay exactly as written. Figures are referenced relative
    # to the Markdown file. cite.lua runs before citeproc, the others after: safe.lua first, then report.lua,
    # whose own fixed markup (the <details> of the full table) must survive it. Nothing that reaches pandoc
    # may carry live markup: raw HTML and raw blocks are read as text, and safe.lua drops event attributes and
    # javascript: links.
    parsed = fmt != AST and markdown.endswith(".json")
    cmd = [pandoc_path(), markdown, "--from", "json" if parsed else READER, "--to", "json" if fmt == AST else fmt, "--output", output]
    if not parsed:
        cmd += ["--lua-filter", str(CITE_FILTER), "--citeproc", "--bibliography", bibliography] + (["--csl", csl] if csl else [])
    cmd += ["--standalone"]
    if fmt == AST:
        return cmd + ["--lua-filter", str(SAFE_FILTER)]
    cmd += ["--resource-path", resource_path or str(Path(markdown).parent)]
    cmd += ([] if parsed else ["--lua-filter", str(SAFE_FILTER)]) + ["--lua-filter", str(FILTER)]
    if fmt == "html":
        # Self-contained without --embed-resources, which re-parses the whole page (0.5 CPU s of a
        # 1,000-source report's 1.3): render() has put the images into the AST and the stylesheet into a
        # header. pandoc's own document styles stay out, as with --css (which sets document-css false); lines
        # break where the Markdown's do, never inside a tag.
        cmd += ["--toc", "--toc-depth=2", "--wrap=preserve"]
        cmd += ["--include-in-header", css, "--metadata", "document-css=false"] if css else []
    if fmt == "docx" and reference:
        cmd += ["--reference-doc", reference]
    return cmd


IMAGE_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".gif": "image/gif"}


def embedded_images(ast: Any, resource_path: str) -> list[str]:
    """Point each local image of a pandoc AST (``ast``, changed in place) at a ``data:`` URI of its file in
    ``resource_path``, as ``--embed-resources`` would; return the images that are not there."""
    import base64

    missing: list[str] = []
    stack = [ast.get("blocks", [])]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))  # taken from the end: the images in the order they appear
        elif isinstance(node, dict):
            if node.get("t") == "Image":
                target = node["c"][2]
                url = target[0]
                path = Path(resource_path) / url
                if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url) or url.startswith(("/", "#")):
                    pass  # not a file of the report's (the inputs' text reaches pandoc inert: none is live)
                elif path.suffix.lower() in IMAGE_TYPES and path.is_file():
                    data = base64.b64encode(path.read_bytes()).decode("ascii")
                    target[0] = f"data:{IMAGE_TYPES[path.suffix.lower()]};base64,{data}"
                else:
                    missing.append(url)
            if isinstance(node.get("c"), list):
                stack.append(node["c"])
    return missing


def style_header(css: str | Path, directory: str | Path) -> Path:
    """The stylesheet as a ``<style>`` element in a file for ``--include-in-header``."""
    text = Path(css).read_text(encoding="utf-8")
    path = Path(directory) / "style.html"
    path.write_text(f'<style type="text/css">\n{text.rstrip()}\n</style>\n', encoding="utf-8")
    return path


def _line(message: str) -> int:
    found = _PANDOC_LINE.search(message)
    return int(found.group(1)) if found else 1


def live_content(html: str) -> list[str]:
    """What in an HTML page could run: script tags, event attributes, executable URLs."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Scan(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag in ("script", "iframe", "object", "embed", "base", "form", "meta") and not (tag == "meta" and not any(k == "http-equiv" for k, _v in attrs)):
                found.append(f"<{tag}>")
            for key, value in attrs:
                compact = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                if key.startswith("on"):
                    found.append(f"{key}= on <{tag}>")
                elif key in ("href", "src", "action", "formaction", "xlink:href") and compact.startswith(("javascript:", "vbscript:", "data:text")):
                    found.append(f"{key}={compact[:20]} on <{tag}>")

    Scan().feed(html)
    return found


def _pandoc(cmd: list[str], source: str, fmt: str, env: dict[str, str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    if result.returncode != 0 or warnings:
        said = warnings or [f"exit status {result.returncode}"]
        raise InputError([Problem(source, _line(line), f"pandoc ({fmt}): {line}") for line in said])


def _html_inputs(markdown: str, bibliography: str, csl: str | None, css: str | None,
                 resource_path: str | None, scratch: str, env: dict[str, str]) -> tuple[str, str | None]:
    """The AST and stylesheet header the HTML is written from, in ``scratch``: the report's images put in the
    AST (parsed first when ``markdown`` is Markdown), the stylesheet in a ``<style>`` element."""
    import orjson

    resources = resource_path or str(Path(markdown).parent)
    ast_path = markdown
    if not markdown.endswith(".json"):
        ast_path = str(Path(scratch) / "report.ast.json")
        _pandoc(pandoc_command(AST, markdown, ast_path, bibliography, csl), markdown, "html", env)
    ast = orjson.loads(Path(ast_path).read_bytes())
    missing = embedded_images(ast, resources)
    if missing:
        raise InputError([Problem(markdown, 1, f"pandoc (html): the image {url} is not in {resources}")
                          for url in missing])
    embedded = Path(scratch) / "embedded.ast.json"
    embedded.write_bytes(orjson.dumps(ast))
    return str(embedded), str(style_header(css, scratch)) if css else None


def render(fmt: str, markdown: str, output: str, bibliography: str, csl: str | None = None, css: str | None = None,
           resource_path: str | None = None) -> None:
    """Render ``markdown`` (or the AST the ``ast`` format wrote) to ``output`` (written atomically); raise on
    any pandoc warning. ``resource_path``: where the report's figures are (default: beside ``markdown``)."""
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}.*.{fmt}"):  # left by a killed earlier render
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=f".{fmt}")
    os.close(fd)
    env = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch(), "GHCRTS": ghcrts(os.environ.get("GHCRTS", ""))}
    scratch = tempfile.TemporaryDirectory()
    try:
        reference = str(reference_docx(scratch.name)) if fmt == "docx" else None
        source = markdown  # what problems name (the HTML is written from an AST in scratch)
        if fmt == "html":
            markdown, css = _html_inputs(markdown, bibliography, csl, css, resource_path, scratch.name, env)
        command = pandoc_command(fmt, markdown, tmp, bibliography, csl, css, reference, resource_path)
        _pandoc(command, source, fmt, env)
        if fmt == "html":
            live = live_content(Path(tmp).read_text(encoding="utf-8"))
            if live:
                raise InputError([Problem(str(out), 1, f"the rendered HTML would run code ({', '.join(live[:5])}); nothing was written") ])
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is for sharing
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
        scratch.cleanup()


__all__ = ["AST", "FORMATS", "pandoc_command", "pandoc_path", "pandoc_version", "render", "source_date_epoch"]
