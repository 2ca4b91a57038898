"""``review slurm-check``: before a build on a SLURM cluster, check that the profile fits the cluster.

Snakemake's SLURM executor waits for ever, with no message, when its status query cannot work (sacct on
a cluster without job accounting, or squeue forgetting finished jobs too soon) or when a job asks for more
than any node has. This command finds those cases first and says what to change, all at once.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..common.problems import InputError, Problem, suggest
from .shared import add_command

MAX_CHECK_INTERVAL = 180  # the executor's longest wait between two status checks (seconds)
PLUGIN_INIT_SECONDS = 40  # the executor's initial wait when the profile does not set one


@dataclass(frozen=True)
class Node:
    partition: str
    default: bool
    state: str  # the partition's availability: up, down, drain, inactive
    time_limit: int | None  # minutes; None is unlimited
    cpus: int
    memory_mb: int


@dataclass
class Facts:
    """What the cluster says about itself (from scontrol, sinfo and probing queries)."""

    missing: list[str] = field(default_factory=list)  # commands not installed
    unreachable: str = ""  # why scontrol could not reach the controller
    accounting: str = ""  # AccountingStorageType
    min_job_age: int | None = None  # seconds
    squeue_error: str = ""
    sacct_error: str = ""
    nodes: list[Node] = field(default_factory=list)


@dataclass
class Settings:
    """The profile's settings that decide whether a build can finish; `lines` locates each key."""

    path: str
    status_command: str = "sacct"
    init_seconds: int = PLUGIN_INIT_SECONDS
    partition: str | None = None
    account: str | None = None
    cpus: int = 1
    memory_mb: int = 1000
    runtime: int = 0  # minutes: the longest step's runtime (a bundle of steps asks for the sum)
    lines: dict[str, int] = field(default_factory=dict)


def read_settings(profile: str) -> Settings:
    """The settings of ``profile`` (a folder with config.yaml, or the YAML file)."""
    from ..common import textio
    from ..inputs import yamlio

    path = Path(profile)
    if path.is_dir():
        path = path / "config.yaml"
    if not path.is_file():
        raise InputError([Problem(str(path), 1, "no Snakemake profile here: give the folder holding its config.yaml with --profile")])
    data, node = yamlio.load(textio.decode(path.read_bytes(), str(path)), str(path))
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), 1, "not a Snakemake profile: expected keys such as executor: slurm")])
    problems = [Problem(str(path), yamlio.key_line(node, [], key), f"{key} must be a mapping (resource: value), not {data[key]!r}")
                for key in ("default-resources", "set-resources", "resources") if key in data and not isinstance(data[key], dict)]
    problems += [Problem(str(path), yamlio.key_line(node, [], key), f"{key} must be a whole number of at least 1, not {data[key]!r}")
                 for key in ("slurm-init-seconds-before-status-checks", "cores")
                 if key in data and (type(data[key]) is not int or data[key] < 1)]
    if problems:
        raise InputError(problems)
    defaults = data.get("default-resources") or {}
    tables = [defaults, data.get("resources") or {}, *(data.get("set-resources") or {}).values()]
    # Without a setting the executor uses sacct where it is installed.
    status = data.get("slurm-status-command") or ("sacct" if shutil.which("sacct") else "squeue")
    settings = Settings(str(path), status_command=str(status),
                        init_seconds=int(data.get("slurm-init-seconds-before-status-checks", PLUGIN_INIT_SECONDS)),
                        partition=defaults.get("slurm_partition") or None, account=defaults.get("slurm_account") or None,
                        cpus=max([int(data.get("cores", 1)), *_integers(tables, "cpus_per_task")]),
                        memory_mb=max(_integers(tables, "mem_mb") or [1000]), runtime=max(_integers(tables, "runtime") or [0]))
    for key in ("slurm-status-command", "slurm-init-seconds-before-status-checks", "resources", "default-resources"):
        settings.lines[key] = yamlio.key_line(node, [], key)
    for key in ("slurm_partition", "slurm_account"):
        settings.lines[key] = yamlio.key_line(node, ["default-resources"], key)
    return settings


def _integers(tables: list, key: str) -> list[int]:
    """The integer values of ``key`` in those of ``tables`` that are mappings (resources as the profile gives them)."""
    return [t[key] for t in tables if isinstance(t, dict) and isinstance(t.get(key), int)]


