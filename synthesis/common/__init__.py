"""Shared helpers used by every stage: problems reported as ``path:line: message`` and safe text I/O."""
