"""The spectrum formula and document aggregation: evidence, intervals, modes, media."""

from __future__ import annotations

import dataclasses
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vcse_modes import MEDIA, MODES
from vcse_modes.scoring import (
    MODE_THRESHOLD,
    ScoredPassage,
    SpectrumScore,
    aggregate,
    bootstrap_interval,
    classify_score,
    media_profile,
    spectrum,
)

COMMODIFIED = (0.9, 0.02, 0.05, 0.03)
COLLABORATIVE = (0.02, 0.9, 0.05, 0.03)
MIXED = (0.0, 0.0, 1.0, 0.0)
NEITHER = (0.0, 0.0, 0.0, 1.0)
NO_MEDIA = (0.0,) * len(MEDIA)


def passage(mode_proba, n=0, *, role="unknown", source="doc.txt", media=NO_MEDIA, **fields) -> ScoredPassage:
    return ScoredPassage(
        text=f"passage {n}",
        start=10 * n,
        end=10 * n + 8,
        page=None,
        speaker=None,
        role=role,
        mode_proba=tuple(mode_proba),
        media_proba=tuple(media),
        source=source,
        index=n,
        **fields,
    )


def passages(*probas, **kwargs) -> list[ScoredPassage]:
    return [passage(p, n, **kwargs) for n, p in enumerate(probas)]


# ------------------------------------------------------------------ formula


