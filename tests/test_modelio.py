"""Model files and cards: hash-checked loading, trust, version warnings, staleness, lookup."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import sklearn

from vcse_modes.corpus import corpus_hash
from vcse_modes.errors import ModelError, StaleModelError, UntrustedModelError
from vcse_modes.modelio import (
    CARD_FILE,
    CARD_MD,
    MODEL_FILE,
    check_fresh,
    file_sha256,
    list_models,
    load_model,
    model_search_path,
    read_card,
    resolve_model,
    save_model,
)

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "models" / "default"
PROBE = ["We went out to competitive tender.", "The alliance co-designed the service."]


# Byte 10 of a ZIP (and so of an .npz) is the first member's modification time, which loading
# ignores: changing it leaves a loadable model whose hash no longer matches its card.
MOD_TIME_BYTE = 10


def _flip(path: Path, offset: int) -> bytes:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))
    return bytes(data)


def test_save_model_writes_model_and_cards(tmp_path, tiny_model):
    card = save_model(tiny_model, tmp_path / "m", {"name": "m", "version": "9.9"})
    folder = tmp_path / "m"
    assert sorted(p.name for p in folder.iterdir()) == sorted([MODEL_FILE, CARD_FILE, CARD_MD])
    assert card["model_sha256"] == file_sha256(folder / MODEL_FILE)
    assert card["versions"]["scikit-learn"] == sklearn.__version__
    assert json.loads((folder / CARD_FILE).read_text(encoding="utf-8")) == card
    assert "# Model card: m" in (folder / CARD_MD).read_text(encoding="utf-8")
    model, loaded = load_model(folder)
    assert loaded["path"] == str(folder) and loaded["sha256"] == card["model_sha256"]
    assert "warnings" not in loaded
    np.testing.assert_allclose(
        model.predict_proba(PROBE), tiny_model.predict_proba(PROBE), rtol=0, atol=1e-12
    )
    assert list(model.predict(PROBE)) == list(tiny_model.predict(PROBE))


def test_saving_is_deterministic(tmp_path, tiny_model):
    first = save_model(tiny_model, tmp_path / "a", {"name": "same"})
    second = save_model(tiny_model, tmp_path / "b", {"name": "same"})
    assert first["model_sha256"] == second["model_sha256"]
    assert (tmp_path / "a" / MODEL_FILE).read_bytes() == (tmp_path / "b" / MODEL_FILE).read_bytes()


def test_model_file_holds_no_pickles(tiny_model_dir):
    with np.load(tiny_model_dir / MODEL_FILE, allow_pickle=False) as npz:
        for key in npz.files:
            assert npz[key].dtype != object, key


def test_one_changed_byte_is_refused_and_trust_loads_it(model_copy):
    original, _ = load_model(model_copy)
    before = (model_copy / MODEL_FILE).read_bytes()
    tampered = _flip(model_copy / MODEL_FILE, MOD_TIME_BYTE)
    assert sum(a != b for a, b in zip(before, tampered, strict=True)) == 1

    with pytest.raises(UntrustedModelError) as refused:
        load_model(model_copy)
    message = str(refused.value)
    assert str(model_copy / MODEL_FILE) in message
    assert "--trust-model" in message
    assert refused.value.exit_code == ModelError.exit_code

    model, card = load_model(model_copy, trust=True)
    assert card["sha256"] == hashlib.sha256(tampered).hexdigest() != card["model_sha256"]
    assert np.array_equal(model.predict_proba(PROBE), original.predict_proba(PROBE))


def test_trusted_load_uses_the_changed_arrays(model_copy, retouch):
    original, _ = load_model(model_copy)
    retouch(model_copy, temperature=original.temperature_ * 4)
    with pytest.raises(UntrustedModelError):
        load_model(model_copy)
    model, _ = load_model(model_copy, trust=True)
    assert model.temperature_ == original.temperature_ * 4
    assert not np.array_equal(model.predict_proba(PROBE), original.predict_proba(PROBE))


def test_not_a_model_file_is_a_model_error_even_when_trusted(model_copy, retouch):
    retouch(model_copy, format="something-else")
    with pytest.raises(ModelError, match="cannot load model") as error:
        load_model(model_copy, trust=True)
    assert str(model_copy / MODEL_FILE) in str(error.value)
    (model_copy / MODEL_FILE).write_bytes(b"garbage" * 10)
    with pytest.raises(UntrustedModelError):
        load_model(model_copy)
    with pytest.raises(ModelError, match="cannot load model"):
        load_model(model_copy, trust=True)


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_corrupt_model_is_a_model_error_even_when_trusted(model_copy, damage):
    """Regression: numpy raises zipfile.BadZipFile for a damaged .npz, once a traceback."""
    path = model_copy / MODEL_FILE
    if damage == "flip":
        _flip(path, len(path.read_bytes()) // 2)
    else:
        path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(UntrustedModelError):
        load_model(model_copy)
    with pytest.raises(ModelError, match="cannot load model") as error:
        load_model(model_copy, trust=True)
    assert str(path) in str(error.value)


def test_missing_card_is_refused_unless_trusted(model_copy):
    (model_copy / CARD_FILE).unlink()
    with pytest.raises(UntrustedModelError, match="--trust-model") as refused:
        load_model(model_copy)
    assert str(model_copy) in str(refused.value)
    model, card = load_model(model_copy, trust=True)
    assert card["sha256"] == file_sha256(model_copy / MODEL_FILE)
    assert model.predict(PROBE).shape == (2,)


def test_invalid_card_json_is_a_model_error(model_copy):
    (model_copy / CARD_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match="not valid JSON"):
        read_card(model_copy)


def test_card_from_another_scikit_learn_version_warns_naming_both(model_copy):
    card = json.loads((model_copy / CARD_FILE).read_text(encoding="utf-8"))
    card["versions"]["scikit-learn"] = "0.99.1"
    (model_copy / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    _, loaded = load_model(model_copy)
    [warning] = loaded["warnings"]
    assert "0.99.1" in warning and sklearn.__version__ in warning


def test_check_fresh_passes_unchanged_and_fails_when_a_line_changes(tmp_path, tiny_model, tiny_corpus):
    folder = tmp_path / "fresh"
    save_model(
        tiny_model,
        folder,
        {
            "name": "fresh",
            "corpus_sha256": corpus_hash([tiny_corpus]),
            "train_command": "vcse-modes train corpus --out fresh",
        },
    )
    check_fresh(folder, [str(tiny_corpus)])

    shard = tiny_corpus / "b.jsonl"
    lines = shard.read_text(encoding="utf-8").splitlines(keepends=True)
    record = json.loads(lines[3])
    record["mode"] = "neither" if record["mode"] != "neither" else "mixed"
    lines[3] = json.dumps(record) + "\n"
    shard.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(StaleModelError) as stale:
        check_fresh(folder, [str(tiny_corpus)])
    assert "vcse-modes train corpus --out fresh" in str(stale.value)
    assert str(folder) in str(stale.value)


def test_check_fresh_without_a_card_is_refused(tmp_path):
    with pytest.raises(UntrustedModelError):
        check_fresh(tmp_path, ["corpus"])


@pytest.mark.skipif(not (SHIPPED / CARD_FILE).exists(), reason="no shipped model at models/default yet")
def test_shipped_model_is_fresh_and_vouched_for():
    """The stale-model check: fails when the corpus changes without retraining models/default."""
    check_fresh(SHIPPED, [str(REPO / "corpus" / "excerpts")])
    card = read_card(SHIPPED)
    assert card["model_sha256"] == file_sha256(SHIPPED / MODEL_FILE)


# ------------------------------------------------------------------ finding models


def test_resolve_model_by_path_file_and_name(monkeypatch, tiny_model_dir):
    assert resolve_model(str(tiny_model_dir)) == tiny_model_dir
    assert resolve_model(str(tiny_model_dir / MODEL_FILE)) == tiny_model_dir
    monkeypatch.setenv("VCSE_MODES_MODELS", str(tiny_model_dir.parent))
    assert model_search_path()[0] == tiny_model_dir.parent
    assert resolve_model("tiny") == tiny_model_dir
    with pytest.raises(ModelError, match="not found") as missing:
        resolve_model("no-such-model")
    assert str(tiny_model_dir.parent) in str(missing.value)


def test_list_models_reads_cards_on_the_search_path(monkeypatch, tmp_path, tiny_model_dir):
    (tmp_path / "not-a-model").mkdir()
    (tmp_path / "nocard").mkdir()
    (tmp_path / "nocard" / MODEL_FILE).write_bytes((tiny_model_dir / MODEL_FILE).read_bytes())
    monkeypatch.setenv("VCSE_MODES_MODELS", str(tmp_path))
    rows = {row["path"]: row for row in list_models()}
    row = rows[str(tmp_path / "nocard")]
    assert row["name"] == "nocard" and row["macro_f1"] is None
    assert str(tmp_path / "not-a-model") not in rows
    monkeypatch.setenv("VCSE_MODES_MODELS", str(tiny_model_dir.parent))
    rows = {row["name"]: row for row in list_models()}
    assert rows["tiny"]["excerpts"] == 50 and rows["tiny"]["macro_f1"] == 0.5
    assert rows["tiny"]["sklearn"] == sklearn.__version__
