"""Cluster execution: every job runs through a submit command, as on SLURM, and is self-contained."""

from __future__ import annotations

import yaml

import reviewkit

SUBMIT = reviewkit.ROOT / "tests" / "cluster" / "submit.sh"


def test_the_workflow_runs_through_a_generic_cluster_executor(tmp_path, monkeypatch):
    review = reviewkit.make_review(tmp_path / "review")
    log = tmp_path / "submitted.log"
    monkeypatch.setenv("SUBMIT_LOG", str(log))
    result = reviewkit.snakemake(review, "--executor", "cluster-generic", "--cluster-generic-submit-cmd", str(SUBMIT),
                                 "--jobs", "4", "--latency-wait", "30", "--seconds-between-status-checks", "1", "--config", "shards=3")
    assert result.returncode == 0, result.stderr[-3000:]
    submitted = log.read_text(encoding="utf-8").splitlines()
    # Every job but the local target rule went through the submit command: prepare, 3 shards,
    # merge, report (tables, figure, Markdown), provenance, ast, html, docx, crate.
    assert len(submitted) == 11
    for name in ("output/report/state-of-play.html", "output/report/state-of-play.docx", "output/provenance.json", "output/tables/RQa.csv"):
        assert (review / name).is_file(), name
    assert "Members' bills fell by 12% in year one." in (review / "output/report/state-of-play.md").read_text(encoding="utf-8")


def test_slurm_profile_is_valid_yaml_for_the_slurm_executor():
    profile = yaml.safe_load((reviewkit.ROOT / "profiles" / "slurm" / "config.yaml").read_text(encoding="utf-8"))
    assert profile["executor"] == "slurm"
    assert {"runtime", "mem_mb", "slurm_partition"} <= set(profile["default-resources"])
    assert set(profile["set-resources"]) <= {"prepare", "locate", "evidence", "provenance", "report", "ast", "html", "docx"}
