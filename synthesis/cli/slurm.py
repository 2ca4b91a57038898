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
FOREVER = "every status check would fail and the build would wait for ever"


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
    sacct_installed: bool = True
    sacct_error: str = ""
    nodes: list[Node] = field(default_factory=list)

    @property
    def no_accounting(self) -> bool:
        return self.accounting.endswith("/none")


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

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)


def read_settings(profile: str) -> Settings:
    """The settings of ``profile`` (a folder with config.yaml, or the YAML file)."""
    from ..common import textio
    from ..inputs import yamlio

    path = Path(profile)
    if path.is_dir():
        path = path / "config.yaml"
    name = str(path)
    if not path.is_file():
        message = "no Snakemake profile here: give the folder holding its config.yaml with --profile"
        raise InputError([Problem(name, 1, message)])
    data, node = yamlio.load(textio.decode(path.read_bytes(), name), name)
    if not isinstance(data, dict):
        raise InputError([Problem(name, 1, "not a Snakemake profile: expected keys such as executor: slurm")])
    at = {key: yamlio.key_line(node, [], key) for key in data}
    problems = [Problem(name, at[key], f"{key} must be a mapping (resource: value), not {data[key]!r}")
                for key in ("default-resources", "set-resources", "resources")
                if key in data and not isinstance(data[key], dict)]
    problems += [Problem(name, at[key], f"{key} must be a whole number of at least 1, not {data[key]!r}")
                 for key in ("slurm-init-seconds-before-status-checks", "cores")
                 if key in data and (type(data[key]) is not int or data[key] < 1)]
    if problems:
        raise InputError(problems)
    defaults = data.get("default-resources") or {}
    tables = [defaults, data.get("resources") or {}, *(data.get("set-resources") or {}).values()]
    # Without a setting the executor uses sacct where it is installed.
    status = data.get("slurm-status-command") or ("sacct" if shutil.which("sacct") else "squeue")
    settings = Settings(name, str(status), data.get("slurm-init-seconds-before-status-checks", PLUGIN_INIT_SECONDS),
                        defaults.get("slurm_partition") or None, defaults.get("slurm_account") or None,
                        cpus=max([data.get("cores", 1), *_integers(tables, "cpus_per_task")]),
                        memory_mb=max(_integers(tables, "mem_mb") or [1000]),
                        runtime=max(_integers(tables, "runtime") or [0]))
    settings.lines = dict(at)
    for key in ("slurm_partition", "slurm_account"):
        settings.lines[key] = yamlio.key_line(node, ["default-resources"], key)
    return settings


def _integers(tables: list, key: str) -> list[int]:
    """The integer values of ``key`` in those of ``tables`` that are mappings (resources as a profile gives them)."""
    return [t[key] for t in tables if isinstance(t, dict) and isinstance(t.get(key), int)]


def parse_minutes(limit: str) -> int | None:
    """A SLURM time limit ("infinite", "30:00", "2:00:00", "1-12:00:00") in minutes; None if unlimited."""
    if limit.strip().lower() in ("infinite", "unlimited", "n/a", ""):
        return None
    days, _, clock = limit.strip().rpartition("-")
    parts = [int(p) for p in clock.split(":")]
    if days:  # days-hours[:minutes[:seconds]]
        parts += [0] * (3 - len(parts))
    hours, minutes = (parts[0], parts[1]) if len(parts) == 3 else (0, parts[0])  # [minutes[:seconds]]
    return int(days or 0) * 1440 + hours * 60 + minutes


def parse_nodes(sinfo: str) -> list[Node]:
    """``sinfo -N --noheader --format=%P|%a|%l|%c|%m``: one line per node and partition."""
    nodes = []
    for line in sinfo.splitlines():
        fields = line.strip().split("|")
        if len(fields) == 5:
            name, state, limit, cpus, memory = fields
            number = lambda text: int(re.sub(r"\D", "", text) or 0)  # noqa: E731 - "64+" on mixed nodes
            nodes.append(Node(name.rstrip("*"), name.endswith("*"), state, parse_minutes(limit),
                              number(cpus), number(memory)))
    return nodes


def parse_config(text: str) -> dict[str, str]:
    """``scontrol show config``: its ``Key = value`` lines."""
    return {k.strip(): v.strip() for k, eq, v in (line.partition("=") for line in text.splitlines()) if eq}


def gather(settings: Settings, run=subprocess.run) -> Facts:
    """Ask the cluster (each command bounded in time, so the check itself cannot hang)."""
    facts = Facts()
    needed = ["sbatch", "squeue", "scontrol", "sinfo"] + (["sacct"] if settings.status_command == "sacct" else [])
    facts.missing = [name for name in needed if shutil.which(name) is None]
    if facts.missing:
        return facts

    def ask(*cmd: str) -> tuple[str, str]:
        """The command's output, or why it failed."""
        try:
            done = run(list(cmd), capture_output=True, text=True, timeout=60)
        except subprocess.TimeoutExpired:
            return "", f"no answer in 60 s from `{' '.join(cmd[:2])}`"
        if done.returncode != 0:
            return "", " ".join(done.stderr.split()) or f"exit status {done.returncode}"
        return done.stdout, ""

    out, facts.unreachable = ask("scontrol", "show", "config")
    if facts.unreachable:
        return facts
    config = parse_config(out)
    facts.accounting = config.get("AccountingStorageType", "")
    age = re.match(r"\d+", config.get("MinJobAge", ""))
    facts.min_job_age = int(age.group()) if age else None
    facts.squeue_error = ask("squeue", "--noheader", "--states=all", "--format=%i", "--name=slurm-check")[1]
    facts.sacct_installed = shutil.which("sacct") is not None
    if facts.sacct_installed:
        facts.sacct_error = ask("sacct", "-X", "--noheader", "--parsable2", "--format=JobIdRaw", "--name=slurm-check")[1]
    facts.nodes = parse_nodes(ask("sinfo", "-N", "--noheader", "--format=%P|%a|%l|%c|%m")[0])
    return facts


