"""A fitted :class:`~vcse_modes.model.PassageClassifier` as plain arrays.

The saved form (``model.npz``) holds only numbers and strings: it loads with
``numpy.load(allow_pickle=False)``, so opening a model file can never run code, and
scoring does not import scikit-learn. :func:`compile_model` and
:class:`CompiledModel` compute exactly the features and probabilities of the fitted
estimator (checked in ``tests/test_compiled.py``).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from vcse_modes import MEDIA, MODES
from vcse_modes.counting import NgramCounting, as_docs, batch_norms, cue_matrix
from vcse_modes.errors import ModelError

FORMAT = "vcse-modes-compiled-1"


def compile_model(model: Any) -> dict[str, np.ndarray]:
    """The arrays that reproduce ``model.predict_all``; raises ModelError if it cannot be compiled."""
    from importlib.resources import files

    if getattr(model, "head_weights_", None) is None:
        raise ModelError(f"estimator {model.estimator!r} has no linear form to compile")
    union = model.features_.named_steps["union"]
    branches = dict(union.transformer_list)
    weights = union.transformer_weights or {}
    arrays: dict[str, np.ndarray] = {
        "format": np.array(FORMAT),
        "head_weights": model.head_weights_,
        "head_bias": model.head_bias_,
        "temperature": np.array(model.temperature_),
        "media_platt": model.media_platt_,
        "media_thresholds": model.media_thresholds_,
        "branches": np.array([name for name, _ in union.transformer_list]),
    }
    for name, step in union.transformer_list:
        arrays[f"{name}__weight"] = np.array(float(weights.get(name, 1.0)))
        if name == "cues":
            path = step.codebook_path
            source = files("vcse_modes") / "data" / "codebook.toml" if path is None else Path(path)
            text = source.read_text(encoding="utf-8")
            arrays["cues__codebook"] = np.array(text)
            arrays["cues__slots"] = np.array([f"{m}|{p}" for m, p in step.slots_])
            continue
        counts, tfidf = step.named_steps["counts"], step.named_steps["tfidf"]
        arrays[f"{name}__idf"] = tfidf.idf_
        arrays[f"{name}__ngram_range"] = np.array(counts.ngram_range)
        arrays[f"{name}__word_keys"] = counts.word_keys_
        if counts.char_ngrams is not None:
            matrix = counts.type_char_matrix_.tocsr()
            arrays[f"{name}__char_ngrams"] = np.array(counts.char_ngrams)
            arrays[f"{name}__type_keys"] = counts.type_keys_
            arrays[f"{name}__char_names"] = np.array(list(counts.char_index_))
            arrays[f"{name}__tc_indptr"], arrays[f"{name}__tc_indices"] = matrix.indptr, matrix.indices
            arrays[f"{name}__tc_data"] = matrix.data
            arrays[f"{name}__tc_shape"] = np.array(matrix.shape)
    unknown = set(branches) - {"cues", "words", "chars"}
    if unknown:
        raise ModelError(f"cannot compile feature branches {sorted(unknown)}")
    return arrays


def to_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """The ``.npz`` bytes (deterministic: same arrays, same bytes)."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


