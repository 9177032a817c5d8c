"""Feature transformers: scikit-learn estimator conventions, widths, docs/spans/strings, pipelines."""

from __future__ import annotations

import copy
import io
import time

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils import estimator_checks
from sklearn.utils.validation import check_is_fitted

from vcse_modes.features import CueFeatures, NgramCounts, SpacyDocs, as_docs, content_norms
from vcse_modes.model import PassageClassifier
from vcse_modes.nlp import load_nlp

TEXTS = [
    "The council went out to competitive tender for the contract.",
    "Providers competed on price and the lowest bid won the contract.",
    "We co-designed the service with the hospice alliance.",
    "The alliance shares decisions; trust between partners is high.",
    "Monthly KPI returns are checked against the specification.",
    "The minutes of the last meeting were approved.",
]
MODES_OF_TEXTS = ["commodified", "commodified", "collaborative", "collaborative", "commodified", "neither"]

ESTIMATORS = {
    "SpacyDocs": SpacyDocs(),
    "CueFeatures": CueFeatures(),
    "NgramCounts": NgramCounts(),
    "PassageClassifier": PassageClassifier(),
}
# Checks that need no numeric input data, so they apply to text estimators as they are.
API_CHECKS = [
    "check_no_attributes_set_in_init",
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_set_params",
    "check_estimator_repr",
    "check_estimator_cloneable",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_valid_tag_types",
]


@pytest.mark.parametrize("check_name", API_CHECKS)
@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_sklearn_api_checks(name, check_name):
    check = getattr(estimator_checks, check_name, None)
    if check is None:
        pytest.skip(f"{check_name} not in this scikit-learn")
    check(name, clone(ESTIMATORS[name]))


def _fit(estimator):
    if isinstance(estimator, PassageClassifier):
        return estimator.fit(TEXTS, MODES_OF_TEXTS)
    return estimator.fit(TEXTS)


SMALL = {
    "SpacyDocs": SpacyDocs(),
    "CueFeatures": CueFeatures(),
    "NgramCounts": NgramCounts(min_df=1, char_min_df=1),
    "PassageClassifier": PassageClassifier(char_ngrams=None, min_df=1, calibrate=False),
}


@pytest.mark.parametrize("name", list(SMALL))
def test_fit_on_text_does_not_overwrite_parameters(name):
    """``check_dont_overwrite_parameters`` and ``check_estimators_overwrite_params``, on text input."""
    estimator = clone(SMALL[name])
    params_before = copy.deepcopy(estimator.get_params())
    public_before = {k for k in vars(estimator) if not k.startswith("_")}
    fitted = _fit(estimator)
    assert fitted is estimator
    assert estimator.get_params() == params_before
    added = {k for k in vars(estimator) if not k.startswith("_")} - public_before
    assert added, "fit should set fitted attributes"
    assert all(k.endswith("_") for k in added), f"public attributes without trailing _: {added}"
    if not isinstance(estimator, PassageClassifier):
        assert estimator.n_features_in_ == 1  # one text column
    check_is_fitted(estimator)


@pytest.mark.parametrize("name", list(SMALL))
def test_unfitted_estimators_are_not_fitted(name):
    with pytest.raises(NotFittedError):
        check_is_fitted(clone(SMALL[name]))


@pytest.mark.parametrize("name", ["CueFeatures", "NgramCounts", "PassageClassifier"])
def test_clone_of_a_fitted_estimator_is_unfitted_with_the_same_params(name):
    fitted = _fit(clone(SMALL[name]))
    copy_ = clone(fitted)
    assert copy_.get_params() == fitted.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(copy_)


# ------------------------------------------------------------------ feature names


