"""Every bad input from the brief, read from disk: exact exception class, file named."""

from __future__ import annotations

import pytest

from vcse_modes.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    NeedsOcrError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from vcse_modes.ingest import ingest

LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><d>&c;</d>'
)
ODT_MIME = b"application/vnd.oasis.opendocument.text"


def _pdf(build):
    return build.pdf([["Grant terms for community groups."], ["Monitoring returns are quarterly."]])


CASES = {
    "zero-bytes.txt": (lambda build, tmp: b"", EmptyDocumentError),
    "photo.txt": (lambda build, tmp: b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(64), UnsupportedFormatError),
    "binary.txt": (lambda build, tmp: b"abc\x00\x01\x02\x03def" * 100, UnsupportedFormatError),
    "truncated.pdf": (lambda build, tmp: _pdf(build)[:700], CorruptDocumentError),
    "locked.pdf": (
        lambda build, tmp: build.encrypt_pdf(_pdf(build), user_password="pw", owner_password="own"),
        EncryptedDocumentError,
    ),
    "scanned.pdf": (lambda build, tmp: build.pdf([None], image_pages=frozenset({1})), NeedsOcrError),
    "bomb.docx": (
        lambda build, tmp: build.raw_zip(
            [("word/document.xml", build.zeros_deflated(1 << 20), 4_000_000_000)],
        ),
        UnsafeInputError,
    ),
    "bomb.odt": (
        lambda build, tmp: build.raw_zip(
            [("mimetype", ODT_MIME, None), ("content.xml", build.zeros_deflated(1 << 20), 3_000_000_000)]
        ),
        UnsafeInputError,
    ),
    "members.docx": (
        lambda build, tmp: build.raw_zip(
            [("word/document.xml", b"<x/>", None)] + [(f"f{i}", b"", None) for i in range(100_000)]
        ),
        UnsafeInputError,
    ),
    "laughs.docx": (
        lambda build, tmp: build.replace_member(build.docx(["x"]), "word/document.xml", LAUGHS),
        UnsafeInputError,
    ),
    "laughs.odt": (
        lambda build, tmp: build.replace_member(build.odt(["x"]), "content.xml", LAUGHS),
        UnsafeInputError,
    ),
    "xxe.docx": (
        lambda build, tmp: build.replace_member(
            build.docx(["x"]),
            "word/document.xml",
            (
                f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{tmp}/secret.txt">]>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
            ).encode(),
        ),
        UnsafeInputError,
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(name, build, tmp_path):
    make, expected = CASES[name]
    (tmp_path / "secret.txt").write_text("SECRET-CONTENT-0042")
    path = tmp_path / name
    path.write_bytes(make(build, tmp_path))
    with pytest.raises(expected) as info:
        ingest(path)
    assert type(info.value) is expected
    assert info.value.path == str(path)
    assert str(info.value).startswith(f"{path}: ")
    assert "SECRET-CONTENT-0042" not in str(info.value)
