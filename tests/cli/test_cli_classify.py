"""``vcse-modes classify``: JSONL, CSV and stdin in; exact record schema out."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from vcse_modes import MEDIA, MODES
from vcse_modes.errors import DataError

RECORD_KEYS = ["id", "mode", "mode_proba", "media", "media_proba"]
EXCERPTS = [
    ("a1", "We went out to competitive tender and the lowest price won."),
    ("a2", "The alliance co-designed the service with the hospice."),
    ("a3", "The minutes were approved."),
]


def check_records(records, ids, tiny_model) -> None:
    assert [r["id"] for r in records] == ids
    expected_mode, expected_media = tiny_model.predict_all([text for _, text in EXCERPTS])
    for record, mode_row, media_row in zip(records, expected_mode, expected_media, strict=True):
        assert list(record) == RECORD_KEYS
        assert list(record["mode_proba"]) == list(MODES)
        assert list(record["media_proba"]) == list(MEDIA)
        assert record["mode"] == max(record["mode_proba"], key=record["mode_proba"].get)
        assert sum(record["mode_proba"].values()) == pytest.approx(1.0, abs=1e-3)
        assert set(record["media"]) <= set(MEDIA)
        np.testing.assert_allclose(list(record["mode_proba"].values()), mode_row, atol=5e-5)
        np.testing.assert_allclose(list(record["media_proba"].values()), media_row, atol=5e-5)
        assert record["media"] == tiny_model.media_labels(media_row[None])[0]


def test_classify_jsonl_file(cli, tiny_model_dir, tiny_model, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in EXCERPTS), encoding="utf-8")
    result = cli("classify", path, "--model", tiny_model_dir)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    check_records(records, ["a1", "a2", "a3"], tiny_model)
    assert records[0]["mode"] == "commodified" and records[1]["mode"] == "collaborative"


def test_classify_csv_file_to_json(cli, tiny_model_dir, tiny_model, tmp_path):
    path = tmp_path / "in.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["text", "id"])
    writer.writerows([(t, i) for i, t in EXCERPTS])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    result = cli("classify", path, "--model", tiny_model_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    check_records(json.loads(result.stdout), ["a1", "a2", "a3"], tiny_model)


def test_classify_stdin_to_csv(cli, tiny_model_dir, tiny_model):
    lines = "".join(json.dumps({"text": t}) + "\n" for _, t in EXCERPTS)
    result = cli("classify", "-", "--model", tiny_model_dir, "--format", "csv", input=lines)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == (
        ["id", "mode"] + [f"mode_proba.{m}" for m in MODES] + ["media"] + [f"media_proba.{m}" for m in MEDIA]
    )
    assert [r["id"] for r in rows] == ["1", "2", "3"]  # line numbers when ids are missing
    as_json = json.loads(
        cli("classify", "-", "--model", tiny_model_dir, "--format", "json", input=lines).stdout
    )
    for row, record in zip(rows, as_json, strict=True):
        assert row["mode"] == record["mode"]
        assert json.loads(row["media"]) == record["media"]
        assert float(row["mode_proba.neither"]) == record["mode_proba"]["neither"]


def test_classify_bad_line_is_a_data_error(cli, tiny_model_dir, tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a", "text": "ok"}\n{"id": "b", "txt": "typo"}\n', encoding="utf-8")
    result = cli("classify", path, "--model", tiny_model_dir)
    assert result.exit_code == DataError.exit_code
    assert result.stderr.startswith(f"Error: {path}: line 2: ")
    assert result.stdout == "" and "Traceback" not in result.output


def test_classify_non_utf8_csv_is_a_one_line_error(cli, tiny_model_dir, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("id,text\nx1,Café tender\n".encode("cp1252"))
    result = cli("classify", path, "--model", tiny_model_dir)
    assert result.exit_code == DataError.exit_code
    assert str(path) in result.stderr
