"""The git revision of a review folder (or of the pipeline's own checkout)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any


def git_state(directory: str | Path) -> dict[str, Any]:
    """The commit checked out in ``directory`` and whether tracked files differ from it."""
    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=directory, capture_output=True, text=True, timeout=30)

    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        # Build products never count as changes, even where they are not .gitignored.
        status = git("status", "--porcelain", "--untracked-files=normal", "--", ".", ":(exclude)output", ":(exclude).snakemake")
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}


def revision(directory: str | Path = ".") -> str:
    """The commit, with "+dirty" when tracked files differ ("" outside git).

    The Snakefile passes it to the steps that record it (provenance) or take dates
    from it (HTML, DOCX), so committing re-runs them and their metadata stays true.
    """
    state = git_state(directory)
    return f"{state['commit']}{'+dirty' if state['dirty'] else ''}" if state["commit"] else ""


__all__ = ["git_state", "revision"]
