"""Tell the format of a file from its content; the extension is only compared, never trusted.

Checks, in order: empty, PDF (``%PDF-`` in the first KiB), OLE containers (legacy or
password-protected Office files), ZIP containers (DOCX by ``word/document.xml``, ODT by
its ``mimetype`` member; checked by :mod:`vcse_modes.ingest.safezip` first), known binary
signatures (images, archives, executables), then the text formats: RTF, WebVTT, SRT,
HTML, and plain text if the bytes are not binary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from vcse_modes.errors import EmptyDocumentError, EncryptedDocumentError, UnsupportedFormatError
from vcse_modes.ingest.encoding import bom_encoding, ensure_text, utf16_without_bom
from vcse_modes.ingest.safezip import open_safe_zip, peek_member

FORMATS = ("pdf", "docx", "odt", "html", "txt", "rtf", "vtt", "srt")

EXTENSIONS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".odt": "odt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "txt",
    ".text": "txt",
    ".md": "txt",
    ".rtf": "rtf",
    ".vtt": "vtt",
    ".srt": "srt",
}

_OTHER_EXTENSIONS = frozenset(
    {".doc", ".dot", ".xls", ".xlsx", ".ppt", ".pptx", ".odp", ".ods", ".jpg", ".jpeg", ".png", ".zip"}
)
"""Extensions of formats we do not read: a mismatch is still worth a warning."""

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ODT_MIMETYPES = (
    b"application/vnd.oasis.opendocument.text",
    b"application/vnd.oasis.opendocument.text-template",
)
_BINARY_SIGNATURES = (
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"%!PS", "a PostScript file"),
    (b"ID3", "an MP3 audio file"),
    (b"OggS", "an Ogg media file"),
    (b"fLaC", "a FLAC audio file"),
)
_ZIP_KINDS = (
    ("xl/workbook.xml", "an Excel workbook (.xlsx)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (.pptx)"),
    ("project.qde", "a REFI-QDA project (.qdpx)"),
)
_SRT_CUE = re.compile(
    r"\A\s*\d+[ \t]*\n[ \t]*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}[ \t]*-->[ \t]*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}"
)
_HTML_START = re.compile(r"\A(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html)\b", re.DOTALL)
_HTML_TAG = re.compile(
    r"<(?:html|head|body|title|meta|div|p|table|h[1-6]|article|section|main|span|ul|ol|li|br|a\s)[\s>/]"
)


@dataclass
class Detection:
    """A detected format and the warnings detection produced."""

    format: str
    warnings: list[str] = field(default_factory=list)


def _head_text(data: bytes, size: int = 4096) -> str:
    """The first bytes as text, good enough for ASCII markers."""
    bom = bom_encoding(data)
    if bom is not None:
        name, length = bom
        return data[length : length + size].decode(name, errors="ignore")
    utf16 = utf16_without_bom(data[:size])
    if utf16 is not None:
        return data[:size].decode(utf16, errors="ignore")
    return data[:size].decode("latin-1")


def _zip_format(data: bytes, path: str | None) -> str:
    with open_safe_zip(data, path=path) as archive:
        names = set(archive.namelist())
        if "word/document.xml" in names:
            return "docx"
        if "mimetype" in names:
            mimetype = peek_member(archive, "mimetype", 200, path=path).strip()
            if mimetype in _ODT_MIMETYPES:
                return "odt"
            kind = mimetype.decode("ascii", errors="replace") or "unknown"
            raise UnsupportedFormatError(
                f"ZIP container of type {kind!r}, not a text document; export it as DOCX, ODT or PDF", path
            )
        for member, kind in _ZIP_KINDS:
            if member in names:
                raise UnsupportedFormatError(f"content is {kind}, not a text document", path)
    raise UnsupportedFormatError("content is a ZIP archive, not a document; extract the files first", path)


def _is_pdf(data: bytes) -> bool:
    """``%PDF-`` at the start, or within the first KiB of a file that ends like a PDF."""
    if data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x00")[:5] == b"%PDF-":
        return True
    return data.find(b"%PDF-", 0, 1024) >= 0 and (b"%%EOF" in data[-2048:] or b"startxref" in data[-4096:])


def sniff(data: bytes, path: str | None = None) -> str:
    """Return the format of ``data`` (one of :data:`FORMATS`).

    Raises
    ------
    EmptyDocumentError
        Zero bytes.
    EncryptedDocumentError
        A password-protected Office file (an OLE container holding ``EncryptedPackage``).
    UnsupportedFormatError
        Images, archives, legacy Office files, binary data.
    UnsafeInputError
        A ZIP container that fails the safe-zip checks.
    """
    if not data:
        raise EmptyDocumentError("file is empty (0 bytes)", path)
    if _is_pdf(data):
        return "pdf"
    if data.startswith(_OLE):
        if _ENCRYPTED_PACKAGE in data:
            raise EncryptedDocumentError(
                "password-protected Office document (an encrypted OLE container); open it in Word, "
                "remove the password and save as .docx",
                path,
            )
        raise UnsupportedFormatError(
            "legacy Office binary file (.doc/.xls/.ppt, an OLE container); save it as .docx or PDF", path
        )
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _zip_format(data, path)
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise UnsupportedFormatError(f"content is {kind}, not a text document", path)
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        raise UnsupportedFormatError("content is a RIFF media file, not a text document", path)
    head = _head_text(data)
    stripped = head.lstrip()
    if stripped.startswith("{\\rtf"):
        return "rtf"
    if stripped.startswith("WEBVTT") and (len(stripped) == 6 or stripped[6] in " \t\r\n"):
        return "vtt"
    if _SRT_CUE.match(head.replace("\r\n", "\n").replace("\r", "\n")):
        return "srt"
    lower = head.lower()
    if _HTML_START.match(lower) or (stripped.startswith("<") and _HTML_TAG.search(lower)):
        return "html"
    ensure_text(data, path)
    return "txt"


def detect_format(data: bytes, path: str | None = None) -> Detection:
    """Detect the format and warn when the file's extension says otherwise.

    Examples
    --------
    >>> detect_format(b"<html><body><p>Hi</p></body></html>", "report.pdf").warnings
    ['extension .pdf but content is html; read as html']
    """
    fmt = sniff(data, path)
    warnings: list[str] = []
    if path:
        suffix = PurePath(path).suffix.lower()
        expected = EXTENSIONS.get(suffix)
        if (suffix in EXTENSIONS or suffix in _OTHER_EXTENSIONS) and expected != fmt:
            warnings.append(f"extension {suffix} but content is {fmt}; read as {fmt}")
    return Detection(fmt, warnings)
