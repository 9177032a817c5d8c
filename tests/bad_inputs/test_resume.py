"""A batch over bad and good files killed with SIGKILL, then resumed: outputs identical to an
uninterrupted run.

The same approach as ``tests/test_batch.py::test_resume_after_sigkill_matches_an_uninterrupted_run``
(which resumes a corpus of good files), on a folder where most rows are failures: error,
empty, unsupported, encrypted and needs_ocr rows must be reused or rebuilt exactly like ok rows.
Only files whose status does not depend on timing are used (no bomb, no 50 MB line).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vcse_modes.batch import FAULTS_ENV, JOURNAL, run_batch

from . import builders as b
from .checks import all_output_text

REPO = Path(__file__).resolve().parents[2]
OUTPUTS = ("documents.jsonl", "documents.csv", "cases.jsonl", "cases.csv")
BAD = (
    "zero-bytes.txt",
    "photo.txt",
    "truncated.pdf",
    "locked-user-password.pdf",
    "external-entity.docx",
    "password-protected.docx",
    "scanned.pdf",
    "partly-scanned.pdf",
    "cp1252-transcript.txt",
    "mixed-newlines.txt",
    "deep-page-tree.pdf",
    "traversal.qdpx",
)


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


@pytest.mark.timeout(300)
def test_sigkill_then_resume_matches_an_uninterrupted_run(bad_files, model_dir, tmp_path):
    folder = tmp_path / "in"
    for name in BAD:
        (folder / "bad").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(bad_files.bad[name], folder / "bad" / name)
    shutil.copytree(bad_files.good[0].parent, folder / "good")
    total = len(BAD) + len(bad_files.good)

    baseline = tmp_path / "baseline"
    run_batch(folder, baseline, model=model_dir, jobs=1)

    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "vcse_modes",
        "batch",
        str(folder),
        "--out",
        str(out),
        "--model",
        model_dir,
        "--jobs",
        "1",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO), FAULTS_ENV: json.dumps({"*": "sleep:0.4"})}
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    journal = out / JOURNAL
    deadline = time.monotonic() + 120
    try:
        while not journal.exists() or journal.read_bytes().count(b"\n") < 3:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the batch wrote no rows"
            time.sleep(0.02)
        workers = _children(process.pid)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stderr.close()
    written = journal.read_bytes().count(b"\n")
    assert 3 <= written < total and not (out / "documents.jsonl").exists()
    with open(journal, "ab") as handle:
        handle.write(b'{"file": "bad/trunc')  # a line torn by the kill
    assert all(_wait_gone(pid) for pid in workers), "a worker outlived its killed parent"

    summary = run_batch(folder, out, model=model_dir, jobs=1, resume=True)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (baseline / name).read_bytes(), f"{name} differs"
    assert summary.reused >= 3 and summary.scored == total - summary.reused
    statuses = {json.loads(line)["status"] for line in (out / "documents.jsonl").read_text().splitlines()}
    assert statuses == {"ok", "error", "empty", "unsupported", "encrypted", "needs_ocr"}
    assert b.SECRET.encode() not in all_output_text(out)