def check(settings: Settings, facts: Facts) -> list[Problem]:
    """Every reason the build would fail to start or wait for ever on this cluster."""
    path = settings.path
    if facts.missing:
        return [Problem(path, 1, f"{', '.join(facts.missing)} not found: run the build on a SLURM submit host "
                        "(a login node)")]
    if facts.unreachable:
        return [Problem(path, 1, f"cannot reach the SLURM controller ({facts.unreachable}): no job could be submitted "
                        "or queried")]
    problems = _status_problems(settings, facts)
    if settings.account and facts.no_accounting:
        problems.append(Problem(path, settings.line("slurm_account"), "slurm_account is set, but this cluster keeps "
                                "no job accounting: the executor cannot check the account and stops; leave "
                                "slurm_account unset"))
    return problems + _partition_problems(settings, facts)


def _status_problems(settings: Settings, facts: Facts) -> list[Problem]:
    path, where, command = settings.path, settings.line("slurm-status-command"), settings.status_command
    if command not in ("squeue", "sacct"):
        return [Problem(path, where, f"slurm-status-command: {suggest(command, ['squeue', 'sacct'])}")]
    age, init = facts.min_job_age, settings.init_seconds
    if command == "squeue":
        # With a MinJobAge below 3 x the initial wait, the executor switches to sacct by itself where it is installed.
        switches = age is not None and age < 3 * init and facts.sacct_installed
        if switches and (facts.no_accounting or facts.sacct_error):
            return [Problem(path, settings.line("slurm-init-seconds-before-status-checks"),
                            f"MinJobAge={age} s is below 3 x slurm-init-seconds-before-status-checks ({init} s): the "
                            f"executor would switch to sacct, which fails here ({facts.sacct_error or 'no job accounting'}):"
                            f" {FOREVER}; set it to {age // 3} or less")]
        if switches:
            return []
        if facts.squeue_error:
            return [Problem(path, where, f"squeue fails here ({facts.squeue_error}): {FOREVER}")]
        if age is not None and age < MAX_CHECK_INTERVAL:
            return [Problem(path, where, f"squeue forgets a finished job after MinJobAge={age} s, and status checks can "
                            f"be {MAX_CHECK_INTERVAL} s apart: the build could miss a job's end and wait for ever; ask "
                            "for MinJobAge of at least 300 s (SLURM's default), or use sacct where the cluster keeps "
                            "job accounting")]
        return []
    if facts.no_accounting:
        return [Problem(path, where, f"slurm-status-command is sacct, but this cluster keeps no job accounting "
                        f"(AccountingStorageType={facts.accounting}): {FOREVER}; use slurm-status-command: squeue")]
    if facts.sacct_error:
        return [Problem(path, where, f"slurm-status-command is sacct, but sacct fails here ({facts.sacct_error}): "
                        f"{FOREVER}; use slurm-status-command: squeue")]
    return []


def _partition_problems(settings: Settings, facts: Facts) -> list[Problem]:
    path, at = settings.path, settings.line("slurm_partition")
    names = sorted({n.partition for n in facts.nodes})
    name = settings.partition or next((n.partition for n in facts.nodes if n.default), None)
    if name is None:
        return [Problem(path, at, "no slurm_partition is set and the cluster has no default partition: set "
                        f"default-resources: slurm_partition (partitions here: {', '.join(names) or 'none'})")]
    nodes = [n for n in facts.nodes if n.partition == name]
    if not nodes:
        return [Problem(path, at, f"partition {name!r} does not exist here: {suggest(name, names)}")]
    if nodes[0].state != "up":
        return [Problem(path, at, f"partition {name!r} is {nodes[0].state}: jobs would wait until it is up")]
    if not any(n.cpus >= settings.cpus and n.memory_mb >= settings.memory_mb for n in nodes):
        big = max(nodes, key=lambda n: (n.cpus, n.memory_mb))
        return [Problem(path, settings.line("resources"), f"a job may ask for {settings.cpus} CPUs and "
                        f"{settings.memory_mb} MB, but the largest node in partition {name!r} has {big.cpus} CPUs and "
                        f"{big.memory_mb} MB: that job would wait for ever; lower cores and mem_mb in the profile, or "
                        "use another partition")]
    limit = nodes[0].time_limit
    if limit is not None and settings.runtime > limit:
        return [Problem(path, settings.line("default-resources"), f"a step may run for {settings.runtime} minutes "
                        f"(runtime), but partition {name!r} allows {limit}: SLURM would refuse or hold its job; lower "
                        "runtime or use another partition")]
    return []


def summary(settings: Settings, facts: Facts) -> str:
    name = settings.partition or next(n.partition for n in facts.nodes if n.default)
    nodes = [n for n in facts.nodes if n.partition == name]
    accounting = "no job accounting" if facts.no_accounting else f"job accounting ({facts.accounting})"
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
    p = add_command(sub, "slurm-check", "Before building on a SLURM cluster: check that the profile's job status "
                    "query, partition, CPUs and memory work on this cluster, so the build cannot wait for ever.",
                    "review slurm-check --profile profiles/slurm")
    p.add_argument("--profile", default="profiles/slurm", help="the Snakemake profile folder (default: %(default)s)")
    p.set_defaults(func=cmd_slurm_check)


__all__ = ["Facts", "Node", "Settings", "check", "gather", "parse_minutes", "parse_nodes", "read_settings", "register"]
