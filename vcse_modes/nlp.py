"""The one spaCy pipeline everything shares: blank English, rule sentencizer, lookup lemmas.

No model download is needed: ``spacy-lookups-data`` ships the lemma tables on PyPI.
Every token's ``norm_`` is set to its lower-cased lookup lemma ("Partners" -> "partner"),
so cue patterns match on ``NORM`` whatever the capitalisation.
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
    nlp.initialize()  # loads the lookup tables that the lower-lemma step reads
    nlp.add_pipe(LOWER_LEMMA)
    nlp.max_length = 60_000_000
    return nlp


def _make_lower_lemma(nlp: Language, name: str):
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    return LowerLemma(table)


class LowerLemma:
    """Pipeline component: ``token.norm_`` = lemma of the lower-cased token."""

    def __init__(self, table) -> None:
        self.table = table
        self.cache: dict[str, str] = {}

    def __call__(self, doc: Doc) -> Doc:
        cache = self.cache
        for token in doc:
            lower = token.lower_
            norm = cache.get(lower)
            if norm is None:
                norm = self.table.get(lower, lower)
                if len(cache) < 200_000:
                    cache[lower] = norm
            token.norm_ = norm
        return doc

    # spaCy calls these when a pipeline is serialised; the table comes from the lemmatizer.
    def to_bytes(self, **_: object) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **_: object) -> LowerLemma:
        return self
