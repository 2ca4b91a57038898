"""Reproducible literature-review and evidence-synthesis pipeline.

Sub-packages in the order data flows through them (a module never imports from a later one;
``tests/test_architecture.py`` checks this from the import graph):

``common``    problems (``path:line: message``) and safe text reading/writing
``inputs``    the review folder: protocol, bibliography, sources, sheets, commentary
``evidence``  every quote located in its source; the sharded build and merge
``analysis``  cells, strength ratings, gaps, country comparison
``report``    report context, claims, Markdown, tables, figures, pandoc rendering
``audit``     provenance, trace, audit, git revision
``data``      the built review as pandas DataFrames (``synthesis.open_review``)
``exchange``  REFI-QDA projects and the RO-Crate describing a build
``coauthor``  scaffolding, Excel workbooks, ``review check``
``cli``       the ``review`` command and the steps the Snakefile calls

See docs/architecture.md.
"""

__version__ = "0.1.0"


def __getattr__(name: str):
    # ``synthesis.open_review`` without importing pandas when the package is imported
    # (the Snakefile and every step import it; start-up time matters).
    if name == "open_review":
        from .data.frames import open_review

        return open_review
    raise AttributeError(f"module 'synthesis' has no attribute {name!r}")


__all__ = ["__version__", "open_review"]
