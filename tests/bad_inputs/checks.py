"""Assertions shared by the bad-input tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from vcse_modes.document import Document
from vcse_modes.errors import VcseModesError


def refused(path: str | os.PathLike[str], expected: type[VcseModesError]) -> VcseModesError:
    """Ingest ``path`` and check it fails with exactly ``expected``, naming the file first."""
    from vcse_modes.ingest import ingest

    with pytest.raises(VcseModesError) as info:
        ingest(path)
    error = info.value
    assert type(error) is expected, f"{type(error).__name__}: {error}"
    assert error.path == str(path)
    assert str(error).startswith(f"{path}: "), str(error)
    return error


def block_texts(doc: Document) -> list[str]:
    return [doc.text[b.start : b.end] for b in doc.blocks]


def check_blocks(doc: Document) -> None:
    """Blocks are ordered, non-empty, stripped and inside the text."""
    end = 0
    for block in doc.blocks:
        piece = doc.text[block.start : block.end]
        assert end <= block.start < block.end <= len(doc.text)
        assert piece and piece == piece.strip()
        end = block.end


def all_output_text(folder: Path) -> bytes:
    """Every byte a batch wrote under ``folder``, gzip members inflated."""
    import gzip

    chunks = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            chunks.append(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
    return b"\n".join(chunks)
