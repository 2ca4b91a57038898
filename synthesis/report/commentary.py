"""Team commentary rendered for the report (parsing and checking is :mod:`synthesis.inputs.commentary`)."""

from __future__ import annotations

import re

from ..inputs.commentary import REFERENCE, references
from .claims import anchor
from .markdown import citation, locator


def render_paragraph(text: str, evidence: dict[str, dict]) -> str:
    """A commentary paragraph as pandoc Markdown: each [ev:...] becomes citations linked to the appendix."""
    def replace(match: re.Match) -> str:
        ids = references(match.group(0))
        cites = "; ".join(citation(evidence[i]["citekey"], locator(evidence[i]))[1:-1] for i in ids)
        links = ", ".join(f"[{i}](#{anchor('ev-', i)})" for i in ids)
        return f"[{cites}] ({links})"

    return REFERENCE.sub(replace, text)


__all__ = ["render_paragraph"]