def parse_minutes(limit: str) -> int | None:
    """A SLURM time limit ("infinite", "30:00", "2:00:00", "1-12:00:00") in minutes; None if unlimited."""
    if limit.strip().lower() in ("infinite", "unlimited", "n/a", ""):
        return None
    days, _, clock = limit.strip().rpartition("-")
    parts = [int(p) for p in clock.split(":")]
    if days and len(parts) == 1:  # days-hours
        parts += [0]
    hours, minutes = (parts[0], parts[1]) if len(parts) == 3 or (days and len(parts) == 2) else (0, parts[0])
    return int(days or 0) * 1440 + hours * 60 + minutes


def parse_nodes(sinfo: str) -> list[Node]:
    """``sinfo -N --noheader --format=%P|%a|%l|%c|%m``: one line per node and partition."""
    nodes = []
    for line in sinfo.splitlines():
        fields = line.strip().split("|")
        if len(fields) == 5:
            name, state, limit, cpus, memory = fields
            nodes.append(Node(name.rstrip("*"), name.endswith("*"), state, parse_minutes(limit),
                              int(re.sub(r"\D", "", cpus) or 0), int(re.sub(r"\D", "", memory) or 0)))
    return nodes


def parse_config(text: str) -> dict[str, str]:
    """``scontrol show config``: its ``Key = value`` lines."""
    return {k.strip(): v.strip() for k, _, v in (line.partition("=") for line in text.splitlines()) if _}


