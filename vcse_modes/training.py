"""Training and grouped cross-validation on coded excerpts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vcse_modes.corpus import Excerpt
from vcse_modes.errors import DataError
from vcse_modes.metrics import media_matrix, media_metrics, mode_metrics
from vcse_modes.model import PassageClassifier

DEFAULT_SEED = 13
N_FOLDS = 5


@dataclass(frozen=True)
class CrossValidation:
    """Out-of-fold predictions and the metrics computed from them."""

    mode_proba: np.ndarray
    media_proba: np.ndarray
    fold: np.ndarray
    metrics: dict[str, Any]


def check_trainable(excerpts: Sequence[Excerpt]) -> None:
    """Refuse data a model cannot learn from, with a message saying what to fix."""
    if len(excerpts) < 4:
        raise DataError(f"only {len(excerpts)} excerpts; need at least 4 to train")
    modes = {e.mode for e in excerpts}
    if len(modes) < 2:
        raise DataError(f"all excerpts have mode {modes.pop()!r}; code at least two modes")


def fit_model(
    excerpts: Sequence[Excerpt], params: dict[str, Any] | None = None, seed: int = DEFAULT_SEED
) -> PassageClassifier:
    """Fit a PassageClassifier on excerpts (weights and groups honoured)."""
    check_trainable(excerpts)
    model = PassageClassifier(random_state=seed, **(params or {}))
    return model.fit(
        [e.text for e in excerpts],
        [e.mode for e in excerpts],
        media=[e.media for e in excerpts],
        groups=[e.group for e in excerpts],
        sample_weight=[e.weight for e in excerpts],
    )


def grouped_folds(
    excerpts: Sequence[Excerpt], n_folds: int = N_FOLDS, seed: int = DEFAULT_SEED
) -> np.ndarray:
    """Fold number per excerpt; all excerpts of one group share a fold (stratified by mode)."""
    from sklearn.model_selection import StratifiedGroupKFold

    groups = [e.group for e in excerpts]
    n_groups = len(set(groups))
    if n_groups < 2:
        raise DataError("grouped cross-validation needs excerpts from at least two groups")
    splitter = StratifiedGroupKFold(n_splits=min(n_folds, n_groups), shuffle=True, random_state=seed)
    fold = np.zeros(len(excerpts), dtype=int)
    for number, (_, test) in enumerate(
        splitter.split(np.zeros(len(groups)), [e.mode for e in excerpts], groups)
    ):
        fold[test] = number
    return fold


def cross_validate(
    excerpts: Sequence[Excerpt],
    params: dict[str, Any] | None = None,
    seed: int = DEFAULT_SEED,
    n_folds: int = N_FOLDS,
    evaluate_on: Sequence[bool] | None = None,
) -> CrossValidation:
    """Grouped k-fold cross-validation; metrics over all excerpts or the ``evaluate_on`` mask."""
    from vcse_modes.features import as_docs

    check_trainable(excerpts)
    fold = grouped_folds(excerpts, n_folds, seed)
    docs = as_docs([e.text for e in excerpts])  # parse once, reuse in every fold
    mode_proba = np.zeros((len(excerpts), 4))
    media_proba = np.zeros((len(excerpts), 6))
    media_predicted = np.zeros((len(excerpts), 6))
    for number in np.unique(fold):
        train, test = np.flatnonzero(fold != number), np.flatnonzero(fold == number)
        model = PassageClassifier(random_state=seed, **(params or {})).fit(
            [docs[i] for i in train],
            [excerpts[i].mode for i in train],
            media=[excerpts[i].media for i in train],
            groups=[excerpts[i].group for i in train],
            sample_weight=[excerpts[i].weight for i in train],
        )
        mode_proba[test], media_proba[test] = model.predict_all([docs[i] for i in test])
        media_predicted[test] = media_proba[test] >= model.media_thresholds_
    mask = np.ones(len(excerpts), dtype=bool) if evaluate_on is None else np.asarray(evaluate_on, dtype=bool)
    chosen = [e for e, keep in zip(excerpts, mask, strict=True) if keep]
    metrics = {
        "folds": int(len(np.unique(fold))),
        "mode": mode_metrics([e.mode for e in chosen], mode_proba[mask]),
        "media": media_metrics(media_matrix([e.media for e in chosen]), media_predicted[mask]),
    }
    return CrossValidation(mode_proba, media_proba, fold, metrics)


def evaluate_model(model: PassageClassifier, excerpts: Sequence[Excerpt]) -> dict[str, Any]:
    """Metrics of a fitted model against human-coded excerpts."""
    mode_proba, media_proba = model.predict_all([e.text for e in excerpts])
    return {
        "mode": mode_metrics([e.mode for e in excerpts], mode_proba),
        "media": media_metrics(
            media_matrix([e.media for e in excerpts]), media_proba, threshold=model.media_thresholds_
        ),
    }


DEFAULT_PARAMS: dict[str, Any] = {
    "estimator": "logreg+nb",
    "C": 30.0,
    "char_ngrams": (3, 5),
    "min_df": 2,
    "cues": True,
    "char_weight": 0.5,
    "calibrate": True,
}

INTENDED_USE = (
    "Scores English NHS and local-authority commissioning text and research interviews about VCSE "
    "organisations on a spectrum from commodified to collaborative commissioning, as a measurement aid "
    "for researchers who check its evidence against the text."
)
LIMITATIONS = [
    "Trained on project-written paraphrases and composed excerpts, not on original documents; "
    "real documents have boilerplate, tables and OCR noise the corpus under-represents.",
    "English-language, England-specific commissioning vocabulary (ICBs, CCGs, PSR, Social Value Act).",
    "Passage-level probabilities are calibrated on grouped cross-validation folds of the corpus; "
    "calibration on other text is not guaranteed.",
    "Not for judging organisations or individuals; scores describe text, not practice.",
]


def load_params(config_path: str | None) -> dict[str, Any]:
    """Model parameters: defaults updated from a TOML config's ``[model]`` table."""
    params = dict(DEFAULT_PARAMS)
    if config_path:
        import tomllib

        with open(config_path, "rb") as handle:
            try:
                table = tomllib.load(handle).get("model", {})
            except tomllib.TOMLDecodeError as error:
                raise DataError(f"invalid TOML ({error})", config_path) from None
        unknown = set(table) - set(DEFAULT_PARAMS)
        if unknown:
            raise DataError(
                f"unknown model option(s) {sorted(unknown)}; known: {sorted(DEFAULT_PARAMS)}", config_path
            )
        params.update(table)
    params["char_ngrams"] = _char_ngrams(params.get("char_ngrams"), config_path)
    return params