class CompiledModel:
    """Predict modes and media from arrays written by :func:`compile_model`.

    Parameters
    ----------
    arrays : mapping of str to numpy arrays
        As returned by :func:`compile_model` or read from a ``model.npz``.
    cue_matcher : CueMatcher, optional
        An already built matcher for the model's codebook (else built on first use).
    """

    def __init__(self, arrays: dict[str, np.ndarray], cue_matcher: Any = None) -> None:
        if str(arrays.get("format", "")) != FORMAT:
            raise ModelError(f"not a {FORMAT} model file")
        self.arrays = arrays
        self.classes_ = np.asarray(MODES, dtype=object)
        self.media_ = np.asarray(MEDIA, dtype=object)
        self.media_thresholds_ = arrays["media_thresholds"]
        self.temperature_ = float(arrays["temperature"])
        self._branches = [str(b) for b in arrays["branches"]]
        self._counters = {name: self._counter(name) for name in self._branches if name != "cues"}
        self._cues: Any = cue_matcher
        self._slots = [tuple(str(s).split("|")) for s in arrays.get("cues__slots", [])]

    @classmethod
    def from_bytes(cls, data: bytes) -> CompiledModel:
        """Read a ``model.npz`` without unpickling anything."""
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return cls({key: npz[key] for key in npz.files})

    def _counter(self, name: str) -> NgramCounting:
        a = self.arrays
        counter = NgramCounting()
        counter.ngram_range = tuple(int(x) for x in a[f"{name}__ngram_range"])  # type: ignore[assignment]
        counter.char_ngrams = None
        counter.word_keys_ = a[f"{name}__word_keys"]
        if f"{name}__char_ngrams" in a:
            counter.char_ngrams = tuple(int(x) for x in a[f"{name}__char_ngrams"])
            counter.type_keys_ = a[f"{name}__type_keys"]
            names = [str(n) for n in a[f"{name}__char_names"]]
            counter.char_index_ = {gram: i for i, gram in enumerate(names)}
            shape = tuple(int(x) for x in a[f"{name}__tc_shape"])
            indices = a[f"{name}__tc_indices"]
            counter.type_char_matrix_ = sparse.csr_matrix(
                (a[f"{name}__tc_data"], indices, a[f"{name}__tc_indptr"]), shape=shape
            )
        return counter

    def _cue_matcher(self) -> Any:
        if self._cues is None:
            from vcse_modes.codebook import parse_codebook
            from vcse_modes.cues import CueMatcher

            self._cues = CueMatcher(parse_codebook(str(self.arrays["cues__codebook"]), "<model codebook>"))
        return self._cues

    def _blocks(self, X: Sequence[Any]) -> Iterator[sparse.csr_matrix]:
        """Each feature branch's weighted block, in column order."""
        docs = as_docs(X)
        norms = batch_norms(docs)
        for name in self._branches:
            weight = float(self.arrays[f"{name}__weight"])
            if name == "cues":
                block = cue_matrix(self._cue_matcher(), self._slots, docs)
            else:
                block = _tfidf(self._counters[name].count_norms(norms), self.arrays[f"{name}__idf"])
            yield block * weight if weight != 1.0 else block

    def transform_features(self, X: Sequence[Any]) -> sparse.csr_matrix:
        """The feature matrix, identical to the fitted pipeline's."""
        return sparse.hstack(list(self._blocks(X)), format="csr")

    def predict_all(self, X: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated mode probabilities (MODES order) and media probabilities (MEDIA order)."""
        # Block by block: the product of the heads without building the stacked feature matrix.
        weights = self.arrays["head_weights"]
        scores = self.arrays["head_bias"]
        start = 0
        for block in self._blocks(X):
            scores = scores + np.asarray(block @ weights[start : start + block.shape[1]])
            start += block.shape[1]
        return self._proba_from_scores(np.atleast_2d(scores))

    def proba_from_features(self, features: Any) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities from a feature matrix: one product with the stacked heads."""
        scores = np.asarray(features @ self.arrays["head_weights"]) + self.arrays["head_bias"]
        return self._proba_from_scores(scores)

    def _proba_from_scores(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mode = softmax(scores[:, : len(MODES)], self.temperature_)
        platt = self.arrays["media_platt"]
        media = sigmoid(scores[:, len(MODES) :] * platt[:, 0] + platt[:, 1])
        return mode, media

    def predict_proba(self, X: Sequence[Any]) -> np.ndarray:
        return self.predict_all(X)[0]

    def predict(self, X: Sequence[Any]) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def predict_media_proba(self, X: Sequence[Any]) -> np.ndarray:
        return self.predict_all(X)[1]

    def media_labels(self, media_proba: np.ndarray) -> list[list[str]]:
        chosen = media_proba >= self.media_thresholds_
        return [[m for m, keep in zip(MEDIA, row, strict=True) if keep] for row in chosen]

    def cue_terms(self, doc: Any) -> list[str]:
        """Active (not contrasted or negated) cue terms in a doc or span, in order, once each."""
        if "cues" not in self._branches:
            return []
        hits = self._cue_matcher().find(doc)
        return list(dict.fromkeys(h.text for h in hits if not h.suppressed))


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Row-wise softmax of ``scores / temperature``."""
    z = scores / temperature
    # Floor at e^-60 below the top class: no probability is exactly 0 (log-loss stays finite).
    z = np.maximum(z - z.max(axis=1, keepdims=True), -60.0)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function on logits clipped to +-30, so no probability is exactly 0 or 1."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))


def _tfidf(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """scikit-learn's TfidfTransformer(sublinear_tf=True, norm='l2') with a fitted ``idf``.

    Works on the CSR arrays directly: one matrix in, one out, no diagonal-matrix products.
    """
    matrix = counts.tocsr()
    matrix.sum_duplicates()
    data = (np.log(matrix.data.astype(np.float64)) + 1.0) * idf[matrix.indices]
    row_of = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=matrix.shape[0]))
    norms[norms == 0] = 1.0
    data /= norms[row_of]
    return sparse.csr_matrix((data, matrix.indices, matrix.indptr), shape=matrix.shape)
