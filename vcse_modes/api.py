"""The notebook-friendly API that every command wraps.

>>> from vcse_modes.api import extract_file  # doctest: +SKIP
>>> record = extract_file("examples/interview_hospice.txt")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from vcse_modes.document import Document


def extract_file(
    path: str, *, roles: Mapping[str, str] | None = None, include_comments: bool = False
) -> dict[str, Any]:
    """Ingest and segment one file; return a JSON-ready record of what was read."""
    from vcse_modes.ingest import ingest
    from vcse_modes.segment import segment

    document = ingest(path, roles=roles, include_comments=include_comments)
    return document_record(document, [asdict(p) for p in segment(document)])


def document_record(document: Document, passages: list[dict[str, Any]]) -> dict[str, Any]:
    """The stable ``extract`` schema for one document."""
    return {
        "source": document.path,
        "sha256": document.sha256,
        "format": document.format,
        "is_transcript": document.is_transcript,
        "metadata": dict(document.metadata),
        "pages": [asdict(page) for page in document.pages],
        "warnings": list(document.warnings),
        "text": document.text,
        "passages": passages,
    }
