"""Evidence: the passages that drive a score for each pole, with the cues that fired."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from vcse_modes.scoring import ScoredPassage

MIN_EVIDENCE_PROBABILITY = 0.5


def evidence(
    passages: Sequence[ScoredPassage],
    n: int = 3,
    cue_finder: Callable[[ScoredPassage], list[str]] | None = None,
) -> list[dict[str, Any]]:
    """Top ``n`` passages for each pole (commodified first), strongest first.

    A passage is evidence for a pole when its evidence for that pole (probability of the
    pole plus half the probability of ``mixed``) is at least 0.5. ``cue_finder`` supplies
    the cue terms of a chosen passage (looked up only for the few passages shown).
    """
    rows: list[dict[str, Any]] = []
    kept = [p for p in passages if p.role != "interviewer"]
    for pole in ("commodified", "collaborative"):
        ranked = sorted(kept, key=lambda p: (-getattr(p, pole), p.source, p.start))
        for passage in ranked[:n]:
            strength = getattr(passage, pole)
            if strength < MIN_EVIDENCE_PROBABILITY:
                break
            cues = cue_finder(passage) if cue_finder else list(passage.cues)
            rows.append(evidence_record(passage, pole, strength, cues))
    return rows


def evidence_record(passage: ScoredPassage, pole: str, strength: float, cues: list[str]) -> dict[str, Any]:
    """The stable evidence schema for one passage."""
    return {
        "pole": pole,
        "text": passage.text,
        "start": passage.start,
        "end": passage.end,
        "page": passage.page,
        "speaker": passage.speaker,
        "role": passage.role,
        "mode": passage.mode,
        "p": round(float(strength), 4),
        "media": list(passage.media),
        "cues": cues,
    }
