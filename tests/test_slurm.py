"""SLURM for real: the project's profile and Snakemake's SLURM executor plugin on a one-node cluster of
Debian's slurm-wlm and munge without job accounting (tests/slurmkit.py), and `review slurm-check`.

Under CI=true a machine without SLURM fails these tests; elsewhere they are skipped, saying why.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import reviewkit
import slurmkit
from synthesis.cli import slurm as slurm_check

ROOT = reviewkit.ROOT
PROFILE = ROOT / "profiles" / "slurm"
# What a build leaves beside its products: per-run timings, the build's state, and intermediate files
# whose number depends on the shard count (the merged evidence set, output/build/evidence.json, is compared).
# What depends on the shard count (the cluster build's is another) or on the run: the shards, and the sources
# checked, kept in a file per shard (evidence/located.py); benchmarks and the build's status.
NOT_PRODUCTS = ("output/benchmarks/", "output/build/shards/", "output/build/located/", "output/build-status.json")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    reason = slurmkit.missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true needs a SLURM test cluster, but {reason}")
        pytest.skip(f"no SLURM test cluster: {reason}")
    plugin = slurmkit.install_slurm_extra(tmp_path_factory.mktemp("slurm-extra"))
    running = slurmkit.Cluster(tmp_path_factory.mktemp("slurm"), plugin).start()
    try:
        yield running
    finally:
        running.stop()  # each daemon by its pid, also when a test failed


def run(cmd, cwd: Path, env: dict, limit: float) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own process group; past ``limit`` seconds, stop it as the README does (SIGINT), then kill it."""
    process = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True, shell=isinstance(cmd, str), executable="/bin/bash" if isinstance(cmd, str) else None)
    try:
        out, _ = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGINT)
        try:
            out, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
        pytest.fail(f"still running after {limit:.0f} s:\n{out[-4000:]}")
    return subprocess.CompletedProcess(cmd, process.returncode, out, "")


def products(root: Path) -> dict[str, str]:
    """SHA-256 of every file the build produced under output/."""
    files = sorted(p for p in (root / "output").rglob("*") if p.is_file())
    named = {str(p.relative_to(root)): p for p in files}
    return {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in named.items() if not name.startswith(NOT_PRODUCTS)}


def submitted(log: str) -> dict[str, str]:
    """SLURM job id -> the Snakemake job (rule or group) it ran, from the executor's submission lines."""
    return dict((m[0], m[1]) for m in re.findall(r"has been submitted with SLURM jobid (\d+) \(log: \S*/slurm_logs/((?:rule|group)_[a-z]+)", log))


def readme_cluster_block() -> list[str]:
    """The README's SLURM commands, one per line, as written."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Large reviews and clusters"):]
    section = section[:section.index("\n## ")]
    block = next(b for b in re.findall(r"```sh\n(.*?)```", section, re.S) if "--profile profiles/slurm" in b)
    return [line for line in block.splitlines() if line.strip()]


def copy_of_this_repository(built: Path, folder: Path) -> Path:
    """The project folder as a user has it (a clone of this repository, with its git history and its .venv), as
    ``built`` was before its local build: the same commit, so provenance and the documents' dates agree."""
    shutil.copytree(built, folder, symlinks=True, ignore=shutil.ignore_patterns("output", ".snakemake"))
    return folder


