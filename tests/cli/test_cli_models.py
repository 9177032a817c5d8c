"""``vcse-modes models``: models found on the search path, including VCSE_MODES_MODELS."""

from __future__ import annotations

import csv
import io
import json

import sklearn


def test_models_json_lists_a_model_from_the_env_folder(cli, tiny_model_dir):
    result = cli("models", "--format", "json", env={"VCSE_MODES_MODELS": str(tiny_model_dir.parent)})
    assert result.exit_code == 0, result.output
    rows = {row["path"]: row for row in json.loads(result.stdout)}
    row = rows[str(tiny_model_dir)]
    assert row == {
        "name": "tiny",
        "path": str(tiny_model_dir),
        "excerpts": 50,  # 40 corpus excerpts + 10 hand-written ones (conftest.tiny_model)
        "macro_f1": 0.5,
        "ece": 0.1,
        "corpus_sha256": "not-a-real-corpus",
        "sklearn": sklearn.__version__,
    }
    assert list(rows)[0] == str(tiny_model_dir), "the env folder is searched first"


def test_models_table_and_csv(cli, tiny_model_dir):
    env = {"VCSE_MODES_MODELS": str(tiny_model_dir.parent)}
    table = cli("models", env=env)
    assert table.exit_code == 0, table.output
    assert "tiny" in table.stdout and "0.500" in table.stdout
    rows = list(csv.DictReader(io.StringIO(cli("models", "--format", "csv", env=env).stdout)))
    assert any(r["name"] == "tiny" and r["path"] == str(tiny_model_dir) for r in rows)


def test_named_model_from_env_folder_scores(cli, tiny_model_dir, sample_document):
    result = cli(
        "score",
        sample_document,
        "--model",
        "tiny",
        "--format",
        "jsonl",
        env={"VCSE_MODES_MODELS": str(tiny_model_dir.parent)},
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["model"]["name"] == "tiny"
