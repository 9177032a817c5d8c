"""Batch inputs (a folder or a manifest CSV) and case-level scores.

Inputs are streamed: :func:`iter_inputs` yields one :class:`InputFile` at a time and
never lists a whole corpus in memory (one folder's entries at a time are sorted).

Folder input
    ``INPUT/<case>/...`` makes the top folder name the case (deeper folders belong to
    the same case). Files directly in ``INPUT`` belong to no case: their case is
    ``(none)`` (:data:`NO_CASE`), so loose documents are never silently merged into a
    named case; they are pooled in a ``(none)`` row of the case table so every file is
    counted somewhere. Names starting with ``.`` (hidden files, ``.DS_Store``) are
    skipped. Symbolic links to files are read; symbolic links to folders are not
    followed and, like broken links, FIFOs, sockets and folders that cannot be listed,
    become error rows. File names that are not UTF-8 are reported with ``\\xNN``
    escapes (``caf\\xe9.txt``) and still read from their real name.

Manifest input
    A CSV with columns ``file, case, site, tracer, role, date`` (only ``file`` is
    required; a UTF-8 BOM from Excel is fine). Relative paths are resolved against the
    CSV's folder. ``role`` (one of ``vcse_modes.ROLES``) is the default speaker role:
    transcript speakers nobody identified and every passage of a document without
    speaker labels take it, so a document's passages count on its side in the
    commissioner-versus-VCSE view. A file listed twice becomes an error row.

Case attributes
    ``--cases cases.csv`` (columns ``case, site, tracer``) fills ``site`` and ``tracer``
    for every file of a case where the manifest left them empty.
"""

from __future__ import annotations

import csv
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vcse_modes.errors import DataError

NO_CASE = "(none)"
MANIFEST_COLUMNS = ("file", "case", "site", "tracer", "role", "date")
CASES_COLUMNS = ("case", "site", "tracer")
SIDES = ("commissioner", "vcse")
N_BOOTSTRAP = 1000


@dataclass(frozen=True)
class InputFile:
    """One input entry: what to call it, where to read it, and its case attributes.

    ``problem`` is ``(status, message)`` when the entry cannot be read at all (broken
    link, FIFO, missing file, bad role); such entries become error rows without a worker.
    ``key`` identifies the row (the file name, unless a manifest lists a file twice).
    """

    file: str
    path: str | None
    case: str = NO_CASE
    site: str | None = None
    tracer: str | None = None
    role: str = "unknown"
    date: str | None = None
    problem: tuple[str, str] | None = None
    key: str = ""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", self.file)


