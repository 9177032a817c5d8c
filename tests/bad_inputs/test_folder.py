"""A folder of 10,000 small files with a symlink loop, a broken link, an unreadable file,
a duplicate and a non-UTF-8 file name.

The walk and its accounting (``cases.iter_inputs`` / ``count_inputs``) run on all 10,000 files.
Scoring all of them takes about 75 s with the tiny model on two workers (about 7 ms a file),
over this suite's budget, so the batch scores a 300-file subset of the same walk (with every
unusual entry) and checks its rows; ``test_batch.py`` covers larger-scale determinism.
"""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from vcse_modes.batch import run_batch
from vcse_modes.cases import count_inputs, iter_inputs
from vcse_modes.errors import UnreadableFileError

from .checks import refused

N_FILES = 10_000
N_SITES = 20
SCORED_NOTES = 300
TOPICS = (
    "tendered on price",
    "co-designed with the alliance",
    "monitored by KPI returns",
    "funded by a five-year grant",
    "shared at the partnership board",
)
ODD = {
    "site-00/broken.txt": "site-00/broken.txt: broken symbolic link",
    "site-00/loop-a.txt": "site-00/loop-a.txt: broken symbolic link",
    "site-00/loop-b.txt": "site-00/loop-b.txt: broken symbolic link",
    "site-00/parent-loop": "site-00/parent-loop: symbolic link to a folder, not followed "
    "(copy or list its files)",
}
UNREADABLE = "site-00/unreadable.txt"
DUPLICATE = ("site-01/copy-of-note-00000.txt", "site-00/note-00000.txt")
NON_UTF8 = "site-00/caf\\xe9 notes.txt"


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    root = tmp_path_factory.mktemp("many") / "study"
    for site in range(N_SITES):
        (root / f"site-{site:02d}").mkdir(parents=True)
    for i in range(N_FILES):
        text = f"Note {i} from site {i % N_SITES}: the service was {TOPICS[i % len(TOPICS)]}.\n"
        (root / f"site-{i % N_SITES:02d}" / f"note-{i:05d}.txt").write_text(text, encoding="utf-8")
    odd = root / "site-00"
    os.symlink("loop-b.txt", odd / "loop-a.txt")  # a loop of file links
    os.symlink("loop-a.txt", odd / "loop-b.txt")
    os.symlink("..", odd / "parent-loop")  # a folder link back up: would loop if followed
    os.symlink(root / "nowhere.txt", odd / "broken.txt")
    (odd / "unreadable.txt").write_text("Locked away: the council re-tendered.\n", encoding="utf-8")
    os.chmod(odd / "unreadable.txt", 0)
    shutil.copyfile(odd / "note-00000.txt", root / DUPLICATE[0])
    with open(os.path.join(os.fsencode(odd), b"caf\xe9 notes.txt"), "wb") as handle:
        handle.write("Notes from the caf\u00e9: the grant continues.\n".encode())
    yield root
    os.chmod(odd / "unreadable.txt", 0o644)


def test_walk_of_10000_files_accounts_for_every_entry(many):
    start = time.perf_counter()
    items = list(iter_inputs(many))
    assert count_inputs(many) == len(items)
    assert time.perf_counter() - start < 15

    names = [item.file for item in items]
    assert len(names) == len(set(names)) == N_FILES + len(ODD) + 3  # + unreadable, duplicate, non-UTF-8
    assert names == sorted(names, key=lambda name: name.split("/"))
    assert sum(name.split("/")[1].startswith("note-") for name in names) == N_FILES
    by_name = {item.file: item for item in items}
    for name, message in ODD.items():
        assert by_name[name].problem == ("error", message) and by_name[name].path is None
    for name in (UNREADABLE, DUPLICATE[0], NON_UTF8):
        assert by_name[name].problem is None and os.path.exists(by_name[name].path)
    assert by_name[NON_UTF8].path.endswith("caf\udce9 notes.txt")  # read from its real (bytes) name
    assert {item.case for item in items} == {f"site-{s:02d}" for s in range(N_SITES)}


@pytest.mark.timeout(300)
def test_batch_over_a_subset_of_the_walk(many, model_dir, tmp_path):
    items = list(iter_inputs(many))
    odd_names = {*ODD, UNREADABLE, NON_UTF8, *DUPLICATE}
    notes = [i for i in items if i.file.split("/")[1].startswith("note-") and i.file not in odd_names]
    subset = [i for i in items if i.file in odd_names] + notes[: SCORED_NOTES - 1]
    assert len(subset) == SCORED_NOTES + len(ODD) + 3

    summary = run_batch(
        subset, tmp_path / "out", model=model_dir, jobs=2, timeout=30, memory_mb=1500, report=False
    )
    rows = {
        json.loads(line)["file"]: json.loads(line)
        for line in (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    }
    assert sorted(rows) == sorted(i.file for i in subset)
    for name, message in ODD.items():
        assert (rows[name]["status"], rows[name]["error"], rows[name]["sha256"]) == ("error", message, None)
    copy, original = rows[DUPLICATE[0]], rows[DUPLICATE[1]]
    assert copy["duplicate_of"] == DUPLICATE[1] and copy["status"] == original["status"] == "ok"
    assert copy["score"] == original["score"]
    assert rows[NON_UTF8]["status"] == "ok"
    readable = os.access(many / UNREADABLE, os.R_OK)  # root reads a chmod-000 file
    unreadable = rows[UNREADABLE]
    if readable:
        assert unreadable["status"] == "ok"
    else:
        assert unreadable["status"] == "error" and unreadable["error"] == (
            f"{UNREADABLE}: cannot read (Permission denied)"
        )
    assert all(rows[i.file]["status"] == "ok" for i in notes[: SCORED_NOTES - 1])
    assert summary.total == len(subset) and summary.duplicates == 1
    assert summary.failed == {"error": len(ODD) + (not readable)}


def test_unreadable_file_is_a_typed_error(many):
    path = many / UNREADABLE
    if os.access(path, os.R_OK):
        pytest.skip("running as root: a chmod-000 file is still readable, so there is no error to see")
    error = refused(path, UnreadableFileError)
    assert "Permission denied" in str(error)
