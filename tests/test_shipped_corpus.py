"""The shipped corpus validates and meets the minimums the instrument was built to."""

from collections import Counter
from pathlib import Path

import pytest

from vcse_modes import MEDIA
from vcse_modes.corpus import COMMISSIONING_GENRES, GENRES, load_corpus, validate

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "excerpts"
SEEDS = ROOT.parent / "shared" / "seeds"  # present in the development checkout only


@pytest.fixture(scope="module")
def excerpts():
    return load_corpus([CORPUS])


def test_shipped_corpus_validates():
    report = validate([CORPUS], seeds_dir=SEEDS if SEEDS.is_dir() else None)
    assert report.ok, report.errors[:10]


def test_shipped_corpus_meets_the_minimums(excerpts):
    modes = Counter(e.mode for e in excerpts)
    assert len(excerpts) >= 800
    assert modes["commodified"] >= 180 and modes["collaborative"] >= 180
    assert modes["mixed"] >= 100 and modes["neither"] >= 100
    media = Counter(m for e in excerpts for m in e.media)
    assert all(media[m] >= 100 for m in MEDIA), media
    assert sum(e.is_paraphrase for e in excerpts) >= 0.4 * len(excerpts)
    assert {e.genre for e in excerpts} == set(GENRES)
    assert sum(e.genre in COMMISSIONING_GENRES for e in excerpts) >= len(excerpts) / 3
    interview_roles = {e.speaker_role for e in excerpts if e.genre == "interview"}
    assert {"commissioner", "vcse"} <= interview_roles
    assert {"social_prescribing", "end_of_life", "learning_disability"} <= {e.tracer for e in excerpts}


def test_neither_includes_text_that_is_not_about_commissioning(excerpts):
    neither = [e for e in excerpts if e.mode == "neither"]
    assert sum(not e.media for e in neither) >= 100
