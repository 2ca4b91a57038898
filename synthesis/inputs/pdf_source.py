"""A PDF source: ``sources/<citekey>.pdf`` with its front matter in ``sources/<citekey>.yaml``.

The sidecar holds the same keys as a Markdown source's front matter. The
source's text is the PDF's extracted text (see :mod:`.pdf_text`); quotes are
located in it exactly as in a Markdown source's text.
"""

from __future__ import annotations

from pathlib import Path

from . import yamlio
from .layout import SIDECAR_SUFFIX
from .pdf_text import cached_extraction
from .sources import Source, check_front_matter, structure
from ..common.problems import InputError, Problem, warning
from .door import read_input


def sidecar_of(pdf_path: str) -> str:
    """The front-matter file of a PDF source."""
    return str(Path(pdf_path).with_suffix(SIDECAR_SUFFIX))


def load_pdf_source(path: str, bib_keys: set[str] | None = None, countries: list[str] | None = None,
                    cache_dir: str | None = None, write_cache: bool = False) -> Source:
    """Read a PDF source's sidecar and text; raise :class:`InputError` with every problem."""
    sidecar = sidecar_of(path)
    problems: list[Problem] = []
    meta = None
    if not Path(sidecar).is_file():
        problems.append(Problem(path, 1, f"a PDF source needs its front matter in {sidecar} (citekey, type, tags, as in a Markdown source's front matter); `review add-source --pdf` writes one"))
    else:
        try:
            meta, node = yamlio.load(read_input(sidecar)[0], sidecar)
            problems += check_front_matter(meta, node, sidecar, 1, bib_keys, countries)
        except InputError as err:
            problems += err.problems
    extraction, text_path = None, ""
    try:
        extraction, text_path = cached_extraction(path, cache_dir, write_cache)
    except InputError as err:
        problems += err.problems
    if problems:
        raise InputError(problems)
    text = extraction["text"]
    return Source(meta["citekey"], path, extraction["sha256"], text, 0, meta, structure(text, 0),
                  pages=extraction["pages"], text_path=text_path, extractor=extraction["extractor"], sidecar=sidecar,
                  spans=extraction["spans"], breaks=extraction["breaks"], warnings=extraction_warnings(path, extraction))


def extraction_warnings(path: str, extraction: dict) -> list[Problem]:
    """Warnings about a PDF's extraction: glyphs with no character, and page labels that disagree
    with the numbers printed on the pages."""
    out = []
    pages = {p["index"]: p for p in extraction["pages"]}
    if extraction.get("glyphs"):
        total = sum(n for _i, n in extraction["glyphs"])
        where = ", ".join(f"{_page_name(pages[i])}: {n}" for i, n in extraction["glyphs"][:8])
        more = f", and {len(extraction['glyphs']) - 8} more pages" if len(extraction["glyphs"]) > 8 else ""
        out.append(warning(path, 1, "PDF_GLYPHS", f"{total} glyph{'s' if total != 1 else ''} in this PDF have no character "
                           f"(its fonts do not map them to text) and are left out of its text ({where}{more}): a quote "
                           f"containing them is not found; check the page in a viewer, and type the quote as `review text` shows it"))
    differ = [p for p in extraction["pages"] if p["label"] and p["printed_from"] == "page" and p["label"] != p["printed"]]
    if differ:
        first = differ[0]
        more = f", and {len(differ) - 1} more page{'s' if len(differ) > 2 else ''}" if len(differ) > 1 else ""
        out.append(warning(path, 1, "PAGE_LABELS", f"the PDF's page labels disagree with the page numbers printed on its pages "
                           f"(page {first['index']} of the file is labelled '{first['label']}' but prints '{first['printed']}'{more}): "
                           f"excerpts are cited by the printed number"))
    return out


def _page_name(page: dict) -> str:
    return f"page {page['index']}" + (f" (p. {page['number']})" if page["number"] != str(page["index"]) else "")


__all__ = ["extraction_warnings", "load_pdf_source", "sidecar_of"]
