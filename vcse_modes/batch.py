"""Score a folder or a manifest of documents: isolated workers, resumable, deterministic.

>>> from vcse_modes.batch import run_batch  # doctest: +SKIP
>>> summary = run_batch("interviews/", "results/", jobs=4, cases="cases.csv")  # doctest: +SKIP

How it works
    The parent process streams the inputs (:func:`vcse_modes.cases.iter_inputs`),
    hashes each file (SHA-256) and decides per file: an error row straight away (broken
    link, missing file), a duplicate of a file already seen (same content and role:
    scored once, reported with ``duplicate_of``), a row reused from an earlier run
    (``resume``), or a task for a worker.

Workers (``backend="loky"``, the local default)
    ``jobs`` worker processes (``multiprocessing`` spawn context) each load the model
    once, warm up spaCy, cap their address space with ``RLIMIT_AS`` (``memory_mb``) and
    then take one file at a time over a pipe. The parent waits on the pipes and the
    process sentinels with the earliest deadline as timeout: a worker that misses its
    file's deadline is killed (row ``timeout``), one that dies (segfault, ``os._exit``,
    the OOM killer) gives row ``crashed``, and in both cases a fresh worker replaces it
    while the others keep going. An exception becomes a row with the error's
    ``.status``; a ``MemoryError`` (the cap) an ``error`` row and a fresh worker.
    Why not ``joblib.Parallel(backend="loky")``: when a loky worker dies or a task
    overruns, joblib aborts the whole ``Parallel`` call and cannot say which of the
    in-flight files was to blame, and it cannot kill one overrunning task. Per-file
    attribution and restarts need a pool that owns its processes, so the ``loky``
    backend is this pool (same semantics: local processes, no fork of a threaded parent).

Dask (``backend="dask"``)
    The same per-file function runs through joblib's dask backend on a
    ``distributed.Client`` (``scheduler`` address, an existing Client, or a new
    ``LocalCluster`` of ``jobs`` workers). The time limit is enforced inside the task
    (the file is abandoned, its thread left to finish); ``memory_mb`` becomes the
    LocalCluster's per-worker ``memory_limit``. A file that kills its dask worker is
    retried by dask and then stops the batch (``KilledWorker``): finished rows are kept,
    and ``--resume`` with the loky backend isolates the file. Input files must be
    readable at the same paths on the dask workers. Inside a task joblib is kept
    sequential: scikit-learn's own joblib calls would otherwise queue nested tasks on
    the busy cluster and deadlock.

Outputs (in ``out_dir``)
    ``documents.jsonl.partial`` gets one flushed JSON line per finished file; the
    passages' probabilities go to ``.passages/`` (one small binary file of plain arrays per
    scored content, written before its row), so memory stays flat. At the end everything is
    written atomically (temp file + ``os.replace``): ``documents.jsonl``/``.csv``
    sorted by file, ``cases.jsonl``/``.csv``, ``passages.jsonl.gz`` (optional),
    ``report.html`` and ``manifest.json``. ``manifest.json`` is also written when a run
    starts (``"complete": false``), recording the options a later resume must match.
    One batch at a time may write to a folder (``flock`` on ``out_dir/.lock``, released
    even when the process is killed). Memory: per file the parent keeps only small
    index entries (key, hash, offsets), never documents, passages or rows; a case's
    passages are loaded only while that case is pooled.

Resume
    Rows of an earlier run (from ``documents.jsonl``, the journal and an interrupted
    resume's ``documents.jsonl.previous``) are reused when the file's SHA-256, the
    model's SHA-256 and the role match, the evidence option is unchanged, and (for
    ``ok`` rows) the passages file is still there. ``timeout`` and ``crashed`` rows are
    retried; unreadable entries and duplicates are always rebuilt. A torn last journal
    line (SIGKILL mid-write) is ignored.

Test hook
    ``VCSE_MODES_BATCH_FAULTS`` (tests only) is a JSON object mapping a file's base
    name (or ``"*"``) to ``"hang"``, ``"crash"``, ``"segfault"``, ``"memory"`` or
    ``"sleep:SECONDS"``; the worker acts on it before reading that file.
"""

from __future__ import annotations

import contextlib
import gzip
import heapq
import json
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vcse_modes import MEDIA, MODES
from vcse_modes.cases import NO_CASE, InputFile
from vcse_modes.errors import ModelError, VcseModesError

DEFAULT_TIMEOUT = 120.0
DEFAULT_MEMORY_MB = 4096
STARTUP_TIMEOUT = 300.0
MAX_REPORTED_FAILURES = 500
STATUSES = ("ok", "needs_ocr", "encrypted", "empty", "unsupported", "timeout", "crashed", "error")
RETRY_ON_RESUME = frozenset({"timeout", "crashed"})
FAULTS_ENV = "VCSE_MODES_BATCH_FAULTS"
MIB = 1 << 20

JOURNAL = "documents.jsonl.partial"
PREVIOUS = "documents.jsonl.previous"
CACHE_DIR = ".passages"

SCORE_FIELDS = ("score", "ci_low", "ci_high", "mode", "intensity", "media", "passages_scored", "evidence")
RESULT_FIELDS = ("status", "error", "format", *SCORE_FIELDS, "warnings")
DOCUMENT_FIELDS = ("file", "case", "site", "tracer", "role", "date", "status", "error", "duplicate_of",
                   "sha256", "format", *SCORE_FIELDS, "model", "warnings")


def document_csv_columns() -> list[str]:
    """Fixed columns of ``documents.csv`` (nested blocks flattened with dots)."""
    media = [f"media.{m}.{k}" for m in MEDIA for k in ("share", "lean")]
    return ["file", "case", "site", "tracer", "role", "date", "status", "error", "duplicate_of", "sha256",
            "format", "score", "ci_low", "ci_high", "mode", "intensity.commodified",
            "intensity.collaborative", *media, "passages_scored", "evidence", "model.name", "model.version",
            "model.sha256", "warnings"]


# ---------------------------------------------------------------- public records


