"""``vcse-modes batch``: inputs, case pooling, isolation of bad files, resume, determinism, Dask.

One batch over a small corpus built from ``examples/`` (the ``baseline``) is shared by
several tests; every other run is compared with it byte for byte.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vcse_modes.batch import FAULTS_ENV, JOURNAL, cache_path, decode_passages, document_csv_columns, run_batch
from vcse_modes.cases import NO_CASE, iter_inputs, read_manifest, walk_folder

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
OUTPUTS = ("documents.jsonl", "documents.csv", "cases.jsonl", "cases.csv")
NORTH, EAST = "northfield-social-prescribing", "eastvale-learning-disability"
ODD_NAME = b"caf\xe9 notes.txt"  # not UTF-8


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def by_file(out: Path) -> dict[str, dict]:
    return {row["file"]: row for row in rows(out / "documents.jsonl")}


def same_outputs(a: Path, b: Path, names: tuple[str, ...] = OUTPUTS) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def model_dir(tiny_model_dir) -> str:
    """The session's tiny model (tests/conftest.py): small and fast, never the shipped one."""
    return str(tiny_model_dir)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Two cases from examples/cases, a loose file, duplicates and a non-UTF-8 file name."""
    root = tmp_path_factory.mktemp("corpus") / "study"
    shutil.copytree(EXAMPLES / "cases", root)
    shutil.copy(EXAMPLES / "tender_notice.txt", root / "tender_notice.txt")
    # a copy inside the same case (pooled once) and a copy in another case (pooled there too)
    shutil.copy(root / NORTH / "vcse_interview.txt", root / NORTH / "vcse_interview_copy.txt")
    shutil.copy(root / EAST / "committee_minutes.txt", root / NORTH / "minutes_from_eastvale.txt")
    (root / NORTH / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")  # hidden: skipped
    try:
        with open(os.path.join(os.fsencode(root / EAST), ODD_NAME), "wb") as handle:
            handle.write("Notes from the café.\n\nThe council tendered the contract on price.\n".encode())
    except OSError:  # a file system that refuses such names
        pass
    return root


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, corpus, model_dir):
    out = tmp_path_factory.mktemp("baseline")
    events = []
    summary = run_batch(corpus, out, model=model_dir, jobs=1, write_passages=True, progress=events.append)
    return out, summary, events


# ---------------------------------------------------------------- folder input


def test_folder_input_rows_cases_and_outputs(baseline, corpus):
    out, summary, events = baseline
    docs = by_file(out)
    files = list(docs)
    assert files == sorted(files)
    assert ".DS_Store" not in " ".join(files)
    assert docs["tender_notice.txt"]["case"] == NO_CASE
    assert docs[f"{NORTH}/board_minutes.html"]["case"] == NORTH
    assert all(row["status"] == "ok" for row in docs.values())
    assert docs[f"{NORTH}/vcse_interview_copy.txt"]["duplicate_of"] == f"{NORTH}/vcse_interview.txt"
    assert docs[f"{NORTH}/minutes_from_eastvale.txt"]["duplicate_of"] == f"{EAST}/committee_minutes.txt"
    copy, original = docs[f"{NORTH}/vcse_interview_copy.txt"], docs[f"{NORTH}/vcse_interview.txt"]
    assert copy["score"] == original["score"] and copy["evidence"] == original["evidence"]
    if f"{EAST}/caf\\xe9 notes.txt" not in docs:
        pytest.skip("this file system refused a non-UTF-8 file name")
    assert docs[f"{EAST}/caf\\xe9 notes.txt"]["status"] == "ok"

    assert summary.total == len(docs) and summary.ok == len(docs) and summary.duplicates == 2
    assert summary.failed == {} and summary.scored == len(docs) - 2
    assert [e.done for e in events] == [*range(len(docs) + 1), len(docs)] and events[0].total == len(docs)
    assert events[-1].status == "finalising" and events[-1].file is None

    with open(out / "documents.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == document_csv_columns()
        assert [r["file"] for r in reader] == files

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["model"]["name"] == "tiny"
    assert {f["file"]: f["sha256"] for f in manifest["files"]} == {f: r["sha256"] for f, r in docs.items()}
    assert manifest["options"]["jobs"] == 1 and manifest["libraries"]["scikit-learn"]
    assert not (out / JOURNAL).exists()
    html_text = (out / "report.html").read_text(encoding="utf-8")
    assert html_text.count("<svg") == 3 and NORTH in html_text


def test_case_pooling_and_two_sided_view(baseline):
    from vcse_modes.scoring import aggregate

    out, summary, _ = baseline
    docs = by_file(out)
    cases = {row["case"]: row for row in rows(out / "cases.jsonl")}
    assert list(cases) == [EAST, NORTH, NO_CASE]
    model_sha = summary.model["sha256"]
    for name, case in cases.items():
        members = [r for r in docs.values() if r["case"] == name]
        contents = {(r["sha256"], r["role"]) for r in members}
        pooled = [p for sha, role in sorted(contents)
                  for p in decode_passages(cache_path(out, sha, role, model_sha))]
        expected = aggregate(pooled)
        assert case["score"] == round(expected.score, 4)
        assert (case["ci_low"], case["ci_high"]) == (round(expected.ci_low, 4), round(expected.ci_high, 4))
        assert case["passages_scored"] == expected.passages_scored and case["passages"] == len(pooled)
        assert (case["documents"], case["ok"], case["failed"]) == (len(members), len(members), 0)
        for side in ("commissioner", "vcse"):
            part = aggregate([p for p in pooled if p.role == side])
            assert case[side]["passages_scored"] == part.passages_scored
            if part.passages_scored:
                assert case[side]["score"] == round(part.score, 4)
    north = cases[NORTH]
    assert north["duplicates"] == 2 and north["documents"] == 5
    assert north["commissioner"]["score"] is not None and north["vcse"]["score"] is not None
    assert north["difference"] == round(north["vcse"]["score"] - north["commissioner"]["score"], 4)
    assert north["difference_ci_low"] <= north["difference"] <= north["difference_ci_high"]
    assert cases[NO_CASE]["difference"] is None and cases[NO_CASE]["vcse"]["score"] is None
    for case in cases.values():
        for pole in ("commodified", "collaborative"):
            ranked = [e["p"] for e in case["evidence"] if e["pole"] == pole]
            assert ranked == sorted(ranked, reverse=True) and len(ranked) <= 3
        assert all(e["file"] in docs for e in case["evidence"])

    with gzip.open(out / "passages.jsonl.gz", "rt", encoding="utf-8") as handle:
        passages = [json.loads(line) for line in handle]
    for name, case in cases.items():
        assert sum(p["case"] == name for p in passages) == case["passages"]
    with open(out / "cases.csv", newline="", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert [r["case"] for r in table] == list(cases) and "vcse.score" in table[0] and "difference" in table[0]


def test_jobs_do_not_change_the_outputs(baseline, corpus, model_dir, tmp_path):
    out, _, _ = baseline
    run_batch(corpus, tmp_path, model=model_dir, jobs=2, write_passages=True)
    same_outputs(out, tmp_path, OUTPUTS + ("passages.jsonl.gz",))


# ---------------------------------------------------------------- manifest input


def test_manifest_input_roles_and_case_attributes(tmp_path, model_dir):
    docs_dir = tmp_path / "docs"
    docs_dir.mkdir()
    shutil.copy(EXAMPLES / "tender_notice.txt", docs_dir / "tender.txt")
    shutil.copy(EXAMPLES / "cases" / NORTH / "board_minutes.html", docs_dir / "minutes.html")
    shutil.copy(EXAMPLES / "cases" / NORTH / "vcse_interview.txt", docs_dir / "interview.txt")
    manifest = tmp_path / "lists" / "manifest.csv"
    manifest.parent.mkdir()
    manifest.write_text(
        "\ufeffFile,Case,Site,Tracer,Role,Date\n"
        "../docs/tender.txt,Southmere,,link workers,commissioner,2024-03-01\n"
        "../docs/minutes.html,Southmere,Southmere ICB,,vcse,\n"
        "../docs/interview.txt,Northfield,,,,\n"
        "../docs/missing.pdf,Northfield,,,,\n"
        "../docs/tender.txt,Southmere,,,,\n"
        "../docs/minutes.html,Other,,,boss,\n"
        f"{docs_dir / 'interview.txt'},Absolute,,,vcse,\n", encoding="utf-8")
    cases_csv = tmp_path / "cases.csv"
    cases_csv.write_text("case,site,tracer\nSouthmere,Southmere place,social prescribing\n"
                         "Northfield,Northfield ICB,link workers\n", encoding="utf-8")
    summary = run_batch(manifest, tmp_path / "out", model=model_dir, cases=cases_csv)
    docs = rows(tmp_path / "out" / "documents.jsonl")
    assert [r["file"] for r in docs] == sorted(r["file"] for r in docs)
    tender = next(r for r in docs if r["file"] == "../docs/tender.txt" and r["status"] == "ok")
    assert (tender["case"], tender["role"], tender["date"]) == ("Southmere", "commissioner", "2024-03-01")
    assert (tender["site"], tender["tracer"]) == ("Southmere place", "link workers")  # manifest wins
    minutes = next(r for r in docs if r["file"] == "../docs/minutes.html" and r["status"] == "ok")
    assert minutes["site"] == "Southmere ICB" and minutes["tracer"] == "social prescribing"
    problems = {r["file"]: r for r in docs if r["status"] != "ok"}
    assert "file not found" in problems["../docs/missing.pdf"]["error"]
    repeats = [r for r in docs if r["status"] == "error" and "listed twice" in (r["error"] or "")]
    assert len(repeats) == 2  # tender.txt again and minutes.html again (before its bad role is read)
    assert summary.failed == {"error": 3}

    cases = {row["case"]: row for row in rows(tmp_path / "out" / "cases.jsonl")}
    southmere = cases["Southmere"]
    assert southmere["site"] == "Southmere place" and southmere["tracer"] == "social prescribing"
    # documents without speaker labels count on their manifest role's side
    assert southmere["commissioner"]["passages_scored"] > 0 and southmere["vcse"]["passages_scored"] > 0
    assert (southmere["documents"], southmere["ok"], southmere["failed"]) == (3, 2, 1)
    assert cases["Absolute"]["ok"] == 1


def test_manifest_without_file_column_is_a_data_error(tmp_path):
    from vcse_modes.errors import DataError

    bad = tmp_path / "m.csv"
    bad.write_text("path,case\nx.txt,a\n", encoding="utf-8")
    with pytest.raises(DataError, match="no 'file' column"):
        list(read_manifest(bad))


def test_one_batch_per_output_folder_and_inputs_must_be_folder_or_csv(tmp_path, model_dir):
    from vcse_modes.batch import _lock_output
    from vcse_modes.errors import DataError, VcseModesError

    holder = _lock_output(tmp_path)
    try:
        with pytest.raises(VcseModesError, match="another batch is writing"):
            run_batch(EXAMPLES / "cases", tmp_path, model=model_dir)
    finally:
        holder.close()
    with pytest.raises(DataError, match="folder or a manifest .csv"):
        list(iter_inputs(EXAMPLES / "tender_notice.txt"))


def test_walk_is_sorted_skips_output_folder_and_hidden(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b" / "z.txt").write_text("x")
    (tmp_path / "b" / "a-1.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "documents.csv").write_text("x")
    names = [i.file for i in walk_folder(tmp_path, exclude=[tmp_path / "results"])]
    assert names == ["a.txt", "b/a-1.txt", "b/z.txt"]
    assert [i.case for i in iter_inputs(tmp_path, exclude=[tmp_path / "results"])] == [NO_CASE, "b", "b"]


# ---------------------------------------------------------------- broken inputs


def test_broken_files_are_isolated_and_accounted_for(tmp_path, model_dir, cli, monkeypatch):
    folder = tmp_path / "in" / "case-a"
    folder.mkdir(parents=True)
    text = (EXAMPLES / "tender_notice.txt").read_text(encoding="utf-8")
    (folder / "good.txt").write_text(text, encoding="utf-8")
    for name in ("hang.txt", "crash.txt", "segfault.txt", "memory.txt"):
        (folder / name).write_text(f"{text}\n\nVariant {name}.\n", encoding="utf-8")  # not duplicates
    (folder / "empty.txt").write_bytes(b"")
    (folder / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(range(256)) * 8)
    (folder / "truncated.pdf").write_bytes((EXAMPLES / "grant_terms.pdf").read_bytes()[:1500])
    (folder / "broken.pdf").symlink_to(tmp_path / "nowhere.pdf")
    (folder / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(folder / "pipe.txt")
    monkeypatch.setenv(FAULTS_ENV, json.dumps({"hang.txt": "hang", "crash.txt": "crash",
                                               "segfault.txt": "segfault", "memory.txt": "memory"}))
    out = tmp_path / "out"
    result = cli("batch", tmp_path / "in", "--out", out, "--model", model_dir, "--jobs", "2",
                 "--timeout", "6", "--memory-mb", "2048")
    assert result.exit_code == 12, result.output
    status = {Path(r["file"]).name: r for r in rows(out / "documents.jsonl")}
    expected = {"good.txt": "ok", "hang.txt": "timeout", "crash.txt": "crashed", "segfault.txt": "crashed",
                "memory.txt": "error", "empty.txt": "empty", "photo.txt": "unsupported",
                "truncated.pdf": "error", "broken.pdf": "error", "elsewhere": "error", "pipe.txt": "error"}
    assert {name: row["status"] for name, row in status.items()} == expected
    assert "SIGSEGV" in status["segfault.txt"]["error"] and "exit code 70" in status["crash.txt"]["error"]
    assert "memory" in status["memory.txt"]["error"] and "6 s" in status["hang.txt"]["error"]
    assert "broken symbolic link" in status["broken.pdf"]["error"]
    assert "not followed" in status["elsewhere"]["error"]
    assert "not a regular file" in status["pipe.txt"]["error"]
    unread = ("broken.pdf", "elsewhere", "pipe.txt")
    assert all(row["error"].startswith("case-a/") for name, row in status.items() if name != "good.txt")
    assert all(bool(row["sha256"]) != (name in unread) for name, row in status.items())
    case = rows(out / "cases.jsonl")[0]
    assert (case["documents"], case["ok"], case["failed"]) == (11, 1, 10)
    assert "timeout" in result.output and "[11/11]" in result.output  # plain log lines when not a terminal


def test_scheduler_needs_the_dask_backend(cli, tmp_path):
    result = cli("batch", tmp_path, "--out", tmp_path / "o", "--scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2 and "--backend dask" in result.output


# ---------------------------------------------------------------- resume


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_resume_after_sigkill_matches_an_uninterrupted_run(baseline, corpus, model_dir, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "vcse_modes", "batch", str(corpus), "--out", str(out),
               "--model", model_dir, "--jobs", "1"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop(FAULTS_ENV, None)
    slow = {**env, FAULTS_ENV: json.dumps({"*": "sleep:0.4"})}
    process = subprocess.Popen(command, cwd=REPO, env=slow, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    journal = out / JOURNAL
    deadline = time.monotonic() + 90
    while not journal.exists() or journal.read_bytes().count(b"\n") < 2:
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the batch wrote no rows"
        time.sleep(0.02)
    workers = _children(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stderr.close()
    written = journal.read_bytes().count(b"\n")
    total = len(by_file(baseline[0]))
    assert written < total and not (out / "documents.jsonl").exists()
    with open(journal, "ab") as handle:
        handle.write(b'{"file": "northfield-social-prescribing/bo')  # a line torn by the kill
    for pid in workers:  # orphaned workers notice their parent is gone and exit
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"worker {pid} outlived its killed parent")

    result = subprocess.run([*command, "--resume"], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stderr
    same_outputs(baseline[0], out)
    counts = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]
    assert counts["reused"] >= 1 and counts["scored_this_run"] < total - 2
    assert "reused ok" in result.stderr

    again = run_batch(corpus, out, model=model_dir, resume=True)  # nothing left to do
    assert again.scored == 0 and again.reused == total - 2
    same_outputs(baseline[0], out)
    changed = run_batch(corpus, out, model=model_dir, resume=True, n_evidence=1)
    assert changed.reused == 0 and changed.scored == total - 2 and "--evidence changed" in changed.notes[0]


# ---------------------------------------------------------------- dask


def test_dask_backend_on_a_local_cluster(baseline, corpus, model_dir, tmp_path, monkeypatch):
    pytest.importorskip("distributed", reason="dask[distributed] is not installed (optional extra 'dask')")
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
    with cluster, Client(cluster) as client:
        summary = run_batch(corpus, tmp_path / "dask", model=model_dir, backend="dask", scheduler=client,
                            write_passages=True)
        assert summary.ok == summary.total
        same_outputs(baseline[0], tmp_path / "dask", OUTPUTS + ("passages.jsonl.gz",))

        slow = tmp_path / "slow"
        slow.mkdir()
        shutil.copy(EXAMPLES / "tender_notice.txt", slow / "sleepy.txt")
        monkeypatch.setenv(FAULTS_ENV, json.dumps({"sleepy.txt": "sleep:4"}))
        run_batch(slow, tmp_path / "dask-timeout", model=model_dir, backend="dask", scheduler=client,
                  timeout=1)
        row = rows(tmp_path / "dask-timeout" / "documents.jsonl")[0]
        assert row["status"] == "timeout"