def test_the_readme_cluster_commands_build_this_review_through_slurm_as_the_local_build(cluster, almp_built, tmp_path):
    install, *commands = readme_cluster_block()
    # The install line would re-point the shared editable install at this copy: the cluster fixture has installed
    # the same extra beside the environment (tests/slurmkit.py says why), and the build below runs with it.
    assert install == ".venv/bin/pip install -e '.[slurm]'"
    [plugin] = cluster.env["PYTHONPATH"].split(os.pathsep)[:1]
    [wanted] = [r for r in slurmkit.slurm_extra() if r.startswith("snakemake-executor-plugin-slurm")]
    installed = next(importlib.metadata.distributions(name="snakemake-executor-plugin-slurm", path=[plugin])).version
    assert Requirement(wanted).specifier.contains(installed), (wanted, installed)
    project = copy_of_this_repository(almp_built, tmp_path / "project")
    done = run("set -e\n" + "\n".join(commands), project, cluster.env, limit=900)
    assert done.returncode == 0, done.stdout[-4000:]
    assert "SLURM check passed: job status by squeue" in done.stdout
    assert products(project) == products(almp_built)
    # Every step ran (all but double coding's, which this review has none of), in three SLURM jobs that sbatch
    # submitted and slurmctld ran to completion: prepare, the one shard's bundle, and the merge with all after it.
    rules = set(re.findall(r"^rule (\w+):", (ROOT / "Snakefile").read_text(encoding="utf-8"), re.M))
    assert set(re.findall(r"Finished jobid: \d+ \(Rule: (\w+)\)", done.stdout)) == rules - {"coders", "agreement"}
    jobs = {job["id"]: job for job in cluster.jobs()}
    ran = submitted(done.stdout)
    assert sorted(ran.values()) == ["group_report", "group_shards", "rule_prepare"], done.stdout[-3000:]
    assert {jobs[i]["state"] for i in ran} == {"COMPLETED"}


def load_generator():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kill_a_locate_process(cluster: slurmkit.Cluster, review: Path, stop: threading.Event, killed: dict) -> None:
    """Once a shard bundle's job runs, SIGKILL its `synthesis locate` process, mid-run, as a failing node would.

    A job's SLURM log appears when it starts; only then are its processes listed (cheaply: no polling of squeue)."""
    logs = review / ".snakemake" / "slurm_logs"
    while not stop.is_set():
        for log in sorted(logs.glob("group_shards*/*.log")):
            for pid in cluster.pids(log.stem):
                try:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if b"synthesis" in command and b"locate" in command:
                    os.kill(pid, signal.SIGKILL)
                    killed.update(job=log.stem, shard=command[command.index(b"--shard") + 1].decode())
                    return
        time.sleep(0.1)


