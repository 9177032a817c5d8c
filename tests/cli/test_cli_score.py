"""``vcse-modes score``: schema of every format, evidence offsets, errors and exit codes."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import numpy as np
import pytest

from vcse_modes import MEDIA, MODES
from vcse_modes.api import extract_file
from vcse_modes.errors import EmptyDocumentError, ModelError
from vcse_modes.modelio import MODEL_FILE

RECORD_KEYS = [
    "source",
    "sha256",
    "score",
    "ci_low",
    "ci_high",
    "mode",
    "intensity",
    "media",
    "passages_scored",
    "evidence",
    "model",
    "warnings",
]
PARTIAL_FAILURE = 12  # "some of several files failed" (README, docs/cli.md)
EVIDENCE_KEYS = ["pole", "text", "start", "end", "page", "speaker", "role", "mode", "p", "media", "cues"]


def check_record(record, path) -> None:
    assert list(record) == RECORD_KEYS
    assert record["source"] == str(path)
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert -1 < record["score"] < 1 and record["ci_low"] <= record["score"] <= record["ci_high"]
    assert record["mode"] in MODES
    assert list(record["intensity"]) == ["commodified", "collaborative"]
    assert all(0 <= v <= 1 for v in record["intensity"].values())
    assert list(record["media"]) == list(MEDIA)
    for values in record["media"].values():
        assert list(values) == ["share", "lean"]
        assert 0 <= values["share"] <= 1 and -1 < values["lean"] < 1
    assert sum(v["share"] for v in record["media"].values()) == pytest.approx(1.0, abs=1e-3)
    assert isinstance(record["passages_scored"], int) and record["passages_scored"] > 0
    assert list(record["model"]) == ["name", "version", "sha256"]
    assert isinstance(record["warnings"], list)
    text = extract_file(str(path))["text"]
    for row in record["evidence"]:
        assert list(row) == EVIDENCE_KEYS
        assert row["pole"] in ("commodified", "collaborative")
        assert text[row["start"] : row["end"]] == row["text"], "evidence offsets must point into the text"
        assert row["mode"] in MODES and 0.5 <= row["p"] <= 1
        assert set(row["media"]) <= set(MEDIA)
        assert all(isinstance(c, str) for c in row["cues"])


def test_score_json_schema_and_offsets(cli, tiny_model_dir, sample_document):
    result = cli("score", sample_document, "--model", tiny_model_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)
    check_record(record, sample_document)
    model_hash = hashlib.sha256((tiny_model_dir / MODEL_FILE).read_bytes()).hexdigest()
    assert record["model"] == {"name": "tiny", "version": "0.1.0", "sha256": model_hash}
    assert record["passages_scored"] == 4  # title, one window per paragraph, closing line
    poles = [row["pole"] for row in record["evidence"]]
    assert poles == sorted(poles, key=["commodified", "collaborative"].index)
    strongest = record["evidence"][::-1]  # rows are strongest first within each pole
    by_pole = {row["pole"]: row for row in strongest}
    assert "tender" in by_pole["commodified"]["text"]
    assert "co-designed" in by_pole["collaborative"]["text"]
    assert any("competitive tender" in c.lower() for c in by_pole["commodified"]["cues"])


def test_score_is_reproducible(cli, tiny_model_dir, sample_document):
    first = cli("score", sample_document, "--model", tiny_model_dir, "--format", "jsonl").stdout
    assert cli("score", sample_document, "--model", tiny_model_dir, "--format", "jsonl").stdout == first


def test_score_jsonl_one_line_per_file(cli, tiny_model_dir, sample_document, sample_transcript):
    result = cli("score", sample_document, sample_transcript, "--model", tiny_model_dir, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    check_record(records[0], sample_document)
    check_record(records[1], sample_transcript)


def test_score_transcript_ignores_interviewer(cli, tiny_model_dir, sample_transcript):
    result = cli(
        "score", sample_transcript, "--model", tiny_model_dir, "--format", "json", "--roles", "R1=vcse"
    )
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)
    assert record["passages_scored"] == 2  # the two R1 turns; interviewer turns carry no weight
    assert record["evidence"] and {row["role"] for row in record["evidence"]} == {"vcse"}
    assert {row["speaker"] for row in record["evidence"]} == {"R1"}


def test_score_csv_flattens_without_evidence(cli, tiny_model_dir, sample_document):
    result = cli("score", sample_document, "--model", tiny_model_dir, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 1
    expected = (
        [
            "source",
            "sha256",
            "score",
            "ci_low",
            "ci_high",
            "mode",
            "intensity.commodified",
            "intensity.collaborative",
        ]
        + [f"media.{m}.{k}" for m in MEDIA for k in ("share", "lean")]
        + ["passages_scored", "model.name", "model.version", "model.sha256", "warnings"]
    )
    assert list(rows[0]) == expected
    json_record = json.loads(
        cli("score", sample_document, "--model", tiny_model_dir, "--format", "json").stdout
    )[0]
    assert float(rows[0]["score"]) == json_record["score"]
    assert rows[0]["warnings"] == "[]"


def test_score_markdown(cli, tiny_model_dir, sample_document):
    result = cli("score", sample_document, "--model", tiny_model_dir, "--format", "md")
    assert result.exit_code == 0, result.output
    record = json.loads(cli("score", sample_document, "--model", tiny_model_dir, "--format", "json").stdout)[
        0
    ]
    lines = result.stdout.splitlines()
    assert lines[0] == f"## {sample_document}"
    assert f"**{record['mode']}** · score {record['score']:+.2f}" in result.stdout
    assert "| medium | share | lean |" in lines
    assert sum(line.startswith(("| commodified |", "| collaborative |")) for line in lines) == len(
        record["evidence"]
    )
    for medium in MEDIA:
        assert f"| {medium} |" in result.stdout


def test_score_table(cli, tiny_model_dir, sample_document):
    result = cli("score", sample_document, "--model", tiny_model_dir, "--format", "table")
    assert result.exit_code == 0, result.output
    record = json.loads(cli("score", sample_document, "--model", tiny_model_dir, "--format", "json").stdout)[
        0
    ]
    assert record["mode"].upper() in result.stdout
    assert f"score {record['score']:+.2f}" in result.stdout
    assert "Media of power" in result.stdout and "Evidence" in result.stdout


def test_score_empty_file_exit_code_and_one_line_message(cli, tiny_model_dir, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = cli("score", empty, "--model", tiny_model_dir, "--format", "json")
    assert result.exit_code == EmptyDocumentError.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: ") and str(empty) in result.stderr
    assert "Traceback" not in result.output


def test_several_files_one_bad_exit_12_others_scored(
    cli, tiny_model_dir, tmp_path, sample_document, sample_transcript
):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = cli(
        "score", sample_document, empty, sample_transcript, "--model", tiny_model_dir, "--format", "jsonl"
    )
    assert result.exit_code == PARTIAL_FAILURE
    sources = [json.loads(line)["source"] for line in result.stdout.splitlines()]
    assert sources == [str(sample_document), str(sample_transcript)]
    assert result.stderr.startswith(f"error: {empty}: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_missing_model_is_a_model_error(cli, tmp_path, sample_document):
    result = cli("score", sample_document, "--model", tmp_path / "nowhere", "--format", "json")
    assert result.exit_code == ModelError.exit_code
    assert "not found" in result.stderr and "Traceback" not in result.output


def test_bad_roles_option_is_a_usage_error(cli, tiny_model_dir, sample_transcript):
    result = cli("score", sample_transcript, "--model", tiny_model_dir, "--roles", "R1=boss")
    assert result.exit_code == 2
    assert "--roles" in result.stderr


def test_tampered_model_is_refused_and_trust_model_runs_it(cli, model_copy, retouch, sample_document):
    honest = json.loads(cli("score", sample_document, "--model", model_copy, "--format", "json").stdout)[0]
    retouch(model_copy, head_bias=np.zeros(len(MODES) + len(MEDIA)))  # someone edited the weights
    refused = cli("score", sample_document, "--model", model_copy, "--format", "json")
    assert refused.exit_code == ModelError.exit_code
    assert refused.stdout == ""
    assert str(model_copy / MODEL_FILE) in refused.stderr and "--trust-model" in refused.stderr
    assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.output

    trusted = cli("score", sample_document, "--model", model_copy, "--format", "json", "--trust-model")
    assert trusted.exit_code == 0, trusted.output
    [record] = json.loads(trusted.stdout)
    assert record["model"]["sha256"] == hashlib.sha256((model_copy / MODEL_FILE).read_bytes()).hexdigest()
    assert record["model"]["sha256"] != honest["model"]["sha256"]
    check_record(record, sample_document)
