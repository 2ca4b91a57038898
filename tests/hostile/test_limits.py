"""Exhaustion: the documented limits hold, and the closest-passage search stays bounded in time."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pdfbombs
import pdfkit
import reviewkit
from cases_second import PDF, bomb

from synthesis.common.problems import InputError
from synthesis.evidence.closest import closest_passage
from synthesis.evidence.normalise import normalise
from synthesis.evidence.quotes import find_matches
from synthesis.inputs import yamlio


@pytest.fixture(scope="module")
def big_source() -> str:
    """About 50 MB of word salad from a 5,000-word vocabulary (many near-repeats, like a long report)."""
    rng = random.Random(14)
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 10))) for _ in range(5000)]
    words = rng.choices(vocabulary, k=8_000_000)
    for i in range(0, len(words), 40):
        words[i] += "."
    return " ".join(words)[:50_000_000]


def _one_word_changed(text: str, start: int, length: int) -> tuple[str, str, str]:
    quote = text[start:start + length]
    quote = quote[quote.index(" ") + 1:quote.rindex(" ")]
    words = quote.split(" ")
    middle = len(words) // 2
    old = words[middle]
    words[middle] = "zzchanged"
    return " ".join(words), old, "zzchanged"


def test_a_mistyped_2000_character_quote_in_a_50_mb_source_is_explained_within_a_second(big_source):
    norm = normalise(big_source)
    quote, old, new = _one_word_changed(big_source, 31_000_000, 2000)
    assert find_matches(norm, quote) == []
    began = time.perf_counter()
    _offset, passage, score, differences = closest_passage(norm, quote)
    took = time.perf_counter() - began
    assert took < 1.0, f"closest-passage search took {took:.2f} s"
    assert score > 0.98
    assert len(differences) == 1 and f"[source: {old} | quote: {new}]" in differences[0]


def test_a_20000_character_quote_with_one_changed_word_shows_the_word(big_source):
    norm = normalise(big_source)
    quote, old, new = _one_word_changed(big_source, 7_000_000, 20_000)
    began = time.perf_counter()
    _offset, _passage, score, differences = closest_passage(norm, quote)
    took = time.perf_counter() - began
    assert took < 3.0, f"closest-passage search took {took:.2f} s"
    assert score > 0.99
    assert len(differences) == 1 and f"[source: {old} | quote: {new}]" in differences[0]


def test_every_quote_found_in_a_50_mb_source_stays_fast(big_source):
    norm = normalise(big_source)
    quotes = [big_source[s:s + 300] for s in range(1_000_000, 49_000_000, 4_000_000)]
    quotes = [q[q.index(" ") + 1:q.rindex(" ")] for q in quotes]
    began = time.perf_counter()
    found = [find_matches(norm, q) for q in quotes]
    took = time.perf_counter() - began
    assert all(len(f) == 1 for f in found)
    assert took < 5.0, f"locating {len(quotes)} quotes took {took:.2f} s"


def test_a_yaml_alias_bomb_is_refused_at_once():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
    began = time.perf_counter()
    with pytest.raises(InputError) as err:
        yamlio.load(bomb, "review.yaml")
    assert time.perf_counter() - began < 0.5
    assert [str(p) for p in err.value.problems] == ["review.yaml:2: YAML aliases (*name) are not accepted: write the value out"]


PEAK = ("import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "print('peak MiB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024, file=sys.stderr)\n"
        "sys.exit(code)\n")


def peak_run(argv: list[str], cwd) -> tuple[subprocess.CompletedProcess, int]:
    """Run ``argv`` and measure the peak resident memory of its largest process (in MiB, from getrusage)."""
    result = subprocess.run([sys.executable, "-c", PEAK, *argv], cwd=cwd, capture_output=True, text=True)
    return result, int(re.search(r"peak MiB (\d+)", result.stderr).group(1))


def test_a_pdf_bomb_is_refused_by_review_check_in_bounded_memory(tmp_path):
    """1.5 MB inflating to 1.5 GiB: read whole, as before the limits, PDFium took 2.5-3.1 GB."""
    root = reviewkit.make_review(tmp_path / "review")
    pdfkit.add_pdf_source(root)
    (root / PDF).write_bytes(pdfbombs.bomb_pdf())
    before = reviewkit.file_hashes(root)
    result, peak = peak_run([str(Path(sys.executable).parent / "review"), "check"], root)
    assert result.returncode == 1, result.stderr
    assert bomb(362) in (result.stdout + result.stderr).splitlines()
    assert "Traceback" not in result.stderr
    assert peak < 300, f"review check on a PDF bomb peaked at {peak} MiB"
    assert reviewkit.file_hashes(root) == before
