"""Dates as the review writes them: ``YYYY-MM-DD``, and a real day of the calendar (not 2024-13-45)."""

from __future__ import annotations

import re
from datetime import date

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def date_problem(value: str) -> str:
    """'' for a real date written ``YYYY-MM-DD``; else what is wrong, quoting the value."""
    match = _ISO.match(value)
    if not match:
        return f"'{value}' must be YYYY-MM-DD"
    try:
        date(*(int(part) for part in match.groups()))
    except ValueError as err:  # "month must be in 1..12", "day is out of range for month"
        return f"'{value}' is not a real date ({err}); write YYYY-MM-DD"
    return ""


__all__ = ["date_problem"]