@pytest.mark.parametrize(
    "estimator",
    [
        CueFeatures(),
        NgramCounts(min_df=1, char_ngrams=None),
        NgramCounts(min_df=1, char_ngrams=(3, 5), char_min_df=1),
        NgramCounts(ngram_range=(0, 0), char_ngrams=(2, 3), char_min_df=2),
        NgramCounts(ngram_range=(1, 1), min_df=2, char_ngrams=None),
        NgramCounts(ngram_range=(2, 2), min_df=1, char_ngrams=None),
    ],
    ids=repr,
)
def test_feature_names_match_transform_width(estimator):
    estimator = clone(estimator).fit(TEXTS)
    names = estimator.get_feature_names_out()
    width = estimator.transform(TEXTS + ["An unseen sentence about procurement frameworks."]).shape[1]
    assert len(names) == width
    assert len(set(names)) == len(names), "feature names must be unique"


def test_ngram_feature_names_are_readable_lemmas_and_bigrams():
    counts = NgramCounts(min_df=2, char_ngrams=None).fit(TEXTS)
    names = set(counts.get_feature_names_out())
    assert "w:contract" in names  # in two texts
    assert "w:the contract" in names  # bigram in two texts
    assert "w:hospice" not in names  # in one text only: below min_df
    unigram_only = NgramCounts(ngram_range=(1, 1), min_df=2, char_ngrams=None).fit(TEXTS)
    assert all(" " not in name for name in unigram_only.get_feature_names_out())


def test_spacy_docs_feature_names_and_passthrough():
    docs = SpacyDocs().fit(TEXTS)
    assert list(docs.get_feature_names_out()) == ["doc"]
    parsed = load_nlp()("Already parsed.")
    out = docs.transform(["A string.", parsed, parsed[0:1]])
    assert out[0].text == "A string." and out[1] is parsed and out[2].text == "Already"


def test_cue_features_count_cues_in_their_medium_and_pole():
    cues = CueFeatures().fit(TEXTS)
    names = list(cues.get_feature_names_out())
    row = cues.transform(["We went out to competitive tender."]).toarray()[0]
    fired = {names[i] for i in np.flatnonzero(row)}
    assert "cue:provider_competition:commodified" in fired
    assert "cue:total:commodified" in fired
    assert not any(
        name.endswith(":collaborative")
        for name in fired
        if name.startswith("cue:") and not name.startswith("cue:total")
    )
    assert cues.transform(["The weather was fine."]).nnz == 0


# ------------------------------------------------------------------ strings, docs and spans


def test_ngram_counts_give_identical_rows_for_string_doc_and_span():
    counts = NgramCounts(min_df=1, char_min_df=1).fit(TEXTS)
    sentence = "We went out to competitive tender for the service."
    nlp = load_nlp()
    before = "The alliance met monthly. "
    larger = nlp(before + sentence + " Nobody bid for it, sadly.")
    span = larger.char_span(len(before), len(before) + len(sentence))
    assert span is not None and span.text == sentence
    as_string = counts.transform([sentence]).toarray()
    assert as_string.sum() > 0
    np.testing.assert_array_equal(counts.transform([nlp(sentence)]).toarray(), as_string)
    np.testing.assert_array_equal(counts.transform([span]).toarray(), as_string)
    mixed_batch = counts.transform([span, sentence, nlp(sentence)]).toarray()
    np.testing.assert_array_equal(mixed_batch, np.vstack([as_string] * 3))


def test_cue_features_identical_for_string_and_span():
    cues = CueFeatures().fit(TEXTS)
    sentence = "The hospice was co-designed with the alliance."
    larger = load_nlp()("Something else first. " + sentence)
    span = larger.char_span(len("Something else first. "), len(larger.text))
    np.testing.assert_array_equal(cues.transform([span]).toarray(), cues.transform([sentence]).toarray())


def test_content_norms_skip_punctuation_and_spaces_and_lemmatise():
    nlp = load_nlp()
    doc = nlp("Partners,  tendering!")
    norms = [nlp.vocab.strings[int(k)] for k in content_norms(doc)]
    assert norms == ["partner", "tender"]
    assert [nlp.vocab.strings[int(k)] for k in content_norms(doc[2:])] == ["tender"]


def test_as_docs_keeps_order_and_types():
    nlp = load_nlp()
    parsed = nlp("Second.")
    out = as_docs(["First.", parsed, "Third."])
    assert [d.text for d in out] == ["First.", "Second.", "Third."]
    assert out[1] is parsed


