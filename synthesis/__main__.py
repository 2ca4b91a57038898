"""``python -m synthesis STEP ...``: the CLI the Snakefile calls."""

from .cli import main
from .common.job_process import exit_now

# A job's process: ended without freeing its objects one by one (common/job_process.py).
exit_now(main(ending=True))
