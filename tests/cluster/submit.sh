#!/usr/bin/env bash
# A stand-in for a cluster's submit command (sbatch, qsub): Snakemake's cluster-generic
# executor calls it with a job script as the last argument. It runs the script in the
# background, as a scheduler would, logs the submission and prints a job id.
set -euo pipefail
jobscript="${!#}"
log="${SUBMIT_LOG:-/dev/null}"
id="job-$(date +%s%N)-$$"
echo "$id $jobscript" >> "$log"
nohup bash "$jobscript" > "${jobscript}.out" 2>&1 &
echo "$id"
