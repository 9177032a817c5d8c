"""Counting features from spaCy docs without scikit-learn (shared by training and scoring).

Everything here works on spaCy's hash arrays with numpy, never token by token in Python,
so features cost less than tokenising. :mod:`vcse_modes.features` wraps these in
scikit-learn transformers; :mod:`vcse_modes.compiled` uses them directly, so scoring a
document does not import scikit-learn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

_BIGRAM_PRIME = np.uint64(1_000_003)


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
    from vcse_modes.nlp import token_arrays

    if isinstance(docs, DocBatch) and docs.norms is not None:
        return docs.norms
    parents: dict[int, tuple[Any, np.ndarray]] = {}
    norms = []
    for doc in docs:
        parent = doc.doc if hasattr(doc, "doc") and doc.doc is not doc else doc
        cached = parents.get(id(parent))
        if cached is None:
            arrays = token_arrays(parent)
            keep = ~arrays.punct & ~arrays.space
            cached = parents[id(parent)] = (parent, np.where(keep, arrays.norm, 0))
        values = cached[1] if parent is doc else cached[1][doc.start : doc.end]
        norms.append(values[values != 0])
    if isinstance(docs, DocBatch):
        docs.norms = norms
    return norms


class NgramCounting:
    """Counting with fitted tables: ``ngram_range``, ``char_ngrams``, ``word_keys_`` and, for
    character n-grams, ``type_keys_``, ``type_char_matrix_`` and ``char_index_``."""

    ngram_range: tuple[int, int]
    char_ngrams: tuple[int, int] | None

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

    def _char_grams(self, word: str) -> list[str]:
        low, high = self.char_ngrams  # type: ignore[misc]
        marked = f"<{word}>"
        return [marked[i : i + n] for n in range(low, high + 1) for i in range(len(marked) - n + 1)]

    def count_norms(self, norm_arrays: list[np.ndarray]) -> sparse.csr_matrix:
        """Counts of word n-grams, then character n-grams, for each text's NORM array."""
        flat, rows = _flatten(norm_arrays)
        n_rows = len(norm_arrays)
        words = _lookup_counts(*self._flat_word_keys(flat, rows), self.word_keys_, n_rows)
        if self.char_ngrams is None:
            return words
        types = _lookup_counts(flat, rows, self.type_keys_, n_rows)
        chars = types @ self.type_char_matrix_ + self._unknown_type_chars(flat, rows, n_rows)
        return sparse.hstack([words, chars], format="csr")

    def _flat_word_keys(self, flat: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``_word_keys`` of every text at once: bigrams only within a text."""
        low, high = self.ngram_range
        keys, key_rows = [], []
        if low <= 1 <= high:
            keys.append(flat)
            key_rows.append(rows)
        if high >= 2 and len(flat) > 1:
            same = rows[:-1] == rows[1:]
            with np.errstate(over="ignore"):
                keys.append(flat[:-1][same] * _BIGRAM_PRIME + flat[1:][same])
            key_rows.append(rows[:-1][same])
        if not keys:
            return flat[:0], rows[:0]
        return np.concatenate(keys), np.concatenate(key_rows)

    def _lookup_counts(
        self, norm_arrays: list[np.ndarray], vocabulary: np.ndarray, keys_of: Any
    ) -> sparse.csr_matrix:
        """Rows of counts of each text's keys (``keys_of(norms)``) found in the sorted ``vocabulary``."""
        flat, rows = _flatten([keys_of(norms) for norms in norm_arrays])
        return _lookup_counts(flat, rows, vocabulary, len(norm_arrays))

    def _unknown_type_chars(self, flat: np.ndarray, rows: np.ndarray, n_rows: int) -> sparse.csr_matrix:
        """Character n-grams of lemmas unseen in training (the case char n-grams exist for)."""
        from vcse_modes.nlp import load_nlp

        strings = load_nlp().vocab.strings
        # Per-instance memo of unseen lemma -> its known n-gram columns; not a parameter, not pickled.
        memo: dict[int, list[int]] = self.__dict__.setdefault("_unknown_memo", {})
        width = len(self.char_index_)
        unknown = ~_positions(flat, self.type_keys_)[1]
        out_rows, cols = [], []
        for row, key in zip(rows[unknown].tolist(), flat[unknown].tolist(), strict=True):
            columns = memo.get(key)
            if columns is None:
                grams = self._char_grams(strings[key])
                columns = [c for c in map(self.char_index_.get, grams) if c is not None]
                if len(memo) < 100_000:
                    memo[key] = columns
            out_rows.extend([row] * len(columns))
            cols.extend(columns)
        data = np.ones(len(out_rows), dtype=np.float64)
        return sparse.csr_matrix((data, (out_rows, cols)), shape=(n_rows, width))

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_unknown_memo", None)
        return state


def _flatten(norm_arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """All texts' keys in one array, with the row (text) each came from."""
    if not norm_arrays:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    lengths = np.fromiter((len(n) for n in norm_arrays), dtype=np.int64, count=len(norm_arrays))
    return np.concatenate(norm_arrays), np.repeat(np.arange(len(norm_arrays)), lengths)


def _positions(keys: np.ndarray, vocabulary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each key's column in the sorted ``vocabulary``, and whether it is there (one searchsorted)."""
    if not len(vocabulary):
        return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
    position = np.searchsorted(vocabulary, keys)
    position[position >= len(vocabulary)] = 0
    return position, vocabulary[position] == keys


def _lookup_counts(
    keys: np.ndarray, rows: np.ndarray, vocabulary: np.ndarray, n_rows: int
) -> sparse.csr_matrix:
    """Rows of counts of the ``keys`` found in the sorted ``vocabulary``."""
    position, found = _positions(keys, vocabulary)
    rows, columns = rows[found], position[found]
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, columns)), shape=(n_rows, len(vocabulary)))


def cue_matrix(matcher: Any, slots: Sequence[tuple[str, str]], docs: Sequence[Any]) -> sparse.csr_matrix:
    """Cue counts per (medium, pole), active then suppressed, then pole totals, overlap and gap.

    Counts are scaled by ``1 / sqrt(n_tokens / 25 + 1)`` so long passages do not win by length.
    """
    slot_index = {slot: i for i, slot in enumerate(slots)}
    n_slots = len(slots)
    rows = np.zeros((len(docs), 2 * n_slots + 4), dtype=np.float64)
    for row, doc in enumerate(docs):
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
