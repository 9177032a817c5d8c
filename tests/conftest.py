"""Shared fixtures: tiny corpora and one tiny trained model, all built in code.

Training a model is the slow part of these tests, so one tiny model (a few dozen
excerpts, no character n-grams, no calibration) is trained once per session and saved
with :func:`vcse_modes.modelio.save_model`; tests that modify a model copy it first.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from vcse_modes import MODES, __version__

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO / "corpus" / "excerpts"

# Parameters of every tiny model: word n-grams and cues only, no calibration folds.
TINY_PARAMS = {"char_ngrams": None, "calibrate": False, "min_df": 1}
PER_MODE = 10

# Hand-written excerpts: (text, mode, media). Clear enough that a model overfits them.
HANDMADE = [
    (
        "The council went out to competitive tender and the lowest price won the contract.",
        "commodified",
        ["provider_competition"],
    ),
    (
        "Providers bid against each other and the contract was awarded on price.",
        "commodified",
        ["provider_competition", "juridical_control"],
    ),
    (
        "Monthly KPI returns are checked against the specification and penalties apply.",
        "commodified",
        ["managerial_techniques", "juridical_control"],
    ),
    (
        "We co-designed the service with the hospice alliance over a year of workshops.",
        "collaborative",
        ["negotiated_order"],
    ),
    (
        "The partnership board shares decisions and trusts the voluntary sector as an equal partner.",
        "collaborative",
        ["negotiated_order", "discursive_control"],
    ),
    (
        "A grant agreement funds the charity for five years with light-touch reporting.",
        "collaborative",
        ["resource_dependencies"],
    ),
    (
        "The alliance was co-produced, but the KPIs still sit in a contract with penalties.",
        "mixed",
        ["negotiated_order", "managerial_techniques"],
    ),
    (
        "Trust grew in the partnership even though every service was re-tendered.",
        "mixed",
        ["negotiated_order", "provider_competition"],
    ),
    ("The meeting started at ten and the minutes of the last meeting were approved.", "neither", []),
    ("The annual report lists the names of the trustees and the office address.", "neither", []),
]


def excerpt_record(
    i: int, text: str, mode: str, media: list[str], group: str | None = None, **extra: object
) -> dict[str, object]:
    """A schema-complete corpus record."""
    record: dict[str, object] = {
        "id": f"t-{i:04d}",
        "text": text,
        "mode": mode,
        "media": media,
        "genre": "commissioning_document",
        "speaker_role": "document",
        "tracer": "other",
        "source": "composed",
        "group": group or f"g{i % 6}",
        "coder": "tester",
    }
    record.update(extra)
    return record


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def all_excerpts():
    from vcse_modes.corpus import load_corpus

    return load_corpus([CORPUS_DIR])


@pytest.fixture(scope="session")
def small_excerpts(all_excerpts):
    """The first ``PER_MODE`` excerpts of each mode from the project corpus (40 in all)."""
    seen: Counter[str] = Counter()
    chosen = []
    for excerpt in all_excerpts:
        if seen[excerpt.mode] < PER_MODE:
            chosen.append(excerpt)
            seen[excerpt.mode] += 1
    assert set(seen) == set(MODES), "the project corpus should code all four modes"
    return chosen


@pytest.fixture(scope="session")
def handmade_excerpts():
    from vcse_modes.corpus import Excerpt

    return [
        Excerpt(id=f"h{i}", text=t, mode=m, media=tuple(md), group=f"h{i}")
        for i, (t, m, md) in enumerate(HANDMADE)
    ]


@pytest.fixture(scope="session")
def tiny_model(small_excerpts, handmade_excerpts):
    """A model fitted on the corpus sample plus the hand-written excerpts, whose clear cues keep
    the evidence assertions stable when the corpus codes are revised."""
    from vcse_modes.training import fit_model

    return fit_model(list(small_excerpts) + list(handmade_excerpts), TINY_PARAMS)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_model) -> Path:
    """A saved tiny model folder (model.joblib, card.json, card.md). Do not modify: copy it."""
    from vcse_modes.modelio import save_model

    folder = tmp_path_factory.mktemp("models") / "tiny"
    card = {
        "name": "tiny",
        "version": __version__,
        "train_command": "fit_model(small_excerpts + handmade_excerpts, TINY_PARAMS)",
        "params": TINY_PARAMS,
        "corpus_sha256": "not-a-real-corpus",
        "data": {"excerpts": PER_MODE * len(MODES) + len(HANDMADE)},
        "cross_validation": {"mode": {"macro_f1": 0.5, "ece": 0.1}},
    }
    save_model(tiny_model, folder, card)
    return folder


@pytest.fixture
def model_copy(tmp_path, tiny_model_dir) -> Path:
    """A private copy of the tiny model folder that a test may tamper with."""
    target = tmp_path / "models" / "tiny"
    shutil.copytree(tiny_model_dir, target)
    return target


@pytest.fixture(scope="session")
def corpus_records() -> list[dict[str, object]]:
    """Raw records of the project corpus: six per mode, from at least five groups (24 in all)."""
    from vcse_modes.corpus import read_records

    seen: Counter[str] = Counter()
    chosen = []
    for _, _, record in read_records([CORPUS_DIR]):
        if seen[record["mode"]] < 6:
            chosen.append(record)
            seen[record["mode"]] += 1
    assert len(chosen) == 24 and len({r["group"] for r in chosen}) >= 5
    return chosen


@pytest.fixture(scope="session")
def retouch():
    """``retouch(folder, **arrays)`` rewrites a saved ``model.npz`` with some arrays replaced.

    The card is left as it is, so the result is a well-formed model its card does not vouch for.
    """
    import io

    import numpy as np

    from vcse_modes.modelio import MODEL_FILE

    def run(folder: Path, **changes: object) -> bytes:
        with np.load(folder / MODEL_FILE, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        arrays.update({key: np.asarray(value) for key, value in changes.items()})
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        (folder / MODEL_FILE).write_bytes(buffer.getvalue())
        return buffer.getvalue()

    return run


@pytest.fixture
def tiny_corpus(tmp_path, corpus_records) -> Path:
    """A valid corpus folder (two JSONL files) of 24 project excerpts."""
    folder = tmp_path / "corpus"
    write_jsonl(folder / "a.jsonl", corpus_records[:12])
    write_jsonl(folder / "b.jsonl", corpus_records[12:])
    return folder


# ------------------------------------------------------------------ CLI


@pytest.fixture
def cli():
    """``cli(*args, input=None, env=None)`` runs ``vcse-modes`` in-process and returns click's Result."""
    from click.testing import CliRunner

    from vcse_modes.cli import main

    runner = CliRunner()

    def invoke(*args: object, input: str | bytes | None = None, env: dict[str, str] | None = None):
        return runner.invoke(main, [str(a) for a in args], input=input, env=env)

    return invoke


SAMPLE_DOCUMENT = (
    "Northfield ICB commissioning plan\n\n"
    "The council went out to competitive tender for the befriending service. Providers bid against "
    "each other and the contract was awarded on price. Monthly KPI returns are checked against the "
    "specification.\n\n"
    "We co-designed the hospice pathway with the alliance. Trust between partners is high and decisions "
    "are shared.\n\n"
    "The meeting closed at four.\n"
)

SAMPLE_TRANSCRIPT = (
    "Interviewer: How is the hospice funded?\n"
    "R1: Through a contract with the ICB. We had to tender for it against a national company.\n\n"
    "Interviewer: And the alliance?\n"
    "R1: The alliance co-designed the service with us and we share decisions.\n"
)


@pytest.fixture
def sample_document(tmp_path) -> Path:
    path = tmp_path / "plan.txt"
    path.write_text(SAMPLE_DOCUMENT, encoding="utf-8")
    return path


@pytest.fixture
def sample_transcript(tmp_path) -> Path:
    path = tmp_path / "interview.txt"
    path.write_text(SAMPLE_TRANSCRIPT, encoding="utf-8")
    return path