@dataclass(frozen=True)
class BatchProgress:
    """A progress event: at the start (``file`` None), after every row, and once with
    ``status="finalising"`` (``file`` None) when the outputs are being written."""

    done: int
    total: int | None
    file: str | None = None
    status: str | None = None
    seconds: float | None = None
    reused: bool = False
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchSummary:
    """What a batch did. ``failed`` counts rows by status (everything but ``ok``)."""

    out_dir: str
    total: int
    ok: int
    duplicates: int
    failed: dict[str, int]
    scored: int
    reused: int
    cases: int
    slowest: list[tuple[str, float]]
    seconds: float
    model: dict[str, Any]
    outputs: dict[str, str]
    notes: list[str] = field(default_factory=list)

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())


# ---------------------------------------------------------------- the per-file function


@dataclass(frozen=True)
class _Settings:
    model_path: str
    trust: bool
    n_evidence: int
    timeout: float
    memory_mb: int


@dataclass(frozen=True)
class _Task:
    item: InputFile
    sha256: str


@dataclass
class _Result:
    fields: dict[str, Any]
    passages: bytes | None = None
    seconds: float = 0.0
    restart: bool = False


_MODELS: dict[tuple[str, bool], tuple[Any, Any]] = {}
_MODELS_LOCK = threading.Lock()


def _model(settings: _Settings) -> tuple[Any, Any]:
    """The model of this process, loaded (and spaCy warmed up) once."""
    key = (settings.model_path, settings.trust)
    with _MODELS_LOCK:
        if key not in _MODELS:
            from vcse_modes.api import load, score_document
            from vcse_modes.ingest import ingest_bytes

            model, card = load(settings.model_path, trust=settings.trust)
            warm = ingest_bytes(b"The council tendered the contract. We co-designed the service together.",
                                "warm-up.txt")
            score_document(warm, model, card, n_evidence=0)
            _MODELS[key] = (model, card)
        return _MODELS[key]


def _failure(status: str, message: str) -> dict[str, Any]:
    return {"status": status, "error": message, "format": None, **dict.fromkeys(SCORE_FIELDS), "warnings": []}


def _inject_fault(file: str, settings: _Settings) -> None:
    """Test-only faults (see the module docstring); a no-op unless the variable is set."""
    spec = os.environ.get(FAULTS_ENV)
    if not spec:
        return
    faults = json.loads(spec)
    action = faults.get(os.path.basename(file)) or faults.get("*")
    if not action:
        return
    if action == "hang":
        time.sleep(3600)
    elif action == "crash":
        os._exit(70)
    elif action == "segfault":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif action == "memory":
        if settings.memory_mb <= 0:
            raise MemoryError("simulated")
        bytearray(settings.memory_mb * 2 * MIB)
    elif action.startswith("sleep:"):
        time.sleep(float(action.split(":", 1)[1]))


def _with_role(document: Any, role: str) -> Any:
    """Give every passage without a speaker role the document's role (manifest ``role``)."""
    if role == "unknown":
        return document
    blocks = tuple(replace(b, role=role) if b.role == "unknown" else b for b in document.blocks)
    return replace(document, blocks=blocks)


PASSAGES_MAGIC = b"VCSEP1\n"
# The arrays of a passages file, in order: (dtype, columns). Encoder and reader both follow it.
PASSAGE_ARRAYS = (("<f8", len(MODES)), ("<f8", len(MEDIA)), ("<i8", 5), ("u1", 1), ("u1", len(MEDIA)))


def encode_passages(passages: Sequence[Any]) -> bytes:
    """Scored passages as one small binary file (full-precision probabilities, texts included).

    Layout: ``PASSAGES_MAGIC``, a JSON header line (count, source, role names), then
    plain little-endian arrays (mode probabilities, media probabilities, offsets, role
    codes, media labels) and last a zlib-compressed JSON of texts and speakers. Pooling a
    case reads the arrays without touching the texts; nothing is unpickled.
    """
    import zlib

    import numpy as np

    n = len(passages)
    roles = sorted({p.role for p in passages})
    sources = sorted({p.source for p in passages})
    header = {"n": n, "roles": roles, "sources": sources}
    columns = (
        [p.mode_proba for p in passages],
        [p.media_proba for p in passages],
        [(p.index, p.start, p.end, -1 if p.page is None else p.page, sources.index(p.source))
         for p in passages],
        [roles.index(p.role) for p in passages],
        [[m in p.media for m in MEDIA] for p in passages],
    )
    arrays = [np.array(values, dtype=dtype).reshape(n, width) if width > 1 else np.array(values, dtype=dtype)
              for values, (dtype, width) in zip(columns, PASSAGE_ARRAYS, strict=True)]
    words = json.dumps({"text": [p.text for p in passages], "speaker": [p.speaker for p in passages]},
                       ensure_ascii=False).encode("utf-8", "backslashreplace")
    return b"".join([PASSAGES_MAGIC, json.dumps(header).encode() + b"\n",
                     *(a.tobytes() for a in arrays), zlib.compress(words, 6)])


def _read_passages(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[Any], bytes]:
    import numpy as np

    data = Path(path).read_bytes()
    if not data.startswith(PASSAGES_MAGIC):
        raise VcseModesError(f"{path}: not a vcse-modes passages file; delete it and rerun the batch")
    line_end = data.index(b"\n", len(PASSAGES_MAGIC))
    header = json.loads(data[len(PASSAGES_MAGIC):line_end])
    n, offset, arrays = header["n"], line_end + 1, []
    for dtype, width in PASSAGE_ARRAYS:
        count = n * width
        array = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
        arrays.append(array.reshape(n, width) if width > 1 else array)
        offset += array.nbytes
    return header, arrays, data[offset:]


def load_passage_arrays(path: str | os.PathLike[str]) -> Any:
    """The numeric columns of :func:`encode_passages` output, without the texts."""
    import numpy as np

    from vcse_modes.scoring import PassageArrays

    header, (mode_proba, media_proba, ints, roles, _), _ = _read_passages(path)
    return PassageArrays(source=np.array(header["sources"] or [""], dtype=str)[ints[:, 4]],
                         start=ints[:, 1], end=ints[:, 2],
                         role=np.array(header["roles"] or [""], dtype=str)[roles],
                         mode_proba=mode_proba, media_proba=media_proba)


