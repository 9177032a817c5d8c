"""Format detection from content; extensions are compared, never trusted."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import vcse_modes
from vcse_modes.errors import EmptyDocumentError, EncryptedDocumentError, UnsupportedFormatError
from vcse_modes.ingest import ingest, ingest_bytes
from vcse_modes.ingest.detect import detect_format, sniff

HTML = b"<!DOCTYPE html><html><head><title>Board papers</title></head><body><p>Minutes.</p></body></html>"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(200)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(100)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", "pdf"),
        (b"{\\rtf1\\ansi hello}", "rtf"),
        (b"\xef\xbb\xbfWEBVTT\n\n00:00.000 --> 00:01.000\nHi", "vtt"),
        (b"1\r\n00:00:01,000 --> 00:00:02,000\r\nHi\r\n", "srt"),
        (HTML, "html"),
        (b"  <div><p>fragment</p></div>", "html"),
        (b"Plain notes about grants.", "txt"),
        (b"<not html> just angle brackets in text", "txt"),
    ],
)
def test_sniff(data, expected):
    assert sniff(data, "x") == expected


def test_html_saved_as_pdf_is_read_as_html_with_warning(tmp_path, check):
    path = tmp_path / "board-papers.pdf"
    path.write_bytes(HTML)
    doc = ingest(path)
    assert doc.format == "html"
    assert "extension .pdf but content is html; read as html" in doc.warnings
    assert check(doc) == ["Minutes."]


def test_docx_named_txt_is_read_as_docx(build):
    doc = ingest_bytes(build.docx(["Hello from Word"]), "export.txt")
    assert doc.format == "docx"
    assert doc.warnings == ("extension .txt but content is docx; read as docx",)


def test_matching_or_unknown_extension_gives_no_warning(build):
    assert detect_format(HTML, "page.htm").warnings == []
    assert detect_format(HTML, "download").warnings == []
    assert detect_format(HTML, "download.dat").warnings == []


def test_jpeg_named_txt_is_unsupported(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(JPEG)
    with pytest.raises(UnsupportedFormatError) as info:
        ingest(path)
    assert "JPEG" in str(info.value)
    assert str(path) in str(info.value)


def test_png_is_unsupported():
    with pytest.raises(UnsupportedFormatError, match="PNG"):
        ingest_bytes(PNG, "scan.pdf")


def test_zero_bytes_is_empty():
    with pytest.raises(EmptyDocumentError, match="empty.pdf"):
        ingest_bytes(b"", "empty.pdf")


def test_encrypted_office_file_is_encrypted():
    data = OLE + bytes(500) + "EncryptedPackage".encode("utf-16-le") + bytes(500)
    with pytest.raises(EncryptedDocumentError) as info:
        ingest_bytes(data, "protected.docx")
    assert "protected.docx" in str(info.value)
    assert "OLE" in str(info.value)


def test_legacy_doc_is_unsupported():
    with pytest.raises(UnsupportedFormatError, match=r"legacy Office"):
        ingest_bytes(OLE + bytes(1000), "old.doc")


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"xl/workbook.xml": b"<x/>"}, "Excel"),
        ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}, "spreadsheet"),
        ({"readme.txt": b"hello"}, "ZIP archive"),
    ],
)
def test_other_zip_containers_are_unsupported(members, message):
    with pytest.raises(UnsupportedFormatError, match=message) as info:
        ingest_bytes(_zip(members), "bundle.docx")
    assert "bundle.docx" in str(info.value)


def test_importing_ingest_is_cheap():
    code = (
        "import sys, vcse_modes.ingest\n"
        "heavy = {'pypdfium2', 'docx', 'lxml', 'striprtf', 'charset_normalizer', 'odf', 'bs4'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    root = Path(vcse_modes.__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert result.stdout.strip() == "[]"


def test_invalid_role_is_a_data_error():
    from vcse_modes.errors import DataError

    with pytest.raises(DataError, match="boss"):
        ingest_bytes(b"text", "a.txt", roles={"R1": "boss"})
    with pytest.raises(DataError, match="default_role"):
        ingest_bytes(b"text", "a.txt", default_role="nobody")


def test_missing_file_is_a_typed_error(tmp_path):
    from vcse_modes.errors import UnreadableFileError
    from vcse_modes.ingest import ingest

    with pytest.raises(UnreadableFileError, match="no such file"):
        ingest(tmp_path / "absent.pdf")
    with pytest.raises(UnreadableFileError, match="is a folder"):
        ingest(tmp_path)
