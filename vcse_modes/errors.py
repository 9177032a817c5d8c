"""Typed exceptions. Messages name the file and say how to fix the problem.

The CLI turns every :class:`VcseModesError` into a one-line ``click.ClickException``
with the class's ``exit_code``; package code raises, never prints.
"""

from __future__ import annotations


class VcseModesError(Exception):
    """Base class for every error vcse-modes reports to a user."""

    exit_code = 1
    status = "error"

    def __init__(self, message: str, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class EmptyDocumentError(VcseModesError):
    """The file is empty or holds no extractable text."""

    exit_code = 3
    status = "empty"


class UnsupportedFormatError(VcseModesError):
    """The file's content is not a format vcse-modes reads."""

    exit_code = 4
    status = "unsupported"


class EncryptedDocumentError(VcseModesError):
    """The document is encrypted and cannot be opened without a password."""

    exit_code = 5
    status = "encrypted"


class NeedsOcrError(VcseModesError):
    """No page of the PDF has a text layer; it must be OCRed first."""

    exit_code = 6
    status = "needs_ocr"


class CorruptDocumentError(VcseModesError):
    """The file claims a format but its content is broken or truncated."""

    exit_code = 7
    status = "error"


class UnsafeInputError(VcseModesError):
    """The input looks hostile (zip bomb, entity expansion, path traversal) and was refused."""

    exit_code = 8
    status = "error"


class ModelError(VcseModesError):
    """A model could not be loaded or used."""

    exit_code = 9


class UntrustedModelError(ModelError):
    """A model file's hash does not match its card; it was not loaded."""


class StaleModelError(ModelError):
    """The model was trained on a different corpus than the one it is checked against."""


class DataError(VcseModesError):
    """Training or coded data is malformed (bad labels, bad JSON, missing columns)."""

    exit_code = 10


class UnreadableFileError(VcseModesError):
    """The file does not exist or cannot be read (permissions, a folder, a broken link)."""

    exit_code = 11
    status = "error"