def test_a_generated_review_builds_through_slurm_as_locally_after_a_stuck_run_and_a_killed_job(cluster, tmp_path):
    # 300 sources (3 of them PDFs) in 4 shards, 2 per job: two bundles spread over the cluster. Built through
    # the tables: the sharded work and its merge (the steps after it are the ALMP test's).
    local = load_generator().generate(300, tmp_path / "local", pdf_share=0.01)
    remote = shutil.copytree(local, tmp_path / "remote")
    target = ["--config", "shards=4", "--", "output/tables/evidence.csv"]
    built = reviewkit.snakemake(local, *target)
    assert built.returncode == 0, built.stderr[-3000:]
    build = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(remote),
             "--profile", str(PROFILE), "--group-components", "shards=2"]

    # 1. sacct on a cluster without accounting: every status check fails, and the run would wait for ever.
    # The documented limit stops it (SIGINT), and review slurm-check would have said so before.
    start = time.monotonic()
    stuck = run(["timeout", "-s", "INT", "30", *build, "--slurm-status-command", "sacct", *target], ROOT, cluster.env, limit=120)
    assert stuck.returncode != 0 and time.monotonic() - start < 100, stuck.stdout[-3000:]
    first = submitted(stuck.stdout)
    assert list(first.values()) == ["rule_prepare"] and "Finished jobid" not in stuck.stdout, stuck.stdout[-3000:]
    # The outputs are marked as not current: "failed" from the error hook, or "building" (did not finish) where
    # Snakemake stopped without running it.
    state = json.loads((remote / "output/build-status.json").read_text(encoding="utf-8"))["state"]
    assert state in ("failed", "building"), stuck.stdout[-3000:]
    profile = tmp_path / "sacct.yaml"
    profile.write_text((PROFILE / "config.yaml").read_text(encoding="utf-8").replace("slurm-status-command: squeue",
                                                                                     "slurm-status-command: sacct"), encoding="utf-8")
    check = run([str(Path(sys.executable).parent / "review"), "slurm-check", "--profile", str(profile)], tmp_path, cluster.env, 60)
    line = next(n for n, text in enumerate(profile.read_text().splitlines(), 1) if text.startswith("slurm-status-command"))
    assert check.returncode == 1
    assert check.stdout.startswith(f"{profile}:{line}: slurm-status-command is sacct, but this cluster keeps no job accounting "
                                   "(AccountingStorageType=accounting_storage/none): every status check would fail and the build "
                                   "would wait for ever; use slurm-status-command: squeue\n")

    # 2. The same command with the profile as it is resumes the build; one bundle's locate process is killed.
    stop, killed = threading.Event(), {}
    killer = threading.Thread(target=kill_a_locate_process, args=(cluster, remote, stop, killed))
    killer.start()
    try:
        done = run([*build, *target], ROOT, cluster.env, limit=900)
    finally:
        stop.set()
        killer.join()
    assert done.returncode == 0, done.stdout[-4000:]
    assert products(remote) == products(local)
    # The killed job failed and the executor submitted its bundle again; nothing else ran twice. The stopped run's
    # prepare job is kept if it finished (though that run never saw it finish), and runs again if it was cancelled.
    assert killed, "no shard bundle's locate process was seen running: nothing was killed"
    states = {job["id"]: job["state"] for job in cluster.jobs()}
    assert states[killed["job"]] == "FAILED"
    ran = submitted(done.stdout)
    again = [] if states[next(iter(first))] == "COMPLETED" else ["rule_prepare"]
    assert sorted(ran.values()) == ["group_report", "group_shards", "group_shards", "group_shards", *again], done.stdout[-3000:]
    assert [states[i] for i in ran].count("COMPLETED") == len(ran) - 1
    assert f"shard={killed['shard']}" in done.stdout and "Trying to restart" in done.stdout


# --- review slurm-check on what a cluster says (no cluster needed) ------------------------------------------


def settings(**changes) -> slurm_check.Settings:
    base = slurm_check.read_settings(str(PROFILE))
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def facts(**changes) -> slurm_check.Facts:
    base = slurm_check.Facts(accounting="accounting_storage/none", min_job_age=300, sacct_error="Slurm accounting storage is disabled",
                             nodes=[slurm_check.Node("debug", True, "up", None, 2, 8000), slurm_check.Node("big", False, "up", 60, 64, 256000)])
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def messages(s, f) -> list[str]:
    return [str(p).split(": ", 1)[1] for p in slurm_check.check(s, f)]


def test_the_profile_passes_on_a_cluster_without_accounting():
    s = settings()
    assert (s.status_command, s.init_seconds, s.cpus, s.memory_mb, s.partition, s.account) == ("squeue", 10, 2, 4000, None, None)
    assert messages(s, facts()) == []
    assert slurm_check.summary(s, facts()) == ("SLURM check passed: job status by squeue, MinJobAge 300 s; no job accounting; partition "
                                               "'debug': 1 node, up to 2 CPUs and 8000 MB; jobs ask for up to 2 CPUs and 4000 MB")


