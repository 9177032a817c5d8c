"""The passage classifier: overfitting and reloading, determinism, batch invariance, heads."""

from __future__ import annotations

import numpy as np
import pytest

from vcse_modes import MEDIA, MODES
from vcse_modes.compiled import CompiledModel, compile_model
from vcse_modes.errors import DataError
from vcse_modes.model import PassageClassifier, build_features
from vcse_modes.modelio import load_model, save_model
from vcse_modes.nlp import load_nlp
from vcse_modes.training import check_trainable, fit_model

TINY_PARAMS = {"char_ngrams": None, "calibrate": False, "min_df": 1}


def _fit(excerpts, **params):
    model = PassageClassifier(**{"char_ngrams": None, "min_df": 1, "calibrate": False, **params})
    return model.fit(
        [e.text for e in excerpts],
        [e.mode for e in excerpts],
        media=[e.media for e in excerpts],
        groups=[e.group for e in excerpts],
    )


def _media_matrix(excerpts) -> np.ndarray:
    return np.array([[m in e.media for m in MEDIA] for e in excerpts], dtype=bool)


def test_overfit_and_reload(tmp_path, handmade_excerpts):
    """As spaCy's ``test_overfitting_IO``: learn a handful of excerpts, save, reload, same output."""
    texts = [e.text for e in handmade_excerpts]
    model = _fit(handmade_excerpts, C=100.0)
    assert list(model.predict(texts)) == [e.mode for e in handmade_excerpts]
    mode_proba, media_proba = model.predict_all(texts)
    assert ((media_proba >= 0.5) == _media_matrix(handmade_excerpts)).all()

    card = save_model(model, tmp_path / "overfit", {"name": "overfit"})
    reloaded, loaded_card = load_model(tmp_path / "overfit")
    assert loaded_card["model_sha256"] == card["model_sha256"] == loaded_card["sha256"]
    assert list(reloaded.predict(texts)) == [e.mode for e in handmade_excerpts]
    again_mode, again_media = reloaded.predict_all(texts)
    assert ((again_media >= 0.5) == _media_matrix(handmade_excerpts)).all()
    np.testing.assert_allclose(again_mode, mode_proba, rtol=0, atol=1e-12)
    np.testing.assert_allclose(again_media, media_proba, rtol=0, atol=1e-12)

    # The saved form is exact: a second load, and the in-memory compiled form, agree bit for bit.
    second, _ = load_model(tmp_path / "overfit")
    in_memory = CompiledModel(compile_model(model))
    unseen = texts + ["The trust ran a competitive tender and the lowest price won."]
    for other in (second, in_memory):
        for ours, theirs in zip(reloaded.predict_all(unseen), other.predict_all(unseen), strict=True):
            assert np.array_equal(ours, theirs)


def test_reloaded_probabilities_are_bit_identical_to_the_fitted_model(tmp_path, small_excerpts):
    model = fit_model(small_excerpts, TINY_PARAMS)
    save_model(model, tmp_path / "m", {"name": "m"})
    reloaded, _ = load_model(tmp_path / "m")
    texts = [e.text for e in small_excerpts]
    for fitted, loaded in zip(model.predict_all(texts), reloaded.predict_all(texts), strict=True):
        assert np.array_equal(fitted, loaded)


@pytest.mark.parametrize(
    "params",
    [
        TINY_PARAMS,
        {},  # the defaults: character n-grams and calibration folds (shuffled with the seed)
        {"estimator": "svm", "char_ngrams": None},
        {"estimator": "nb", "char_ngrams": None, "calibrate": False},
    ],
    ids=["tiny", "default", "svm", "nb"],
)
def test_two_fits_with_the_same_seed_are_byte_identical(small_excerpts, params):
    texts = [e.text for e in small_excerpts[::3]] + ["An unseen sentence about a grant to the hospice."]
    first = fit_model(small_excerpts, params, seed=7)
    second = fit_model(small_excerpts, params, seed=7)
    a_mode, a_media = first.predict_all(texts)
    b_mode, b_media = second.predict_all(texts)
    assert a_mode.tobytes() == b_mode.tobytes()
    assert a_media.tobytes() == b_media.tobytes()
    assert first.temperature_ == second.temperature_


