"""A real one-node SLURM cluster for tests: Debian's slurm-wlm and munge, started without systemd from a
temporary configuration, and stopped by process id.

`Cluster` starts a supervisor process (this file, run as a script). The supervisor is a child subreaper:
it starts munged, slurmctld and slurmd in the foreground as its children, and every process a job leaves
behind is re-parented to it and reaped by it. So the CPU time of the daemons and of every job counts in
the process tree of the test run, and stopping the supervisor (by its pid) stops each daemon by its pid and
ends what the jobs left. It also stops by itself when its parent dies or after a time limit, so a cluster
is never left running.

The executor plugin's job step clears SLURM_CONF before it calls srun inside a job, so jobs must find the
configuration where a real cluster keeps it. slurmd (and so every job) runs in a private mount namespace in
which the temporary folder is bound over /etc/slurm: nothing outside it changes. Where a namespace cannot be
made (a container without CAP_SYS_ADMIN), and only when the machine has no SLURM configuration of its own,
the folder is linked as /run/slurm/conf (where SLURM's commands look on a configless node) while the cluster
runs, and the link is removed when it stops.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "scontrol", "sinfo", "scancel")
PARTITION = "debug"  # not the profile's name for anything: the profile relies on the default partition
MIN_JOB_AGE = 300  # SLURM's default: squeue reports a finished job for this long
LIFETIME = 1800  # seconds: the supervisor stops the cluster by itself after this


RUNTIME_LINK = Path("/run/slurm/conf")


def private_namespace() -> bool:
    """Whether slurmd can run in a mount namespace of its own."""
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True)
    return probe.returncode == 0


def config_route() -> str | None:
    """How jobs will find the configuration: "namespace" (bound over /etc/slurm for slurmd alone), "link"
    (/run/slurm/conf, on a machine without SLURM configuration of its own), or None. SLURMKIT_ROUTE=link
    tries the fallback on a machine that could use a namespace."""
    if os.environ.get("SLURMKIT_ROUTE") != "link" and Path("/etc/slurm").is_dir() and private_namespace():
        return "namespace"
    if not Path("/etc/slurm/slurm.conf").exists() and not os.path.lexists(RUNTIME_LINK):
        return "link"
    return None


def missing() -> str | None:
    """Why a test cluster cannot start here, or None."""
    for name in DAEMONS + CLIENTS + ("unshare", "mount"):
        if not shutil.which(name) and not Path("/usr/sbin", name).exists():
            return f"{name} is not installed (Debian packages slurm-wlm and munge; .ci/run installs them)"
    if os.geteuid() != 0:
        return "starting slurmd needs root (it runs jobs as their user and binds its configuration over /etc/slurm)"
    if config_route() is None:
        return ("no private mount namespace can be made here, and this machine's own SLURM configuration "
                "(/etc/slurm/slurm.conf or /run/slurm/conf) would be in the way")
    return None


# The `slurm` extra is installed beside the test environment, not in it: Snakemake imports every executor plugin
# it finds at each start, and this one imports pandas (about 0.4 CPU s), which every other test's build would pay.
# The extra's own requirement (pyproject.toml) with what it needs beyond the package's dependencies:
BESIDE_THE_PACKAGE = ("snakemake-executor-plugin-slurm-jobstep",)


def slurm_extra() -> list[str]:
    """The requirements of the package's `slurm` extra, as pyproject.toml declares them."""
    import tomllib

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    return project["project"]["optional-dependencies"]["slurm"]


