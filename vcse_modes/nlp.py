"""The one spaCy pipeline everything shares: blank English, rule sentences, lookup lemmas.

No model download is needed: ``spacy-lookups-data`` ships the lemma table on PyPI.
Every token's ``norm_`` is set to the lemma of its lower-cased form ("Partners" ->
"partner", "Tendering" -> "tender"), so cue patterns and n-gram features match on
``NORM`` whatever the capitalisation or inflection.

The table lookup is done in one vectorised numpy step per document instead of spaCy's
per-token lookup lemmatizer, and sentence starts are set by spaCy's ``sentencizer`` rule
computed on whole arrays: the same lemmas and the same sentences at a fraction of the cost,
which keeps scoring close to the speed of the tokenizer itself. The same component keeps
the token columns it read (:func:`token_arrays`), and the tokenizer keeps the text
(:func:`doc_text`), so later stages never walk the doc token by token again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from spacy.language import Language
    from spacy.tokens import Doc

LOWER_LEMMA = "vcse_lower_lemma"
TEXT_KEY = "vcse_text"
ARRAYS_KEY = "vcse_arrays"


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """Return the shared blank-English pipeline (built once per process)."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory(LOWER_LEMMA):
        Language.factory(LOWER_LEMMA, func=_make_lower_lemma)

    nlp = spacy.blank("en")
    nlp.add_pipe(LOWER_LEMMA, config={})
    nlp.get_pipe(LOWER_LEMMA).set_table(nlp, lemma_table())
    nlp.max_length = 60_000_000
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    return nlp


class TextKeepingTokenizer:
    """spaCy's tokenizer, also keeping each doc's text in ``doc.user_data`` (see :func:`doc_text`)."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data[TEXT_KEY] = text
        return doc


@dataclass(frozen=True)
class TokenArrays:
    """A doc's per-token columns, read once: every ``Doc.to_array`` call walks all tokens.

    Hash columns are uint64, flags bool, character offsets int64.
    """

    lower: np.ndarray
    norm: np.ndarray
    orth: np.ndarray
    punct: np.ndarray
    space: np.ndarray
    sent_start: np.ndarray
    idx: np.ndarray
    length: np.ndarray


def token_arrays(doc: Doc) -> TokenArrays:
    """The columns our pipeline stored on ``doc``, or read now for any other doc."""
    cached = doc.user_data.get(ARRAYS_KEY)
    if cached is None:
        import numpy as np
        from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LOWER, NORM, ORTH, SENT_START

        a = doc.to_array([LOWER, NORM, ORTH, IS_PUNCT, IS_SPACE, IDX, LENGTH])
        sent = doc.to_array(SENT_START)
        cached = TokenArrays(
            a[:, 0], a[:, 1], a[:, 2], a[:, 3] != 0, a[:, 4] != 0, sent == 1,
            a[:, 5].astype(np.int64), a[:, 6].astype(np.int64),
        )
        doc.user_data[ARRAYS_KEY] = cached
    return cached


def doc_text(doc: Doc) -> str:
    """The text a doc was made from; ``doc.text`` would rebuild it token by token."""
    text = doc.user_data.get(TEXT_KEY)
    return text if text is not None else doc.text


def lemma_table() -> dict[str, str]:
    """English lookup lemmas from ``spacy-lookups-data`` (word -> lemma), read directly.

    The same file spaCy's lookup lemmatizer loads, without building spaCy's ``Table``
    (a visible share of every worker's start-up; `scripts/profile_stages.py startup`).
    """
    import gzip
    import json
    from importlib.resources import files

    data = (files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz").read_bytes()
    return json.loads(gzip.decompress(data))


def _make_lower_lemma(nlp: Language, name: str) -> LowerLemma:
    return LowerLemma()


class LowerLemma:
    """Pipeline component: ``token.norm_`` = lookup lemma of the lower-cased token, and
    sentence starts by the rule of spaCy's ``sentencizer`` (default punctuation)."""

    def __init__(self) -> None:
        import numpy as np

        self.keys = np.zeros(1, dtype=np.uint64)
        self.values = np.zeros(1, dtype=np.uint64)
        self.stops = np.zeros(0, dtype=np.uint64)

    def set_table(self, nlp: Language, table: dict[str, str]) -> None:
        """Index the lemma table (word -> lemma) as sorted hash arrays for vectorised lookup."""
        import numpy as np
        from spacy.pipeline import Sentencizer
        from spacy.strings import get_string_id

        # get_string_id, as spaCy's Table does: a few words are spaCy symbols with small ids.
        keys = np.fromiter(map(get_string_id, table), dtype=np.uint64, count=len(table))
        add = nlp.vocab.strings.add
        values = np.fromiter((add(v.lower()) for v in table.values()), dtype=np.uint64, count=len(table))
        order = np.argsort(keys)
        self.keys, self.values = keys[order], values[order]
        self.stops = np.sort(
            np.array([nlp.vocab.strings.add(c) for c in Sentencizer.default_punct_chars], dtype=np.uint64)
        )

    def __call__(self, doc: Doc) -> Doc:
        import numpy as np
        from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LOWER, NORM, ORTH, SENT_START

        if len(doc) == 0:
            return doc
        array = doc.to_array([LOWER, ORTH, IS_PUNCT, IS_SPACE, IDX, LENGTH])
        lower, orth = array[:, 0], array[:, 1]
        index = np.searchsorted(self.keys, lower)
        index[index >= len(self.keys)] = 0
        norms = np.where(self.keys[index] == lower, self.values[index], lower)
        stop = np.searchsorted(self.stops, orth)
        stop[stop >= len(self.stops)] = 0
        punct = array[:, 2] != 0
        starts = sentence_starts(self.stops[stop] == orth, punct)
        doc.from_array([NORM, SENT_START], np.stack([norms, starts.astype(np.uint64)], axis=1))
        doc.user_data[ARRAYS_KEY] = TokenArrays(
            lower, norms, orth, punct, array[:, 3] != 0, starts == 1,
            array[:, 4].astype(np.int64), array[:, 5].astype(np.int64),
        )
        return doc


def sentence_starts(is_stop: Any, is_punct: Any) -> Any:
    """spaCy's ``sentencizer`` rule on whole arrays: 1 where a sentence starts, else -1.

    The rule: a token that is neither punctuation nor a stop character starts a sentence
    when a stop character ("." "!" "?") came after the previous such token.

    >>> import numpy as np
    >>> stop = np.array([0, 1, 0, 0, 1, 0], bool)  # "Hi . ' We . x" (quote is punctuation)
    >>> punct = np.array([0, 1, 1, 0, 1, 0], bool)
    >>> sentence_starts(stop, punct).tolist()
    [1, -1, -1, 1, -1, 1]
    """
    import numpy as np

    word = ~is_stop & ~is_punct
    stops_before = np.concatenate([[0], np.cumsum(is_stop)])  # stops in tokens [0, i)
    words = np.flatnonzero(word)
    previous = np.concatenate([[-1], words[:-1]])
    after_previous = stops_before[previous + 1]  # stops in [0, previous word]
    after_previous[previous < 0] = 0
    starts = np.full(len(is_stop), -1, dtype=np.int64)
    starts[words[stops_before[words] > after_previous]] = 1
    starts[0] = 1
    return starts
