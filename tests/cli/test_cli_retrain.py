"""Retraining on a researcher's own excerpts, and comparing two models."""

import json
from pathlib import Path

from click.testing import CliRunner

from vcse_modes.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _lines(name: str, count: int, every: int = 1) -> list[str]:
    lines = (ROOT / "corpus" / "excerpts" / name).read_text(encoding="utf-8").splitlines()
    return lines[::every][:count]


def _write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_train_with_new_excerpts_reports_before_and_after(tmp_path):
    base = _write(
        tmp_path / "base" / "base.jsonl",
        _lines("s2_procurement.jsonl", 50, 3) + _lines("s3_partnership.jsonl", 50, 3),
    )
    new = _write(tmp_path / "mine.jsonl", _lines("s7_interviews2.jsonl", 30, 5))
    out = tmp_path / "mine-model"
    config = _write(tmp_path / "fast.toml", ["[model]", "char_ngrams = false"])
    result = CliRunner().invoke(
        main,
        [
            "train",
            str(base.parent),
            str(new),
            "--out",
            str(out),
            "--weight-new",
            "2",
            "--config",
            str(config),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "on your 30 new excerpts:" in result.output
    assert "before: mode macro-F1" in result.output and "after: mode macro-F1" in result.output
    card = json.loads((out / "card.json").read_text())
    assert card["data"]["base"] == 100 and card["data"]["new"] == 30
    assert card["weight_new"] == 2.0
    assert card["retraining"]["new_excerpts"] == 30
    assert card["retraining"]["before"]["mode"]["n"] == 30
    assert card["retraining"]["after"]["mode"]["n"] == 30  # evaluated on the new excerpts only
    assert "## Retraining: metrics on the 30 new excerpts" in (out / "card.md").read_text()


def test_train_no_base_uses_only_the_given_excerpts(tmp_path):
    new = _write(tmp_path / "mine.jsonl", _lines("s7_interviews2.jsonl", 60, 2))
    out = tmp_path / "alone"
    config = _write(tmp_path / "fast.toml", ["[model]", "char_ngrams = false"])
    result = CliRunner().invoke(
        main, ["train", str(new), "--no-base", "--out", str(out), "--config", str(config)]
    )
    assert result.exit_code == 0, result.output
    card = json.loads((out / "card.json").read_text())
    assert card["data"]["base"] == 0 and card["data"]["new"] == 60
    assert card["retraining"]["before"] is None
    assert "before: no base model" in result.output


def test_models_diff_compares_scores_on_the_same_documents(tmp_path):
    config = _write(tmp_path / "fast.toml", ["[model]", "char_ngrams = false"])
    runner = CliRunner()
    for name, shard in (("a", "s2_procurement.jsonl"), ("b", "s3_partnership.jsonl")):
        data = _write(
            tmp_path / name / "data.jsonl", _lines(shard, 60) + _lines("s6_abstain_research.jsonl", 40)
        )
        result = runner.invoke(
            main, ["train", str(data), "--out", str(tmp_path / f"model-{name}"), "--config", str(config)]
        )
        assert result.exit_code == 0, result.output
    result = runner.invoke(
        main,
        [
            "models",
            "diff",
            str(tmp_path / "model-a"),
            str(tmp_path / "model-b"),
            str(ROOT / "examples" / "cases"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["documents"] == 6
    assert -1.0 <= report["spearman_rho"] <= 1.0
    movers = report["largest_movers"]
    assert [abs(m["change"]) for m in movers] == sorted((abs(m["change"]) for m in movers), reverse=True)
    assert all(round(m["score_b"] - m["score_a"], 4) == m["change"] for m in movers)
