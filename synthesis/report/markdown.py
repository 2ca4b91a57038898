"""Text is data: put user text into pandoc Markdown so it renders literally.

Jinja2 templates for the report escape every ``{{ expression }}`` through
:func:`finalize`; only values wrapped in :class:`Markdown` (built by our own
filters, e.g. citations) pass through as markup.
"""

from __future__ import annotations

import json
import re

# Pandoc lets a backslash escape any ASCII punctuation; these are the ones that
# can start markup inline (emphasis, links, citations, raw HTML, math, tables).
_INLINE = re.compile(r"([\\`*_{}\[\]<>#!|$@~^&\"])")
# At the start of text (e.g. just after "- "), these would begin a block.
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([-+>:=])")


class Markdown(str):
    """A string that is already Markdown and must not be escaped again."""


def escape(text: object) -> str:
    """Escape ``text`` so pandoc shows it literally, on one line."""
    if isinstance(text, Markdown):
        return text
    flat = " ".join(str(text).split())
    flat = _INLINE.sub(r"\\\1", flat)
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", flat)


def finalize(value: object) -> str:
    """Jinja2 ``finalize`` hook: escape everything that is not :class:`Markdown`."""
    if value is None:
        raise ValueError("a template printed None: a value is missing from the report data")
    return value if isinstance(value, Markdown) else escape(value)


def yaml_string(text: object) -> Markdown:
    """A YAML scalar for pandoc's metadata block, escaped as Markdown inside."""
    return Markdown(json.dumps(escape(text), ensure_ascii=False))


def citation(key: str, locator: str = "") -> Markdown:
    """A pandoc parenthetical citation, e.g. ``[@green2023, para. 12]``."""
    # Braces allow any citekey characters, e.g. a trailing "." or "-".
    return Markdown(f"[@{{{key}}}, {escape(locator)}]" if locator else f"[@{{{key}}}]")


def narrative_citation(key: str) -> Markdown:
    """A pandoc in-text citation, e.g. ``@green2023`` (rendered "Green and Sissons (2023)")."""
    return Markdown(f"@{{{key}}}")


def locator(item: dict) -> str:
    """The citation locator of an excerpt: the coder's, else its located page(s) in a PDF, else its paragraph."""
    return item["locator"] or (item["pages"]["locator"] if "pages" in item else f"para. {item['paragraph']}")


def citations(keys: list[str]) -> Markdown:
    """Several works in one parenthetical citation, e.g. ``[@{a}; @{b}]``; empty for none."""
    return Markdown("[" + "; ".join(f"@{{{k}}}" for k in keys) + "]") if keys else Markdown("")