def display_name(name: str) -> str:
    """A file name safe to print and to write as UTF-8 (undecodable bytes become ``\\xNN``)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


# ---------------------------------------------------------------- inputs


def iter_inputs(source: str | os.PathLike[str], *, exclude: Sequence[str | os.PathLike[str]] = (),
                cases: Mapping[str, Mapping[str, str | None]] | None = None) -> Iterator[InputFile]:
    """Stream the entries of a folder or a manifest CSV, with case attributes filled in.

    ``exclude`` names folders and files to leave out of a folder walk (the output folder
    and the cases CSV when they sit inside the input folder).
    """
    path = Path(source)
    if path.is_dir():
        items: Iterable[InputFile] = walk_folder(path, exclude=exclude)
    elif path.is_file() and path.suffix.lower() == ".csv":
        items = read_manifest(path)
    else:
        raise DataError("input must be a folder or a manifest .csv file (to score single documents "
                        "use 'vcse-modes score')", str(source))
    for item in items:
        yield with_case_attributes(item, cases) if cases else item


def count_inputs(source: str | os.PathLike[str], *, exclude: Sequence[str | os.PathLike[str]] = ()) -> int:
    """How many rows :func:`iter_inputs` will yield (a cheap pass over names only)."""
    return sum(1 for _ in iter_inputs(source, exclude=exclude))


def _sort_key(entry: os.DirEntry[str]) -> str:
    # Folders sort as "name/" so the walk visits files in the order of their full paths.
    try:
        is_dir = entry.is_dir(follow_symlinks=False)
    except OSError:
        is_dir = False
    return display_name(entry.name) + ("/" if is_dir else "")


def walk_folder(root: str | os.PathLike[str], *,
                exclude: Sequence[str | os.PathLike[str]] = ()) -> Iterator[InputFile]:
    """Walk ``root`` recursively in sorted order without following symbolic links."""
    excluded = {os.path.realpath(p) for p in exclude}

    def visit(folder: str, parts: tuple[str, ...]) -> Iterator[InputFile]:
        try:
            with os.scandir(folder) as scan:
                entries = sorted((e for e in scan if not e.name.startswith(".")), key=_sort_key)
        except OSError as error:
            name = "/".join(parts) + "/"
            case = parts[0] if parts else NO_CASE
            message = f"{name}: cannot list folder ({error.strerror})"
            yield InputFile(name, None, case, problem=("error", message))
            return
        for entry in entries:
            rel = (*parts, display_name(entry.name))
            name = "/".join(rel)
            case = rel[0] if len(rel) > 1 else NO_CASE
            real = os.path.join(folder, entry.name)
            if excluded and os.path.realpath(real) in excluded:
                continue
            try:
                if entry.is_symlink():
                    if not os.path.exists(real):
                        yield InputFile(name, None, case, problem=("error", f"{name}: broken symbolic link"))
                    elif os.path.isdir(real):
                        message = f"{name}: symbolic link to a folder, not followed (copy or list its files)"
                        yield InputFile(name, None, case, problem=("error", message))
                    elif stat.S_ISREG(os.stat(real).st_mode):
                        yield InputFile(name, real, case)
                    else:
                        yield InputFile(name, None, case, problem=("error", f"{name}: not a regular file"))
                elif entry.is_dir(follow_symlinks=False):
                    yield from visit(real, rel)
                elif entry.is_file(follow_symlinks=False):
                    yield InputFile(name, real, case)
                else:
                    yield InputFile(name, None, case, problem=(
                        "error", f"{name}: not a regular file (FIFO, socket or device)"))
            except OSError as error:
                message = f"{name}: cannot read ({error.strerror})"
                yield InputFile(name, None, case, problem=("error", message))

    yield from visit(os.fspath(root), ())


def _clean(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _reader(handle: Any, where: str, required: str) -> csv.DictReader:
    reader = csv.DictReader(handle)
    if reader.fieldnames is None:
        raise DataError("CSV file is empty; expected a header row", where)
    reader.fieldnames = [str(name or "").strip().lower() for name in reader.fieldnames]
    if required not in reader.fieldnames:
        raise DataError(f"CSV has no {required!r} column (columns: {', '.join(reader.fieldnames)})", where)
    return reader


def read_manifest(path: str | os.PathLike[str]) -> Iterator[InputFile]:
    """Stream the rows of a manifest CSV (see the module docstring) as InputFiles."""
    from vcse_modes import ROLES

    where = os.fspath(path)
    base = Path(path).resolve().parent
    seen: dict[str, int] = {}
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as error:
        raise DataError(f"cannot read manifest ({error.strerror})", where) from None
    with handle:
        try:
            reader = _reader(handle, where, "file")
            for row in reader:
                line = reader.line_num
                values = {k: _clean(v) for k, v in row.items() if k}
                if not any(values.values()):
                    continue
                case = values.get("case") or NO_CASE
                file = values.get("file")
                meta = {"case": case, "site": values.get("site"), "tracer": values.get("tracer"),
                        "date": values.get("date")}
                role = (values.get("role") or "unknown").lower()
                if not file:
                    yield InputFile(f"(manifest line {line})", None, **meta,
                                    problem=("error", f"manifest line {line}: no file named"))
                    continue
                if file in seen:
                    yield InputFile(file, None, **meta, key=f"{file}\x00{line}", problem=(
                        "error", f"{file}: listed twice in the manifest (lines {seen[file]} and {line})"))
                    continue
                seen[file] = line
                if role not in ROLES:
                    message = f"{file}: role {role!r} (manifest line {line}) is not one of {', '.join(ROLES)}"
                    yield InputFile(file, None, **meta, problem=("error", message))
                    continue
                target = Path(file).expanduser()
                target = target if target.is_absolute() else base / target
                yield _manifest_entry(file, os.fspath(target), role, meta)
        except csv.Error as error:
            raise DataError(f"malformed CSV ({error})", where) from None
        except UnicodeDecodeError:
            raise DataError("manifest is not UTF-8 text; save it as 'CSV UTF-8'", where) from None


def _manifest_entry(file: str, target: str, role: str, meta: dict[str, Any]) -> InputFile:
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        problem = "file not found" if not os.path.islink(target) else "broken symbolic link"
        return InputFile(file, None, role=role, **meta, problem=("error", f"{file}: {problem}"))
    except OSError as error:
        message = f"{file}: cannot read ({error.strerror})"
        return InputFile(file, None, role=role, **meta, problem=("error", message))
    if stat.S_ISDIR(mode):
        return InputFile(file, None, role=role, **meta, problem=(
            "error", f"{file}: is a folder; a manifest lists files"))
    if not stat.S_ISREG(mode):
        return InputFile(file, None, role=role, **meta, problem=("error", f"{file}: not a regular file"))
    return InputFile(file, target, role=role, **meta)


def read_cases(path: str | os.PathLike[str]) -> dict[str, dict[str, str | None]]:
    """Case attributes from a CSV with columns ``case, site, tracer``."""
    where = os.fspath(path)
    cases: dict[str, dict[str, str | None]] = {}
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = _reader(handle, where, "case")
            for row in reader:
                case = _clean(row.get("case"))
                if case is None:
                    continue
                if case in cases:
                    raise DataError(f"case {case!r} appears twice (line {reader.line_num})", where)
                cases[case] = {"site": _clean(row.get("site")), "tracer": _clean(row.get("tracer"))}
    except OSError as error:
        raise DataError(f"cannot read cases file ({error.strerror})", where) from None
    except csv.Error as error:
        raise DataError(f"malformed CSV ({error})", where) from None
    except UnicodeDecodeError:
        raise DataError("cases file is not UTF-8 text; save it as 'CSV UTF-8'", where) from None
    return cases


def with_case_attributes(item: InputFile, cases: Mapping[str, Mapping[str, str | None]]) -> InputFile:
    """Fill ``site``/``tracer`` from the cases table where the entry left them empty."""
    attributes = cases.get(item.case)
    if not attributes:
        return item
    return replace(item, site=item.site or attributes.get("site"),
                   tracer=item.tracer or attributes.get("tracer"))


# ---------------------------------------------------------------- case scores


def _r(value: float) -> float:
    return round(float(value), 4)


def _table(passages: Any) -> Any:
    from vcse_modes.scoring import PassageArrays

    return passages if isinstance(passages, PassageArrays) else PassageArrays.from_passages(passages)


def spectrum_record(passages: Any) -> dict[str, Any]:
    """Score, 95% interval, mode, intensities and media profile of pooled passages.

    ``passages`` is a sequence of ScoredPassage or a :class:`~vcse_modes.scoring.PassageArrays`.
    With no scorable passages the numbers are ``None`` (not a misleading 0).
    """
    from vcse_modes.scoring import aggregate_arrays

    result = aggregate_arrays(_table(passages))
    if result.passages_scored == 0:
        return {"score": None, "ci_low": None, "ci_high": None, "mode": None, "intensity": None,
                "media": None, "passages_scored": 0}
    return {
        "score": _r(result.score),
        "ci_low": _r(result.ci_low),
        "ci_high": _r(result.ci_high),
        "mode": result.mode,
        "intensity": {k: _r(v) for k, v in result.intensity.items()},
        "media": {m: {k: _r(v) for k, v in d.items()} for m, d in result.media.items()},
        "passages_scored": result.passages_scored,
    }


def _poles(passages: Any) -> tuple[Any, Any]:
    kept = _table(passages).canonical()
    return kept.commodified, kept.collaborative


def difference_interval(commissioner: Any, vcse: Any, seed_text: str,
                        n_boot: int = N_BOOTSTRAP) -> tuple[float, float] | None:
    """95% bootstrap interval of (VCSE score - commissioner score), resampling each side's passages."""
    import numpy as np

    from vcse_modes.scoring import bootstrap_scores

    com_side, vcse_side = _poles(commissioner), _poles(vcse)
    if not len(com_side[0]) or not len(vcse_side[0]):
        return None
    rng = np.random.default_rng(int.from_bytes(hashlib.sha256(seed_text.encode()).digest()[:8], "little"))
    diff = bootstrap_scores(*vcse_side, rng, n_boot) - bootstrap_scores(*com_side, rng, n_boot)
    low, high = np.percentile(diff, [2.5, 97.5])
    return float(low), float(high)


