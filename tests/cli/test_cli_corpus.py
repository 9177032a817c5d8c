"""``vcse-modes corpus validate`` on valid and invalid tiny corpora."""

from __future__ import annotations

import json

from vcse_modes import MODES


def test_valid_corpus_exits_0(cli, tiny_corpus):
    result = cli("corpus", "validate", tiny_corpus)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("24 excerpts\n")
    assert result.stdout.rstrip().endswith("ok")
    assert "error:" not in result.stderr


def test_valid_corpus_json(cli, tiny_corpus):
    result = cli("corpus", "validate", tiny_corpus, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"] is True and report["total"] == 24 and report["errors"] == []
    assert report["counts"]["mode"] == {m: 6 for m in MODES}


def test_invalid_corpus_exits_1_and_names_the_problems(cli, tiny_corpus):
    shard = tiny_corpus / "a.jsonl"
    lines = shard.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    second = json.loads(lines[1])
    second["id"] = first["id"]  # duplicate id
    second["media"] = ["provider_competiton"]  # typo
    lines[1] = json.dumps(second)
    shard.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = cli("corpus", "validate", tiny_corpus)
    assert result.exit_code == 1
    assert "a.jsonl:2: unknown medium 'provider_competiton'" in result.stderr
    assert result.stdout.rstrip().endswith("error(s)")

    as_json = cli("corpus", "validate", tiny_corpus, "--format", "json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    assert any("unknown medium 'provider_competiton'" in e for e in report["errors"])


def test_duplicate_ids_are_reported(cli, tiny_corpus):
    shard = tiny_corpus / "b.jsonl"
    lines = shard.read_text(encoding="utf-8").splitlines()
    copy = json.loads(lines[0])
    copy["text"] = "An entirely different sentence about the council's budget for next year."
    lines.append(json.dumps(copy))
    shard.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("corpus", "validate", tiny_corpus, "--format", "json")
    assert result.exit_code == 1
    assert f"duplicate id {copy['id']!r}" in json.loads(result.stdout)["errors"]


def test_missing_corpus_path_is_a_usage_error(cli, tmp_path):
    result = cli("corpus", "validate", tmp_path / "nowhere")
    assert result.exit_code == 2
