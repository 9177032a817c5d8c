"""The shared pipeline: spaCy's sentencizer rule on arrays, lookup lemmas, columns read once."""

from __future__ import annotations

import numpy as np
import pytest
import spacy
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, LOWER, NORM, ORTH, SENT_START
from spacy.tokens import Doc

from vcse_modes.nlp import doc_text, load_nlp, sentence_starts, token_arrays

TEXTS = [
    "We tendered it. Nobody bid!",
    "“Yes!” he said. (No.) ok?!  Then... the panel met.",
    "Hi. 'We.' x",
    "!!! ? a",
    "a\n\n. b",
    "The ICB's KPIs, e.g. the 4-hour target, weren't met. Next year? Maybe.",
    "no punctuation at all here",
    ".",
]


@pytest.fixture(scope="module")
def reference() -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@pytest.mark.parametrize("text", TEXTS)
def test_sentence_starts_equal_spacys_sentencizer(text: str, reference) -> None:
    assert load_nlp()(text).to_array(SENT_START).tolist() == reference(text).to_array(SENT_START).tolist()


def test_sentence_starts_rule_on_arrays() -> None:
    stop = np.array([0, 1, 1, 0, 0, 1], dtype=bool)  # "a . ! b c ." : the second stop changes nothing
    punct = np.array([0, 1, 1, 0, 0, 1], dtype=bool)
    assert sentence_starts(stop, punct).tolist() == [1, -1, -1, 1, -1, -1]


def test_norm_is_the_lookup_lemma_of_the_lower_cased_token() -> None:
    doc = load_nlp()("Partners were Tendering services")
    assert [t.norm_ for t in doc] == ["partner", "be", "tender", "service"]


def test_token_arrays_are_the_docs_own_columns() -> None:
    doc = load_nlp()(TEXTS[5])
    arrays = token_arrays(doc)
    columns = doc.to_array([LOWER, NORM, ORTH, IS_PUNCT, IS_SPACE, IDX, LENGTH])
    assert arrays.lower.tolist() == columns[:, 0].tolist()
    assert arrays.norm.tolist() == columns[:, 1].tolist()
    assert arrays.orth.tolist() == columns[:, 2].tolist()
    assert arrays.punct.tolist() == (columns[:, 3] == 1).tolist()
    assert arrays.space.tolist() == (columns[:, 4] == 1).tolist()
    assert arrays.idx.tolist() == columns[:, 5].tolist()
    assert arrays.length.tolist() == columns[:, 6].tolist()
    assert arrays.sent_start.tolist() == [bool(t.is_sent_start) for t in doc]


def test_docs_from_elsewhere_are_read_on_demand() -> None:
    doc = Doc(load_nlp().vocab, words=["a", "grant", "."], spaces=[True, False, False])
    assert token_arrays(doc).length.tolist() == [1, 5, 1]
    assert doc_text(doc) == "a grant."


def test_doc_text_is_the_text_given() -> None:
    text = "  Two  spaces\tand a tab.\n"
    assert doc_text(load_nlp()(text)) == text