def test_slurm_check_names_what_would_make_a_build_wait_for_ever():
    assert messages(settings(), facts(min_job_age=100)) == [
        "squeue forgets a finished job after MinJobAge=100 s, and status checks can be 180 s apart: the build could miss a job's "
        "end and wait for ever; ask for MinJobAge of at least 300 s (SLURM's default), or use sacct where the cluster keeps job accounting"]
    assert messages(settings(init_seconds=120), facts()) == [
        "MinJobAge=300 s is below 3 x slurm-init-seconds-before-status-checks (120 s): the executor would switch to sacct, which "
        "fails here (Slurm accounting storage is disabled): every status check would fail and the build would wait for ever; set "
        "it to 100 or less"]
    # Where sacct works the switch is harmless; where sacct is not installed there is no switch, and MinJobAge decides.
    assert messages(settings(init_seconds=120), facts(accounting="accounting_storage/slurmdbd", sacct_error="")) == []
    assert messages(settings(init_seconds=120), facts(sacct_installed=False, min_job_age=150))[0].startswith(
        "squeue forgets a finished job after MinJobAge=150 s")
    assert messages(settings(status_command="sacct"), facts(accounting="accounting_storage/slurmdbd", sacct_error="Connection refused")) == [
        "slurm-status-command is sacct, but sacct fails here (Connection refused): every status check would fail and the build "
        "would wait for ever; use slurm-status-command: squeue"]
    assert messages(settings(status_command="sacct"), facts(accounting="accounting_storage/slurmdbd", sacct_error="")) == []
    assert messages(settings(status_command="squeu"), facts()) == ["slurm-status-command: did you mean 'squeue'? allowed: squeue, sacct"]
    assert messages(settings(partition="bigg"), facts()) == ["partition 'bigg' does not exist here: did you mean 'big'? allowed: big, debug"]
    assert messages(settings(cpus=4), facts()) == [
        "a job may ask for 4 CPUs and 4000 MB, but the largest node in partition 'debug' has 2 CPUs and 8000 MB: that job would "
        "wait for ever; lower cores and mem_mb in the profile, or use another partition"]
    assert messages(settings(partition="big", runtime=90), facts()) == [
        "a step may run for 90 minutes (runtime), but partition 'big' allows 60: SLURM would refuse or hold its job; lower runtime "
        "or use another partition"]
    down = [slurm_check.Node("debug", True, "down", None, 2, 8000)]
    assert messages(settings(account="proj"), facts(nodes=down)) == [
        "slurm_account is set, but this cluster keeps no job accounting: the executor cannot check the account and stops; leave "
        "slurm_account unset", "partition 'debug' is down: jobs would wait until it is up"]
    assert messages(settings(), facts(unreachable="Connection refused")) == [
        "cannot reach the SLURM controller (Connection refused): no job could be submitted or queried"]
    assert messages(settings(), facts(missing=["sbatch"])) == ["sbatch not found: run the build on a SLURM submit host (a login node)"]


def test_slurm_check_reads_what_slurm_prints():
    nodes = slurm_check.parse_nodes("debug*|up|infinite|2|21694\nlong|drain|1-12:00:00|64+|256000\n")
    assert nodes == [slurm_check.Node("debug", True, "up", None, 2, 21694), slurm_check.Node("long", False, "drain", 2160, 64, 256000)]
    assert [slurm_check.parse_minutes(t) for t in ("30:00", "2:00:00", "1-12", "45", "UNLIMITED")] == [30, 120, 2160, 45, None]
    assert slurm_check.parse_config("MinJobAge               = 300 sec\nAccountingStorageType   = accounting_storage/none\n") == {
        "MinJobAge": "300 sec", "AccountingStorageType": "accounting_storage/none"}


def test_the_profile_names_only_rules_the_workflow_has():
    import yaml

    profile = yaml.safe_load((PROFILE / "config.yaml").read_text(encoding="utf-8"))
    rules = set(re.findall(r"^rule (\w+):", (ROOT / "Snakefile").read_text(encoding="utf-8"), re.M))
    assert profile["executor"] == "slurm"
    assert set(profile["set-resources"]) <= rules
    # Every rule but the target runs in a cluster job: prepare alone, the rest in the two groups.
    assert set(profile["groups"]) == rules - {"all", "prepare"}
    assert set(profile["groups"].values()) == {"shards", "report"} and set(profile["group-components"]) == {"shards"}
