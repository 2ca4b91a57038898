"""Render the Markdown report with pandoc + citeproc to HTML or DOCX.

pandoc comes from pypandoc-binary (not from PATH). Citeproc warnings, e.g. an
unresolved citation, fail the build: a "???" must never reach a reader.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import tempfile
from pathlib import Path

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
WRITER = Path(__file__).parent / "pandoc" / "write.lua"  # HTML and DOCX from one reading (custom writer)
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
    """Path of the pandoc executable shipped with pypandoc-binary, or the one ``PYPANDOC_PANDOC`` names (as
    for pypandoc); found without importing pypandoc, whose import and search (it runs each pandoc it finds, to
    choose the newest) cost a job 40-60 ms. Only where none is shipped does pypandoc search."""
    named = os.environ.get("PYPANDOC_PANDOC")
    if named:
        return named
    from importlib.util import find_spec

    spec = find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        executable = "pandoc.exe" if os.name == "nt" else "pandoc"
        shipped = os.path.join(os.path.realpath(folder), "files", executable)
        if os.access(shipped, os.X_OK):
            return shipped
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


def pandoc_command(formats: tuple[str, ...] | str, markdown: str, output: str, bibliography: str,
                   csl: str | None = None, resource_path: str | None = None) -> list[str]:
    """The pandoc command line: ``ast`` parses the Markdown and resolves its citations (pandoc's JSON); any
    of ``html`` and ``docx`` are written by our writer (write.lua) from one reading of the Markdown, or of
    such an AST (``markdown`` ending in ``.json``: citations already resolved). The writer's settings are in
    the environment (:func:`writer_settings`); ``output`` is what pandoc itself writes (the HTML, if any)."""
    formats = (formats,) if isinstance(formats, str) else tuple(formats)
    known = all(fmt in FORMATS + (AST,) for fmt in formats)
    if not formats or not known or (AST in formats and len(formats) > 1):
        raise ValueError(f"unknown formats {formats!r}; expected ast, or any of {', '.join(FORMATS)}")
    # markdown-smart: quotes and dashes in the text stay exactly as written. Figures are referenced relative
    # to the Markdown file. cite.lua runs before citeproc, safe.lua after; report.lua runs in the writer, for
    # each format, after safe.lua (its own fixed markup, the <details> of the full table, must survive it).
    # Nothing that reaches pandoc may carry live markup: raw HTML and raw blocks are read as text, and
    # safe.lua drops event attributes and javascript: links.
    parsed = AST not in formats and markdown.endswith(".json")
    cmd = [pandoc_path(), markdown, "--from", "json" if parsed else READER,
           "--to", "json" if AST in formats else str(WRITER), "--output", output]
    if not parsed:
        cmd += ["--lua-filter", str(CITE_FILTER), "--citeproc", "--bibliography", bibliography]
        cmd += ["--csl", csl] if csl else []
        cmd += (["--standalone"] if AST in formats else []) + ["--lua-filter", str(SAFE_FILTER)]
    if AST not in formats:
        cmd += ["--resource-path", resource_path or str(Path(markdown).parent)]
    return cmd


def writer_settings(outputs: dict[str, str], scratch: str, css: str | None) -> dict[str, str]:
    """The environment write.lua reads: whether it writes the HTML, where the DOCX goes, the stylesheet's
    header and the reference DOCX (made in ``scratch``)."""
    docx = outputs.get("docx")
    return {"SYNTHESIS_HTML": "1" if "html" in outputs else "",
            "SYNTHESIS_DOCX": docx or "",
            "SYNTHESIS_HEADER": str(style_header(css, scratch)) if css and "html" in outputs else "",
            "SYNTHESIS_REFERENCE": str(reference_docx(scratch)) if docx else ""}


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


def render(fmt: str, markdown: str, output: str, bibliography: str, csl: str | None = None, css: str | None = None,
           resource_path: str | None = None) -> None:
    """Render ``markdown`` (or the AST the ``ast`` format wrote) to ``output`` in the format ``fmt``."""
    render_formats({fmt: output}, markdown, bibliography, csl, css, resource_path)


def render_formats(outputs: dict[str, str], markdown: str, bibliography: str, csl: str | None = None,
                   css: str | None = None, resource_path: str | None = None) -> None:
    """Render ``markdown`` (or the AST the ``ast`` format wrote) to each format's file of ``outputs``
    (``{"html": path, "docx": path}``, or ``{"ast": path}``) from one reading by pandoc; write them
    atomically, all or none; raise on any pandoc warning. ``resource_path``: where the report's figures are
    (default: beside ``markdown``)."""
    label = ", ".join(outputs)
    temporary: dict[str, str] = {}
    try:
        for fmt, output in outputs.items():
            out = Path(output)
            out.parent.mkdir(parents=True, exist_ok=True)
            for stale in out.parent.glob(f".{out.name}.*.{fmt}"):  # left by a killed earlier render
                stale.unlink(missing_ok=True)
            fd, temporary[fmt] = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=f".{fmt}")
            os.close(fd)
        with tempfile.TemporaryDirectory() as scratch:
            env = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch(),
                   "GHCRTS": ghcrts(os.environ.get("GHCRTS", ""))}
            if "ast" not in outputs:
                env.update(writer_settings({fmt: temporary[fmt] for fmt in outputs}, scratch, css))
            written = temporary.get("ast") or temporary.get("html") or str(Path(scratch) / "nothing")
            command = pandoc_command(tuple(outputs), markdown, written, bibliography, csl, resource_path)
            _pandoc(command, markdown, label, env)
        if "html" in outputs:
            live = live_content(Path(temporary["html"]).read_text(encoding="utf-8"))
            if live:
                said = ", ".join(live[:5])
                raise InputError([Problem(outputs["html"], 1,
                                          f"the rendered HTML would run code ({said}); nothing was written")])
        for fmt, output in outputs.items():
            os.chmod(temporary[fmt], 0o644)  # mkstemp makes 0600; a report is for sharing
            os.replace(temporary[fmt], output)
    finally:
        for path in temporary.values():
            Path(path).unlink(missing_ok=True)


__all__ = ["AST", "FORMATS", "pandoc_command", "pandoc_path", "pandoc_version", "render", "render_formats",
           "source_date_epoch"]
