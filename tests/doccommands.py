"""The commands README.md and CONTRIBUTING.md show, read from the documents themselves, and a clone of this
repository to run them in (tests/test_docs.py runs them; other tests may take a command from here too).

A command is a line of a fenced ``sh`` block (a trailing ``# comment`` is not part of it) or an inline code
span starting with ``.venv/bin/`` (e.g. ``.venv/bin/review check [FILES...]``; a ``[...]`` part is optional
and left out). In a block, a line whose comment starts with ``or:`` is an alternative to the line above it (a
route through the document takes one of them); one whose comment starts with ``optional`` may be left out.
A fenced block without a language whose lines all read ``path:line: message`` shows the output of a check.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ("README.md", "CONTRIBUTING.md")
SHELL = ("sh", "bash", "shell", "console")
_FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_PROBLEM_LINE = re.compile(r"^\S+:\d+: ")


@dataclass(frozen=True)
class Command:
    document: str
    line: int
    section: str
    text: str
    comment: str = ""
    part: str = ""  # the document's top-level heading it is under
    inline: bool = False
    group: int = 0  # the line of the first command of its group of alternatives (its own line when alone)
    choice: int = 0  # its place among the alternatives

    @property
    def optional(self) -> bool:
        return self.comment.lower().startswith("optional")

    def __str__(self) -> str:
        return f"{self.document}:{self.line}: {self.text}"


@dataclass(frozen=True)
class Block:
    document: str
    line: int
    section: str
    language: str
    text: str
    part: str = ""

    @property
    def shows_output(self) -> bool:
        lines = [line for line in self.text.splitlines() if line.strip()]
        return self.language in ("", "text") and bool(lines) and all(_PROBLEM_LINE.match(line) for line in lines)


def split_comment(line: str) -> tuple[str, str]:
    """A shell line's command and its trailing ``# comment`` (a ``#`` inside quotes is not one)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].strip(), line[i + 1:].strip()
    return line.strip(), ""


def blocks(document: str) -> list[Block]:
    """Every fenced block of a document, with the section (heading) it is under."""
    found, section, part, language, start, body = [], "", "", None, 0, []
    for n, line in enumerate((ROOT / document).read_text(encoding="utf-8").splitlines(), start=1):
        fence = _FENCE.match(line)
        if language is None:
            heading = _HEADING.match(line)
            if heading:
                section = heading.group(2).strip()
                part = section if len(heading.group(1)) == 1 else part
            elif fence:
                language, start, body = fence.group(1).lower(), n, []
        elif line.strip() == "```":
            found.append(Block(document, start, section, language, "\n".join(body) + "\n", part))
            language = None
        else:
            body.append(line)
    return found


def _inline(document: str) -> list[Command]:
    """Inline ``.venv/bin/...`` spans of the prose (a span may wrap across lines of a paragraph)."""
    found, section, part, fenced, paragraph, start = [], "", "", False, [], 0
    lines = (ROOT / document).read_text(encoding="utf-8").splitlines() + [""]
    for n, line in enumerate(lines, start=1):
        if _FENCE.match(line) or (fenced and line.strip() == "```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        heading = _HEADING.match(line)
        if line.strip() and not heading:
            if not paragraph:
                start = n
            paragraph.append(line.strip())
            continue
        for span in re.findall(r"`(\.venv/bin/[^`]+)`", " ".join(paragraph)):
            text = re.sub(r"\s*\[[^\]]*\.\.\.\]", "", span).strip()  # an optional part of a synopsis
            found.append(Command(document, start, section, text, part=part, inline=True, group=start))
        paragraph = []
        if heading:
            section = heading.group(2).strip()
            part = section if len(heading.group(1)) == 1 else part
    return found


def commands(document: str) -> list[Command]:
    """Every command a document shows, in document order."""
    found = []
    for block in blocks(document):
        if block.language not in SHELL:
            continue
        group, choice = 0, 0
        for k, raw in enumerate(block.text.splitlines()):
            text, comment = split_comment(raw)
            if not text:
                continue
            line = block.line + 1 + k
            if comment.lower().startswith("or:") and group:
                choice += 1
            else:
                group, choice = line, 0
            found.append(Command(block.document, line, block.section, text, comment, block.part, group=group, choice=choice))
    found += _inline(document)
    return sorted(found, key=lambda c: c.line)


def mentions(document: str) -> list[tuple[int, str]]:
    """Inline spans naming a ``review`` command in prose (``review sheet KEY --xlsx``), with their line."""
    found = []
    for n, line in enumerate((ROOT / document).read_text(encoding="utf-8").splitlines(), start=1):
        found += [(n, span) for span in re.findall(r"`(review [a-z][^`]*)`", line)]
    return found


def documented(document: str, pattern: str) -> Command:
    """The one command of ``document`` matching the regular expression ``pattern``."""
    matching = [c for c in commands(document) if re.search(pattern, c.text)]
    assert len(matching) == 1, f"{document}: {len(matching)} commands match {pattern!r}: {[str(c) for c in matching]}"
    return matching[0]


def tracked_files(root: Path = ROOT) -> list[str]:
    """The repository's files as a clone would have them: tracked or new, not ignored (the working tree's
    contents, so a changed document is tested before it is committed)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                            capture_output=True, text=True, check=True).stdout
    return sorted(p for p in listed.split("\0") if p and (root / p).is_file())


def clone(target: Path) -> Path:
    """A clone of this repository at ``target``: its files, a git repository with one commit, and its
    ``.venv`` being the environment running the tests (which `.ci/run` made with the README's set-up command)."""
    for name in tracked_files():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    (target / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=target, check=True)
    (target / ".git" / "info").mkdir(parents=True, exist_ok=True)
    (target / ".git" / "info" / "exclude").write_text(".venv\n", encoding="utf-8")  # a link, which .gitignore's `.venv/` misses
    subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "clone"], cwd=target, check=True)
    return target


def copy_of(built: Path, target: Path) -> Path:
    """A copy of a built clone (times kept, so the build stays up to date), with its own ``.venv`` link."""
    shutil.copytree(built, target, symlinks=True)
    return target


def run(command: str, cwd: Path, env: dict | None = None, stdin: str = "", timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a documented command line as a shell would, in ``cwd``."""
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, input=stdin, env=env, timeout=timeout)


def matches(shown: str, output: str) -> list[str]:
    """The lines of ``shown`` (``...`` standing for any text) that no line of ``output`` matches."""
    got = output.splitlines()
    missing = []
    for line in shown.splitlines():
        if line.strip():
            pattern = re.compile(".*".join(re.escape(part) for part in line.split("...")) + "$")
            if not any(pattern.match(g) for g in got):
                missing.append(line)
    return missing


def argv(command: str) -> list[str]:
    return shlex.split(command)


SETUP = re.compile(r"^(python3 -m venv \.venv|\.venv/bin/pip install .*)$")


def after_setup(command: str) -> str:
    """A documented set-up chain without its set-up steps (``python3 -m venv .venv && .venv/bin/pip install
    ... && X`` gives ``X``): what is left to run in an environment the set-up made."""
    steps = [step.strip() for step in command.split("&&")]
    return " && ".join(step for step in steps if not SETUP.match(step))


__all__ = ["Block", "Command", "DOCUMENTS", "ROOT", "argv", "blocks", "clone", "commands", "copy_of", "documented",
           "after_setup", "matches", "mentions", "run", "split_comment", "tracked_files"]
