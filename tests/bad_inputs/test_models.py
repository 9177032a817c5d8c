"""Model files: a tampered ``model.npz`` and a card written by another scikit-learn version.

``tests/test_modelio.py`` checks ``load_model`` itself; here the same files also go through
the CLI and a batch, the ways a user meets them. Models are private copies of the session's
tiny model (``model_copy`` from ``tests/conftest.py``).
"""

from __future__ import annotations

import json

import pytest
import sklearn

from vcse_modes.errors import UntrustedModelError
from vcse_modes.modelio import CARD_FILE, MODEL_FILE, load_model


@pytest.fixture
def tampered(model_copy):
    path = model_copy / MODEL_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit in the middle of the arrays
    path.write_bytes(bytes(data))
    return model_copy


def test_tampered_model_is_untrusted(tampered):
    with pytest.raises(UntrustedModelError) as info:
        load_model(tampered)
    assert type(info.value) is UntrustedModelError
    assert info.value.path == str(tampered / MODEL_FILE)
    assert "does not match its card" in str(info.value) and "--trust-model" in str(info.value)


def test_tampered_model_in_the_cli_is_one_line_with_exit_code_9(tampered, sample_document, cli):
    result = cli("score", sample_document, "--model", tampered)
    assert result.exit_code == UntrustedModelError.exit_code == 9
    assert "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {tampered / MODEL_FILE}: model file hash ")


def test_tampered_model_stops_a_batch_before_any_row(tampered, sample_document, tmp_path):
    from vcse_modes.batch import run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plan.txt").write_bytes(sample_document.read_bytes())
    with pytest.raises(UntrustedModelError, match="does not match its card"):
        run_batch(folder, tmp_path / "out", model=str(tampered), jobs=1, timeout=5, memory_mb=1500)
    assert not (tmp_path / "out" / "documents.jsonl").exists()


def test_model_from_another_scikit_learn_version_loads_with_a_warning_naming_both(
    model_copy, sample_document
):
    from vcse_modes.api import score_file

    card = json.loads((model_copy / CARD_FILE).read_text(encoding="utf-8"))
    card["versions"]["scikit-learn"] = "0.24.2"
    (model_copy / CARD_FILE).write_text(json.dumps(card), encoding="utf-8")
    model, loaded = load_model(model_copy)
    expected = (
        f"model trained with scikit-learn 0.24.2, installed {sklearn.__version__}; scores are "
        "unaffected, but retraining now may give a different model"
    )
    assert loaded["warnings"] == [expected]
    record = score_file(str(sample_document), model, loaded)
    assert expected in record["warnings"]