def decode_passages(path: str | os.PathLike[str]) -> Iterator[Any]:
    """Read back :func:`encode_passages` output as ScoredPassages."""
    import zlib

    from vcse_modes.scoring import ScoredPassage

    header, (mode_proba, media_proba, ints, roles, media), packed = _read_passages(path)
    words = json.loads(zlib.decompress(packed).decode("utf-8"))
    mode_rows, media_rows, labels = mode_proba.tolist(), media_proba.tolist(), media.tolist()
    for i, (index, start, end, page, source) in enumerate(ints.tolist()):
        yield ScoredPassage(text=words["text"][i], start=start, end=end, page=None if page < 0 else page,
                            speaker=words["speaker"][i], role=header["roles"][roles[i]],
                            mode_proba=tuple(mode_rows[i]), media_proba=tuple(media_rows[i]),
                            media=tuple(m for m, on in zip(MEDIA, labels[i], strict=True) if on),
                            source=header["sources"][source], index=index)


def score_task(task: _Task, settings: _Settings) -> _Result:
    """Ingest and score one file; every failure becomes a result (never raises for the file)."""
    model, card = _model(settings)
    start = time.perf_counter()
    item = task.item
    restart = False
    blob = None
    try:
        _inject_fault(item.file, settings)
        from vcse_modes.api import score_document
        from vcse_modes.ingest import ingest_bytes

        data = Path(item.path or "").read_bytes()
        document = _with_role(ingest_bytes(data, item.file, default_role=item.role), item.role)
        record, passages = score_document(document, model, card, n_evidence=settings.n_evidence)
        fields = {"status": "ok", "error": None, "format": document.format,
                  **{k: record[k] for k in SCORE_FIELDS}, "warnings": list(record["warnings"])}
        if document.sha256 != task.sha256:
            fields["warnings"].append("the file changed while the batch ran; rerun to score its new content")
        blob = encode_passages(passages)
    except VcseModesError as error:
        fields = _failure(error.status, str(error))
    except MemoryError:
        limit = f"--memory-mb {settings.memory_mb}" if settings.memory_mb > 0 else "no --memory-mb cap"
        fields = _failure("error", f"{item.file}: ran out of memory ({limit}); raise it or split the file")
        restart = True
    except OSError as error:
        fields = _failure("error", f"{item.file}: cannot read ({error.strerror or error})")
    except Exception as error:  # a bug or a library choking: isolate it to this file
        fields = _failure("error", f"{item.file}: {type(error).__name__}: {error}")
    return _Result(fields, blob, time.perf_counter() - start, restart)


# ---------------------------------------------------------------- local worker pool


