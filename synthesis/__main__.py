"""``python -m synthesis STEP ...``: the CLI the Snakefile calls."""

from .cli import main

raise SystemExit(main())
