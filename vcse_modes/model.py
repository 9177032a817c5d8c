"""The passage classifier: mode (4 classes, calibrated) and media (6 labels) from one feature pipeline.

Examples
--------
>>> model = PassageClassifier(char_ngrams=None, min_df=1, calibrate=False)
>>> texts = ["We went out to competitive tender.", "We co-designed it with the alliance."] * 3
>>> modes = ["commodified", "collaborative"] * 3
>>> media = [["provider_competition"], ["negotiated_order"]] * 3
>>> model = model.fit(texts, modes, media=media)
>>> model.predict(["The council ran a competitive tender."])[0]
'commodified'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from vcse_modes import MEDIA, MODES
from vcse_modes.compiled import sigmoid, softmax
from vcse_modes.errors import DataError

ESTIMATORS = ("logreg", "svm", "nb", "logreg+nb")


def build_features(
    char_ngrams: tuple[int, int] | None = (3, 5), min_df: int = 2, cues: bool = True, char_weight: float = 0.5
):
    """The feature pipeline: spaCy docs -> [codebook cues | TF-IDF lemma n-grams | TF-IDF char n-grams].

    Word and character n-grams are normalised separately, so the many character
    features cannot drown the words; ``char_weight`` scales the character block.
    """
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.pipeline import FeatureUnion, Pipeline

    from vcse_modes.features import CueFeatures, NgramCounts, SpacyDocs

    branches: list[tuple[str, Any]] = [
        (
            "words",
            Pipeline(
                [
                    ("counts", NgramCounts(min_df=min_df, char_ngrams=None)),
                    ("tfidf", TfidfTransformer(sublinear_tf=True)),
                ]
            ),
        ),
    ]
    weights = {"words": 1.0}
    if char_ngrams is not None:
        branches.append(
            (
                "chars",
                Pipeline(
                    [
                        ("counts", NgramCounts(ngram_range=(0, 0), char_ngrams=char_ngrams)),
                        ("tfidf", TfidfTransformer(sublinear_tf=True)),
                    ]
                ),
            )
        )
        weights["chars"] = char_weight
    if cues:
        branches.insert(0, ("cues", CueFeatures()))
        weights["cues"] = 1.0
    return Pipeline([("docs", SpacyDocs()), ("union", FeatureUnion(branches, transformer_weights=weights))])


def _linear(estimator: str, C: float, seed: int, binary: bool = False):
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    if estimator == "logreg":
        # newton-cg converges in a handful of iterations here where lbfgs needs seconds;
        # liblinear is the fastest exact solver for the binary media heads.
        solver = "liblinear" if binary else "newton-cg"
        return LogisticRegression(
            C=C, max_iter=1000, class_weight="balanced", solver=solver, random_state=seed
        )
    if estimator == "svm":
        return LinearSVC(C=C / 10, class_weight="balanced", random_state=seed, max_iter=20000)
    if estimator == "nb":
        return ComplementNB(alpha=1.0 / C)
    if estimator == "logreg+nb":
        return ProductOfExperts([_linear("logreg", C, seed, binary), ComplementNB(alpha=1.0 / C)])
    raise ValueError(f"unknown estimator {estimator!r}; choose from {ESTIMATORS}")


class ProductOfExperts(ClassifierMixin, BaseEstimator):
    """Sum of the members' log-probabilities (a product of experts), for diverse linear models.

    Parameters
    ----------
    estimators : list
        Classifiers with ``predict_log_proba``; fitted clones are stored in ``estimators_``.
    """

    def __init__(self, estimators: list[Any]) -> None:
        self.estimators = estimators

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ProductOfExperts:
        from sklearn.base import clone

        self.estimators_ = [clone(e).fit(X, y, sample_weight=sample_weight) for e in self.estimators]
        self.classes_ = self.estimators_[0].classes_
        return self

    def predict_log_proba(self, X: Any) -> np.ndarray:
        return sum(e.predict_log_proba(X) for e in self.estimators_)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_log_proba(X).argmax(axis=1)]


def _linear_parts(clf: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """Per-class weights and intercepts of a linear scorer (None when not linear)."""
    if isinstance(clf, ProductOfExperts):
        parts = [_linear_parts(e) for e in clf.estimators_]
        if any(p is None for p in parts):
            return None
        return sum(p[0] for p in parts), sum(p[1] for p in parts)  # type: ignore[index]
    if hasattr(clf, "feature_log_prob_"):  # ComplementNB: jll = X @ feature_log_prob_.T
        return clf.feature_log_prob_, np.zeros(len(clf.classes_))
    if hasattr(clf, "coef_"):
        coef, intercept = clf.coef_, np.atleast_1d(clf.intercept_)
        if coef.shape[0] == 1:  # binary: one row scores the positive class against zero
            coef, intercept = np.vstack([np.zeros_like(coef[0]), coef[0]]), np.array([0.0, intercept[0]])
        return coef, intercept
    return None


def _scores(clf: Any, X: Any) -> np.ndarray:
    """Class scores on a log scale, whatever the estimator offers."""
    scores = clf.decision_function(X) if hasattr(clf, "decision_function") else clf.predict_log_proba(X)
    return scores.reshape(len(scores), -1) if scores.ndim == 1 else scores


class PassageClassifier(ClassifierMixin, BaseEstimator):
    """Predict a passage's mode (4 classes) and media (6 labels).

    Parameters
    ----------
    estimator : {"logreg+nb", "logreg", "svm", "nb"}
        Linear model for both heads: logistic regression times complement NB (a product of
        experts, the default), logistic regression, linear SVM, or complement NB.
    C : float
        Inverse regularisation strength.
    char_ngrams : tuple of int or None
        Character n-gram lengths inside lemmas; None for lemma n-grams only.
    min_df : int
        Minimum document frequency of lemma n-grams.
    cues : bool
        Whether to add the codebook cue features.
    char_weight : float
        Weight of the character n-gram block relative to the word block.
    calibrate : bool
        Fit a softmax temperature (mode) and per-label Platt scaling (media) on grouped
        out-of-fold scores, so probabilities mean what they say.
    random_state : int
        Seed for every random step.
    """

    def __init__(
        self,
        estimator: str = "logreg+nb",
        C: float = 30.0,
        char_ngrams: tuple[int, int] | None = (3, 5),
        min_df: int = 2,
        cues: bool = True,
        char_weight: float = 0.5,
        calibrate: bool = True,
        random_state: int = 13,
    ) -> None:
        self.estimator = estimator
        self.C = C
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.cues = cues
        self.char_weight = char_weight
        self.calibrate = calibrate
        self.random_state = random_state

    # -- fitting --------------------------------------------------------------------------
    def fit(
        self,
        X: Sequence[Any],
        y: Sequence[str],
        media: Sequence[Sequence[str]] | None = None,
        groups: Sequence[str] | None = None,
        sample_weight: Sequence[float] | None = None,
    ) -> PassageClassifier:
        """Fit both heads; ``groups`` keeps one source's excerpts together in calibration folds."""
        from vcse_modes.features import as_docs

        self.__dict__.pop("_compiled_model", None)
        docs = as_docs(X)
        y = np.asarray(y, dtype=object)
        unknown = sorted(set(y) - set(MODES))
        if unknown:
            raise DataError(f"unknown mode {unknown[0]!r}; expected one of {', '.join(MODES)}")
        media_matrix = self._media_matrix(media, len(y))
        weight = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.classes_ = np.asarray(MODES, dtype=object)
        self.media_ = np.asarray(MEDIA, dtype=object)
        self.features_ = build_features(self.char_ngrams, self.min_df, self.cues, self.char_weight).fit(docs)
        features = self.features_.transform(docs)
        self.mode_clf_, self.media_clfs_ = self._fit_heads(features, y, media_matrix, weight)
        self.temperature_ = 1.0
        self.media_platt_ = np.tile([1.0, 0.0], (len(MEDIA), 1))
        self.media_thresholds_ = np.full(len(MEDIA), 0.5)
        if self.calibrate:
            self._fit_calibration(features, y, media_matrix, weight, groups)
        self.head_weights_, self.head_bias_ = self._stack_heads(features.shape[1])
        return self

    def _stack_heads(self, n_features: int) -> tuple[np.ndarray, np.ndarray] | tuple[None, None]:
        """All heads as one weight matrix, so prediction is a single product.

        Every supported estimator scores linearly up to a per-row constant (which softmax and
        log-odds cancel), so the stacked form gives the same probabilities as the estimators.
        """
        mode = _linear_parts(self.mode_clf_)
        if mode is None:
            return None, None
        weights = np.zeros((n_features, len(MODES) + len(MEDIA)))
        bias = np.full(len(MODES) + len(MEDIA), -30.0)
        coef, intercept = mode
        for j, label in enumerate(self.mode_clf_.classes_):
            weights[:, MODES.index(label)], bias[MODES.index(label)] = coef[j], intercept[j]
        for j, clf in enumerate(self.media_clfs_):
            column = len(MODES) + j
            if isinstance(clf, float):
                bias[column] = 30.0 if clf else -30.0
                continue
            parts = _linear_parts(clf)
            if parts is None:
                return None, None
            coef, intercept = parts
            weights[:, column] = coef[-1] - (coef[0] if len(coef) == 2 else 0)
            bias[column] = intercept[-1] - (intercept[0] if len(intercept) == 2 else 0)
        return weights, bias

    @staticmethod
    def _media_matrix(media: Sequence[Sequence[str]] | None, n: int) -> np.ndarray:
        matrix = np.zeros((n, len(MEDIA)), dtype=int)
        for row, labels in enumerate(media or [()] * n):
            for label in labels:
                if label not in MEDIA:
                    raise DataError(f"unknown medium {label!r}; expected one of {', '.join(MEDIA)}")
                matrix[row, MEDIA.index(label)] = 1
        return matrix

    def _fit_heads(self, features, y, media_matrix, weight):
        if len(set(y)) < 2:
            raise DataError(f"training data needs at least two modes; all excerpts are {y[0]!r}")
        mode_clf = _linear(self.estimator, self.C, self.random_state).fit(features, y, sample_weight=weight)
        media_clfs = []
        for column in range(len(MEDIA)):
            target = media_matrix[:, column]
            if target.min() == target.max():
                media_clfs.append(float(target[0]))  # constant: label always or never present
            else:
                media_clfs.append(
                    _linear(self.estimator, self.C, self.random_state, binary=True).fit(
                        features, target, sample_weight=weight
                    )
                )
        return mode_clf, media_clfs

    def _fit_calibration(self, features, y, media_matrix, weight, groups) -> None:
        from scipy.optimize import minimize_scalar
        from sklearn.model_selection import GroupKFold, StratifiedKFold

        n_splits = min(5, int(min(np.unique(y, return_counts=True)[1])))
        if n_splits < 2:
            return
        if groups is not None and len(set(groups)) >= n_splits:
            splits = GroupKFold(n_splits=n_splits).split(features, y, groups)
        else:
            splits = StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state).split(
                features, y
            )
        mode_scores = np.zeros((len(y), len(MODES)))
        media_scores = np.zeros((len(y), len(MEDIA)))
        covered = np.zeros(len(y), dtype=bool)
        for train, test in splits:
            if len(set(y[train])) < len(set(y)):
                continue
            w = None if weight is None else weight[train]
            mode_clf, media_clfs = self._fit_heads(features[train], y[train], media_matrix[train], w)
            mode_scores[test] = self._aligned_scores(mode_clf, features[test])
            media_scores[test] = self._media_scores(media_clfs, features[test])
            covered[test] = True
        if covered.sum() < 10:
            return
        target = np.array([MODES.index(label) for label in y[covered]])
        scores = mode_scores[covered]

        def nll(temperature: float) -> float:
            p = softmax(scores, temperature)
            return float(-np.log(p[np.arange(len(target)), target] + 1e-12).mean())

        self.temperature_ = float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)
        self.media_platt_ = np.array(
            [self._platt(media_scores[covered, j], media_matrix[covered, j]) for j in range(len(MEDIA))]
        )
        calibrated = sigmoid(media_scores[covered] * self.media_platt_[:, 0] + self.media_platt_[:, 1])
        self.media_thresholds_ = np.array(
            [self._best_threshold(calibrated[:, j], media_matrix[covered, j]) for j in range(len(MEDIA))]
        )

    @staticmethod
    def _platt(scores: np.ndarray, target: np.ndarray) -> tuple[float, float]:
        from sklearn.linear_model import LogisticRegression

        if target.min() == target.max():
            return (1.0, 0.0)
        lr = LogisticRegression(C=1e4).fit(scores.reshape(-1, 1), target)
        return (float(lr.coef_[0, 0]), float(lr.intercept_[0]))

    @staticmethod
    def _best_threshold(proba: np.ndarray, target: np.ndarray) -> float:
        """The decision threshold maximising out-of-fold F1 (probabilities stay calibrated)."""
        best, best_f1 = 0.5, -1.0
        for threshold in np.round(np.arange(0.2, 0.71, 0.05), 2):
            predicted = proba >= threshold
            tp = float((predicted & (target == 1)).sum())
            f1 = 2 * tp / (predicted.sum() + target.sum()) if (predicted.sum() + target.sum()) else 0.0
            if f1 > best_f1 + 1e-9:
                best, best_f1 = float(threshold), f1
        return best

    def _aligned_scores(self, clf: Any, features: Any) -> np.ndarray:
        """Scores in MODES order; classes absent from training get a very low score."""
        raw = _scores(clf, features)
        if raw.shape[1] == 1:  # binary decision function
            raw = np.hstack([-raw, raw]) / 2
        out = np.full((raw.shape[0], len(MODES)), -30.0)
        for column, label in enumerate(clf.classes_):
            out[:, MODES.index(label)] = raw[:, column]
        return out

    @staticmethod
    def _media_scores(clfs: list[Any], features: Any) -> np.ndarray:
        columns = []
        for clf in clfs:
            if isinstance(clf, float):
                columns.append(np.full(features.shape[0], 30.0 if clf else -30.0))
            else:
                scores = _scores(clf, features)
                columns.append(scores[:, -1] - (scores[:, 0] if scores.shape[1] == 2 else 0))
        return np.column_stack(columns)

    # -- prediction -----------------------------------------------------------------------
    def transform_features(self, X: Sequence[Any]) -> Any:
        """The feature matrix for ``X`` (strings, spaCy docs or spans)."""
        return self.features_.transform(X)

    def predict_proba(self, X: Sequence[Any]) -> np.ndarray:
        """Calibrated mode probabilities, columns in ``classes_`` order."""
        return self.predict_all(X)[0]

    def predict(self, X: Sequence[Any]) -> np.ndarray:
        """The most probable mode of each passage."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def predict_media_proba(self, X: Sequence[Any]) -> np.ndarray:
        """Probability of each medium (columns in ``media_`` order)."""
        return self.predict_all(X)[1]

    def predict_all(self, X: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """Mode and media probabilities from one feature pass.

        Predictions go through the compiled form that :func:`~vcse_modes.modelio.save_model`
        writes, so a fitted model and the same model saved and reloaded agree bit for bit.
        """
        compiled = self._compiled()
        if compiled is None:
            return self.proba_from_features(self.transform_features(X))
        return compiled.predict_all(X)

    def _compiled(self) -> Any:
        # A cache derived from fitted attributes: not a parameter, not pickled, reset by fit.
        if getattr(self, "head_weights_", None) is None:
            return None
        compiled = self.__dict__.get("_compiled_model")
        if compiled is None:
            from vcse_modes.compiled import CompiledModel, compile_model

            cues = self.features_.named_steps["union"].named_transformers.get("cues")
            matcher = cues._matcher() if cues is not None else None
            compiled = CompiledModel(compile_model(self), cue_matcher=matcher)
            self.__dict__["_compiled_model"] = compiled
        return compiled

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_compiled_model", None)
        return state

    def proba_from_features(self, features: Any) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated mode and media probabilities from a feature matrix."""
        if getattr(self, "head_weights_", None) is not None:
            scores = np.asarray(features @ self.head_weights_) + self.head_bias_
            mode_scores, raw = scores[:, : len(MODES)], scores[:, len(MODES) :]
        else:
            mode_scores = self._aligned_scores(self.mode_clf_, features)
            raw = self._media_scores(self.media_clfs_, features)
        mode = softmax(mode_scores, self.temperature_)
        media = sigmoid(raw * self.media_platt_[:, 0] + self.media_platt_[:, 1])
        return mode, media

    def media_labels(self, media_proba: np.ndarray) -> list[list[str]]:
        """The media each passage shows: probability at or above that medium's threshold."""
        chosen = media_proba >= self.media_thresholds_
        return [[m for m, keep in zip(MEDIA, row, strict=True) if keep] for row in chosen]

    def cue_terms(self, doc: Any) -> list[str]:
        """Active (not contrasted or negated) cue terms in a doc or span, in order, once each."""
        cues = self.features_.named_steps["union"].named_transformers.get("cues")
        if cues is None:
            return []
        return list(dict.fromkeys(h.text for h in cues.find_cues(doc) if not h.suppressed))

    def feature_names(self) -> np.ndarray:
        """Names of the features, for explanations."""
        union = self.features_.named_steps["union"]
        return np.concatenate([step.get_feature_names_out() for _, step in union.transformer_list])
