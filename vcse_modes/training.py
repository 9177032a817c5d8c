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
    new_paths: Sequence[str] = (),
    weight_new: float = 1.0,
    seed: int = DEFAULT_SEED,
    config_path: str | None = None,
    name: str | None = None,
    command: str | None = None,
    n_folds: int = N_FOLDS,
) -> dict[str, Any]:
    """Cross-validate, fit on everything, and save model and card to ``out``; returns the card.

    ``corpus_paths`` is the base corpus (may be empty); ``new_paths`` are a researcher's own
    coded excerpts, weighted by ``weight_new``. With new excerpts the card also records
    ``retraining``: grouped cross-validated metrics on the new excerpts before (a model of the
    base corpus alone) and after (base plus new, folds grouped so no new source is split).
    """
    from dataclasses import replace
    from pathlib import Path

    from vcse_modes import __version__
    from vcse_modes.corpus import corpus_hash, describe, load_corpus

    if not corpus_paths and not new_paths:
        raise DataError("nothing to train on: give a corpus or new excerpts")
    base = load_corpus(corpus_paths) if corpus_paths else []
    new = [replace(e, weight=e.weight * weight_new) for e in load_corpus(new_paths)] if new_paths else []
    excerpts = base + new
    params = load_params(config_path)
    cv = cross_validate(excerpts, params, seed=seed, n_folds=n_folds)
    retraining = None
    if new:
        retraining = compare_on_new(base, new, params, seed=seed, n_folds=n_folds)
    model = fit_model(excerpts, params, seed=seed)
    all_paths = [*corpus_paths, *new_paths]
    card = {
        "name": name or Path(out).name,
        "version": __version__,
        "intended_use": INTENDED_USE,
        "train_command": command or f"vcse-modes train {' '.join(all_paths)} --out {out} --seed {seed}",
        "seed": seed,
        "params": params,
        "corpus_sha256": corpus_hash(all_paths),
        "corpus_paths": list(all_paths),
        "new_paths": list(new_paths),
        "weight_new": weight_new,
        "data": describe(excerpts) | {"excerpts": len(excerpts), "base": len(base), "new": len(new)},
        "cross_validation": cv.metrics,
        "retraining": retraining,
        "temperature": model.temperature_,
        "limitations": LIMITATIONS,
    }
    from vcse_modes.modelio import save_model

    return save_model(model, out, card)


def compare_on_new(
    base: Sequence[Excerpt], new: Sequence[Excerpt], params: dict[str, Any], *, seed: int, n_folds: int
) -> dict[str, Any]:
    """Metrics on the new excerpts before (base model) and after retraining (grouped CV)."""
    from vcse_modes.metrics import media_matrix, media_metrics, mode_metrics

    result: dict[str, Any] = {"new_excerpts": len(new)}
    if len({e.mode for e in base}) >= 2 and len(base) >= 4:
        before = fit_model(base, params, seed=seed)
        mode_proba, media_proba = before.predict_all([e.text for e in new])
        result["before"] = {
            "mode": mode_metrics([e.mode for e in new], mode_proba),
            "media": media_metrics(
                media_matrix([e.media for e in new]), media_proba, threshold=before.media_thresholds_
            ),
        }
    else:
        result["before"] = None  # --no-base: there is no earlier model to compare with
    combined = [*base, *new]
    mask = [False] * len(base) + [True] * len(new)
    result["after"] = cross_validate(combined, params, seed=seed, n_folds=n_folds, evaluate_on=mask).metrics
    return result
