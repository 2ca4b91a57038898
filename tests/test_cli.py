"""The command line: exit codes, problem output, help with examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from synthesis.cli import build_parser, main


def test_check_passes_on_the_fixture_review(review, capsys):
    assert main(["check"]) == 0
    assert capsys.readouterr().out == "ok: 2 sources, 6 excerpts, every quote located\n"


def test_check_prints_every_problem_then_a_summary(review, capsys):
    Path("sources/okafor2021.txt").write_text("no front matter\n", encoding="utf-8")
    text = Path("review.yaml").read_text(encoding="utf-8")
    Path("review.yaml").write_text(text.replace("short: Trust", "shrt: Trust"), encoding="utf-8")
    assert main(["check"]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "review.yaml:10: questions[1]: missing required key 'short'",
        "review.yaml:11: unknown key 'shrt' in questions[1]: did you mean 'short'? allowed: id, scope, short, text",
        "sources/okafor2021.txt:1: missing front matter: the file must start with a '---' line, then YAML (citekey, type, tags), then '---'",
        "3 problems in 2 files",
    ]


def test_evidence_step_writes_nothing_on_failure(review):
    Path("extraction/smith2020.csv").write_text("id,quote\n", encoding="utf-8")
    assert main(["evidence", "--output", "output/build/evidence.json"]) == 1
    assert not Path("output").exists()


def test_every_subcommand_has_help_with_an_example():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command").choices
    assert set(subparsers) >= {"check", "evidence", "tables", "report", "render"}
    for name, sub in subparsers.items():
        text = sub.format_help()
        assert sub.description, name
        assert "example:" in text and (f"review {name}" in text or f"synthesis {name}" in text), name


def test_a_command_builds_only_its_own_module_s_parser_and_parses_as_the_whole_one(capsys):
    import argparse
    import importlib

    cli = importlib.import_module("synthesis.cli.main")  # the module (synthesis.cli.main is also a function)
    # COMMANDS names each command's module, as the modules register them.
    registered = {}
    for _, names in cli.GROUP_MODULES:
        for name in names:
            sub = argparse.ArgumentParser().add_subparsers()
            cli._registrar(name).register(sub)
            registered.update(dict.fromkeys(sub.choices, name))
    assert registered == cli.COMMANDS
    assert cli.STEPS == {"evidence", "prepare", "locate", "merge", "tables", "report", "render", "figures",
                         "records", "provenance", "status", "coders", "agreement", "crate"}
    whole = next(a for a in build_parser()._actions if a.dest == "command").choices
    for name, parser in whole.items():
        own = next(a for a in build_parser(name)._actions if a.dest == "command").choices
        assert own[name].format_help() == parser.format_help(), name
        assert set(own) == {c for c, module in cli.COMMANDS.items() if module == cli.COMMANDS[name]}
    # An error in a command's options reads as it did from the whole parser.
    with pytest.raises(SystemExit):
        build_parser().parse_args(["locate", "--shard"])
    whole_error = capsys.readouterr().err
    with pytest.raises(SystemExit) as err:
        main(["locate", "--shard"])
    assert err.value.code == 2 and capsys.readouterr().err == whole_error


def test_a_pipeline_step_imports_no_other_command_module():
    import subprocess
    import sys

    code = ("import sys\ntry:\n    from synthesis.cli import main; main(['locate', '--help'])\n"
            "except SystemExit:\n    pass\nprint(sorted(m for m in sys.modules if m.startswith('synthesis.cli.')))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = run.stdout.strip().splitlines()[-1]
    assert loaded == "['synthesis.cli.main', 'synthesis.cli.shared', 'synthesis.cli.steps']"


def test_unknown_subcommand_exits_with_usage(capsys):
    with pytest.raises(SystemExit) as err:
        main(["bulid"])
    assert err.value.code == 2
    assert "invalid choice: 'bulid'" in capsys.readouterr().err


NOT_CHECKED = ("not checked: the other source and its sheet; whether a study named in these sheets has the same design in the other sheets "
               "(`review check` without files checks the whole review, as the build does)\n")


def test_check_only_the_changed_files(review, capsys):
    Path("sources/okafor2021.txt").write_text("no front matter\n", encoding="utf-8")
    assert main(["check", "extraction/smith2020.csv"]) == 0
    assert capsys.readouterr().out == "ok: checked 1 of 2 sources (4 excerpts), every quote located\n" + NOT_CHECKED
    assert main(["check", "sources/okafor2021.txt", "extraction/okafor2021.xlsx"]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith("sources/okafor2021.txt:1: missing front matter")
    assert main(["check", "review.yaml"]) == 1  # a protocol change checks everything


def test_check_json_for_editors(review, capsys):
    import json

    rows = Path("extraction/smith2020.csv").read_text(encoding="utf-8").replace("uptake ; bill_savings", "uptak")
    Path("extraction/smith2020.csv").write_text(rows, encoding="utf-8")
    assert main(["check", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out) == {
        "ok": False,
        "summary": "1 problem in 1 file",
        "not_checked": "",
        "problems": [{"path": "extraction/smith2020.csv", "line": 3,
                      "message": "C3 (id 2): unknown code 'uptak': did you mean 'uptake'? allowed: bill_savings, uptake, local_trust, grid_access",
                      "severity": "error", "code": ""}],
    }


def test_warnings_have_one_format_and_only_fail_when_strict(review, capsys, monkeypatch):
    import json

    from synthesis.coauthor import check
    from synthesis.common.problems import Problem, warning

    found = [warning("findings/Q1.yaml", 7, "ADEQUACY_ONE_STUDY", "high confidence rests on one study")]
    monkeypatch.setattr(check, "run_check", lambda *a, **k: (found, "ok: 2 sources; 1 warning"))
    assert main(["check"]) == 0
    assert capsys.readouterr().out == "findings/Q1.yaml:7: warning [ADEQUACY_ONE_STUDY]: high confidence rests on one study\nok: 2 sources; 1 warning\n"
    assert main(["check", "--strict"]) == 1
    capsys.readouterr()
    assert main(["check", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["problems"][0] == {
        "path": "findings/Q1.yaml", "line": 7, "message": "high confidence rests on one study", "severity": "warning", "code": "ADEQUACY_ONE_STUDY"}
    assert str(Problem("a.csv", 2, "bad")) == "a.csv:2: bad"


def test_a_job_process_ends_with_its_output_said_and_its_status(review):
    # `python -m synthesis` ends without tearing the process down (common/job_process.py): what it printed to a pipe
    # (block-buffered) still arrives, and its exit status is the step's.
    import os
    import subprocess
    import sys

    quiet = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout to a pipe: block-buffered
    passed = subprocess.run([sys.executable, "-m", "synthesis", "check"], capture_output=True, text=True, env=quiet)
    assert (passed.returncode, passed.stdout) == (0, "ok: 2 sources, 6 excerpts, every quote located\n")
    Path("sources/okafor2021.txt").write_text("no front matter\n", encoding="utf-8")
    failed = subprocess.run([sys.executable, "-m", "synthesis", "check"], capture_output=True, text=True, env=quiet)
    assert failed.returncode == 1
    assert failed.stdout.splitlines()[-1] == "1 problem in 1 file"


def test_what_a_step_keeps_for_its_end_is_let_go_in_process(review):
    from synthesis.common import job_process

    job_process.outlive(object())
    assert main(["check"]) == 0
    assert job_process._kept == []  # run in-process (the tests, `review`): nothing outlives the command


def test_a_job_run_under_a_profiler_ends_as_any_process_so_the_profile_is_written(review, tmp_path):
    import subprocess
    import sys

    profile = tmp_path / "check.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "synthesis", "check"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and profile.stat().st_size > 0


def test_a_step_that_turns_the_cycle_collector_off_turns_it_on_again_for_what_runs_next(review):
    import gc

    assert main(["prepare", "--output", "output/build/inputs.json"]) == 0
    assert main(["locate", "--inputs", "output/build/inputs.json", "--shard", "0", "--shards", "1",
                 "--output", "output/build/shards/0.jsonl"]) == 0
    assert gc.isenabled()
