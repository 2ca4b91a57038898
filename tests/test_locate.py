"""Quote location: typography-tolerant, wording-strict, offsets into the original text."""

from __future__ import annotations

from synthesis.evidence.closest import closest_passage
from synthesis.evidence.normalise import normalise, quote_segments
from synthesis.evidence.quotes import find_quote

SOURCE = "Intro.\r\n\r\nThe \u201cwork\u2011first\u201d model\u2014still  dominant\u2014puts jobs\r\nfirst; train\u00ading comes later.\n\nHe said [...] nothing."


def locate(quote: str, text: str = SOURCE) -> str | None:
    span = find_quote(normalise(text), quote)
    return None if span is None else text[span[0]:span[1]]


def test_curly_quotes_dashes_whitespace_line_breaks_and_soft_hyphens_match():
    found = locate('The "work-first" model - still dominant - puts jobs first; training comes later.')
    assert found is None  # spaces around a dash are wording, not typography
    found = locate('The "work-first" model-still dominant-puts jobs first; training comes later.')
    assert found == "The \u201cwork\u2011first\u201d model\u2014still  dominant\u2014puts jobs\r\nfirst; train\u00ading comes later."


def test_nfkc_folds_compatibility_characters():
    assert locate("first step", "the \ufb01rst step") == "\ufb01rst step"


def test_elision_matches_any_span_and_returns_the_tight_span():
    assert locate("The [...] model [...] later.") == SOURCE[SOURCE.index("The"):SOURCE.index("later.") + 6]
    assert locate("jobs [\u2026] comes later") == "jobs\r\nfirst; train\u00ading comes later"


def test_literal_elision_in_the_source_matches_too():
    assert locate("He said [...] nothing.") == "He said [...] nothing."


def test_segments_must_appear_in_order():
    assert locate("later. [...] Intro.") is None
    assert quote_segments("a [...] b [\u2026] c") == ["a", "b", "c"]


def test_wording_differences_do_not_match():
    assert locate("The work-first model is dominant") is None


def test_search_window_limits_the_match():
    norm = normalise(SOURCE)
    body = SOURCE.index("He said")
    assert find_quote(norm, "Intro.", start=body) is None
    assert find_quote(norm, "nothing.", start=body) == (SOURCE.index("nothing."), len(SOURCE))


def test_closest_passage_explains_a_miss():
    _offset, passage, score, differences = closest_passage(normalise(SOURCE), "puts jobs first; training comes sooner")
    assert passage == "dominant-puts jobs first; training comes later."
    assert 0.7 < score < 1.0
    assert differences == ["[source: dominant-puts | quote: puts] jobs first; training comes ...", "... jobs first; training comes [source: later. | quote: sooner]"]


def test_a_quote_cannot_start_or_end_inside_a_word():
    assert locate("model-still dominant-puts jobs firs") is None
    assert locate("odel-still dominant") is None
    assert locate("train [...] later") is None  # "train" is part of "train\u00ading"


def test_normalisation_invariants_on_random_text():
    import random

    rng = random.Random(7)
    alphabet = "ab c\n\t\u00ad\u201c\u201d\u2013 e\u0301 \u200b  x\r"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        norm = normalise(text)
        assert "  " not in norm.text and "\n" not in norm.text and "\u00ad" not in norm.text
        offsets = [norm.original(i) for i in range(len(norm.text) + 1)]
        assert offsets == sorted(offsets) and all(0 <= o <= len(text) for o in offsets)
        # Every word of the text is found, at a span that normalises to it.
        for word in set(text.split()):
            if word.isalpha() and word.isascii():
                span = find_quote(norm, word)
                assert span is not None and normalise(text[span[0]:span[1]]).text == word


def test_normalised_offsets_are_those_of_one_pass_over_every_span():
    # Pinned from the normaliser before its fast paths (marks made ASCII before the scan, two scans merged):
    # a mark inside a longer span (after a ligature, before two spaces) keeps that span's offsets.
    cases = [
        ("a \u201cb\u201d c", 'a "b" c', [0], [0]),
        ("x\ufb01\u201cy", 'xfi"y', [0, 4], [0, 3]),
        ("x\u00ab  \u2212y", 'x" -y', [0, 4], [0, 5]),
        ("a\n\nb  \u2014 c", "a b - c", [0, 2, 4], [0, 3, 6]),
        ("p \u2019  \nq", "p ' q", [0, 4], [0, 6]),
        ("e\u0301 \u201c\u0301z", '\u00e9 "\u0301z', [0, 4], [0, 5]),
        ("w\u2013\u201cv\u00ad\nu", 'w-"v- u', [0], [0]),
        ("k  \u201c  l\u2014", 'k " l-', [0, 2, 4], [0, 3, 6]),
    ]
    from synthesis.evidence.normalise import _normalise

    for text, expected, norm_breaks, orig_breaks in cases:
        for marks_first in (True, False, None):  # with and without the pass over marks, and as chosen
            norm = _normalise(text, marks_first)
            assert (norm.text, norm.norm_breaks, norm.orig_breaks) == (expected, norm_breaks, orig_breaks), text


def test_the_pass_over_marks_runs_only_where_they_are_dense_and_changes_nothing(monkeypatch):
    import random

    from synthesis.evidence import normalise as module

    rng = random.Random(11)
    alphabet = ["ab", " ", "\n", "\u2019", "\u201c", "\u201d", "\u2013", "\ufb01", "  ", "e\u0301", "x."]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert module._normalise(text, True) == module._normalise(text, False), text
    passed = []
    pattern = module._SPAN_STARTING_MARK

    class Counting:
        def sub(self, replace, text):
            passed.append(text)
            return pattern.sub(replace, text)

    monkeypatch.setattr(module, "_SPAN_STARTING_MARK", Counting())
    prose = "the model's reach " * 10
    module._normalise(prose.replace("'", "\u2019") + "\n")  # one "\u2019" in 18 characters: dense
    module._normalise(prose.replace("'", "\u2019", 1) + "\n")  # one in 180
    assert len(passed) == 1 and passed[0].count("\u2019") == 10


def test_a_line_end_hyphen_of_each_kind_is_seen_only_between_letters():
    from synthesis.evidence.normalise import line_end_hyphens

    for hyphen in "-\u00ad\u2010\u2011":
        assert line_end_hyphens(f"an expec{hyphen}\ntation")
        assert line_end_hyphens(f"self{hyphen} \r\n reporting")
        assert not line_end_hyphens(f"an expec{hyphen} tation")
        assert not line_end_hyphens(f"1990 {hyphen}\n2000")
        assert not line_end_hyphens(f"{hyphen}\nstart") and not line_end_hyphens(f"end {hyphen}\n")