def gather(settings: Settings, run=subprocess.run) -> Facts:
    """Ask the cluster (each command bounded in time, so the check itself cannot hang)."""
    facts = Facts()
    needed = ["sbatch", "squeue", "scontrol", "sinfo"] + (["sacct"] if settings.status_command == "sacct" else [])
    facts.missing = [name for name in needed if shutil.which(name) is None]
    if facts.missing:
        return facts

    def ask(*cmd: str) -> tuple[str, str]:
        try:
            done = run(list(cmd), capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            return "", f"no answer in 60 s from `{' '.join(cmd[:2])}`"
        return (done.stdout, "") if done.returncode == 0 else ("", " ".join(done.stderr.split()) or f"exit status {done.returncode}")

    out, facts.unreachable = ask("scontrol", "show", "config")
    if facts.unreachable:
        return facts
    config = parse_config(out)
    facts.accounting = config.get("AccountingStorageType", "")
    age = re.match(r"\d+", config.get("MinJobAge", ""))
    facts.min_job_age = int(age.group()) if age else None
    facts.squeue_error = ask("squeue", "--noheader", "--states=all", "--format=%i", "--name=slurm-check")[1]
    if settings.status_command == "sacct":
        facts.sacct_error = ask("sacct", "-X", "--noheader", "--parsable2", "--format=JobIdRaw", "--name=slurm-check")[1]
    facts.nodes = parse_nodes(ask("sinfo", "-N", "--noheader", "--format=%P|%a|%l|%c|%m")[0])
    return facts


def check(settings: Settings, facts: Facts) -> list[Problem]:
    """Every reason the build would fail to start or wait for ever on this cluster."""
    path, line = settings.path, settings.lines.get
    if facts.missing:
        return [Problem(path, 1, f"{', '.join(facts.missing)} not found: run the build on a SLURM submit host (a login node)")]
    if facts.unreachable:
        return [Problem(path, 1, f"cannot reach the SLURM controller ({facts.unreachable}): no job could be submitted or queried")]
    problems = _status_problems(settings, facts)
    no_accounting = facts.accounting.endswith("/none")
    if settings.account and no_accounting:
        problems.append(Problem(path, line("slurm_account", 1), "slurm_account is set, but this cluster keeps no job accounting: "
                                "the executor cannot check the account and stops; leave slurm_account unset"))
    return problems + _partition_problems(settings, facts)


def _status_problems(settings: Settings, facts: Facts) -> list[Problem]:
    path, where = settings.path, settings.lines.get("slurm-status-command", 1)
    forever = "every status check would fail and the build would wait for ever"
    if settings.status_command == "sacct":
        if facts.accounting.endswith("/none"):
            return [Problem(path, where, f"slurm-status-command is sacct, but this cluster keeps no job accounting "
                            f"(AccountingStorageType={facts.accounting}): {forever}; use slurm-status-command: squeue")]
        if facts.sacct_error:
            return [Problem(path, where, f"slurm-status-command is sacct, but sacct fails here ({facts.sacct_error}): "
                            f"{forever}; use slurm-status-command: squeue")]
        return []
    if settings.status_command != "squeue":
        return [Problem(path, where, f"slurm-status-command: {suggest(settings.status_command, ['squeue', 'sacct'])}")]
    if facts.squeue_error:
        return [Problem(path, where, f"squeue fails here ({facts.squeue_error}): {forever}")]
    age, init = facts.min_job_age, settings.init_seconds
    if age is None:
        return []
    if age < MAX_CHECK_INTERVAL:
        return [Problem(path, where, f"squeue forgets a finished job after MinJobAge={age} s, and status checks can be "
                        f"{MAX_CHECK_INTERVAL} s apart: the build could miss a job's end and wait for ever; ask for MinJobAge "
                        "of at least 300 s (SLURM's default), or use sacct where the cluster keeps job accounting")]
    if age < 3 * init and facts.accounting.endswith("/none"):
        return [Problem(path, settings.lines.get("slurm-init-seconds-before-status-checks", where),
                        f"MinJobAge={age} s is below 3 x slurm-init-seconds-before-status-checks ({init} s): the executor "
                        f"would switch to sacct, and without job accounting {forever}; set it to {age // 3} or less")]
    return []


def _partition_problems(settings: Settings, facts: Facts) -> list[Problem]:
    path, line = settings.path, settings.lines.get
    names = sorted({n.partition for n in facts.nodes})
    name = settings.partition or next((n.partition for n in facts.nodes if n.default), None)
    if name is None:
        return [Problem(path, line("slurm_partition", 1), "no slurm_partition is set and the cluster has no default partition: "
                        f"set default-resources: slurm_partition (partitions here: {', '.join(names) or 'none'})")]
    nodes = [n for n in facts.nodes if n.partition == name]
    if not nodes:
        return [Problem(path, line("slurm_partition", 1), f"partition {name!r} does not exist here: {suggest(name, names)}")]
    if nodes[0].state != "up":
        return [Problem(path, line("slurm_partition", 1), f"partition {name!r} is {nodes[0].state}: jobs would wait until it is up")]
    if not any(n.cpus >= settings.cpus and n.memory_mb >= settings.memory_mb for n in nodes):
        big = max(nodes, key=lambda n: (n.cpus, n.memory_mb))
        return [Problem(path, line("resources", 1), f"a job may ask for {settings.cpus} CPUs and {settings.memory_mb} MB, but the "
                        f"largest node in partition {name!r} has {big.cpus} CPUs and {big.memory_mb} MB: that job would wait "
                        "for ever; lower cores and mem_mb in the profile, or use another partition")]
    limit = nodes[0].time_limit
    if limit is not None and settings.runtime > limit:
        return [Problem(path, line("default-resources", 1), f"a step may run for {settings.runtime} minutes (runtime), but partition "
                        f"{name!r} allows {limit}: SLURM would refuse or hold its job; lower runtime or use another partition")]
    return []


def summary(settings: Settings, facts: Facts) -> str:
    name = settings.partition or next(n.partition for n in facts.nodes if n.default)
    nodes = [n for n in facts.nodes if n.partition == name]
    accounting = "no job accounting" if facts.accounting.endswith("/none") else f"job accounting ({facts.accounting})"
    age = f", MinJobAge {facts.min_job_age} s" if settings.status_command == "squeue" else ""
    return (f"SLURM check passed: job status by {settings.status_command}{age}; {accounting}; partition {name!r}: "
            f"{len(nodes)} node{'s' if len(nodes) != 1 else ''}, up to {max(n.cpus for n in nodes)} CPUs and "
            f"{max(n.memory_mb for n in nodes)} MB; jobs ask for up to {settings.cpus} CPUs and {settings.memory_mb} MB")


def cmd_slurm_check(args) -> int:
    settings = read_settings(args.profile)
    facts = gather(settings)
    problems = check(settings, facts)
    if problems:
        raise InputError(problems)
    print(summary(settings, facts))
    return 0


def register(sub) -> None:
    """Add ``review slurm-check``."""
    p = add_command(sub, "slurm-check", "Before building on a SLURM cluster: check that the profile's job status query, "
                    "partition, CPUs and memory work on this cluster, so the build cannot wait for ever.",
                    "review slurm-check --profile profiles/slurm")
    p.add_argument("--profile", default="profiles/slurm", help="the Snakemake profile folder (default: %(default)s)")
    p.set_defaults(func=cmd_slurm_check)


__all__ = ["Facts", "Node", "Settings", "check", "gather", "parse_minutes", "parse_nodes", "read_settings", "register"]