def _char_ngrams(value: Any, where: str | None) -> tuple[int, int] | None:
    """``char_ngrams`` from a config: a pair of lengths, or false / [] / none to turn them off."""
    if value is None or value is False or value == [] or value == ():
        return None
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
        and value[0] <= value[1]
    ):
        return (int(value[0]), int(value[1]))
    raise DataError(
        f"char_ngrams must be two lengths like [3, 5], or false to turn them off; got {value!r}", where
    )


def train_and_save(
    corpus_paths: Sequence[str],
    out: str,
    *,
    seed: int = DEFAULT_SEED,
    config_path: str | None = None,
    name: str | None = None,
    command: str | None = None,
    n_folds: int = N_FOLDS,
) -> dict[str, Any]:
    """Cross-validate, fit on everything, and save model and card to ``out``; returns the card."""
    from pathlib import Path

    from vcse_modes import __version__
    from vcse_modes.corpus import corpus_hash, describe, load_corpus
    from vcse_modes.modelio import save_model

    excerpts = load_corpus(corpus_paths)
    params = load_params(config_path)
    cv = cross_validate(excerpts, params, seed=seed, n_folds=n_folds)
    model = fit_model(excerpts, params, seed=seed)
    card = {
        "name": name or Path(out).name,
        "version": __version__,
        "intended_use": INTENDED_USE,
        "train_command": command or f"vcse-modes train {' '.join(corpus_paths)} --out {out} --seed {seed}",
        "seed": seed,
        "params": params,
        "corpus_sha256": corpus_hash(corpus_paths),
        "corpus_paths": list(corpus_paths),
        "data": describe(excerpts) | {"excerpts": len(excerpts)},
        "cross_validation": cv.metrics,
        "temperature": model.temperature_,
        "limitations": LIMITATIONS,
    }
    return save_model(model, out, card)
