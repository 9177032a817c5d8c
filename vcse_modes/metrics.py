"""Agreement and calibration metrics for evaluating a model against human codes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from vcse_modes import MEDIA, MODES


def expected_calibration_error(proba: np.ndarray, truth: Sequence[str], n_bins: int = 10) -> float:
    """ECE of the top-class probability over equal-width bins (Guo et al. 2017)."""
    confidence = proba.max(axis=1)
    correct = np.array([MODES[i] for i in proba.argmax(axis=1)]) == np.asarray(truth)
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(ece)


def brier_score(proba: np.ndarray, truth: Sequence[str]) -> float:
    """Multi-class Brier score: mean squared distance to the one-hot truth."""
    onehot = np.zeros_like(proba)
    onehot[np.arange(len(truth)), [MODES.index(t) for t in truth]] = 1
    return float(((proba - onehot) ** 2).sum(axis=1).mean())


def mode_metrics(truth: Sequence[str], proba: np.ndarray) -> dict[str, Any]:
    """Per-class P/R/F1, macro-F1, Cohen's kappa, Brier, ECE, confusion matrix, pole accuracy."""
    from sklearn.metrics import cohen_kappa_score, confusion_matrix, f1_score, precision_recall_fscore_support

    truth = np.asarray(truth, dtype=object)
    predicted = np.asarray([MODES[i] for i in proba.argmax(axis=1)], dtype=object)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=list(MODES), zero_division=0
    )
    poles = np.isin(truth, ["commodified", "collaborative"])
    pole_pred = np.where(proba[:, 0] >= proba[:, 1], "commodified", "collaborative")
    return {
        "n": int(len(truth)),
        "per_class": {
            m: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for m, p, r, f, s in zip(MODES, precision, recall, f1, support, strict=True)
        },
        "macro_f1": float(f1_score(truth, predicted, labels=list(MODES), average="macro", zero_division=0)),
        "accuracy": float((truth == predicted).mean()),
        "cohen_kappa": float(cohen_kappa_score(truth, predicted, labels=list(MODES))),
        "pole_accuracy": float((pole_pred[poles] == truth[poles]).mean()) if poles.any() else float("nan"),
        "brier": brier_score(proba, truth),
        "ece": expected_calibration_error(proba, truth),
        "confusion": {
            "labels": list(MODES),
            "matrix": confusion_matrix(truth, predicted, labels=list(MODES)).tolist(),
        },
    }


def media_metrics(
    truth: np.ndarray, proba: np.ndarray, threshold: float | np.ndarray = 0.5
) -> dict[str, Any]:
    """Micro and macro F1 over the six media (per-medium thresholds allowed), and per-medium F1."""
    from sklearn.metrics import f1_score

    predicted = (proba >= np.asarray(threshold)).astype(int)
    return {
        "micro_f1": float(f1_score(truth, predicted, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(truth, predicted, average="macro", zero_division=0)),
        "per_medium_f1": {
            m: float(f1_score(truth[:, j], predicted[:, j], zero_division=0)) for j, m in enumerate(MEDIA)
        },
    }


def media_matrix(media: Sequence[Sequence[str]]) -> np.ndarray:
    matrix = np.zeros((len(media), len(MEDIA)), dtype=int)
    for row, labels in enumerate(media):
        for label in labels:
            matrix[row, MEDIA.index(label)] = 1
    return matrix
