"""From passage probabilities to a document's (or a case's) place on the spectrum.

Formula (documented in ``docs/model.md``). For passage *i* with calibrated probabilities
``p_com, p_col, p_mix, p_nei``, its commodified evidence is ``c_i = p_com + p_mix / 2``
and its collaborative evidence ``k_i = p_col + p_mix / 2`` (expected counts: a mixed
passage counts half to each pole; a ``neither`` passage counts to none). With
``C = sum c_i`` and ``K = sum k_i`` the Lowe et al. (2011) logit scale is
``theta = log((K + 0.5) / (C + 0.5))``, and

    score = tanh(theta / 2) = (K - C) / (K + C + 1)    in (-1, 1)

negative = commodified, positive = collaborative; little evidence shrinks it towards 0.
Interviewer turns carry no weight.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from vcse_modes import MEDIA, MODES

COM, COL, MIX, NEI = (MODES.index(m) for m in ("commodified", "collaborative", "mixed", "neither"))
MODE_THRESHOLD = 0.2
MIN_EVIDENCE = 1.0
N_BOOTSTRAP = 1000


@dataclass(frozen=True)
class ScoredPassage:
    """One passage with the model's probabilities and the cue terms found in it."""

    text: str
    start: int
    end: int
    page: int | None
    speaker: str | None
    role: str
    mode_proba: tuple[float, ...]
    media_proba: tuple[float, ...]
    media: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    source: str = ""
    index: int = 0

    @property
    def mode(self) -> str:
        return MODES[int(np.argmax(self.mode_proba))]

    @property
    def commodified(self) -> float:
        return self.mode_proba[COM] + self.mode_proba[MIX] / 2

    @property
    def collaborative(self) -> float:
        return self.mode_proba[COL] + self.mode_proba[MIX] / 2


@dataclass(frozen=True)
class SpectrumScore:
    """Where a set of passages sits on the spectrum, how sure that is, and why."""

    score: float
    ci_low: float
    ci_high: float
    mode: str
    intensity: dict[str, float]
    media: dict[str, dict[str, float]]
    passages_scored: int
    evidence_mass: dict[str, float] = field(default_factory=dict)


def spectrum(com: np.ndarray, col: np.ndarray) -> np.ndarray | float:
    """``(K - C) / (K + C + 1)`` along the last axis (see module docstring)."""
    c, k = com.sum(axis=-1), col.sum(axis=-1)
    return (k - c) / (k + c + 1.0)


@dataclass(frozen=True)
class PassageArrays:
    """Scored passages as columns: all that pooling and the bootstrap need, without texts.

    Cases pool thousands of passages; columns keep that to a few NumPy arrays.

    >>> from vcse_modes.scoring import PassageArrays, ScoredPassage, aggregate_arrays
    >>> p = ScoredPassage("We tendered it.", 0, 15, None, None, "unknown", (0.9, 0.0, 0.1, 0.0), (0.0,) * 6)
    >>> round(aggregate_arrays(PassageArrays.from_passages([p])).score, 3)
    -0.487
    """

    source: np.ndarray
    start: np.ndarray
    end: np.ndarray
    role: np.ndarray
    mode_proba: np.ndarray
    media_proba: np.ndarray

    @classmethod
    def from_passages(cls, passages: Sequence[ScoredPassage]) -> PassageArrays:
        """Columns of a sequence of :class:`ScoredPassage`."""
        return cls(
            source=np.array([p.source for p in passages], dtype=str),
            start=np.array([p.start for p in passages], dtype=np.int64),
            end=np.array([p.end for p in passages], dtype=np.int64),
            role=np.array([p.role for p in passages], dtype=str),
            mode_proba=np.array([p.mode_proba for p in passages], dtype=float).reshape(-1, len(MODES)),
            media_proba=np.array([p.media_proba for p in passages], dtype=float).reshape(-1, len(MEDIA)),
        )

    @classmethod
    def concat(cls, parts: Sequence[PassageArrays]) -> PassageArrays:
        """One table of several (a case pooled from its documents)."""
        if not parts:
            return cls.from_passages([])
        return cls(*(np.concatenate([getattr(part, name) for part in parts])
                     for name in ("source", "start", "end", "role", "mode_proba", "media_proba")))

    def select(self, mask: np.ndarray) -> PassageArrays:
        """The rows where ``mask`` is true (or the rows at an index array), in that order."""
        return PassageArrays(self.source[mask], self.start[mask], self.end[mask], self.role[mask],
                             self.mode_proba[mask], self.media_proba[mask])

    def __len__(self) -> int:
        return len(self.start)

    @property
    def commodified(self) -> np.ndarray:
        """Each passage's commodified evidence ``p_com + p_mix / 2``."""
        return self.mode_proba[:, COM] + self.mode_proba[:, MIX] / 2

    @property
    def collaborative(self) -> np.ndarray:
        """Each passage's collaborative evidence ``p_col + p_mix / 2``."""
        return self.mode_proba[:, COL] + self.mode_proba[:, MIX] / 2

    def canonical(self) -> PassageArrays:
        """Interviewer turns dropped and rows in a canonical order, so results ignore input order."""
        kept = self.select(self.role != "interviewer")
        # np.lexsort's last key is the primary one: (source, start, end, mode_proba, media_proba).
        keys = [*(kept.media_proba[:, j] for j in reversed(range(kept.media_proba.shape[1]))),
                *(kept.mode_proba[:, j] for j in reversed(range(kept.mode_proba.shape[1]))),
                kept.end, kept.start, kept.source]
        return kept.select(np.lexsort(keys)) if len(kept) else kept

    def seed(self) -> int:
        """Bootstrap seed from the passages' identities (source and offsets), in row order."""
        digest = hashlib.sha256()
        for source, start, end in zip(self.source.tolist(), self.start.tolist(), self.end.tolist(),
                                      strict=True):
            digest.update(f"{source}|{start}|{end}|".encode())
        return int.from_bytes(digest.digest()[:8], "little")


