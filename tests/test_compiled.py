"""The compiled (plain-array) model form: exact, deterministic, and never unpickles."""

import io

import numpy as np
import pytest

from vcse_modes.compiled import CompiledModel, compile_model, to_bytes
from vcse_modes.corpus import load_corpus
from vcse_modes.errors import ModelError
from vcse_modes.training import fit_model


@pytest.fixture(scope="module")
def fitted():
    excerpts = load_corpus(["corpus/excerpts"])[::12]
    return fit_model(excerpts, {"calibrate": True}), [e.text for e in excerpts[:40]]


def test_compiled_bytes_reload_to_identical_probabilities(fitted):
    model, texts = fitted
    data = to_bytes(compile_model(model))
    reloaded = CompiledModel.from_bytes(data)
    for left, right in zip(model.predict_all(texts), reloaded.predict_all(texts), strict=True):
        assert np.array_equal(left, right)
    assert reloaded.media_labels(reloaded.predict_all(texts)[1]) == model.media_labels(
        model.predict_all(texts)[1]
    )


def test_compiling_is_deterministic(fitted):
    model, _ = fitted
    assert to_bytes(compile_model(model)) == to_bytes(compile_model(model))


def test_an_archive_holding_pickled_objects_is_refused():
    buffer = io.BytesIO()
    np.savez(buffer, format=np.array("vcse-modes-compiled-1"), payload=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        CompiledModel.from_bytes(buffer.getvalue())


def test_an_archive_of_another_format_is_a_model_error():
    buffer = io.BytesIO()
    np.savez(buffer, format=np.array("something-else"))
    with pytest.raises(ModelError, match="not a vcse-modes-compiled-1"):
        CompiledModel.from_bytes(buffer.getvalue())


def test_cue_terms_report_active_cues_only(fitted):
    model, _ = fitted
    compiled = CompiledModel.from_bytes(to_bytes(compile_model(model)))
    from vcse_modes.nlp import load_nlp

    doc = load_nlp()("We want partners rather than providers, and we co-designed the service.")
    terms = compiled.cue_terms(doc)
    assert "partners" in terms and "providers" not in terms
    assert terms == model.cue_terms(doc)