def _exit_with_parent() -> None:
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def _limit_memory(memory_mb: int) -> None:
    if memory_mb <= 0:
        return
    try:
        import resource
    except ImportError:  # Windows: no address-space cap
        return
    limit = memory_mb * MIB
    used = _vm_size()
    if used is not None and used + 256 * MIB > limit:
        raise VcseModesError(f"--memory-mb {memory_mb} is too small: a worker already uses {used // MIB} MB "
                             f"after loading the model; allow at least {used // MIB + 512}")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _worker_main(conn: Any, settings: _Settings) -> None:
    """A worker process: load the model once, then score the files the parent sends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops workers
    _exit_with_parent()
    try:
        _model(settings)
        with contextlib.suppress(Exception):
            from threadpoolctl import threadpool_limits

            threadpool_limits(1)  # parallelism comes from processes; no BLAS oversubscription
        _limit_memory(settings.memory_mb)
    except BaseException as error:  # report why start-up failed, then stop
        try:
            conn.send(("fatal", error))
        except Exception:
            conn.send(("fatal", VcseModesError(f"{type(error).__name__}: {error}")))
        return
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            # Nothing is left to flush (results went through the pipe): skip the interpreter's
            # teardown of spaCy and the model, which sat on the batch's serial end.
            conn.close()
            os._exit(0)
        result = score_task(task, settings)
        try:
            conn.send(("done", result))
        except OSError:
            return
        if result.restart:
            return


def _death_reason(exitcode: int | None) -> str:
    if exitcode is None:
        return "it stopped responding"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


class _Worker:
    def __init__(self, context: Any, settings: _Settings) -> None:
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=_worker_main, args=(child, settings), daemon=True,
                                       name="vcse-modes-batch-worker")
        self.process.start()
        child.close()
        self.state = "starting"
        self.asked_to_stop = False
        self.task: _Task | None = None
        self.started = time.monotonic()
        self.deadline = self.started + max(STARTUP_TIMEOUT, settings.timeout)

    def send(self, task: _Task, timeout: float) -> None:
        self.conn.send(task)
        self.task, self.state = task, "busy"
        self.started = time.monotonic()
        self.deadline = self.started + timeout if timeout > 0 else float("inf")

    def ask_to_stop(self) -> None:
        """Tell an idle worker to exit, without waiting (see :meth:`stop`)."""
        if self.process.is_alive() and self.state == "idle" and not self.asked_to_stop:
            self.asked_to_stop = True
            with contextlib.suppress(OSError):
                self.conn.send(None)

    def stop(self, *, kill: bool = False) -> None:
        if self.process.is_alive() and not kill:
            self.ask_to_stop()
            self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()
        self.state = "stopped"


def _run_local(planner: _Planner, settings: _Settings, jobs: int,
               on_result: Callable[[_Task, _Result], None]) -> None:
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("spawn")
    workers: list[_Worker] = []
    pending: list[_Task] = []
    exhausted = False
    startup_failures = 0
    try:
        while True:
            # A task ready for every worker, so one that finishes gets its next file at once.
            while not exhausted and len(pending) < jobs:
                task = planner.next_task()
                if task is None:
                    exhausted = True
                else:
                    pending.append(task)
            available = sum(w.state in ("idle", "starting") for w in workers)
            while len(workers) < jobs and available < len(pending):
                workers.append(_Worker(context, settings))
                available += 1
            for worker in workers:
                if worker.state == "idle" and pending:
                    worker.send(pending.pop(0), settings.timeout)
            if exhausted and not pending and not any(w.state == "busy" for w in workers):
                return
            live = [w for w in workers if w.state in ("busy", "starting")]
            now = time.monotonic()
            wait_for = max(0.0, min(w.deadline for w in live) - now) if live else 0.0
            wait([w.conn for w in live] + [w.process.sentinel for w in live], min(wait_for, 3600.0))
            for worker in live:
                while worker.state != "stopped" and worker.conn.poll():
                    try:
                        kind, payload = worker.conn.recv()
                    except (EOFError, OSError):
                        break
                    if kind == "fatal":
                        if isinstance(payload, VcseModesError):
                            raise payload
                        raise ModelError(f"a worker could not load or run the model "
                                         f"({type(payload).__name__}: {payload})", settings.model_path)
                    if kind == "ready":
                        worker.state, startup_failures = "idle", 0
                    elif kind == "done":
                        task, worker.task, worker.state = worker.task, None, "idle"
                        payload.seconds = time.monotonic() - worker.started
                        if pending and not payload.restart:  # before writing this result out
                            worker.send(pending.pop(0), settings.timeout)
                        on_result(task, payload)
                        if payload.restart:
                            worker.stop()
                if worker.state == "stopped":
                    continue
                if not worker.process.is_alive():
                    reason = _death_reason(worker.process.exitcode)
                    if worker.state == "busy" and worker.task is not None:
                        task = worker.task
                        message = (f"{task.item.file}: the worker process died while reading or scoring "
                                   f"this file ({reason}); the rest of the batch went on")
                        seconds = time.monotonic() - worker.started
                        on_result(task, _Result(_failure("crashed", message), seconds=seconds))
                    elif worker.state == "starting":
                        startup_failures += 1
                        if startup_failures >= 3:
                            raise VcseModesError(
                                f"worker processes keep dying while loading the model ({reason})")
                    worker.stop(kill=True)
                elif time.monotonic() >= worker.deadline:
                    if worker.state == "busy" and worker.task is not None:
                        task = worker.task
                        worker.stop(kill=True)
                        message = (f"{task.item.file}: no result after {settings.timeout:g} s; the worker "
                                   "was stopped (raise --timeout for very long documents)")
                        on_result(task, _Result(_failure("timeout", message), seconds=settings.timeout))
                    else:
                        worker.stop(kill=True)
                        raise VcseModesError(
                            f"a worker process did not load the model within {STARTUP_TIMEOUT:g} s")
            workers = [w for w in workers if w.state != "stopped"]
    finally:
        for worker in workers:  # all at once: workers exit in parallel
            worker.ask_to_stop()
        for worker in workers:
            if worker.state != "stopped":
                worker.stop(kill=worker.state != "idle")


# ---------------------------------------------------------------- dask backend


def _sequential_score(task: _Task, settings: _Settings) -> _Result:
    # Inside a dask task joblib's active backend is dask: scikit-learn's own joblib calls
    # (FeatureUnion.transform) would queue nested tasks behind this one and deadlock.
    from joblib import parallel_config

    with parallel_config(backend="sequential"):
        return score_task(task, settings)


def _score_with_deadline(task: _Task, settings: _Settings) -> tuple[_Task, _Result]:
    """The per-file function as a dask task: the time limit is enforced in the task."""
    from joblib import parallel_config

    with parallel_config(backend="sequential"):
        _model(settings)  # load outside the deadline (once per worker process)
    if settings.timeout <= 0:
        return task, _sequential_score(task, settings)
    box: dict[str, _Result] = {}
    thread = threading.Thread(target=lambda: box.setdefault("result", _sequential_score(task, settings)),
                              daemon=True)
    thread.start()
    thread.join(settings.timeout)
    if "result" not in box:
        return task, _Result(_failure("timeout", (
            f"{task.item.file}: no result after {settings.timeout:g} s; abandoned "
            "(raise --timeout for very long documents)")), seconds=settings.timeout)
    return task, box["result"]


def _run_dask(planner: _Planner, settings: _Settings, jobs: int, scheduler: Any,
              on_result: Callable[[_Task, _Result], None]) -> None:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise VcseModesError("the dask backend needs dask and distributed: "
                             "pip install 'vcse-modes[dask]' (or 'dask[distributed]')") from None
    from joblib import Parallel, delayed, parallel_config

    cluster = client = None
    if scheduler is None:
        memory = f"{settings.memory_mb}MiB" if settings.memory_mb > 0 else "auto"
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                               dashboard_address=None, memory_limit=memory)
        client = Client(cluster)
    elif isinstance(scheduler, str):
        client = Client(scheduler)
    active = client if client is not None else scheduler
    chunk_size = max(64, 8 * jobs)
    try:
        with parallel_config(backend="dask", client=active):
            while True:
                chunk = []
                while len(chunk) < chunk_size:
                    task = planner.next_task()
                    if task is None:
                        break
                    chunk.append(task)
                if not chunk:
                    return
                calls = (delayed(_score_with_deadline)(task, settings) for task in chunk)
                for task, result in Parallel(n_jobs=-1, return_as="generator_unordered")(calls):
                    on_result(task, result)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


# ---------------------------------------------------------------- journal, resume, planning


def _json_line(record: Mapping[str, Any]) -> bytes:
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "backslashreplace") + b"\n"


def _read_index(path: Path) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """(offset, length, row) of every complete, valid line of a JSONL file."""
    if not path.exists():
        return
    with open(path, "rb") as handle:
        offset = 0
        for raw in handle:
            length = len(raw)
            if raw.endswith(b"\n"):
                try:
                    row = json.loads(raw)
                except ValueError:
                    row = None
                if isinstance(row, dict) and row.get("file") is not None:
                    yield offset, length, row
            offset += length


def _row_key(row: Mapping[str, Any]) -> str:
    return row.get("_key") or row["file"]


def cache_path(out_dir: str | os.PathLike[str], sha256: str, role: str, model_sha256: str | None) -> Path:
    """Where the passages of one scored content (file hash, role, model) are kept."""
    name = f"{sha256}-{role}-{(model_sha256 or 'untrusted')[:16]}.passages"
    return Path(out_dir) / CACHE_DIR / sha256[:2] / name


def _write_cache(path: Path, data: bytes) -> None:
    # Write-then-rename (no fsync): a killed process never leaves a torn file behind.
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


class _Previous:
    """Rows of earlier runs, consolidated into one file and indexed by row key."""

    def __init__(self, out: Path, model_sha: str | None, n_evidence: int) -> None:
        self.out, self.model_sha = out, model_sha
        self.path = out / PREVIOUS
        self.entries: dict[str, tuple[int, int, dict[str, Any]]] = {}
        self.note: str | None = None
        old_options = _read_json(out / "manifest.json").get("options", {})
        if "n_evidence" in old_options and old_options["n_evidence"] != n_evidence:
            self.note = (f"--evidence changed ({old_options['n_evidence']} -> {n_evidence}): "
                         "earlier rows were not reused")
            return
        sources = [out / "documents.jsonl", self.path, out / JOURNAL]
        latest: dict[str, tuple[int, int, int]] = {}
        for number, source in enumerate(sources):
            for offset, length, row in _read_index(source):
                # Rows without content (unreadable entries, manifest repeats) and duplicates are
                # always rebuilt, never reused.
                if row.get("sha256") and not (row.get("duplicate_of") or row.get("_dup")):
                    latest[_row_key(row)] = (number, offset, length)
        with _atomic_output(self.path, binary=True) as target:
            handles = {n: open(s, "rb") for n, s in enumerate(sources) if s.exists()}  # noqa: SIM115
            try:
                position = 0
                for key, (number, offset, length) in latest.items():
                    handles[number].seek(offset)
                    raw = handles[number].read(length)
                    row = json.loads(raw)
                    target.write(raw)
                    self.entries[key] = (position, length, {k: row.get(k) for k in
                                                            ("sha256", "role", "status", "model")})
                    position += length
            finally:  # closed before the replace: Windows cannot replace an open file
                for handle in handles.values():
                    handle.close()
        (out / JOURNAL).unlink(missing_ok=True)
        self.handle = open(self.path, "rb")  # noqa: SIM115 - closed by close()

    def reusable(self, item: InputFile, sha: str) -> dict[str, Any] | None:
        entry = self.entries.get(item.key)
        if entry is None:
            return None
        offset, length, facts = entry
        if (facts["sha256"] != sha or facts["role"] != item.role or facts["status"] in RETRY_ON_RESUME
                or (facts.get("model") or {}).get("sha256") != self.model_sha):
            return None
        if facts["status"] == "ok" and not cache_path(self.out, sha, item.role, self.model_sha).exists():
            return None
        self.handle.seek(offset)
        return json.loads(self.handle.read(length))

    def close(self) -> None:
        if hasattr(self, "handle"):
            self.handle.close()


class _Planner:
    """Turns input entries into tasks; rows needing no worker are recorded on the way."""

    def __init__(self, items: Iterable[InputFile], previous: _Previous | None,
                 record: Callable[..., None]) -> None:
        self.items = iter(items)
        self.previous = previous
        self.record = record
        self.seen: dict[tuple[str, str], tuple[str, str]] = {}

    def next_task(self) -> _Task | None:
        for item in self.items:
            task = self._plan(item)
            if task is not None:
                return task
        return None

    def _plan(self, item: InputFile) -> _Task | None:
        from vcse_modes.modelio import file_sha256

        if item.problem is not None or item.path is None:
            status, message = item.problem or ("error", f"{item.file}: nothing to read")
            self.record(item, None, _failure(status, message))
            return None
        try:
            sha = file_sha256(item.path)
        except OSError as error:
            message = f"{item.file}: cannot read ({error.strerror or error})"
            self.record(item, None, _failure("error", message))
            return None
        original = self.seen.get((sha, item.role))
        if original is not None:
            self.record(item, sha, {"status": None, "duplicate_of": original[1], "_dup": original[0]})
            return None
        self.seen[(sha, item.role)] = (item.key, item.file)
        if self.previous is not None:
            row = self.previous.reusable(item, sha)
            if row is not None:
                self.record(item, sha, {k: row.get(k) for k in RESULT_FIELDS}, reused=True,
                            seconds=row.get("_seconds"))
                return None
        return _Task(item, sha)


# ---------------------------------------------------------------- outputs


@contextlib.contextmanager
def _atomic_output(path: Path, *, binary: bool = False) -> Iterator[Any]:
    """Stream into a temp file beside ``path``; fsync and ``os.replace`` it on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.chmod(temp, 0o666 & ~_umask())  # like a normal file, not mkstemp's 0600
        if binary:
            stream = os.fdopen(handle, "wb")
        else:
            stream = os.fdopen(handle, "w", encoding="utf-8", newline="", errors="backslashreplace")
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_text(path: Path, text: str) -> None:
    with _atomic_output(path) as stream:
        stream.write(text)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _clean_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in DOCUMENT_FIELDS}


