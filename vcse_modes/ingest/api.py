"""Entry points: read a file (or its bytes) into a :class:`vcse_modes.document.Document`."""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from vcse_modes.document import Document
from vcse_modes.errors import CorruptDocumentError, EmptyDocumentError, UnreadableFileError, VcseModesError
from vcse_modes.ingest.builder import Extraction
from vcse_modes.ingest.detect import detect_format
from vcse_modes.ingest.options import Options
from vcse_modes.ingest.roles import validate_roles

_READERS: dict[str, tuple[str, str]] = {
    "pdf": ("vcse_modes.ingest.pdf", "read_pdf"),
    "docx": ("vcse_modes.ingest.docx", "read_docx"),
    "odt": ("vcse_modes.ingest.odt", "read_odt"),
    "html": ("vcse_modes.ingest.html", "read_html"),
    "txt": ("vcse_modes.ingest.txt", "read_txt"),
    "rtf": ("vcse_modes.ingest.rtf", "read_rtf"),
    "vtt": ("vcse_modes.ingest.vtt", "read_vtt"),
    "srt": ("vcse_modes.ingest.vtt", "read_srt"),
}


def _reader(fmt: str) -> Callable[[bytes, Options], Extraction]:
    module_name, function = _READERS[fmt]
    return getattr(importlib.import_module(module_name), function)


def ingest(
    path: str | os.PathLike[str],
    *,
    roles: Mapping[str, str] | None = None,
    default_role: str = "unknown",
    include_comments: bool = False,
) -> Document:
    """Read one file into a :class:`~vcse_modes.document.Document`.

    Parameters
    ----------
    path:
        The file. Its format is detected from the content; the extension is only
        compared (a mismatch adds a warning).
    roles:
        Transcript speaker roles, e.g. ``{"R1": "commissioner", "R2": "vcse"}``; keys
        match speaker labels case-insensitively, values are ``vcse_modes.ROLES``.
    default_role:
        Role of speakers nothing else identifies.
    include_comments:
        Keep reviewer comments of DOCX and ODT files (appended after the body).

    Returns
    -------
    Document
        Text, blocks with exact offsets, pages (PDF), metadata, warnings.

    Raises
    ------
    EmptyDocumentError, UnsupportedFormatError, EncryptedDocumentError, NeedsOcrError,
    CorruptDocumentError, UnsafeInputError
        See :mod:`vcse_modes.errors`; every message starts with the file name.
    UnreadableFileError
        The file does not exist or cannot be read.
    DataError
        A role is not one of ``vcse_modes.ROLES``.
    """
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise UnreadableFileError("no such file; check the path", os.fspath(path)) from None
    except IsADirectoryError:
        raise UnreadableFileError("is a folder; pass files, or use 'vcse-modes batch' for folders",
                                  os.fspath(path)) from None
    except OSError as error:
        raise UnreadableFileError(f"cannot read ({error.strerror or error})", os.fspath(path)) from None
    return ingest_bytes(
        data, os.fspath(path), roles=roles, default_role=default_role, include_comments=include_comments
    )


def ingest_bytes(
    data: bytes,
    path: str,
    *,
    roles: Mapping[str, str] | None = None,
    default_role: str = "unknown",
    include_comments: bool = False,
) -> Document:
    """Like :func:`ingest` for bytes already in memory; ``path`` names them in messages.

    Examples
    --------
    >>> doc = ingest_bytes(b"First paragraph.\\n\\nSecond one.", "note.txt")
    >>> [doc.text[b.start:b.end] for b in doc.blocks]
    ['First paragraph.', 'Second one.']
    """
    if not isinstance(data, bytes):
        data = bytes(data)  # bytearray or memoryview
    options = Options(
        path=str(path),
        user_roles=validate_roles(roles, default_role),
        default_role=default_role,
        include_comments=include_comments,
    )
    detection = detect_format(data, options.path)
    reader = _reader(detection.format)
    try:
        extraction = reader(data, options)
    except VcseModesError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise CorruptDocumentError(
            f"{detection.format} content is too deeply nested or too large to read ({type(exc).__name__})",
            options.path,
        ) from exc
    except Exception as exc:  # a reader library choking on malformed input
        raise CorruptDocumentError(
            f"could not read {detection.format} content ({type(exc).__name__}: {exc})", options.path
        ) from exc
    if not extraction.blocks:
        raise EmptyDocumentError(f"no text found in this {detection.format} file", options.path)
    return Document(
        path=options.path,
        sha256=hashlib.sha256(data).hexdigest(),
        format=detection.format,
        text=extraction.text,
        blocks=tuple(extraction.blocks),
        pages=tuple(extraction.pages),
        metadata=extraction.metadata,
        warnings=tuple(detection.warnings + extraction.warnings),
        is_transcript=extraction.is_transcript,
    )
