"""Render the Markdown report with pandoc + citeproc to HTML or DOCX.

pandoc comes from pypandoc-binary (not on PATH). Citeproc warnings, e.g. an
unresolved citation, fail the build: a "???" must never reach a reader.
"""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
from pathlib import Path

from ..common.problems import InputError, Problem

FORMATS = ("html", "docx")
FILTER = Path(__file__).parent / "pandoc" / "report.lua"
# Borders for every table of the DOCX (pandoc's default table style has none).
TABLE_BORDERS = ("<w:tblBorders>" + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="999999"/>'
                 for side in ("top", "left", "bottom", "right", "insideH", "insideV")) + "</w:tblBorders>")
# 1980-01-01: the earliest date a ZIP (DOCX) can hold; used when no commit date exists.
FALLBACK_EPOCH = "315532800"


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


def reference_docx(directory: str | Path) -> Path:
    """pandoc's default reference document with bordered tables, written into ``directory``."""
    import zipfile

    default = subprocess.run([pandoc_path(), "--print-default-data-file", "reference.docx"], capture_output=True, check=True).stdout
    path = Path(directory) / "reference.docx"
    with zipfile.ZipFile(io.BytesIO(default)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/styles.xml":
                text = data.decode("utf-8")
                # OOXML orders a table's properties: borders go after the indent, before the cell margins.
                start = text.index('w:styleId="Table"')
                at = text.index("<w:tblCellMar>", start)
                data = (text[:at] + TABLE_BORDERS + text[at:]).encode("utf-8")
            # pandoc stamps the default file's entries with the current time and copies some of them into
            # the DOCX as they are: a fixed time keeps the DOCX byte-identical across builds.
            info.date_time = (1980, 1, 1, 0, 0, 0)
            target.writestr(info, data)
    return path


def pandoc_command(fmt: str, markdown: str, output: str, bibliography: str, csl: str | None = None, css: str | None = None,
                   reference: str | None = None) -> list[str]:
    """The pandoc command line for one output format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    # markdown-smart: quotes and dashes in the text stay exactly as written.
    # Figures are referenced relative to the Markdown file. The Lua filter runs after citeproc.
    cmd = [pandoc_path(), markdown, "--from", "markdown-smart", "--to", fmt, "--output", output,
           "--citeproc", "--bibliography", bibliography, "--standalone", "--resource-path", str(Path(markdown).parent),
           "--lua-filter", str(FILTER)]
    if csl:
        cmd += ["--csl", csl]
    if fmt == "html":
        cmd += ["--toc", "--toc-depth=2", "--embed-resources"] + (["--css", css] if css else [])
    if fmt == "docx" and reference:
        cmd += ["--reference-doc", reference]
    return cmd


def render(fmt: str, markdown: str, output: str, bibliography: str, csl: str | None = None, css: str | None = None) -> None:
    """Render ``markdown`` to ``output`` (written atomically); raise on any pandoc warning."""
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=f".{fmt}")
    os.close(fd)
    env = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch()}
    scratch = tempfile.TemporaryDirectory()
    try:
        reference = str(reference_docx(scratch.name)) if fmt == "docx" else None
        result = subprocess.run(pandoc_command(fmt, markdown, tmp, bibliography, csl, css, reference), capture_output=True, text=True, env=env)
        warnings = [line for line in result.stderr.splitlines() if line.strip()]
        if result.returncode != 0 or warnings:
            raise InputError([Problem(markdown, 1, f"pandoc ({fmt}): {line}") for line in warnings or [f"exit status {result.returncode}"]])
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a report is for sharing
        os.replace(tmp, out)
    finally:
        Path(tmp).unlink(missing_ok=True)
        scratch.cleanup()


__all__ = ["FORMATS", "pandoc_command", "pandoc_path", "pandoc_version", "render", "source_date_epoch"]
