"""``vcse-modes train`` and ``evaluate`` on a tiny corpus folder."""

from __future__ import annotations

import json

import pytest

from vcse_modes import MEDIA, MODES
from vcse_modes.corpus import corpus_hash
from vcse_modes.errors import DataError
from vcse_modes.modelio import CARD_FILE, CARD_MD, MODEL_FILE, check_fresh, file_sha256, load_model

FAST = "[model]\nchar_ngrams = [3, 3]\nmin_df = 1\ncalibrate = false\n"
MODE_METRICS = {
    "n",
    "per_class",
    "macro_f1",
    "accuracy",
    "cohen_kappa",
    "pole_accuracy",
    "brier",
    "ece",
    "confusion",
}


@pytest.fixture
def trained(cli, tmp_path, tiny_corpus):
    config = tmp_path / "fast.toml"
    config.write_text(FAST, encoding="utf-8")
    out = tmp_path / "models" / "mine"
    result = cli("train", tiny_corpus, "--out", out, "--config", config, "--seed", 5, "--name", "mine")
    assert result.exit_code == 0, result.output
    return out, result


def test_train_writes_model_and_cards(trained, tiny_corpus):
    out, result = trained
    assert sorted(p.name for p in out.iterdir()) == sorted([MODEL_FILE, CARD_FILE, CARD_MD])
    assert result.stdout.startswith(f"trained mine on 24 excerpts -> {out}\ngrouped ")
    assert "mode macro-F1" in result.stdout
    card = json.loads((out / CARD_FILE).read_text(encoding="utf-8"))
    assert card["name"] == "mine" and card["seed"] == 5
    assert card["model_sha256"] == file_sha256(out / MODEL_FILE)
    assert card["corpus_sha256"] == corpus_hash([tiny_corpus])
    assert card["data"]["excerpts"] == 24 and card["data"]["mode"] == {m: 6 for m in MODES}
    assert card["params"]["char_ngrams"] == [3, 3] and card["params"]["calibrate"] is False
    assert card["train_command"].startswith(f"vcse-modes train {tiny_corpus} --out {out} --seed 5 --config ")
    assert set(card["cross_validation"]["mode"]) >= MODE_METRICS
    assert "# Model card: mine" in (out / CARD_MD).read_text(encoding="utf-8")
    check_fresh(out, [str(tiny_corpus)])
    model, card = load_model(out)
    assert card["sha256"] == card["model_sha256"]
    assert list(model.predict(["The council ran a competitive tender."])) == ["commodified"]


def test_evaluate_json_metrics(cli, trained, tiny_corpus):
    out, _ = trained
    result = cli("evaluate", out, tiny_corpus, "--format", "json")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert set(metrics) == {"mode", "media"}
    assert set(metrics["mode"]) == MODE_METRICS
    assert metrics["mode"]["n"] == 24
    assert list(metrics["mode"]["per_class"]) == list(MODES)
    assert metrics["mode"]["confusion"]["labels"] == list(MODES)
    assert sum(map(sum, metrics["mode"]["confusion"]["matrix"])) == 24
    assert set(metrics["media"]) == {"micro_f1", "macro_f1", "per_medium_f1"}
    assert list(metrics["media"]["per_medium_f1"]) == list(MEDIA)
    assert metrics["mode"]["accuracy"] > 0.8  # its own training data


def test_evaluate_table(cli, trained, tiny_corpus):
    out, _ = trained
    result = cli("evaluate", out, tiny_corpus)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("| metric | value |")
    assert "| mode macro-F1 |" in result.stdout and "Confusion matrix" in result.stdout


def test_train_refuses_a_bad_corpus_with_a_data_error(cli, tmp_path):
    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "c.jsonl").write_text('{"id": "x", "text": "t", "mode": "colaborative"}\n', encoding="utf-8")
    result = cli("train", corpus, "--out", tmp_path / "out")
    assert result.exit_code == DataError.exit_code
    assert "unknown mode 'colaborative'" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_train_refuses_unknown_config_options(cli, tmp_path, tiny_corpus):
    config = tmp_path / "c.toml"
    config.write_text("[model]\nchar_ngram = [3, 5]\n", encoding="utf-8")
    result = cli("train", tiny_corpus, "--out", tmp_path / "out", "--config", config)
    assert result.exit_code == DataError.exit_code
    assert "unknown model option(s) ['char_ngram']" in result.stderr


def test_train_config_can_turn_off_character_ngrams(cli, tmp_path, tiny_corpus):
    config = tmp_path / "words.toml"
    config.write_text("[model]\nchar_ngrams = false\ncalibrate = false\n", encoding="utf-8")
    out = tmp_path / "words"
    result = cli("train", tiny_corpus, "--out", out, "--config", config)
    assert result.exit_code == 0, result.output
    card = json.loads((out / CARD_FILE).read_text(encoding="utf-8"))
    assert card["params"]["char_ngrams"] is None