def test_empty_and_punctuation_only_texts():
    counts = NgramCounts(min_df=1).fit(["!!!", "..."])
    assert counts.transform(["", "hello"]).shape == (2, 0)
    counts = NgramCounts(min_df=1, char_min_df=1).fit(TEXTS)
    assert counts.transform(["", "  ", "?!"]).nnz == 0


def test_unseen_words_still_get_character_ngrams():
    counts = NgramCounts(ngram_range=(0, 0), char_ngrams=(3, 3), char_min_df=1).fit(["tendering tender"])
    row = counts.transform(["retender"]).toarray()[0]
    names = counts.get_feature_names_out()
    assert {names[i] for i in np.flatnonzero(row)} >= {"c:ten", "c:end", "c:nde", "c:der", "c:er>"}


# ------------------------------------------------------------------ pipelines


def _pipeline():
    return Pipeline(
        [
            ("docs", SpacyDocs()),
            (
                "union",
                FeatureUnion(
                    [
                        ("cues", CueFeatures()),
                        (
                            "ngrams",
                            Pipeline(
                                [
                                    ("counts", NgramCounts(min_df=1, char_min_df=1)),
                                    ("tfidf", TfidfTransformer()),
                                ]
                            ),
                        ),
                    ]
                ),
            ),
            ("clf", LogisticRegression(C=10.0, max_iter=1000)),
        ]
    )


def test_components_compose_in_a_pipeline():
    pipe = _pipeline().fit(TEXTS, MODES_OF_TEXTS)
    assert list(pipe.predict(TEXTS)) == MODES_OF_TEXTS
    union = pipe.named_steps["union"]
    width = union.transform(pipe.named_steps["docs"].transform(TEXTS)).shape[1]
    names = union.get_feature_names_out()
    assert len(names) == width
    assert any(n.startswith("cues__cue:") for n in names) and any(n.startswith("ngrams__") for n in names)


def test_pipeline_params_are_reachable_and_settable():
    pipe = _pipeline()
    params = pipe.get_params()
    assert params["union__ngrams__counts__min_df"] == 1
    pipe.set_params(union__ngrams__counts__ngram_range=(1, 1), union__cues__codebook_path=None)
    assert pipe.get_params()["union__ngrams__counts__ngram_range"] == (1, 1)
    pipe.fit(TEXTS, MODES_OF_TEXTS)
    names = pipe.named_steps["union"].get_feature_names_out()
    assert not any(n.startswith("ngrams__w:") and " " in n for n in names), "bigrams left after (1, 1)"


def test_fitted_pipeline_survives_pickling():
    pipe = _pipeline().fit(TEXTS, MODES_OF_TEXTS)
    pipe.predict_proba(TEXTS)  # builds the cached cue matcher, which must not be pickled
    buffer = io.BytesIO()
    joblib.dump(pipe, buffer)
    buffer.seek(0)
    restored = joblib.load(buffer)
    assert "_cue_matcher" not in vars(restored.named_steps["union"].transformer_list[0][1])
    assert np.array_equal(restored.predict_proba(TEXTS), pipe.predict_proba(TEXTS))


# ------------------------------------------------------------------ cost


def test_span_features_cost_scales_with_the_spans_not_the_parent_doc():
    """Regression: content_norms once converted the whole parent doc per span (quadratic in a long block)."""
    nlp = load_nlp()
    nlp("Warm up the pipeline.")
    text = " ".join(f"word{i % 101} and partner{i % 7} tendered" for i in range(8_000))  # one 'sentence'
    start = time.perf_counter()
    doc = nlp(text)
    tokenise = time.perf_counter() - start
    spans = [doc[i : i + 80] for i in range(0, len(doc), 80)]
    counts = NgramCounts(min_df=1, char_ngrams=None).fit(["word1 and partner1 tendered"])
    start = time.perf_counter()
    counts.transform(spans)
    featurise = time.perf_counter() - start
    # The features module promises features cost less than tokenising; allow a wide margin.
    assert featurise < 2 * tokenise + 0.05, (featurise, tokenise)
