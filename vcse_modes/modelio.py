"""Saving, finding and safely loading models with their cards.

A model file is plain arrays (``model.npz``, read without pickle, so loading cannot run
code), and is loaded only when its SHA-256 matches the ``card.json`` beside it; anything
else needs ``trust=True``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

from vcse_modes.errors import ModelError, StaleModelError, UntrustedModelError
from vcse_modes.formats import atomic_write_bytes, atomic_write_text

MODEL_FILE = "model.npz"
CARD_FILE = "card.json"
CARD_MD = "card.md"
DEFAULT_MODEL = "default"


def file_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def model_search_path() -> list[Path]:
    """Folders searched for named models, in order."""
    here = Path(__file__).resolve().parent
    paths = []
    if os.environ.get("VCSE_MODES_MODELS"):
        paths.append(Path(os.environ["VCSE_MODES_MODELS"]))
    paths += [
        Path.cwd() / "models",
        here.parent / "models",
        Path(sys.prefix) / "share" / "vcse-modes" / "models",
    ]
    return list(dict.fromkeys(paths))


def resolve_model(name_or_path: str | None) -> Path:
    """A model folder from a path or an installed model's name (default: ``default``)."""
    name = name_or_path or DEFAULT_MODEL
    candidate = Path(name)
    if candidate.is_file() and candidate.name == MODEL_FILE:
        candidate = candidate.parent
    if (candidate / MODEL_FILE).is_file():
        return candidate
    for folder in model_search_path():
        if (folder / name / MODEL_FILE).is_file():
            return folder / name
    searched = ", ".join(str(p) for p in model_search_path())
    raise ModelError(f"model {name!r} not found (searched {searched}); train one with 'vcse-modes train'")


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": sys.version.split()[0]}
    for package in ("vcse-modes", "scikit-learn", "spacy", "spacy-lookups-data", "numpy", "scipy", "joblib"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def save_model(model: Any, folder: str | os.PathLike[str], card: dict[str, Any]) -> dict[str, Any]:
    """Compile ``model`` to ``model.npz`` (plain arrays), then write ``card.json``/``card.md``
    recording its hash; return the card."""
    from vcse_modes.compiled import compile_model, to_bytes

    folder = Path(folder)
    data = to_bytes(compile_model(model))
    atomic_write_bytes(folder / MODEL_FILE, data)
    card = {
        **card,
        "model_sha256": hashlib.sha256(data).hexdigest(),
        "format": "npz",
        "versions": library_versions(),
    }
    atomic_write_text(folder / CARD_FILE, json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    from vcse_modes.report import card_markdown

    atomic_write_text(folder / CARD_MD, card_markdown(card))
    return card


def read_card(folder: str | os.PathLike[str]) -> dict[str, Any]:
    path = Path(folder) / CARD_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UntrustedModelError(
            f"no {CARD_FILE} beside the model; pass --trust-model to load it anyway", str(folder)
        ) from None
    except json.JSONDecodeError as error:
        raise ModelError(f"{CARD_FILE} is not valid JSON ({error.msg})", str(path)) from None


def load_model(name_or_path: str | None = None, *, trust: bool = False) -> tuple[Any, dict[str, Any]]:
    """Load a model and its card, refusing files whose hash the card does not vouch for.

    The file holds only arrays and is read with ``allow_pickle=False``, so loading never runs
    code; the hash check guards against tampered or mismatched files. ``trust=True`` skips it.
    """
    from importlib.metadata import PackageNotFoundError, version

    from vcse_modes.compiled import CompiledModel

    folder = resolve_model(name_or_path)
    model_path = folder / MODEL_FILE
    try:
        card = read_card(folder)
    except UntrustedModelError:
        if not trust:
            raise
        card = {}
    data = model_path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if not trust and card.get("model_sha256") != actual:
        raise UntrustedModelError(
            f"model file hash {actual[:12]}... does not match its card "
            f"({str(card.get('model_sha256'))[:12]}...); it may have been tampered with. "
            "Retrain it, or pass --trust-model if you made it yourself",
            str(model_path),
        )
    try:
        installed = version("scikit-learn")
    except PackageNotFoundError:
        installed = "not installed"
    trained_with = card.get("versions", {}).get("scikit-learn")
    if trained_with and trained_with != installed:
        # Scoring does not use scikit-learn (the model is plain arrays), but retraining does.
        mismatch = (
            f"model trained with scikit-learn {trained_with}, installed {installed}; scores are "
            "unaffected, but retraining now may give a different model"
        )
        card = {**card, "warnings": [*card.get("warnings", []), mismatch]}
    try:
        model = CompiledModel.from_bytes(data)
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile, ModelError) as error:
        raise ModelError(
            f"cannot load model ({type(error).__name__}: {error}); retrain it with 'vcse-modes train'",
            str(model_path),
        ) from None
    card = {**card, "path": str(folder), "sha256": actual}
    return model, card


def check_fresh(folder: str | os.PathLike[str], corpus_paths: list[str]) -> None:
    """Raise StaleModelError when the card's corpus hash differs from the corpus now."""
    from vcse_modes.corpus import corpus_hash

    card = read_card(folder)
    current = corpus_hash(corpus_paths)
    if card.get("corpus_sha256") != current:
        raise StaleModelError(
            f"model was trained on corpus {str(card.get('corpus_sha256'))[:12]}... but the corpus is now "
            f"{current[:12]}...; retrain with: {card.get('train_command', 'vcse-modes train')}",
            str(folder),
        )


def list_models() -> list[dict[str, Any]]:
    """Every model folder on the search path, with the headline facts from its card."""
    rows, seen = [], set()
    for folder in model_search_path():
        if not folder.is_dir():
            continue
        for model_dir in sorted(p for p in folder.iterdir() if (p / MODEL_FILE).is_file()):
            key = model_dir.resolve()
            if key in seen:
                continue
            seen.add(key)
            try:
                card = read_card(model_dir)
            except (UntrustedModelError, ModelError):
                card = {}
            cv = card.get("cross_validation", {})
            rows.append(
                {
                    "name": model_dir.name,
                    "path": str(model_dir),
                    "excerpts": card.get("data", {}).get("excerpts"),
                    "macro_f1": cv.get("mode", {}).get("macro_f1"),
                    "ece": cv.get("mode", {}).get("ece"),
                    "corpus_sha256": card.get("corpus_sha256"),
                    "sklearn": card.get("versions", {}).get("scikit-learn"),
                }
            )
    return rows