def install_slurm_extra(target: Path) -> Path:
    """Install the `slurm` extra into ``target`` (pip --target, from the package registry), for PYTHONPATH; fail
    if anything it installed needs a distribution that neither ``target`` nor this environment has."""
    import importlib.metadata as metadata

    from packaging.requirements import Requirement

    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
           "--target", str(target), *slurm_extra(), *BESIDE_THE_PACKAGE]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"could not install the slurm extra: {' '.join(cmd)}\n{done.stdout}{done.stderr}")
    unmet = []
    for dist in metadata.distributions(path=[str(target)]):
        for line in dist.requires or []:
            need = Requirement(line)
            if need.marker and not need.marker.evaluate({"extra": ""}):
                continue
            found = next(iter(metadata.distributions(name=need.name, path=[str(target), *sys.path])), None)
            if found is None or not need.specifier.contains(found.version, prereleases=True):
                unmet.append(f"{dist.metadata['Name']} needs {line} ({found.version if found else 'not installed'})")
    if unmet:
        raise RuntimeError("the slurm extra needs more than tests/slurmkit.py installs: " + "; ".join(unmet))
    return target


def _binary(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin", name))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _memory_mb() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    return 4096


def write_config(folder: Path) -> Path:
    """munge key and slurm.conf for a one-node cluster without accounting (no slurmdbd), in ``folder``."""
    for sub in ("etc", "state", "spool", "log", "munge"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    (folder / "munge").chmod(0o700)
    key = folder / "munge" / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    host = socket.gethostname().split(".")[0]
    # Slightly under the machine's memory, so slurmd does not drain the node for having less than declared.
    memory = int(_memory_mb() * 0.9)
    conf = f"""\
ClusterName=synthesis-test
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={folder}/munge/munge.socket
CredType=cred/munge
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/log/slurmctld.log
SlurmdLogFile={folder}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/builtin
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
MinJobAge={MIN_JOB_AGE}
KillWait=2
ReturnToService=2
NodeName={host} NodeAddr=127.0.0.1 CPUs={os.cpu_count() or 1} RealMemory={memory} State=UNKNOWN
PartitionName={PARTITION} Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""
    path = folder / "etc" / "slurm.conf"
    path.write_text(conf, encoding="utf-8")
    return path


# --- the supervisor (this file run as a script) -------------------------------------------------------------


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):  # noqa: ARG001 - a signal handler's signature
    raise _Stop


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (orphans of jobs re-parented to the supervisor)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _stop(started: dict[str, subprocess.Popen], env: dict) -> None:
    """Cancel every job of this cluster, stop each daemon by its pid (slurmd first), then end and reap what
    the jobs left: killing a process re-parents its children to us, so repeat until none is left."""
    if "slurmctld" in started:
        subprocess.run(["scancel", f"--user={os.getuid()}", "--full"], env=env, capture_output=True, timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            left = subprocess.run(["squeue", "--noheader", "--format=%i", "--states=PENDING,RUNNING,COMPLETING"],
                                  env=env, capture_output=True, text=True, timeout=30)
            if left.returncode != 0 or not left.stdout.strip():
                break
            time.sleep(0.5)
    for name in ("slurmd", "slurmctld", "munged"):
        process = started.get(name)
        if process is None or process.poll() is not None:
            continue
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    for _ in range(100):
        children = _children(os.getpid())
        if not children:
            break
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG) == (0, 0):
                    break
            except ChildProcessError:
                break
        time.sleep(0.05)


def supervise(folder: Path) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans of jobs come to us, and we reap them
    libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG: stop when the test run dies
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGALRM, _raise_stop)
    signal.alarm(LIFETIME)
    conf = folder / "etc" / "slurm.conf"
    env = {**os.environ, "SLURM_CONF": str(conf)}
    log = open(folder / "log" / "daemons.log", "ab")
    started: dict[str, subprocess.Popen] = {}
    linked = made = False
    try:
        munge = folder / "munge"
        started["munged"] = subprocess.Popen(
            [_binary("munged"), "--foreground", "--force", f"--key-file={munge}/munge.key", f"--socket={munge}/munge.socket",
             f"--pid-file={munge}/munged.pid", f"--log-file={munge}/munged.log", f"--seed-file={munge}/munged.seed"],
            stdout=log, stderr=log, env=env)
        deadline = time.monotonic() + 10
        while not (munge / "munge.socket").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        started["slurmctld"] = subprocess.Popen([_binary("slurmctld"), "-D", "-f", str(conf)], stdout=log, stderr=log, env=env)
        route = config_route()
        if route == "namespace":
            bind = 'mount --bind "$1" /etc/slurm && exec "$2" -D -f "$1/slurm.conf"'
            command = ["unshare", "-m", "--propagation", "private", "sh", "-c", bind, "sh", str(conf.parent), _binary("slurmd")]
        elif route == "link":
            made = not RUNTIME_LINK.parent.exists()
            RUNTIME_LINK.parent.mkdir(parents=True, exist_ok=True)
            RUNTIME_LINK.symlink_to(conf.parent)
            linked = True
            command = [_binary("slurmd"), "-D", "-f", str(conf)]
        else:
            raise _Stop
        started["slurmd"] = subprocess.Popen(command, stdout=log, stderr=log, env=env)
        (folder / "pids").write_text("".join(f"{name} {p.pid}\n" for name, p in started.items()), encoding="utf-8")
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                time.sleep(1)
    except _Stop:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _stop(started, env)
        if linked and RUNTIME_LINK.is_symlink() and RUNTIME_LINK.resolve() == conf.parent.resolve():
            RUNTIME_LINK.unlink()
            if made:
                RUNTIME_LINK.parent.rmdir()
        log.close()


# --- the test side ----------------------------------------------------------------------------------------


class Cluster:
    """A running one-node cluster; `env` is what a submit host's shell has (SLURM_CONF)."""

    def __init__(self, folder: Path, plugin: Path | None = None):
        self.folder = folder
        self.conf = write_config(folder)
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}
        if plugin:  # the executor plugin, installed beside the environment (install_slurm_extra)
            self.env["PYTHONPATH"] = os.pathsep.join(p for p in (str(plugin), os.environ.get("PYTHONPATH", "")) if p)
        self.supervisor: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Cluster":
        self.supervisor = subprocess.Popen([sys.executable, __file__, str(self.folder)], env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.supervisor.poll() is not None:
                break
            state = subprocess.run(["sinfo", "--noheader", "--format=%T"], capture_output=True, text=True, env=self.env)
            if state.stdout.strip() == "idle":
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"the test cluster did not come up in {timeout:.0f} s:\n{self.logs()}")

    def stop(self) -> None:
        """Stop the supervisor by its pid (it stops each daemon by its pid). Only if it had to be killed, kill
        the daemons it started, by pid, each checked to be still ours (its command line names our folder)."""
        if self.supervisor is None or self.supervisor.poll() is not None:
            return
        os.kill(self.supervisor.pid, signal.SIGTERM)
        try:
            self.supervisor.wait(timeout=30)
            return
        except subprocess.TimeoutExpired:
            os.kill(self.supervisor.pid, signal.SIGKILL)
            self.supervisor.wait()
        pids = self.folder / "pids"
        for line in pids.read_text(encoding="utf-8").splitlines() if pids.exists() else []:
            pid = int(line.split()[1])
            try:
                if str(self.folder).encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass

    def pids(self, job: str) -> list[int]:
        """The processes of a running job on the node (`scontrol listpids`)."""
        out = subprocess.run(["scontrol", "listpids", job], capture_output=True, text=True, env=self.env).stdout
        return [int(line.split()[0]) for line in out.splitlines()[1:] if line.split() and line.split()[0].isdigit()]

    def logs(self) -> str:
        parts = []
        for path in sorted((self.folder / "log").glob("*.log")):
            parts.append(f"== {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-20:]))
        return "\n".join(parts)

    def jobs(self) -> list[dict[str, str]]:
        """Every job slurmctld remembers (for MinJobAge after it ends): id, name, state, comment."""
        out = subprocess.run(["squeue", "--states=all", "--noheader", "--format=%i|%j|%T|%k"], capture_output=True,
                             text=True, env=self.env, check=True).stdout
        return [dict(zip(("id", "name", "state", "comment"), line.split("|"))) for line in out.splitlines() if line]


if __name__ == "__main__":
    supervise(Path(sys.argv[1]))
