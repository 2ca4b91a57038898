"""``review release NAME`` (record a version of the review) and ``review diff [NAME]`` (what changed since).

Both read the review as it is now the way the build does (every input checked, every quote located), in this
process, so neither needs a build first. A release is refused when the review does not build, when its git
work tree has uncommitted changes (the release names the commit it records), or when the name is taken.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..common.problems import InputError, Problem
from ..inputs import layout
from .shared import add_command, add_inputs, date_argument


def _name(value: str) -> str:
    from ..inputs.releases import name_problem

    problem = name_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def current(args) -> dict:
    """The review now, as a release records it; an :class:`InputError` with every problem when it does not build."""
    from ..analysis.releases import snapshot
    from ..evidence.build import build_evidence

    data = build_evidence(args.protocol, args.bibliography, args.sources, args.extraction, findings_dir=args.findings,
                          appraisal_dir=args.appraisals)
    flow = None
    if Path(layout.RECORDS).is_dir():
        from ..analysis.prisma import build_records
        from ..common.textio import read_text
        from ..inputs.records import load_records

        flow = build_records(load_records(layout.RECORDS), data["protocol"], data["sources"], args.protocol,
                             read_text(args.protocol)[0])["flow"]
    return snapshot(data, flow)


def _uncommitted() -> list[str] | None:
    """The review's changed or new files git lists (None outside git); build products never count."""
    import subprocess

    try:
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", ".",
                                 ":(exclude)output", ":(exclude).snakemake", ":(exclude).venv"],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if status.returncode != 0:
        return None
    return [line[3:] for line in status.stdout.splitlines() if line.strip()]


def _commit_date() -> str:
    import subprocess

    done = subprocess.run(["git", "log", "-1", "--format=%cs", "HEAD"], capture_output=True, text=True, timeout=30)
    return done.stdout.strip() if done.returncode == 0 else ""


def _today() -> str:
    import os
    from datetime import datetime, timezone

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")  # reproducible builds' convention, honoured here too
    when = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)
    return when.date().isoformat()


def cmd_release(args) -> int:
    from ..audit.revision import git_state
    from ..common.textio import write_atomic
    from ..inputs.releases import FORMAT, fingerprint, release_json
    from ..inputs.writes import permit

    target = Path(layout.RELEASES) / f"{args.name}.json"
    permit("release", target, name=args.name)
    if target.exists() or target.is_symlink():  # a release records a version as it was: never replaced
        raise InputError([Problem(str(target), 1, f"release {args.name} exists already: a release is never replaced; "
                                                   "choose another name (review diff "
                                                   f"{args.name} says what changed since it)")])
    state = git_state(".")
    if state["commit"]:
        changed = _uncommitted() or []
        if changed:  # each file git lists, so a co-author sees what to commit
            said = (f"not committed: commit the review's changes first, so that release {args.name} names the commit "
                    "it records (git status lists them)")
            raise InputError([Problem(path, 1, said) for path in changed])
    try:
        review = current(args)
    except InputError:
        print(f"review release: the review does not build, so nothing was released as {args.name}; "
              "fix these problems (review check lists them too):", file=sys.stderr)
        raise
    date = args.date or (_commit_date() if state["commit"] else "") or _today()
    release = {"format": FORMAT, "name": args.name, "date": date, "commit": state["commit"] or "",
               "fingerprint": fingerprint(review), "review": review}
    write_atomic(target, release_json(release))
    counts = ", ".join(_plural(len(review[key]), word) for key, word in
                       (("answers", "answer"), ("findings", "finding"), ("evidence", "excerpt"), ("sources", "source")))
    where = f"commit {state['commit'][:12]}" if state["commit"] else "no git commit (the review is not in git)"
    print(f"Wrote {target}: release {args.name} of {release['date']}, {where}; {counts}."
          + (f" Commit it: git add {target} && git commit -m 'Release {args.name}'" if state["commit"] else ""))
    return 0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def cmd_diff(args) -> int:
    from ..analysis.releases import compare
    from ..inputs.protocol import load_protocol
    from ..inputs.releases import chosen, load_releases
    from ..report.changes import text

    releases, problems = load_releases(layout.release_files(args.releases))
    if problems:
        raise InputError(problems)
    if not releases:
        raise InputError([Problem(args.releases, 1, "no release yet: `review release NAME` records one, and "
                                                    "`review diff` then says what changed since")])
    release = chosen(releases, load_protocol(args.protocol), args.protocol, args.name or "")
    sys.stdout.write(text(release, compare(release["review"], current(args))))
    return 0


def register(sub) -> None:
    """Add ``review release`` and ``review diff``."""
    p = add_command(sub, "release", "Record this version of the review as releases/NAME.json (answers, findings, "
                    "confidence, evidence, sources, records, commit).",
                    "review release v1\n  review release 2025-06 --date 2025-06-30")
    p.add_argument("name", type=_name, help="the release's name (letters, digits, '_', '.', '-'; e.g. v1): "
                   "it is never replaced")
    p.add_argument("--date", type=date_argument,
                   help="the release's date (default: the commit's date in git, else today)")
    add_inputs(p, "protocol", "bibliography", "sources", "extraction", "findings", "appraisals")
    p.set_defaults(func=cmd_release)
    p = add_command(sub, "diff", "Say what changed since a release: answers, findings, confidence levels and why, "
                    "new sources and records.",
                    "review diff v1\n  review diff          # since the latest release (or review.yaml's report.changes_since)")
    p.add_argument("name", nargs="?", type=_name,
                   help="the release to compare with (default: review.yaml's report.changes_since, else the latest)")
    p.add_argument("--releases", default=layout.RELEASES, help="folder of the releases (default: %(default)s)")
    add_inputs(p, "protocol", "bibliography", "sources", "extraction", "findings", "appraisals")
    p.set_defaults(func=cmd_diff)


__all__ = ["cmd_diff", "cmd_release", "current", "register"]
