"""Reproducible literature-review and evidence-synthesis pipeline.

Stages (one module each): ``protocol`` (review.yaml), ``bibliography``
(references.bib), ``sources`` (tagged documents), ``sheets`` (coded extraction
sheets), ``locate`` (quote location), ``evidence`` (all of the above joined
into one validated evidence set), ``tables``, ``report`` and ``render``.
"""

__version__ = "0.1.0"
