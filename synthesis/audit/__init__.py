"""Stage 5, audit: provenance.json, ``review trace``, ``review audit`` and the git revision they record."""