def case_record(case: str, passages: Any, *, site: str | None = None, tracer: str | None = None,
                counts: Mapping[str, int] | None = None,
                evidence: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The ``cases`` schema for one case: pooled score plus the two-sided view.

    ``commissioner`` and ``vcse`` hold the same measures computed on each side's
    passages only; ``difference`` is VCSE minus commissioner score (``None`` when a
    side has no passages) with a 95% bootstrap interval.
    """
    table = _table(passages)
    overall = spectrum_record(table)
    sides = {side: table.select(table.role == side) for side in SIDES}
    side_records = {side: spectrum_record(sides[side]) for side in SIDES}
    both = side_records["commissioner"]["score"] is not None and side_records["vcse"]["score"] is not None
    difference = interval = None
    if both:
        difference = _r(side_records["vcse"]["score"] - side_records["commissioner"]["score"])
        interval = difference_interval(sides["commissioner"], sides["vcse"], f"difference|{case}")
    return {
        "case": case,
        "site": site,
        "tracer": tracer,
        **{k: int(v) for k, v in (counts or {}).items()},
        "passages": len(table),
        **overall,
        "commissioner": side_records["commissioner"],
        "vcse": side_records["vcse"],
        "difference": difference,
        "difference_ci_low": _r(interval[0]) if interval else None,
        "difference_ci_high": _r(interval[1]) if interval else None,
        "evidence": list(evidence),
    }


def merge_evidence(best: list[dict[str, Any]], rows: Iterable[Mapping[str, Any]], file: str,
                   n: int) -> list[dict[str, Any]]:
    """Keep the top ``n`` evidence passages per pole across a case's documents.

    A case's strongest passages are always among its documents' own top ``n`` (the
    ranking is the same), so merging the document evidence lists is exact.
    """
    merged = best + [{**row, "file": file} for row in rows]
    out: list[dict[str, Any]] = []
    for pole in ("commodified", "collaborative"):
        ranked = sorted((r for r in merged if r["pole"] == pole),
                        key=lambda r: (-r["p"], r["file"], r["start"]))
        out.extend(ranked[:n])
    return out


def case_csv_columns() -> list[str]:
    """Fixed CSV columns of ``cases.csv`` (nested blocks flattened with dots)."""
    from vcse_modes import MEDIA

    def measures(prefix: str) -> list[str]:
        cols = [f"{prefix}{c}" for c in ("score", "ci_low", "ci_high", "mode", "passages_scored")]
        cols += [f"{prefix}intensity.commodified", f"{prefix}intensity.collaborative"]
        for medium in MEDIA:
            cols += [f"{prefix}media.{medium}.share", f"{prefix}media.{medium}.lean"]
        return cols

    return (["case", "site", "tracer", "documents", "ok", "failed", "duplicates", "passages"]
            + measures("") + measures("commissioner.") + measures("vcse.")
            + ["difference", "difference_ci_low", "difference_ci_high"])
