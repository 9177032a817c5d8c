"""No code path reaches the network: score, train and batch run with every connection refused.

Interview transcripts are personal data, so this is a guarantee, not a preference.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_guard_really_refuses(no_network):
    with pytest.raises(OSError, match="network"):
        socket.create_connection(("example.org", 80))


def _offline_env() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(HERE), str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return {**os.environ, "PYTHONPATH": path}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vcse_modes", *args], cwd=cwd, env=_offline_env(),
                          capture_output=True, text=True, timeout=600)


def test_subprocess_guard_is_active(tmp_path):
    code = (
        "import socket\n"
        "try:\n    socket.create_connection(('example.org', 80))\n"
        "except OSError as e:\n    print(e)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=_offline_env(), capture_output=True, text=True)
    assert "offline test" in result.stdout


def test_score_train_and_batch_run_offline(tmp_path):
    score = _run(["score", str(ROOT / "examples" / "interview_hospice.txt"), "--format", "json"], ROOT)
    assert score.returncode == 0, score.stderr
    assert json.loads(score.stdout)[0]["passages_scored"] > 0

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = (ROOT / "corpus" / "excerpts" / "s5_interviews.jsonl").read_text(encoding="utf-8").splitlines()
    (corpus / "small.jsonl").write_text("\n".join(lines[:60]) + "\n", encoding="utf-8")
    train = _run(["train", str(corpus), "--out", str(tmp_path / "model")], tmp_path)
    assert train.returncode == 0, train.stderr
    assert (tmp_path / "model" / "card.json").is_file()

    batch = _run(["batch", str(ROOT / "examples" / "cases"), "--out", str(tmp_path / "batch"),
                  "--model", str(tmp_path / "model"), "--jobs", "2"], tmp_path)
    assert batch.returncode == 0, batch.stderr
    rows = [json.loads(line) for line in (tmp_path / "batch" / "documents.jsonl").read_text().splitlines()]
    assert rows and all(row["status"] == "ok" for row in rows)
