"""``vcse-modes extract``: text and passages with exact offsets, speakers and roles."""

from __future__ import annotations

import json

import pytest

RECORD_KEYS = [
    "source",
    "sha256",
    "format",
    "is_transcript",
    "metadata",
    "pages",
    "warnings",
    "text",
    "passages",
]
PASSAGE_KEYS = ["index", "start", "end", "text", "page", "speaker", "role", "block"]


def test_extract_transcript_json(cli, sample_transcript):
    result = cli("extract", sample_transcript, "--format", "json", "--roles", "R1=vcse")
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)
    assert list(record) == RECORD_KEYS
    assert record["is_transcript"] is True and record["format"] == "txt"
    text = record["text"]
    passages = record["passages"]
    for passage in passages:
        assert list(passage) == PASSAGE_KEYS
        assert text[passage["start"] : passage["end"]] == passage["text"]
    assert [(p["speaker"], p["role"], p["text"]) for p in passages] == [
        ("Interviewer", "interviewer", "How is the hospice funded?"),
        (
            "R1",
            "vcse",
            "Through a contract with the ICB. We had to tender for it against a national company.",
        ),
        ("Interviewer", "interviewer", "And the alliance?"),
        ("R1", "vcse", "The alliance co-designed the service with us and we share decisions."),
    ]
    assert [p["index"] for p in passages] == list(range(4))


def test_extract_roles_default_to_unknown(cli, sample_transcript):
    result = cli("extract", sample_transcript, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert {p["role"] for p in record["passages"] if p["speaker"] == "R1"} == {"unknown"}


def test_extract_text_format_prints_the_text(cli, sample_document):
    result = cli("extract", sample_document)
    assert result.exit_code == 0
    assert (
        result.stdout == sample_document.read_text(encoding="utf-8") + "\n"
    )  # the text as read, then a newline


def test_extract_several_files_jsonl(cli, sample_document, sample_transcript):
    result = cli("extract", sample_document, sample_transcript, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"] for r in records] == [str(sample_document), str(sample_transcript)]
    assert [r["is_transcript"] for r in records] == [False, True]


@pytest.mark.parametrize("roles", ["R1", "R1=boss"])
def test_extract_bad_roles_is_a_usage_error(cli, sample_transcript, roles):
    result = cli("extract", sample_transcript, "--roles", roles)
    assert result.exit_code == 2
    assert "--roles" in result.stderr
