"""``python -m synthesis STEP ...``: the CLI the Snakefile calls."""

from .common.job_process import exit_now, large_allocations_from_heap

# A job's process (common/job_process.py): large blocks from the heap; ended without freeing each object.
large_allocations_from_heap()

from .cli import main  # noqa: E402  after the allocator's setting, before anything is allocated for the step

exit_now(main(ending=True))