def _case_order(case: str) -> tuple[bool, str]:
    return case == NO_CASE, case


@dataclass
class _Final:
    counts: dict[str, int]
    duplicates: int
    case_rows: list[dict[str, Any]]
    files: list[dict[str, Any]]
    failures: list[dict[str, Any]]


def _finalise(out: Path, model_sha: str | None, *, write_passages: bool, n_evidence: int,
              case_attributes: Mapping[str, Mapping[str, Any]], jobs: int = 1) -> _Final:
    """Journal -> sorted documents, pooled cases, passages; all written atomically.

    With ``jobs`` > 1, case records (mostly NumPy bootstrap work, which releases the GIL)
    are computed in that many threads, and written in case order all the same.
    """
    import csv
    from collections import deque
    from concurrent.futures import Future, ThreadPoolExecutor

    from vcse_modes.cases import case_csv_columns, case_record, merge_evidence
    from vcse_modes.formats import flatten
    from vcse_modes.scoring import PassageArrays

    journal = out / JOURNAL
    index: dict[str, tuple[str, int, int]] = {}
    for offset, length, row in _read_index(journal):
        index[_row_key(row)] = (row["file"], offset, length)
    order = sorted(index, key=lambda k: (index[k][0], k))
    counts: dict[str, int] = {}
    duplicates = 0
    by_case: dict[str, list[str]] = {}
    files: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    keep_cache: set[Path] = set()

    with open(journal, "rb") as source:

        def load(key: str) -> dict[str, Any]:
            _, offset, length = index[key]
            source.seek(offset)
            row = json.loads(source.read(length))
            if row.get("_dup") is not None:
                original = index.get(row["_dup"])
                if original is None:
                    row.update(_failure("error", f"{row['file']}: duplicate of a file that was not scored"))
                else:
                    source.seek(original[1])
                    first = json.loads(source.read(original[2]))
                    row.update({k: first.get(k) for k in (*RESULT_FIELDS, "model")})
            return row

        with _atomic_output(out / "documents.jsonl", binary=True) as jsonl, \
                _atomic_output(out / "documents.csv") as csv_stream:
            writer = csv.DictWriter(csv_stream, fieldnames=document_csv_columns(), extrasaction="ignore",
                                    lineterminator="\n")
            writer.writeheader()
            for key in order:
                row = _clean_row(load(key))
                jsonl.write(_json_line(row))
                writer.writerow(flatten(row))
                counts[row["status"]] = counts.get(row["status"], 0) + 1
                duplicates += bool(row["duplicate_of"])
                by_case.setdefault(row["case"] or NO_CASE, []).append(key)
                files.append({"file": row["file"], "sha256": row["sha256"], "status": row["status"]})
                if row["status"] != "ok" and len(failures) < MAX_REPORTED_FAILURES:
                    failures.append({"file": row["file"], "case": row["case"], "status": row["status"],
                                     "error": row["error"]})
                if row["status"] == "ok" and row["sha256"]:
                    keep_cache.add(cache_path(out, row["sha256"], row["role"], model_sha))

        case_rows: list[dict[str, Any]] = []
        with contextlib.ExitStack() as stack:
            passages_out = None
            if write_passages:
                raw = stack.enter_context(_atomic_output(out / "passages.jsonl.gz", binary=True))
                passages_out = stack.enter_context(
                    gzip.GzipFile(filename="", mode="wb", mtime=0, fileobj=raw))
            case_jsonl = stack.enter_context(_atomic_output(out / "cases.jsonl", binary=True))
            case_csv = stack.enter_context(_atomic_output(out / "cases.csv"))
            writer = csv.DictWriter(case_csv, fieldnames=case_csv_columns(), extrasaction="ignore",
                                    lineterminator="\n")
            writer.writeheader()
            pool = stack.enter_context(ThreadPoolExecutor(jobs, "case-record")) if jobs > 1 else None
            in_flight: deque[Future] = deque()

            def emit(record: dict[str, Any]) -> None:
                case_jsonl.write(_json_line(record))
                writer.writerow(flatten({k: v for k, v in record.items() if k != "evidence"}))
                case_rows.append(record)

            for case in sorted(by_case, key=_case_order):
                attributes = dict(case_attributes.get(case, {}))
                tally = {"documents": 0, "ok": 0, "failed": 0, "duplicates": 0}
                pooled, evidence, used = [], [], set()
                for key in by_case[case]:
                    row = load(key)
                    tally["documents"] += 1
                    tally["duplicates"] += bool(row.get("duplicate_of"))
                    for name in ("site", "tracer"):
                        attributes[name] = attributes.get(name) or row.get(name)
                    if row["status"] != "ok":
                        tally["failed"] += 1
                        continue
                    tally["ok"] += 1
                    path = cache_path(out, row["sha256"], row["role"], model_sha)
                    if path in used:
                        continue  # the same content twice in one case counts once
                    used.add(path)
                    pooled.append(load_passage_arrays(path))
                    evidence = merge_evidence(evidence, row.get("evidence") or [], row["file"], n_evidence)
                    if passages_out is not None:
                        for p in decode_passages(path):
                            passages_out.write(_json_line({
                                "case": case, "file": row["file"], "index": p.index, "start": p.start,
                                "end": p.end, "page": p.page, "speaker": p.speaker, "role": p.role,
                                "mode": p.mode, "media": list(p.media),
                                "commodified": round(p.commodified, 6),
                                "collaborative": round(p.collaborative, 6),
                                "mode_proba": [round(x, 6) for x in p.mode_proba],
                                "media_proba": [round(x, 6) for x in p.media_proba], "text": p.text}))
                arguments = (case, PassageArrays.concat(pooled))
                details = {"site": attributes.get("site"), "tracer": attributes.get("tracer"),
                           "counts": tally, "evidence": evidence}
                del pooled
                if pool is None:
                    emit(case_record(*arguments, **details))
                    continue
                in_flight.append(pool.submit(case_record, *arguments, **details))
                if len(in_flight) >= jobs:  # bounded: jobs pooled cases in flight, one being gathered
                    emit(in_flight.popleft().result())
            while in_flight:
                emit(in_flight.popleft().result())

    cache_root = out / CACHE_DIR
    if cache_root.is_dir():
        for path in cache_root.glob("*/*"):
            if path not in keep_cache:
                path.unlink(missing_ok=True)
    return _Final(counts, duplicates, case_rows, files, failures)


