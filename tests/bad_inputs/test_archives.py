"""ZIP-based inputs: DOCX bombs and entities, the encrypted OLE "docx", hostile ``.qdpx`` projects.

The exact error class and message of each DOCX are checked in ``test_documents.py``; here is
what else must hold: nothing inflated before a bomb is refused, the secret never leaks (not
even through the CLI), and ``read_project`` refuses hostile projects naming the file.
"""

from __future__ import annotations

import struct
import time
import zipfile

import pytest

from vcse_modes.errors import EncryptedDocumentError, UnsafeInputError
from vcse_modes.qdpx import MAX_DEPTH, read_project

from . import builders as b
from .checks import refused


@pytest.fixture
def no_inflate(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a ZIP member was opened before the archive was refused")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)


def test_docx_zip_bomb_is_refused_before_inflating_anything(bad_files, no_inflate):
    path = bad_files.bad["zip-bomb.docx"]
    assert path.stat().st_size < 2 * b.MIB
    info = zipfile.ZipFile(path).getinfo("word/media/image1.bin")
    assert info.file_size == 256 * b.MIB and info.CRC != 0  # an honest bomb, not a lying header
    start = time.perf_counter()
    error = refused(path, UnsafeInputError)
    assert time.perf_counter() - start < 2
    assert "zip bomb" in str(error)


def test_billion_laughs_docx_is_refused_without_expanding(bad_files):
    start = time.perf_counter()
    refused(bad_files.bad["billion-laughs.docx"], UnsafeInputError)
    assert time.perf_counter() - start < 2


def test_external_entity_never_reads_the_local_file(bad_files, cli):
    path = bad_files.bad["external-entity.docx"]
    assert str(bad_files.secret).encode() in zipfile.ZipFile(path).read("word/document.xml")
    error = refused(path, UnsafeInputError)
    assert b.SECRET not in str(error)
    result = cli("extract", path)
    assert result.exit_code == UnsafeInputError.exit_code
    assert b.SECRET not in result.output and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith(f"Error: {path}: ")


def test_encrypted_ole_docx_is_a_real_compound_file(bad_files):
    data = bad_files.bad["password-protected.docx"].read_bytes()
    assert data[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    assert struct.unpack_from("<HH", data, 26) == (3, 0xFFFE)  # major version 3, little-endian
    names = {
        data[512 * 2 + i * 128 : 512 * 2 + i * 128 + 64].decode("utf-16-le").rstrip("\x00") for i in range(3)
    }
    assert names == {"Root Entry", "EncryptionInfo", "EncryptedPackage"}
    error = refused(bad_files.bad["password-protected.docx"], EncryptedDocumentError)
    assert error.status == "encrypted" and "remove the password" in str(error)


# ---------------------------------------------------------------- REFI-QDA projects


@pytest.mark.parametrize(
    ("name", "member"), [("traversal.qdpx", "../../evil.txt"), ("absolute-member.qdpx", "/etc/cron.d/evil")]
)
def test_qdpx_with_traversal_or_absolute_member_is_unsafe(bad_files, name, member):
    path = bad_files.bad[name]
    with pytest.raises(UnsafeInputError) as info:
        read_project(path)
    assert type(info.value) is UnsafeInputError
    assert str(info.value) == f"{path}: ZIP member name {member!r} points outside the archive; refused"


def test_qdpx_with_100000_members_is_refused_quickly_from_the_end_record(bad_files, monkeypatch):
    path = bad_files.bad["many-members.qdpx"]

    def no_directory_parse(*args, **kwargs):
        raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", no_directory_parse)
    start = time.perf_counter()
    with pytest.raises(UnsafeInputError) as info:
        read_project(path)
    assert time.perf_counter() - start < 1
    assert type(info.value) is UnsafeInputError
    assert str(info.value).startswith(f"{path}: ZIP container declares 65,535 members (limit 50,000)")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 300, 100_000])
def test_qdpx_nested_deeper_than_256_is_unsafe(tmp_path, depth):
    path = tmp_path / f"deep-{depth}.qdpx"
    path.write_bytes(b.qdpx_deep_xml(depth))
    start = time.perf_counter()
    with pytest.raises(UnsafeInputError) as info:
        read_project(path)
    assert time.perf_counter() - start < 2
    assert type(info.value) is UnsafeInputError
    assert str(info.value).startswith(f"{path}: project.qde nests")


def test_qdpx_nested_exactly_256_deep_is_read(tmp_path):
    path = tmp_path / "deep-256.qdpx"
    path.write_bytes(b.qdpx_deep_xml(MAX_DEPTH))
    project = read_project(path)
    assert project.name == "x" and project.sources == ()
