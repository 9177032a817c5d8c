"""The notebook-friendly API that every command wraps.

>>> from vcse_modes.api import extract_file  # doctest: +SKIP
>>> record = extract_file("examples/interview_hospice.txt")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from vcse_modes.document import Document


def extract_file(
    path: str, *, roles: Mapping[str, str] | None = None, include_comments: bool = False
) -> dict[str, Any]:
    """Ingest and segment one file; return a JSON-ready record of what was read."""
    from vcse_modes.ingest import ingest
    from vcse_modes.segment import segment

    document = ingest(path, roles=roles, include_comments=include_comments)
    return document_record(document, [asdict(p) for p in segment(document)])


def document_record(document: Document, passages: list[dict[str, Any]]) -> dict[str, Any]:
    """The stable ``extract`` schema for one document."""
    return {
        "source": document.path,
        "sha256": document.sha256,
        "format": document.format,
        "is_transcript": document.is_transcript,
        "metadata": dict(document.metadata),
        "pages": [asdict(page) for page in document.pages],
        "warnings": list(document.warnings),
        "text": document.text,
        "passages": passages,
    }


def load(model: str | None = None, *, trust: bool = False):
    """Load a model by name or path (``None`` = the shipped default); returns (model, card)."""
    from vcse_modes.modelio import load_model

    return load_model(model, trust=trust)


def score_document(
    document: Document,
    model: Any,
    card: Mapping[str, Any],
    *,
    n_evidence: int = 3,
) -> tuple[dict[str, Any], list[Any]]:
    """Score one ingested document; returns the score record and its scored passages."""
    from vcse_modes.explain import evidence
    from vcse_modes.scoring import ScoredPassage, aggregate
    from vcse_modes.segment import segment_with_spans

    pairs = list(segment_with_spans(document))
    spans = [span for _, span in pairs]
    if pairs:
        mode_proba, media_proba = model.predict_all(spans)
        media_labels = model.media_labels(media_proba)
        mode_rows, media_rows = mode_proba.tolist(), media_proba.tolist()
    scored = [
        ScoredPassage(
            text=p.text,
            start=p.start,
            end=p.end,
            page=p.page,
            speaker=p.speaker,
            role=p.role,
            mode_proba=tuple(mode_rows[i]),
            media_proba=tuple(media_rows[i]),
            media=tuple(media_labels[i]),
            source=document.path,
            index=p.index,
        )
        for i, (p, _) in enumerate(pairs)
    ]

    def cue_terms(passage: ScoredPassage) -> list[str]:
        return model.cue_terms(spans[passage.index])

    result = aggregate(scored)
    record = {
        "source": document.path,
        "sha256": document.sha256,
        "score": round(result.score, 4),
        "ci_low": round(result.ci_low, 4),
        "ci_high": round(result.ci_high, 4),
        "mode": result.mode,
        "intensity": {k: round(v, 4) for k, v in result.intensity.items()},
        "media": {m: {k: round(v, 4) for k, v in d.items()} for m, d in result.media.items()},
        "passages_scored": result.passages_scored,
        "evidence": evidence(scored, n_evidence, cue_terms),
        "model": model_identity(card),
        "warnings": list(document.warnings) + list(card.get("warnings", [])),
    }
    return record, scored


def model_identity(card: Mapping[str, Any]) -> dict[str, Any]:
    """The ``model`` block of every score record."""
    return {
        "name": card.get("name", "unknown"),
        "version": card.get("version", "unknown"),
        "sha256": card.get("sha256") or card.get("model_sha256"),
    }


def score_file(
    path: str,
    model: Any,
    card: Mapping[str, Any],
    *,
    roles: Mapping[str, str] | None = None,
    default_role: str = "unknown",
    n_evidence: int = 3,
) -> dict[str, Any]:
    """Ingest, segment and score one file (the library form of ``vcse-modes score``)."""
    return score_file_with_text(
        path, model, card, roles=roles, default_role=default_role, n_evidence=n_evidence
    )[0]


def score_file_with_text(
    path: str,
    model: Any,
    card: Mapping[str, Any],
    *,
    roles: Mapping[str, str] | None = None,
    default_role: str = "unknown",
    n_evidence: int = 3,
) -> tuple[dict[str, Any], str]:
    """Like :func:`score_file`, also returning the extracted text the evidence offsets index."""
    from vcse_modes.ingest import ingest

    document = ingest(path, roles=roles, default_role=default_role)
    return score_document(document, model, card, n_evidence=n_evidence)[0], document.text


def classify_texts(texts: list[str], model: Any) -> list[dict[str, Any]]:
    """Mode and media predictions for raw excerpts (the ``classify`` schema, without ids)."""
    from vcse_modes import MEDIA, MODES

    mode_proba, media_proba = model.predict_all(texts)
    rows = []
    for modes, media, labels in zip(mode_proba, media_proba, model.media_labels(media_proba), strict=True):
        rows.append(
            {
                "mode": MODES[int(modes.argmax())],
                "mode_proba": {m: round(float(p), 4) for m, p in zip(MODES, modes, strict=True)},
                "media": labels,
                "media_proba": {m: round(float(p), 4) for m, p in zip(MEDIA, media, strict=True)},
            }
        )
    return rows


def diff_models(
    model_a: str, model_b: str, paths: list[str], *, trust: bool = False, top: int = 10
) -> dict[str, Any]:
    """How two models' document scores differ on the same files.

    Returns Spearman's rank correlation of the scores, the mean absolute difference, how many
    documents change mode, and the ``top`` largest movers. Files that fail to ingest are listed.
    """
    from scipy.stats import spearmanr

    from vcse_modes.errors import VcseModesError
    from vcse_modes.ingest import ingest

    first, first_card = load(model_a, trust=trust)
    second, second_card = load(model_b, trust=trust)
    rows, failed = [], []
    for path in paths:
        try:
            document = ingest(path)
        except VcseModesError as error:
            failed.append({"source": path, "error": str(error)})
            continue
        a = score_document(document, first, first_card, n_evidence=0)[0]
        b = score_document(document, second, second_card, n_evidence=0)[0]
        rows.append(
            {
                "source": path,
                "score_a": a["score"],
                "score_b": b["score"],
                "mode_a": a["mode"],
                "mode_b": b["mode"],
                "change": round(b["score"] - a["score"], 4),
            }
        )
    movers = sorted(rows, key=lambda r: (-abs(r["change"]), r["source"]))[:top]
    rho = (
        spearmanr([r["score_a"] for r in rows], [r["score_b"] for r in rows]).statistic
        if len(rows) > 2
        else None
    )
    return {
        "model_a": model_identity(first_card),
        "model_b": model_identity(second_card),
        "documents": len(rows),
        "spearman_rho": None if rho is None or rho != rho else round(float(rho), 4),
        "mean_abs_change": round(sum(abs(r["change"]) for r in rows) / len(rows), 4) if rows else None,
        "mode_changes": sum(r["mode_a"] != r["mode_b"] for r in rows),
        "largest_movers": movers,
        "failed": failed,
    }