def test_predict_all_equals_the_separate_heads(tiny_model, small_excerpts):
    texts = [e.text for e in small_excerpts]
    mode_proba, media_proba = tiny_model.predict_all(texts)
    assert np.array_equal(mode_proba, tiny_model.predict_proba(texts))
    assert np.array_equal(media_proba, tiny_model.predict_media_proba(texts))
    assert list(tiny_model.predict(texts)) == [MODES[i] for i in mode_proba.argmax(axis=1)]
    assert mode_proba.shape == (len(texts), len(MODES)) and media_proba.shape == (len(texts), len(MEDIA))
    np.testing.assert_allclose(mode_proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert ((media_proba > 0) & (media_proba < 1)).all()
    assert list(tiny_model.classes_) == list(MODES) and list(tiny_model.media_) == list(MEDIA)


def test_batch_equals_one_at_a_time_for_strings(tiny_model, small_excerpts):
    texts = [e.text for e in small_excerpts[:20]]
    batch_mode, batch_media = tiny_model.predict_all(texts)
    singles = [tiny_model.predict_all([t]) for t in texts]
    one_mode = np.vstack([m for m, _ in singles])
    one_media = np.vstack([m for _, m in singles])
    np.testing.assert_allclose(batch_mode, one_mode, rtol=0, atol=1e-12)
    np.testing.assert_allclose(batch_media, one_media, rtol=0, atol=1e-12)
    # In practice they are exactly equal: report if that ever stops being true.
    assert np.array_equal(batch_mode, one_mode) and np.array_equal(batch_media, one_media)


def test_batch_equals_one_at_a_time_for_spans_of_one_document(tiny_model):
    nlp = load_nlp()
    doc = nlp(
        "We went out to competitive tender. The lowest price won. The alliance co-designed the rest. "
        "Trust grew. Minutes were approved. KPIs are reported monthly."
    )
    spans = list(doc.sents)
    batch = tiny_model.predict_all(spans)
    singles = [tiny_model.predict_all([s]) for s in spans]
    assert np.array_equal(batch[0], np.vstack([m for m, _ in singles]))
    assert np.array_equal(batch[1], np.vstack([m for _, m in singles]))


def test_saved_model_batch_equals_one_at_a_time(tiny_model_dir, small_excerpts):
    """The CLI scores with the saved (compiled) model: batching must not change its numbers either."""
    model, _ = load_model(tiny_model_dir)
    nlp = load_nlp()
    doc = nlp(" ".join(e.text for e in small_excerpts[:8]))
    items = [e.text for e in small_excerpts[:12]] + list(doc.sents)
    batch_mode, batch_media = model.predict_all(items)
    singles = [model.predict_all([item]) for item in items]
    assert np.array_equal(batch_mode, np.vstack([m for m, _ in singles]))
    assert np.array_equal(batch_media, np.vstack([m for _, m in singles]))


def test_batch_order_does_not_change_rows(tiny_model, small_excerpts):
    texts = [e.text for e in small_excerpts[:12]]
    forward = tiny_model.predict_proba(texts)
    backward = tiny_model.predict_proba(texts[::-1])
    assert np.array_equal(forward, backward[::-1])


def test_calibrated_model_has_a_fitted_temperature(small_excerpts):
    model = fit_model(small_excerpts, {"char_ngrams": None}, seed=13)
    assert model.temperature_ != 1.0 and 0.05 <= model.temperature_ <= 20.0
    uncalibrated = fit_model(small_excerpts, TINY_PARAMS, seed=13)
    assert uncalibrated.temperature_ == 1.0
    assert np.array_equal(uncalibrated.media_platt_, np.tile([1.0, 0.0], (len(MEDIA), 1)))


def test_feature_names_cover_the_feature_matrix(tiny_model, small_excerpts):
    names = tiny_model.feature_names()
    features = tiny_model.transform_features([e.text for e in small_excerpts[:3]])
    assert features.shape == (3, len(names))
    assert any(str(n).startswith("cue:") for n in names)


def test_build_features_branches():
    union = build_features(char_ngrams=None, cues=False).named_steps["union"]
    assert [name for name, _ in union.transformer_list] == ["words"]
    union = build_features(char_ngrams=(3, 4), cues=True, char_weight=0.25).named_steps["union"]
    assert [name for name, _ in union.transformer_list] == ["cues", "words", "chars"]
    assert union.transformer_weights["chars"] == 0.25


def test_a_medium_never_coded_gets_a_constant_head(handmade_excerpts):
    no_media = [e.__class__(**{**e.__dict__, "media": ()}) for e in handmade_excerpts]
    model = _fit(no_media)
    media_proba = model.predict_media_proba(["Anything at all."])
    assert (media_proba < 1e-6).all()


def test_one_mode_is_refused(handmade_excerpts):
    one_mode = [e for e in handmade_excerpts if e.mode == "commodified"] * 2
    with pytest.raises(DataError, match="two modes"):
        check_trainable(one_mode)
    with pytest.raises(DataError, match="at least two modes"):
        _fit(one_mode)
    with pytest.raises(DataError, match="at least 4"):
        fit_model(handmade_excerpts[:3])