# ---------------------------------------------------------------- run_batch


def _model_facts(model: str | None, trust: bool) -> tuple[str, dict[str, Any]]:
    """Model folder and identity block, without unpickling the model in the parent."""
    from vcse_modes.errors import UntrustedModelError
    from vcse_modes.modelio import MODEL_FILE, file_sha256, read_card, resolve_model

    folder = resolve_model(model)
    try:
        card = read_card(folder)
    except UntrustedModelError:
        if not trust:
            raise
        card = {}
    sha = file_sha256(folder / MODEL_FILE)
    identity = {"name": card.get("name", "unknown"), "version": card.get("version", "unknown"), "sha256": sha}
    return str(folder.resolve()), identity


def _versions(backend: str) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    from vcse_modes.modelio import library_versions

    versions = library_versions()
    for package in ("matplotlib", *(("dask", "distributed") if backend == "dask" else ())):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def run_batch(
    inputs: str | os.PathLike[str] | Iterable[InputFile],
    out_dir: str | os.PathLike[str],
    *,
    model: str | None = None,
    jobs: int = 1,
    resume: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    backend: str = "loky",
    scheduler: Any = None,
    write_passages: bool = False,
    n_evidence: int = 3,
    progress: Callable[[BatchProgress], None] | None = None,
    cases: str | os.PathLike[str] | Mapping[str, Mapping[str, Any]] | None = None,
    trust_model: bool = False,
    report: bool = True,
) -> BatchSummary:
    """Score every file of a folder or manifest CSV into ``out_dir``; see the module docstring.

    Parameters
    ----------
    inputs:
        A folder, a manifest CSV, or an iterable of :class:`~vcse_modes.cases.InputFile`.
    model:
        Model folder or installed model name (``None``: the shipped default).
    jobs:
        Worker processes (``0``: one per CPU). Outputs do not depend on it.
    resume:
        Reuse rows of an earlier (possibly killed) run in ``out_dir``.
    timeout:
        Seconds allowed per file (``0``: no limit).
    memory_mb:
        Address-space cap per worker in MB (``0``: none).
    backend, scheduler:
        ``"loky"`` (local worker pool) or ``"dask"``; ``scheduler`` is a dask scheduler
        address or a ``distributed.Client`` (default: a new LocalCluster).
    write_passages:
        Also write ``passages.jsonl.gz``.
    n_evidence:
        Evidence passages per pole, per document and per case.
    progress:
        Called with a :class:`BatchProgress` at the start and after every row.
    cases:
        A cases CSV (``case, site, tracer``) or a mapping ``case -> {"site", "tracer"}``.
    trust_model:
        Load a model whose hash its card does not vouch for.
    report:
        Write ``report.html`` (needs matplotlib).

    Returns
    -------
    BatchSummary

    Notes
    -----
    Worker processes are started with the ``spawn`` method: scripts calling this must
    guard their entry point with ``if __name__ == "__main__":``.
    """
    if backend not in ("loky", "dask"):
        raise ValueError(f"backend must be 'loky' or 'dask', not {backend!r}")
    if scheduler is not None and backend != "dask":
        raise ValueError("a scheduler needs backend='dask'")
    jobs = jobs if jobs > 0 else (os.cpu_count() or 1)
    clock = time.monotonic()
    started = _now()
    model_path, identity = _model_facts(model, trust_model)
    settings = _Settings(model_path, trust_model, n_evidence, float(timeout or 0), int(memory_mb or 0))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lock = _lock_output(out)
    try:
        return _run_locked(inputs, out, model_path, identity, settings, jobs=jobs, resume=resume,
                           backend=backend, scheduler=scheduler, write_passages=write_passages,
                           n_evidence=n_evidence, progress=progress, cases=cases, trust_model=trust_model,
                           report=report, clock=clock, started=started)
    finally:
        lock.close()


