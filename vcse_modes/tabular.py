"""Reading id/text tables (JSONL or CSV, or JSONL on stdin) with errors that name the row."""

from __future__ import annotations

import csv
import io
import json
import sys

from vcse_modes.errors import DataError

csv.field_size_limit(64 * 1024 * 1024)  # long excerpts are legitimate; the default is 131,072


def read_id_text(path: str) -> list[tuple[str, str]]:
    """``(id, text)`` pairs from a ``.jsonl``/``.csv`` file or ``-`` (JSONL on stdin)."""
    if path == "-":
        raw = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        with open(path, "rb") as handle:
            raw = handle.read()
        name = path
    try:
        text = raw.decode("utf-8-sig") if raw else ""
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(
            f"not UTF-8 (byte {error.start}, line {line}); re-save the file as UTF-8", name
        ) from None
    if name.lower().endswith(".csv"):
        return _from_csv(text, name)
    return _from_jsonl(text, name)


def _from_jsonl(text: str, name: str) -> list[tuple[str, str]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"line {number}: malformed JSON ({error.msg})", name) from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise DataError(f"line {number}: expected an object with a 'text' string", name)
        rows.append((str(record.get("id", number)), record["text"]))
    return rows


def _from_csv(text: str, name: str) -> list[tuple[str, str]]:
    if "\x00" in text:
        row = text[: text.index("\x00")].count("\n") + 1
        raise DataError(f"row {row}: NUL byte in CSV; remove it or re-export the file", name)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "text" not in reader.fieldnames:
        raise DataError(f"CSV needs a 'text' column (found {reader.fieldnames})", name)
    return [(str(row.get("id") or number), row["text"] or "") for number, row in enumerate(reader, start=1)]
