"""Shared steps for ZIP+XML office formats: validate the container and every XML part."""

from __future__ import annotations

import zipfile

from vcse_modes.ingest.safexml import check_xml
from vcse_modes.ingest.safezip import open_safe_zip, peek_member, read_member

MAX_XML_PART = 256 * 1024 * 1024
"""Largest single XML part read (still bounded by the safe-zip total)."""

_XML_SUFFIXES = (".xml", ".rels", ".vml")


def _is_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str | None) -> bool:
    if info.filename.lower().endswith(_XML_SUFFIXES):
        return True
    if info.file_size == 0 or info.is_dir():
        return False
    head = peek_member(archive, info.filename, 64, path=path).lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    return head.startswith(b"<")


def check_container(data: bytes, path: str | None) -> None:
    """Run the safe-zip checks, then refuse any XML part with a DTD or entity declaration.

    Everything happens before a third-party library (python-docx) touches the bytes.

    Raises
    ------
    UnsafeInputError
        Zip bomb, hostile member names, or an XML part declaring a DTD/entities.
    """
    with open_safe_zip(data, path=path) as archive:
        for info in archive.infolist():
            if _is_xml(archive, info, path):
                part = read_member(archive, info.filename, MAX_XML_PART, path=path)
                check_xml(part, name=info.filename, path=path)