def _lock_output(out: Path) -> Any:
    """Hold an exclusive lock on ``out/.lock`` (released when the process ends, even by SIGKILL)."""
    handle = open(out / ".lock", "a+b")  # noqa: SIM115 - the caller closes it
    try:
        import fcntl
    except ImportError:  # Windows: no advisory lock
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise VcseModesError("another batch is writing to this output folder; wait for it or use "
                             "another --out", str(out)) from None
    return handle


def _run_locked(inputs: Any, out: Path, model_path: str, identity: dict[str, Any], settings: _Settings, *,
                jobs: int, resume: bool, backend: str, scheduler: Any, write_passages: bool, n_evidence: int,
                progress: Callable[[BatchProgress], None] | None, cases: Any, trust_model: bool, report: bool,
                clock: float, started: str) -> BatchSummary:
    from vcse_modes import __version__
    from vcse_modes.cases import count_inputs, iter_inputs, read_cases

    if cases is None:
        case_attributes: Mapping[str, Mapping[str, Any]] = {}
    elif isinstance(cases, Mapping):
        case_attributes = cases
    else:
        case_attributes = read_cases(cases)

    exclude = [out] + ([cases] if isinstance(cases, (str, os.PathLike)) else [])
    if isinstance(inputs, (str, os.PathLike)):
        source = os.fspath(inputs)
        kind = "folder" if Path(source).is_dir() else "manifest"
        total: int | None = count_inputs(source, exclude=exclude)
        items: Iterable[InputFile] = iter_inputs(source, exclude=exclude, cases=case_attributes)
    else:
        from vcse_modes.cases import with_case_attributes

        source, kind, total = None, "list", None
        items = (with_case_attributes(item, case_attributes) for item in inputs)
    options = {"jobs": jobs, "resume": resume, "timeout": settings.timeout, "memory_mb": settings.memory_mb,
               "backend": backend, "scheduler": scheduler if isinstance(scheduler, str) or scheduler is None
               else type(scheduler).__name__, "passages": write_passages, "n_evidence": n_evidence,
               "trust_model": trust_model}

    notes: list[str] = []
    previous = None
    if resume:
        previous = _Previous(out, identity["sha256"], n_evidence)
        if previous.note:
            notes.append(previous.note)
    else:
        for name in (JOURNAL, PREVIOUS):
            (out / name).unlink(missing_ok=True)
    manifest = {
        "tool": {"name": "vcse-modes", "version": __version__},
        "libraries": _versions(backend),
        "model": {**identity, "path": model_path},
        "input": {"path": source, "kind": kind, "cases_file": os.fspath(cases)
                  if isinstance(cases, (str, os.PathLike)) else None},
        "options": options,
        "started": started,
        "finished": None,
        "complete": False,
    }
    _write_text(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")

    state = {"done": 0, "scored": 0, "reused": 0}
    running: dict[str, int] = {}
    slowest: list[tuple[float, str]] = []
    journal = open(out / JOURNAL, "ab")  # noqa: SIM115 - closed in the finally below

    def record(item: InputFile, sha: str | None, fields: Mapping[str, Any], *, reused: bool = False,
               seconds: float | None = None, scored: bool = False) -> None:
        row = {"file": item.file, "case": item.case, "site": item.site, "tracer": item.tracer,
               "role": item.role, "date": item.date, "status": None, "error": None, "duplicate_of": None,
               "sha256": sha, "format": None, **dict.fromkeys(SCORE_FIELDS), "model": identity,
               "warnings": [], **fields, "_key": item.key}
        if seconds is not None:
            row["_seconds"] = round(seconds, 3)
        journal.write(_json_line(row))
        journal.flush()
        status = "duplicate" if row.get("_dup") is not None else row["status"]
        running[status] = running.get(status, 0) + 1
        state["done"] += 1
        state["reused"] += reused
        state["scored"] += scored
        if scored and seconds is not None:
            heapq.heappush(slowest, (seconds, item.file))
            if len(slowest) > 5:
                heapq.heappop(slowest)
        if progress is not None:
            progress(BatchProgress(state["done"], total, item.file, status, seconds, reused, dict(running)))

    def on_result(task: _Task, result: _Result) -> None:
        if result.passages is not None:
            _write_cache(cache_path(out, task.sha256, task.item.role, identity["sha256"]), result.passages)
        record(task.item, task.sha256, result.fields, seconds=result.seconds, scored=True)

    if progress is not None:
        progress(BatchProgress(0, total))
    warm = None
    if report:
        from vcse_modes.htmlreport import warm_up

        warm = threading.Thread(target=warm_up, daemon=True, name="report-warm-up")
        warm.start()
    try:
        planner = _Planner(items, previous, record)
        if backend == "dask":
            _run_dask(planner, settings, jobs, scheduler, on_result)
        else:
            _run_local(planner, settings, jobs, on_result)
    finally:
        journal.close()
        if previous is not None:
            previous.close()

    if progress is not None:
        progress(BatchProgress(state["done"], total, None, "finalising", None, False, dict(running)))
    final = _finalise(out, identity["sha256"], write_passages=write_passages, n_evidence=n_evidence,
                      case_attributes=case_attributes, jobs=jobs)
    outputs = {name: str(out / name)
               for name in ("documents.jsonl", "documents.csv", "cases.jsonl", "cases.csv")}
    if write_passages:
        outputs["passages.jsonl.gz"] = str(out / "passages.jsonl.gz")
    ok = final.counts.get("ok", 0)
    failed = {status: n for status, n in sorted(final.counts.items()) if status != "ok"}
    slow = [(file, round(seconds, 2)) for seconds, file in sorted(slowest, reverse=True)]
    finished = _now()
    if report:
        from vcse_modes.htmlreport import write_report

        if warm is not None:
            warm.join()  # matplotlib is not thread-safe: the warm-up must be over

        write_report(out / "report.html", final.case_rows, failures=final.failures, meta={
            "model": identity, "started": started, "finished": finished, "input": source,
            "documents": len(final.files), "ok": ok, "failed": sum(failed.values()),
            "duplicates": final.duplicates, "version": __version__})
        outputs["report.html"] = str(out / "report.html")
    elapsed = time.monotonic() - clock
    manifest.update({
        "files": final.files,
        "counts": {"documents": len(final.files), "ok": ok, "duplicates": final.duplicates,
                   "failed": failed, "scored_this_run": state["scored"], "reused": state["reused"],
                   "cases": len(final.case_rows)},
        "timing": {"seconds": round(elapsed, 2), "slowest": [{"file": f, "seconds": s} for f, s in slow]},
        "outputs": sorted(Path(p).name for p in outputs.values()),
        "notes": notes,
        "finished": finished,
        "complete": True,
    })
    _write_text(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    outputs["manifest.json"] = str(out / "manifest.json")
    for name in (JOURNAL, PREVIOUS):
        (out / name).unlink(missing_ok=True)
    return BatchSummary(out_dir=str(out), total=len(final.files), ok=ok, duplicates=final.duplicates,
                        failed=failed, scored=state["scored"], reused=state["reused"],
                        cases=len(final.case_rows), slowest=slow, seconds=round(elapsed, 2), model=identity,
                        outputs=outputs, notes=notes)



def export_qdpx(out_dir: str | os.PathLike[str], qdpx_path: str | os.PathLike[str]) -> list[str]:
    """Write a REFI-QDA project for a finished batch: each scored file a source, its evidence coded.

    Files are re-read from where the batch found them (their text is not stored in the outputs);
    a file whose content changed since the batch is skipped with a warning. Returns warnings.
    """
    import hashlib

    from vcse_modes.ingest import ingest
    from vcse_modes.qdpx import export_scored

    out = Path(out_dir)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    root = Path(manifest["input"]["path"])
    base = root if manifest["input"].get("kind") == "folder" else root.parent
    documents, warnings = [], []
    with (out / "documents.jsonl").open(encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            if row["status"] != "ok" or row.get("duplicate_of") or not row.get("evidence"):
                continue
            path = Path(row["file"]) if Path(row["file"]).is_absolute() else base / row["file"]
            data = path.read_bytes() if path.is_file() else b""
            if hashlib.sha256(data).hexdigest() != row["sha256"]:
                warnings.append(f"{row['file']}: changed or missing since the batch; left out of the project")
                continue
            documents.append((row["file"], ingest(path).text, row["evidence"]))
    return warnings + export_scored(qdpx_path, documents, manifest["model"].get("name", "vcse-modes"))
