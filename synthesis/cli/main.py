"""The ``review`` command: the commands people use first, then the pipeline's steps.

Snakemake rules call ``python -m synthesis STEP``; people call ``review COMMAND``.
Input problems are printed as ``path:line: message`` and exit with status 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..common.problems import InputError, Problem

# Modules that add subcommands (each has ``register(sub)``; ``agreement:STEPS`` the object of that name in
# agreement.py), grouped in the main help, people's commands first. A new command goes in its own module
# under cli/ and is listed here, and in COMMANDS.
GROUP_MODULES = [
    ("commands", ["people", "text", "code", "records", "agreement", "exchange", "releases", "slurm"]),
    ("pipeline steps (the Snakefile runs these; see docs/architecture.md)",
     ["steps", "agreement:STEPS", "crate"]),
]
# The module of each command: a command builds only its own module's parser (importing the other modules and
# making their forty parsers cost every job 15 ms). tests/test_cli.py checks it against GROUP_MODULES.
COMMANDS = {
    **dict.fromkeys(("check", "trace", "audit", "add-source", "sheet"), "people"),
    "text": "text", "code": "code",
    "screen": "records", "snowball-records": "records", "agree": "agreement", "reconcile": "agreement",
    "export": "exchange", "release": "releases", "diff": "releases", "slurm-check": "slurm",
    **dict.fromkeys(("evidence", "prepare", "locate", "merge", "tables", "report", "render", "figures",
                     "records", "provenance", "status"), "steps"),
    "coders": "agreement:STEPS", "agreement": "agreement:STEPS", "crate": "crate",
}
STEPS = {name for name, module in COMMANDS.items() if module in GROUP_MODULES[1][1]}  # the pipeline steps


def _registrar(name: str):
    module, _, attribute = name.partition(":")
    found = importlib.import_module(f"{__package__}.{module}")
    return getattr(found, attribute) if attribute else found


def _groups():
    """GROUP_MODULES with each module imported."""
    return [(title, [_registrar(name) for name in names]) for title, names in GROUP_MODULES]


class _GroupedHelp(argparse.RawDescriptionHelpFormatter):
    """Lists subcommands under their group's heading instead of one flat list."""

    def _format_action(self, action):
        if isinstance(action, argparse._SubParsersAction):
            return ""  # the groups are written into the epilog
        return super()._format_action(action)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser (exposed so tests can check every subcommand's help); with ``command``, one with
    only that command's module's commands, which parses that command as the whole parser does."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="review", formatter_class=_GroupedHelp,
        description="Build and check a literature review: tagged sources + coded sheets -> evidence tables and a cited report.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    if command in COMMANDS:
        _registrar(COMMANDS[command]).register(sub)
        return parser
    epilog = []
    for title, modules in _groups():
        before = set(sub.choices)
        for module in modules:
            module.register(sub)
        rows = [(a.dest, a.help) for a in sub._choices_actions if a.dest not in before]
        width = max(len(name) for name, _ in rows)
        epilog.append(f"{title}:\n" + "\n".join(f"  {name:<{width}}  {text}" for name, text in rows))
    parser.epilog = "\n\n".join(epilog) + "\n\n'review COMMAND --help' shows a command's options and an example."
    return parser


def main(argv: list[str] | None = None, ending: bool = False) -> int:
    """Run the CLI; return the exit status. ``ending``: the process ends next (``python -m synthesis``), so
    what the step kept for its end (common/job_process.py) is not let go."""
    given = sys.argv[1:] if argv is None else argv
    args = build_parser(given[0] if given else None).parse_args(given)
    # The commands that check YAML against a schema remember the passes (check only reads them).
    remember = args.command in ("prepare", "merge", "check")
    if remember:
        from ..inputs.layout import VALID_CACHE
        from ..inputs.schemacheck import KNOWN_VALID

        KNOWN_VALID.use(VALID_CACHE, writable=args.command != "check")
    import gc

    collecting = gc.isenabled()  # a step's job may turn the cycle collector off (locate, report)
    try:
        return _run(args)
    finally:
        if remember:  # this command's setting: another run in the same process starts without it
            KNOWN_VALID.use(None)
        if not ending:
            from ..common.job_process import release

            release()
            if collecting:  # and on again for what runs next in this process
                gc.enable()


def _run(args) -> int:
    try:
        if args.command in STEPS:  # a step replaces the outputs it is given, never an input of the review
            from ..inputs.writes import STEP_OUTPUTS, permit

            given = [getattr(args, n) for n in STEP_OUTPUTS if getattr(args, n, None)]
            permit(args.command, *[p for g in given for p in (g if isinstance(g, list) else [g])])
        return args.func(args)
    except InputError as err:
        return _report(err)
    except OSError as err:  # a missing file, a full disk, a folder where a file should be
        return _report(InputError([Problem(str(err.filename or "."), 1, _os_message(err))]))


def _os_message(err: OSError) -> str:
    import errno

    if err.errno == errno.ENOSPC:
        return "cannot write: no space left on the disk; free some space and run again"
    if err.errno == errno.ENOENT:
        return "no such file or folder"
    return f"cannot read or write: {err.strerror or err}"


def _report(err: InputError) -> int:
    from ..common.textio import visible

    for problem in err.problems + err.warnings:
        print(visible(str(problem)), file=sys.stderr)  # a message quotes input: no escape sequence reaches the terminal
    files = len({p.path for p in err.problems})
    n = len(err.problems)
    print(f"{n} problem{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}; nothing was written.", file=sys.stderr)
    return 1


__all__ = ["build_parser", "main"]
