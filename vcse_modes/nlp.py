"""The one spaCy pipeline everything shares: blank English, rule sentencizer, lookup lemmas.

No model download is needed: ``spacy-lookups-data`` ships the lemma table on PyPI.
Every token's ``norm_`` is set to the lemma of its lower-cased form ("Partners" ->
"partner", "Tendering" -> "tender"), so cue patterns and n-gram features match on
``NORM`` whatever the capitalisation or inflection.

The table lookup is done in one vectorised numpy step per document instead of spaCy's
per-token lookup lemmatizer: it gives the same lemmas at a fraction of the cost, which
keeps scoring close to the speed of the tokenizer itself.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

LOWER_LEMMA = "vcse_lower_lemma"


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """Return the shared blank-English pipeline (built once per process)."""
    import spacy
    from spacy.language import Language

    if not Language.has_factory(LOWER_LEMMA):
        Language.factory(LOWER_LEMMA, func=_make_lower_lemma)

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup table from spacy-lookups-data
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    nlp.remove_pipe("lemmatizer")
    nlp.add_pipe(LOWER_LEMMA, config={})
    nlp.get_pipe(LOWER_LEMMA).set_table(nlp, table)
    nlp.max_length = 60_000_000
    return nlp


def _make_lower_lemma(nlp: Language, name: str) -> LowerLemma:
    return LowerLemma()


class LowerLemma:
    """Pipeline component: ``token.norm_`` = lookup lemma of the lower-cased token."""

    def __init__(self) -> None:
        import numpy as np

        self.keys = np.zeros(1, dtype=np.uint64)
        self.values = np.zeros(1, dtype=np.uint64)

    def set_table(self, nlp: Language, table) -> None:
        """Index the lemma table as sorted hash arrays for vectorised lookup."""
        import numpy as np

        keys = np.fromiter(table.keys(), dtype=np.uint64, count=len(table))
        values = np.fromiter(
            (nlp.vocab.strings.add(str(table[key]).lower()) for key in table),
            dtype=np.uint64,
            count=len(table),
        )
        order = np.argsort(keys)
        self.keys, self.values = keys[order], values[order]

    def __call__(self, doc: Doc) -> Doc:
        import numpy as np
        from spacy.attrs import LOWER, NORM

        if len(doc) == 0:
            return doc
        lower = doc.to_array(LOWER)
        index = np.searchsorted(self.keys, lower)
        index[index >= len(self.keys)] = 0
        norms = np.where(self.keys[index] == lower, self.values[index], lower)
        doc.from_array([NORM], norms.reshape(-1, 1))
        return doc