def test_spectrum_formula_on_hand_computed_values():
    # C = 0.5 + 0.25 = 0.75 and K = 1.0 + 0.25 = 1.25: (1.25 - 0.75) / (1.25 + 0.75 + 1) = 1/6
    assert spectrum(np.array([0.5, 0.25]), np.array([1.0, 0.25])) == pytest.approx(1 / 6, abs=1e-15)
    assert spectrum(np.array([3.0]), np.array([0.0])) == pytest.approx(-0.75)  # -3 / 4
    assert spectrum(np.array([0.0, 0.0]), np.array([0.0, 0.0])) == 0.0
    assert spectrum(np.zeros(0), np.zeros(0)) == 0.0
    # Along the last axis, one score per row (the bootstrap relies on this).
    rows = spectrum(np.array([[1.0, 1.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [2.0, 2.0]]))
    np.testing.assert_allclose(rows, [-2 / 3, 0.8])


def test_spectrum_equals_tanh_of_half_the_logit():
    rng = np.random.default_rng(3)
    for _ in range(50):
        com, col = rng.random(7), rng.random(7)
        c, k = com.sum(), col.sum()
        theta = math.log((k + 0.5) / (c + 0.5))
        assert spectrum(com, col) == pytest.approx(math.tanh(theta / 2), rel=1e-12)


def test_scored_passage_pole_evidence_counts_mixed_half_to_each_pole():
    p = passage((0.2, 0.3, 0.4, 0.1))
    assert p.commodified == pytest.approx(0.4)
    assert p.collaborative == pytest.approx(0.5)
    assert p.mode == "mixed"
    assert passage((0.25, 0.25, 0.25, 0.25)).mode == "commodified"  # ties go to the first mode


def test_aggregate_score_matches_the_formula_by_hand():
    result = aggregate(passages((0.5, 0.2, 0.2, 0.1), (0.1, 0.6, 0.2, 0.1), (0.0, 0.0, 0.0, 1.0)))
    c, k = 0.5 + 0.1 + 0.1 + 0.1 + 0.0, 0.2 + 0.1 + 0.6 + 0.1 + 0.0
    assert result.score == pytest.approx((k - c) / (k + c + 1))
    assert result.evidence_mass == pytest.approx({"commodified": c, "collaborative": k})
    assert result.intensity == pytest.approx({"commodified": c / 3, "collaborative": k / 3})
    assert result.passages_scored == 3


# ------------------------------------------------------------------ aggregate


def test_interviewer_turns_carry_no_weight():
    answers = passages(COLLABORATIVE, COLLABORATIVE, MIXED, role="vcse")
    questions = [passage(COMMODIFIED, 10 + n, role="interviewer") for n in range(20)]
    with_questions = aggregate(answers + questions)
    assert with_questions == aggregate(answers)
    assert with_questions.passages_scored == 3


def test_only_interviewer_turns_give_an_empty_neutral_score():
    result = aggregate(passages(COMMODIFIED, COLLABORATIVE, role="interviewer"))
    assert (result.score, result.ci_low, result.ci_high, result.mode, result.passages_scored) == (
        0.0,
        0.0,
        0.0,
        "neither",
        0,
    )
    assert set(result.media) == set(MEDIA)


def test_all_neither_passages_give_mode_neither():
    result = aggregate(passages(*[NEITHER] * 12))
    assert result.mode == "neither"
    assert result.score == 0.0
    assert result.intensity == {"commodified": 0.0, "collaborative": 0.0}


def test_too_little_evidence_is_neither_even_if_one_sided():
    result = aggregate(passages(COMMODIFIED))  # evidence mass 0.925 < 1
    assert result.score < 0
    assert result.mode == "neither"


def test_commodified_heavy_set_is_commodified():
    rng = random.Random(5)
    probas = [COMMODIFIED] * 15 + [MIXED] * 3 + [NEITHER] * 3 + [COLLABORATIVE] * 2
    rng.shuffle(probas)
    result = aggregate(passages(*probas))
    assert result.score < -MODE_THRESHOLD
    assert result.ci_low <= result.score <= result.ci_high < 0
    assert result.mode == "commodified"
    assert result.intensity["commodified"] > result.intensity["collaborative"]


def test_collaborative_heavy_set_is_collaborative():
    result = aggregate(passages(*([COLLABORATIVE] * 12 + [NEITHER] * 4 + [COMMODIFIED])))
    assert 0 < result.ci_low <= result.score <= result.ci_high
    assert result.mode == "collaborative"


def test_balanced_set_is_mixed():
    result = aggregate(passages(*([COLLABORATIVE, COMMODIFIED] * 10)))
    assert result.score == pytest.approx(0.0, abs=1e-12)
    assert result.ci_low < 0 < result.ci_high
    assert result.mode == "mixed"


def test_mixed_passages_make_both_intensities_high():
    result = aggregate(passages(*[MIXED] * 8))
    assert result.intensity == {"commodified": 0.5, "collaborative": 0.5}
    assert result.score == 0.0
    assert result.mode == "mixed"
    one_sided = aggregate(passages(*[COLLABORATIVE] * 8))
    assert one_sided.intensity["commodified"] < 0.1 < 0.9 < one_sided.intensity["collaborative"]


@pytest.mark.parametrize(
    ("score", "low", "high", "mass", "mode"),
    [
        (0.5, 0.1, 0.8, 5.0, "collaborative"),
        (0.5, 0.0, 0.8, 5.0, "mixed"),  # interval touches 0
        (0.19, 0.1, 0.3, 5.0, "mixed"),  # below the threshold
        (MODE_THRESHOLD, 0.01, 0.3, 5.0, "collaborative"),
        (-0.5, -0.8, -0.1, 5.0, "commodified"),
        (-0.5, -0.8, 0.0, 5.0, "mixed"),
        (-0.9, -0.95, -0.8, 0.99, "neither"),  # too little evidence
    ],
)
def test_classify_score_rules(score, low, high, mass, mode):
    assert classify_score(score, low, high, mass) == mode


# ------------------------------------------------------------------ invariances and intervals


def test_score_is_invariant_to_passage_order():
    rng = np.random.default_rng(11)
    probas = rng.dirichlet([0.4] * 4, size=25)
    media = rng.random((25, len(MEDIA)))
    items = [passage(p, n, media=m) for n, (p, m) in enumerate(zip(probas, media, strict=True))]
    expected = aggregate(items)
    for seed in range(3):
        shuffled = items[:]
        random.Random(seed).shuffle(shuffled)
        assert aggregate(shuffled) == expected  # score, interval, mode, media: all exact


def test_interval_is_order_invariant_even_when_positions_tie():
    rng = np.random.default_rng(1)
    probas = rng.dirichlet([0.5] * 4, size=8)
    items = [ScoredPassage("t", 0, 5, None, None, "unknown", tuple(p), NO_MEDIA) for p in probas]
    assert aggregate(items) == aggregate(items[::-1])


def test_source_name_changes_only_the_bootstrap_seed():
    rng = np.random.default_rng(2)
    probas = rng.dirichlet([0.4] * 4, size=15)
    media = rng.random((15, len(MEDIA)))
    a = aggregate(
        [passage(p, n, media=m, source="a.txt") for n, (p, m) in enumerate(zip(probas, media, strict=True))]
    )
    b = aggregate(
        [
            passage(p, n, media=m, source="renamed/b.pdf")
            for n, (p, m) in enumerate(zip(probas, media, strict=True))
        ]
    )
    assert a.score == b.score
    assert (a.intensity, a.media, a.evidence_mass, a.passages_scored) == (
        b.intensity,
        b.media,
        b.evidence_mass,
        b.passages_scored,
    )
    assert (a.ci_low, a.ci_high) != (b.ci_low, b.ci_high)  # another seed, another resample ...
    assert a.ci_low == pytest.approx(b.ci_low, abs=0.1)  # ... of the same distribution
    assert a.ci_high == pytest.approx(b.ci_high, abs=0.1)
    again = aggregate(
        [passage(p, n, media=m, source="a.txt") for n, (p, m) in enumerate(zip(probas, media, strict=True))]
    )
    assert again == a  # same source, same seed: reproducible


def test_text_and_speaker_do_not_affect_the_score():
    base = passages(COMMODIFIED, MIXED, COLLABORATIVE, COMMODIFIED)
    relabelled = [dataclasses.replace(p, text="other words", speaker="R9", page=3) for p in base]
    assert aggregate(base) == aggregate(relabelled)


@settings(max_examples=80, deadline=None)
@given(
    probas=st.lists(
        st.lists(st.floats(0.0, 1.0), min_size=4, max_size=4).filter(lambda v: sum(v) > 0.01),
        min_size=1,
        max_size=30,
    ),
)
def test_interval_contains_the_score(probas):
    rows = [tuple(np.asarray(v) / sum(v)) for v in probas]
    result = aggregate(passages(*rows), n_boot=300)
    assert -1 < result.ci_low <= result.score <= result.ci_high < 1
    assert result.mode in MODES


def test_single_passage_interval_is_a_point():
    assert bootstrap_interval(np.array([0.7]), np.array([0.1]), seed=1) == pytest.approx(
        (float(spectrum(np.array([0.7]), np.array([0.1]))),) * 2
    )
    assert bootstrap_interval(np.zeros(0), np.zeros(0), seed=1) == (0.0, 0.0)


def test_bootstrap_is_seeded_and_chunked_consistently():
    rng = np.random.default_rng(4)
    com, col = rng.random(40), rng.random(40)
    assert bootstrap_interval(com, col, seed=9) == bootstrap_interval(com, col, seed=9)
    assert bootstrap_interval(com, col, seed=9) != bootstrap_interval(com, col, seed=10)


# ------------------------------------------------------------------ media


def test_media_shares_sum_to_one_and_leans_follow_the_poles():
    media_com = (0.0, 0.0, 0.0, 0.0, 0.95, 0.6)  # provider competition, juridical control
    media_col = (0.0, 0.9, 0.0, 0.3, 0.0, 0.0)  # negotiated order, some resource dependencies
    items = [passage(COMMODIFIED, n, media=media_com) for n in range(6)]
    items += [passage(COLLABORATIVE, 10 + n, media=media_col) for n in range(4)]
    result = aggregate(items)
    assert list(result.media) == list(MEDIA)
    assert sum(m["share"] for m in result.media.values()) == pytest.approx(1.0)
    assert result.media["provider_competition"]["lean"] < -0.5
    assert result.media["juridical_control"]["lean"] < -0.5
    assert result.media["negotiated_order"]["lean"] > 0.5
    assert result.media["managerial_techniques"] == {"share": 0.0, "lean": 0.0}
    assert result.media["provider_competition"]["share"] > result.media["resource_dependencies"]["share"]


def test_media_profile_by_hand():
    proba = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
    media = np.zeros((2, len(MEDIA)))
    media[0, 0] = media[1, 0] = 1.0  # the neither passage's medium has no relevance
    media[0, 1] = 0.5
    com, col = np.array([1.0, 0.0]), np.array([0.0, 0.0])
    profile = media_profile(media, proba, com, col)
    assert profile["managerial_techniques"] == pytest.approx({"share": 1 / 1.5, "lean": -1 / 2})
    assert profile["negotiated_order"] == pytest.approx({"share": 0.5 / 1.5, "lean": -0.5 / 1.5})
    assert sum(v["share"] for v in profile.values()) == pytest.approx(1.0)


def test_media_shares_are_zero_without_relevant_evidence():
    result = aggregate(passages(*[NEITHER] * 3, media=(1.0,) * len(MEDIA)))
    assert all(v["share"] == 0.0 for v in result.media.values())


def test_spectrum_score_is_a_frozen_record():
    result = aggregate(passages(COMMODIFIED, COLLABORATIVE))
    assert isinstance(result, SpectrumScore)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = 1.0  # type: ignore[misc]
