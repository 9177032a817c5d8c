"""One batch over one file of every bad kind plus good files from ``examples/``.

``run_batch(timeout=5, memory_mb=1500, jobs=2)``: every file gets exactly one row with the
catalogue's status (catalogue.py), every failure names its file, every good file is ``ok``,
nothing of the secret file the external-entity DOCX points at reaches any output, the batch
ends in bounded time and no worker outgrows the memory cap.

The 4 GiB flate bomb is refused before pdfium inflates it (``error``, UnsafeInputError). One row
depends on which limit a worker hits first, so the test accepts either status: the 50 MB
one-line file (scoring it runs past 5 s, ``timeout``, or past 1500 MB, ``error`` "ran out of
memory").
"""

from __future__ import annotations

import hashlib
import json
import resource
import time

import pytest

from vcse_modes.batch import run_batch

from . import builders as b
from .catalogue import CATALOGUE, GOOD_EXAMPLES
from .checks import all_output_text

TIMEOUT, MEMORY_MB, JOBS = 5, 1500, 2


@pytest.mark.timeout(400)
def test_batch_over_every_bad_kind(bad_files, model_dir, tmp_path):
    out = tmp_path / "out"
    peak_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.monotonic()
    summary = run_batch(
        bad_files.inputs,
        out,
        model=model_dir,
        jobs=JOBS,
        timeout=TIMEOUT,
        memory_mb=MEMORY_MB,
        write_passages=True,
    )
    elapsed = time.monotonic() - start
    peak_after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux

    rows = [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    by_file = {row["file"]: row for row in rows}
    expected = {f"bad/{case.name}": case.status for case in CATALOGUE}
    expected |= {f"good/{name.rsplit('/', 1)[-1]}": "ok" for name in GOOD_EXAMPLES}
    assert len(rows) == len(by_file) == len(expected), "every file exactly one row"
    assert sorted(by_file) == sorted(expected)

    wrong = {}
    for file, status in expected.items():
        row = by_file[file]
        allowed = status if isinstance(status, tuple) else (status,)
        if row["status"] not in allowed:
            wrong[file] = (row["status"], status, row["error"])
    assert not wrong, wrong

    for file, row in by_file.items():
        path = bad_files.inputs / file
        assert row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), file
        assert row["duplicate_of"] is None
        if row["status"] == "ok":
            assert row["error"] is None and row["score"] is not None and row["passages_scored"] > 0, file
        else:
            assert row["error"].startswith(f"{file}: "), row["error"]
            assert row["score"] is None
    assert "decompression bomb" in by_file["bad/flate-bomb.pdf"]["error"]
    long_line = by_file["bad/one-line-50mb.txt"]
    assert long_line["status"] == "timeout" or "ran out of memory (--memory-mb 1500)" in long_line["error"]
    assert "needs_ocr: pages 2, 4" in by_file["bad/partly-scanned.pdf"]["warnings"]
    really_html = by_file["bad/board-papers-really-html.pdf"]
    assert really_html["format"] == "html"
    assert "extension .pdf but content is html; read as html" in really_html["warnings"]
    assert by_file["bad/cp1252-transcript.txt"]["warnings"] == ["encoding: not UTF-8; decoded as cp1252"]

    ok = sum(row["status"] == "ok" for row in rows)
    assert (summary.total, summary.ok, summary.duplicates) == (len(rows), ok, 0)
    failed: dict[str, int] = {}
    for row in rows:
        if row["status"] != "ok":
            failed[row["status"]] = failed.get(row["status"], 0) + 1
    assert summary.failed == failed
    cases = {
        c["case"]: c for c in map(json.loads, (out / "cases.jsonl").read_text(encoding="utf-8").splitlines())
    }
    assert (cases["good"]["documents"], cases["good"]["ok"]) == (len(GOOD_EXAMPLES), len(GOOD_EXAMPLES))
    assert (cases["bad"]["documents"], cases["bad"]["failed"]) == (len(CATALOGUE), len(CATALOGUE) - ok + 6)

    assert b.SECRET.encode() not in all_output_text(out)
    assert elapsed < 150, f"batch took {elapsed:.0f} s"
    assert peak_after <= max(peak_before, (MEMORY_MB + 64) * 1024), (
        f"a worker peaked at {peak_after // 1024} MB"
    )
