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

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

_BIGRAM_PRIME = np.uint64(1_000_003)
_CHAR_SALT = np.uint64(0x9E3779B97F4A7C15)


class DocBatch(list):
    """Parsed docs and spans, plus caches the feature branches share (so each runs once)."""

    norms: list[np.ndarray] | None = None


def as_docs(items: Iterable[Any]) -> DocBatch:
    """Parse strings with the shared pipeline; pass spaCy docs and spans through."""
    from vcse_modes.nlp import load_nlp

    if isinstance(items, DocBatch):
        return items
    items = DocBatch(items)
    texts = [(i, item) for i, item in enumerate(items) if isinstance(item, str)]
    if texts:
        parsed = load_nlp().pipe((text for _, text in texts), batch_size=256)
        for (i, _), doc in zip(texts, parsed, strict=True):
            items[i] = doc
    return items


def content_norms(doc: Doc | Span) -> np.ndarray:
    """NORM hashes of the non-punctuation, non-space tokens of a doc or span."""
    return batch_norms([doc])[0]


def batch_norms(docs: Sequence[Doc | Span]) -> list[np.ndarray]:
    """``content_norms`` for many docs/spans, reading each parent doc's arrays once."""
    from spacy.attrs import IS_PUNCT, IS_SPACE, NORM

    if isinstance(docs, DocBatch) and docs.norms is not None:
        return docs.norms
    parents: dict[int, tuple[Any, np.ndarray]] = {}
    norms = []
    for doc in docs:
        parent = doc.doc if hasattr(doc, "doc") and doc.doc is not doc else doc
        cached = parents.get(id(parent))
        if cached is None:
            array = parent.to_array([NORM, IS_PUNCT, IS_SPACE])
            keep = (array[:, 1] == 0) & (array[:, 2] == 0)
            cached = parents[id(parent)] = (parent, np.where(keep, array[:, 0], 0))
        values = cached[1] if parent is doc else cached[1][doc.start : doc.end]
        norms.append(values[values != 0])
    if isinstance(docs, DocBatch):
        docs.norms = norms
    return norms


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
        matcher = self._matcher()
        slot_index = {slot: i for i, slot in enumerate(self.slots_)}
        n_slots = len(self.slots_)
        rows = np.zeros((len(X), len(self.feature_names_)), dtype=np.float64)
        for row, doc in enumerate(as_docs(X)):
            scale = 1.0 / np.sqrt(max(len(doc), 1) / 25.0 + 1.0)
            for hit in matcher.find(doc):
                column = slot_index[(hit.medium, hit.pole)] + (n_slots if hit.suppressed else 0)
                rows[row, column] += scale
        active = rows[:, :n_slots]
        commodified, collaborative = active[:, 0::2].sum(axis=1), active[:, 1::2].sum(axis=1)
        rows[:, -4], rows[:, -3] = commodified, collaborative
        rows[:, -2] = np.minimum(commodified, collaborative)
        rows[:, -1] = np.abs(commodified - collaborative)
        return sparse.csr_matrix(rows)

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


class NgramCounts(TransformerMixin, BaseEstimator):
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

    # -- word n-grams ---------------------------------------------------------------
    def _word_keys(self, norms: np.ndarray) -> np.ndarray:
        low, high = self.ngram_range
        parts = []
        if low <= 1 <= high:
            parts.append(norms)
        if high >= 2 and len(norms) > 1:
            with np.errstate(over="ignore"):
                parts.append(norms[:-1] * _BIGRAM_PRIME + norms[1:])
        return np.concatenate(parts) if parts else norms[:0]

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

    def _char_grams(self, word: str) -> list[str]:
        low, high = self.char_ngrams  # type: ignore[misc]
        marked = f"<{word}>"
        return [marked[i : i + n] for n in range(low, high + 1) for i in range(len(marked) - n + 1)]

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
        norm_arrays = batch_norms(as_docs(X))
        words = self._lookup_counts(norm_arrays, self.word_keys_, self._word_keys)
        if self.char_ngrams is None:
            return words
        types = self._lookup_counts(norm_arrays, self.type_keys_, lambda n: n)
        chars = types @ self.type_char_matrix_ + self._unknown_type_chars(norm_arrays)
        return sparse.hstack([words, chars], format="csr")

    @staticmethod
    def _lookup_counts(norm_arrays: list[np.ndarray], vocabulary: np.ndarray, keys_of) -> sparse.csr_matrix:
        """Rows of counts of each text's keys found in the sorted ``vocabulary`` (one searchsorted)."""
        keys = [keys_of(norms) for norms in norm_arrays]
        lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
        flat = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
        rows = np.repeat(np.arange(len(keys)), lengths)
        if len(vocabulary) and len(flat):
            position = np.searchsorted(vocabulary, flat)
            position[position >= len(vocabulary)] = 0
            found = vocabulary[position] == flat
            rows, columns = rows[found], position[found]
        else:
            rows, columns = rows[:0], np.zeros(0, dtype=np.int64)
        data = np.ones(len(rows), dtype=np.float64)
        return sparse.csr_matrix((data, (rows, columns)), shape=(len(norm_arrays), len(vocabulary)))

    def _unknown_type_chars(self, norm_arrays: list[np.ndarray]) -> sparse.csr_matrix:
        """Character n-grams of lemmas unseen in training (the case char n-grams exist for)."""
        from vcse_modes.nlp import load_nlp

        strings = load_nlp().vocab.strings
        # Per-instance memo of unseen lemma -> its known n-gram columns; not a parameter, not pickled.
        memo: dict[int, list[int]] = self.__dict__.setdefault("_unknown_memo", {})
        width = len(self.char_index_)
        rows, cols = [], []
        for row, norms in enumerate(norm_arrays):
            position = np.searchsorted(self.type_keys_, norms)
            position[position >= len(self.type_keys_)] = 0
            unknown = norms[self.type_keys_[position] != norms] if len(self.type_keys_) else norms
            for key in unknown.tolist():
                columns = memo.get(key)
                if columns is None:
                    grams = self._char_grams(strings[key])
                    columns = [c for c in map(self.char_index_.get, grams) if c is not None]
                    if len(memo) < 100_000:
                        memo[key] = columns
                rows.extend([row] * len(columns))
                cols.extend(columns)
        data = np.ones(len(rows), dtype=np.float64)
        return sparse.csr_matrix((data, (rows, cols)), shape=(len(norm_arrays), width))

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_unknown_memo", None)
        return state

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return self.feature_names_