def bootstrap_interval(
    com: np.ndarray, col: np.ndarray, seed: int, n_boot: int = N_BOOTSTRAP
) -> tuple[float, float]:
    """95% percentile interval of the score, resampling passages with replacement."""
    if len(com) == 0:
        return 0.0, 0.0
    low, high = np.percentile(bootstrap_scores(com, col, np.random.default_rng(seed), n_boot), [2.5, 97.5])
    return float(low), float(high)


def bootstrap_scores(
    com: np.ndarray, col: np.ndarray, rng: np.random.Generator, n_boot: int = N_BOOTSTRAP
) -> np.ndarray:
    """The score of ``n_boot`` resamples of the passages (with replacement), drawn from ``rng``."""
    n = len(com)
    draws = []
    chunk = max(1, 1_000_000 // n)  # bounded memory (about 24 MB) for long documents and whole cases
    for done in range(0, n_boot, chunk):
        index = rng.integers(0, n, size=(min(chunk, n_boot - done), n))
        draws.append(spectrum(com[index], col[index]))
    return np.concatenate(draws)


def aggregate(passages: Sequence[ScoredPassage], *, n_boot: int = N_BOOTSTRAP) -> SpectrumScore:
    """Score a document or a case from its passages (interviewer turns are left out)."""
    return aggregate_arrays(PassageArrays.from_passages(passages), n_boot=n_boot)


def aggregate_arrays(table: PassageArrays, *, n_boot: int = N_BOOTSTRAP) -> SpectrumScore:
    """:func:`aggregate` on columns (see :class:`PassageArrays`)."""
    kept = table.canonical()
    if not len(kept):
        return SpectrumScore(
            0.0,
            0.0,
            0.0,
            "neither",
            {"commodified": 0.0, "collaborative": 0.0},
            {m: {"share": 0.0, "lean": 0.0} for m in MEDIA},
            0,
            {"commodified": 0.0, "collaborative": 0.0},
        )
    proba, media = kept.mode_proba, kept.media_proba
    com, col = kept.commodified, kept.collaborative
    score = float(spectrum(com, col))
    low, high = bootstrap_interval(com, col, kept.seed(), n_boot)
    mass = float(com.sum() + col.sum())
    return SpectrumScore(
        score=score,
        ci_low=low,
        ci_high=high,
        mode=classify_score(score, low, high, mass),
        intensity={"commodified": float(com.mean()), "collaborative": float(col.mean())},
        media=media_profile(media, proba, com, col),
        passages_scored=len(kept),
        evidence_mass={"commodified": float(com.sum()), "collaborative": float(col.sum())},
    )


def classify_score(score: float, low: float, high: float, evidence_mass: float) -> str:
    """Mode from the score: a pole when |score| >= 0.2 and the interval excludes 0."""
    if evidence_mass < MIN_EVIDENCE:
        return "neither"
    if score >= MODE_THRESHOLD and low > 0:
        return "collaborative"
    if score <= -MODE_THRESHOLD and high < 0:
        return "commodified"
    return "mixed"


def media_profile(
    media: np.ndarray, proba: np.ndarray, com: np.ndarray, col: np.ndarray
) -> dict[str, dict[str, float]]:
    """Each medium's share of the evidence and its lean in [-1, 1] (same formula as the score)."""
    relevance = 1.0 - proba[:, NEI]
    weights = media * relevance[:, None]
    total = weights.sum()
    profile = {}
    for j, medium in enumerate(MEDIA):
        c, k = float((media[:, j] * com).sum()), float((media[:, j] * col).sum())
        profile[medium] = {
            "share": float(weights[:, j].sum() / total) if total > 0 else 0.0,
            "lean": (k - c) / (k + c + 1.0),
        }
    return profile
