"""Stage 2, evidence: every quote located in its source; the per-shard build and the merge into one evidence set."""
