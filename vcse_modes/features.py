"""Feature extraction as scikit-learn transformers that compose in one ``Pipeline``.

``SpacyDocs`` turns strings into spaCy docs once; ``CueFeatures`` counts codebook cues per
medium and pole; ``NgramCounts`` counts lemma n-grams and the character n-grams of those
lemmas. Counting works on spaCy's hash arrays with numpy, never token by token in Python,
so features cost less than tokenising.

Examples
--------
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.feature_extraction.text import TfidfTransformer
>>> pipe = make_pipeline(SpacyDocs(), NgramCounts(min_df=1, char_ngrams=None), TfidfTransformer())
>>> X = pipe.fit_transform(["We tendered the contract.", "The alliance co-designed it."])
>>> X.shape[0]
2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from vcse_modes.counting import (  # noqa: F401 - re-exported for callers of the features module
    _BIGRAM_PRIME,
    DocBatch,
    NgramCounting,
    as_docs,
    batch_norms,
    content_norms,
    cue_matrix,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span


class SpacyDocs(TransformerMixin, BaseEstimator):
    """Transform raw strings into spaCy docs (docs and spans pass through unchanged)."""

    def fit(self, X: Sequence[Any], y: Any = None) -> SpacyDocs:
        self.n_features_in_ = 1
        return self

    def transform(self, X: Sequence[Any]) -> DocBatch:
        return as_docs(X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(["doc"], dtype=object)


class CueFeatures(TransformerMixin, BaseEstimator):
    """Counts of codebook cues per (medium, pole), active and suppressed, length-normalised.

    Parameters
    ----------
    codebook_path : str or None
        A codebook TOML; None uses the one shipped with the package.
    """

    def __init__(self, codebook_path: str | None = None) -> None:
        self.codebook_path = codebook_path

    def fit(self, X: Sequence[Any], y: Any = None) -> CueFeatures:
        from vcse_modes.codebook import load_codebook

        codebook = load_codebook(self.codebook_path)
        self.slots_ = [(m.id, pole) for m in codebook.media for pole in ("commodified", "collaborative")]
        names = [f"cue:{m}:{p}" for m, p in self.slots_] + [f"cue_suppressed:{m}:{p}" for m, p in self.slots_]
        # Totals per pole, and their overlap: a passage showing both poles is what ``mixed`` means.
        totals = ["cue:total:commodified", "cue:total:collaborative", "cue:both_poles", "cue:pole_gap"]
        self.feature_names_ = np.asarray(names + totals, dtype=object)
        self.n_features_in_ = 1
        return self

    def transform(self, X: Sequence[Any]) -> sparse.csr_matrix:
        return cue_matrix(self._matcher(), self.slots_, as_docs(X))

    def find_cues(self, doc: Doc | Span) -> list[Any]:
        """The cue hits in one doc or span (used for explanations)."""
        return self._matcher().find(doc)

    def _matcher(self) -> Any:
        # Built on first use and cached on the instance; not a parameter, not pickled.
        matcher = self.__dict__.get("_cue_matcher")
        if matcher is None:
            from vcse_modes.codebook import load_codebook
            from vcse_modes.cues import CueMatcher

            matcher = CueMatcher(load_codebook(self.codebook_path))
            self.__dict__["_cue_matcher"] = matcher
        return matcher

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_cue_matcher", None)
        return state

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return self.feature_names_


class NgramCounts(NgramCounting, TransformerMixin, BaseEstimator):
    """Counts of lemma n-grams and of character n-grams inside lemmas.

    Parameters
    ----------
    ngram_range : tuple of int
        Smallest and largest word n-gram (1 or 2 words).
    min_df : int
        Keep word n-grams seen in at least this many training texts.
    char_ngrams : tuple of int or None
        Character n-gram lengths taken inside each lemma (with ``<`` ``>`` marking its
        edges, as fastText does); None turns them off.
    char_min_df : int
        Keep character n-grams seen in at least this many training texts.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        char_ngrams: tuple[int, int] | None = (3, 5),
        char_min_df: int = 3,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.char_ngrams = char_ngrams
        self.char_min_df = char_min_df

    def fit(self, X: Sequence[Any], y: Any = None) -> NgramCounts:
        from vcse_modes.nlp import load_nlp

        strings = load_nlp().vocab.strings
        norm_arrays = batch_norms(as_docs(X))
        empty = np.zeros(0, dtype=np.uint64)
        keys, df = np.unique(
            np.concatenate([np.unique(self._word_keys(n)) for n in norm_arrays] or [empty]),
            return_counts=True,
        )
        self.word_keys_ = keys[df >= self.min_df]
        word_names = self._word_names(norm_arrays, strings)

        char_names: list[str] = []
        if self.char_ngrams is not None:
            self.type_keys_ = np.unique(np.concatenate(norm_arrays or [empty]))
            grams_per_type = [self._char_grams(strings[int(k)]) for k in self.type_keys_]
            all_grams = sorted({g for grams in grams_per_type for g in grams})
            all_index = {g: i for i, g in enumerate(all_grams)}
            type_matrix = self._type_matrix(grams_per_type, all_index, len(all_grams))
            presence = self._lookup_counts(norm_arrays, self.type_keys_, lambda n: n)
            presence.data[:] = 1
            gram_df = np.asarray(((presence @ type_matrix) > 0).sum(axis=0)).ravel()
            keep = np.flatnonzero(gram_df >= self.char_min_df)
            char_names = [all_grams[i] for i in keep]
            self.type_char_matrix_ = type_matrix[:, keep].tocsr()
            self.char_index_ = {g: i for i, g in enumerate(char_names)}
        self.feature_names_ = np.asarray(
            [f"w:{n}" for n in word_names] + [f"c:{g}" for g in char_names], dtype=object
        )
        self.n_features_in_ = 1
        return self

    def _word_names(self, norm_arrays: list[np.ndarray], strings: Any) -> list[str]:
        """Readable names for the kept word n-gram keys (bigram keys are hashes of pairs)."""
        firsts, seconds, keys = [], [], []
        for norms in norm_arrays:
            if len(norms) > 1:
                with np.errstate(over="ignore"):
                    keys.append(norms[:-1] * _BIGRAM_PRIME + norms[1:])
                firsts.append(norms[:-1])
                seconds.append(norms[1:])
        pairs: dict[int, tuple[int, int]] = {}
        if keys:
            all_keys = np.concatenate(keys)
            unique, first_at = np.unique(all_keys, return_index=True)
            wanted = np.isin(unique, self.word_keys_)
            a, b = np.concatenate(firsts), np.concatenate(seconds)
            for key, at in zip(unique[wanted], first_at[wanted], strict=True):
                pairs[int(key)] = (int(a[at]), int(b[at]))
        names = []
        for key in self.word_keys_:
            pair = pairs.get(int(key))
            names.append(f"{strings[pair[0]]} {strings[pair[1]]}" if pair else strings[int(key)])
        return names

    @staticmethod
    def _type_matrix(grams_per_type: list[list[str]], index: dict[str, int], width: int) -> sparse.csr_matrix:
        rows, cols = [], []
        for row, grams in enumerate(grams_per_type):
            for gram in grams:
                column = index.get(gram)
                if column is not None:
                    rows.append(row)
                    cols.append(column)
        data = np.ones(len(rows), dtype=np.float64)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(grams_per_type), width))

    def transform(self, X: Sequence[Any]) -> sparse.csr_matrix:
        return self.count_norms(batch_norms(as_docs(X)))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return self.feature_names_
