"""The process of a workflow job (``python -m synthesis STEP``): the step's objects dropped with the process,
not freed one by one.

A report job holds millions of small objects (the evidence set, its analysis, the report's context: 0.4 CPU s
to free at 5,000 sources). When a step runs as ``python -m synthesis`` (the workflow's jobs), what it hands to
:func:`outlive` lives until the process ends, and the process ends with :func:`exit_now`, which skips freeing
every object: its outputs are written and closed by then (each through a temporary file and a rename).
"""

from __future__ import annotations

import os
import sys

_kept: list[object] = []


def outlive(*objects: object) -> None:
    """Keep ``objects`` until the process ends (in a long-lived process, until :func:`release`)."""
    _kept.extend(objects)


def release() -> None:
    """Let go of what :func:`outlive` kept (a step run in-process, as the tests and ``review`` run them)."""
    _kept.clear()


def exit_now(code: int) -> None:
    """End the process with ``code`` once its standard streams are flushed, without tearing it down; under a
    profiler or a tracer (``python -m cProfile -m synthesis``, coverage), which write their results at the end,
    as any process ends."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        raise SystemExit(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            pass
    os._exit(code)


__all__ = ["exit_now", "outlive", "release"]
