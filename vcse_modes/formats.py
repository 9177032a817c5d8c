"""Machine output formats (JSON, JSONL, CSV) and atomic file writing.

These write plain text only; the human ``table`` view lives in :mod:`vcse_modes.report`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO


def signed(value: float, digits: int = 2) -> str:
    """``value`` with an explicit sign; a value that rounds to zero prints as +0.00, never -0.00.

    >>> signed(-0.0029), signed(0.5), signed(-0.25)
    ('+0.00', '+0.50', '-0.25')
    """
    rounded = round(value, digits)
    return f"{rounded + 0.0 if rounded else 0.0:+.{digits}f}"


def to_json(records: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> str:
    """Pretty, stable JSON (UTF-8 kept readable)."""
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def to_jsonl_line(record: Mapping[str, Any]) -> str:
    """One compact JSON line."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings into dotted columns for CSV; lists become JSON text."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, prefix=f"{name}."))
        elif isinstance(value, (list, tuple)):
            flat[name] = json.dumps(value, ensure_ascii=False)
        else:
            flat[name] = value
    return flat


def write_csv(
    records: Iterable[Mapping[str, Any]], stream: TextIO, columns: Sequence[str] | None = None
) -> None:
    """Write flattened records as CSV; columns default to the union in first-seen order."""
    rows = [flatten(record) for record in records]
    if columns is None:
        seen: dict[str, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        columns = list(seen)
    writer = csv.DictWriter(stream, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def render(records: Sequence[Mapping[str, Any]], output_format: str) -> str:
    """Render records in a machine format: ``json`` (a list), ``jsonl`` or ``csv``."""
    if output_format == "json":
        return to_json(list(records))
    if output_format == "jsonl":
        return "".join(to_jsonl_line(record) for record in records)
    if output_format == "csv":
        buffer = io.StringIO()
        write_csv(records, buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown machine format {output_format!r}")


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and ``os.replace``: never half-written."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temp file in the same folder, fsync, replace)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temp_name, 0o666 & ~umask)  # mkstemp makes files private; outputs are ordinary files
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
