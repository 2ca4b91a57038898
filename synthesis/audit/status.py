"""The build-status record, ``output/build-status.json``: whether the outputs are current.

The Snakefile writes ``building`` when a build starts, ``ok`` when it succeeds and
``failed`` when it fails (through ``python -m synthesis status``). A failed or
killed build therefore leaves the previous outputs in place (the next build stays
incremental) but marked as not current: ``review trace`` and ``review audit`` refuse
them, and ``output/NOT-CURRENT.txt`` says so to anyone opening the folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..common.problems import Problem
from ..common.textio import write_atomic

STATUS = "build-status.json"
NOTICE = "NOT-CURRENT.txt"
STATES = ("building", "ok", "failed")
_WHY = {"building": "did not finish (it is running, or was stopped)", "failed": "failed"}


def write_status(output_dir: str | Path, state: str, builder: str = "") -> Path:
    """Record the build's state (a running build also records its ``builder``, see :func:`this_build`);
    outside ``ok`` also leave a plain-text notice beside the outputs."""
    if state not in STATES:
        raise ValueError(f"unknown build state {state!r}; expected one of {', '.join(STATES)}")
    folder = Path(output_dir)
    write_atomic(folder / STATUS, json.dumps({"state": state} | ({"builder": builder} if builder else {})) + "\n")
    notice = folder / NOTICE
    if state == "ok":
        notice.unlink(missing_ok=True)
    else:
        write_atomic(notice, f"The last build {_WHY[state]}.\nThe files in this folder come from an earlier build and may not match the review's inputs.\n"
                             "Run `review check`, fix what it reports, and build again (snakemake --cores 2).\n")
    return folder / STATUS


def read_state(output_dir: str | Path) -> str:
    """The recorded state; ``ok`` when no record exists (outputs built step by step, or before records existed)."""
    path = Path(output_dir) / STATUS
    try:
        state = json.loads(path.read_text(encoding="utf-8")).get("state")
    except FileNotFoundError:
        return "ok"
    except (OSError, ValueError, AttributeError):
        return "failed"
    return state if state in STATES else "failed"


def stale_problem(output_dir: str | Path) -> Problem | None:
    """A problem naming the status record when the outputs are not current, else None."""
    state = read_state(output_dir)
    if state == "ok":
        return None
    return Problem(str(Path(output_dir) / STATUS), 1, f"the last build {_WHY[state]}: the outputs are from an earlier build and not current; fix the problems and build again (snakemake --cores 2)")


def this_build() -> str:
    """Who is building: ``<process id>@<host>`` of the Snakemake process (the Snakefile's onstart records it)."""
    import os
    import socket

    return f"{os.getpid()}@{socket.gethostname()}"


def _running(builder: str) -> bool:
    """Whether the build recorded as ``builder`` still runs; True when that cannot be told (another host)."""
    import os
    import socket

    pid, _, host = builder.partition("@")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    cmdline = Path(f"/proc/{pid}/cmdline")
    return not cmdline.exists() or b"snakemake" in cmdline.read_bytes()  # a reused process id is not the build


def clear_stale_lock(output_dir: str | Path = "output", locks: str | Path = ".snakemake/locks") -> str:
    """Remove Snakemake's lock when the build that holds it was killed (SIGKILL, power loss: it had no time to
    unlock), so the next build runs without ``--unlock``; return what was done ('' when nothing). A lock of a
    build that still runs, or runs on another host, is kept."""
    try:
        record = json.loads((Path(output_dir) / STATUS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    held = sorted(Path(locks).glob("*.lock")) if Path(locks).is_dir() else []
    builder = record.get("builder", "") if isinstance(record, dict) and record.get("state") == "building" else ""
    if not held or not builder or _running(builder):
        return ""
    for lock in held:
        lock.unlink(missing_ok=True)
    said = f"synthesis: removed the lock of a build that was killed before it finished (process {builder} no longer runs)"
    import sys

    print(said, file=sys.stderr)
    return said


__all__ = ["NOTICE", "STATES", "STATUS", "clear_stale_lock", "read_state", "stale_problem", "this_build", "write_status"]
