"""Hostile inputs: zip bombs, member floods, path traversal, entity expansion, XXE."""

from __future__ import annotations

import io
import zipfile

import pytest

from vcse_modes.errors import EncryptedDocumentError, UnsafeInputError
from vcse_modes.ingest import ingest_bytes
from vcse_modes.ingest.safexml import check_xml, make_parser, parse_xml
from vcse_modes.ingest.safezip import open_safe_zip, read_member

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"/>'
)
ODT_MIME = b"application/vnd.oasis.opendocument.text"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""


def _xxe(target: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{target}">]>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>leak: &xxe;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()


@pytest.fixture
def no_inflate(monkeypatch):
    """Fail the test if anything opens a ZIP member (i.e. starts decompressing)."""

    def refuse(*args, **kwargs):
        raise AssertionError("a ZIP member was opened before the archive was refused")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)


# ---------------------------------------------------------------- zip bombs


def test_docx_declaring_huge_member_is_refused_before_inflating(build, no_inflate):
    payload = build.zeros_deflated(1 << 20)  # about 1 KB of deflate data
    data = build.raw_zip(
        [
            ("[Content_Types].xml", CONTENT_TYPES, None),
            ("word/document.xml", payload, 4_000_000_000),
        ]
    )
    with pytest.raises(UnsafeInputError) as info:
        ingest_bytes(data, "bomb.docx")
    assert "bomb.docx" in str(info.value)
    assert "zip bomb" in str(info.value)


def test_docx_with_extreme_compression_ratio_is_refused(build, no_inflate):
    size = 64 << 20
    data = build.raw_zip(
        [
            ("[Content_Types].xml", CONTENT_TYPES, None),
            ("word/document.xml", build.zeros_deflated(size), size),
        ]
    )
    assert len(data) < size // 500
    with pytest.raises(UnsafeInputError, match="compressed"):
        ingest_bytes(data, "ratio.docx")


def test_odt_bomb_is_refused(build, no_inflate):
    data = build.raw_zip(
        [
            ("mimetype", ODT_MIME, None),
            ("content.xml", build.zeros_deflated(1 << 20), 4_000_000_000),
        ]
    )
    with pytest.raises(UnsafeInputError) as info:
        ingest_bytes(data, "bomb.odt")
    assert "bomb.odt" in str(info.value)


def test_zip_with_100000_members_is_refused_from_the_end_record(build, no_inflate, monkeypatch):
    members = [("word/document.xml", b"<x/>", None)] + [(f"m/{i}", b"", None) for i in range(100_000)]
    data = build.raw_zip(members)

    def no_directory_parse(*args, **kwargs):
        raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", no_directory_parse)
    with pytest.raises(UnsafeInputError, match="members") as info:
        ingest_bytes(data, "flood.docx")
    assert "flood.docx" in str(info.value)


def test_member_count_checked_even_if_end_record_lies(build):
    members = [(f"m/{i}", b"", None) for i in range(40)]
    data = bytearray(build.raw_zip(members))
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (1).to_bytes(2, "little") * 2  # claim a single member
    with pytest.raises(UnsafeInputError, match="40 members"):
        open_safe_zip(bytes(data), path="liar.zip", max_members=10)


@pytest.mark.parametrize("name", ["../evil.xml", "/etc/passwd", "word/../../x.xml", "C:/x.xml", "a\\..\\b"])
def test_traversal_member_names_are_refused(build, name):
    data = build.raw_zip([("word/document.xml", b"<x/>", None), (name, b"x", None)])
    with pytest.raises(UnsafeInputError, match="outside the archive"):
        ingest_bytes(data, "traversal.docx")


def test_duplicate_member_names_are_refused(build):
    data = build.raw_zip([("word/document.xml", b"<x/>", None), ("word/document.xml", b"<y/>", None)])
    with pytest.raises(UnsafeInputError, match="twice"):
        open_safe_zip(data, path="dup.docx")


def test_encrypted_zip_member_is_refused():
    data = bytearray(
        _plain_zip({"word/document.xml": b"<x/>"}),
    )
    # Set the "encrypted" flag bit in the local and central headers.
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        index = data.find(signature)
        data[index + flag_offset] |= 1
    with pytest.raises(EncryptedDocumentError):
        open_safe_zip(bytes(data), path="enc.docx")


def test_read_member_limits_output():
    archive = open_safe_zip(_plain_zip({"a.xml": b"x" * 5000}), path="a.zip")
    assert read_member(archive, "a.xml", 5000) == b"x" * 5000
    with pytest.raises(UnsafeInputError, match="limit"):
        read_member(archive, "a.xml", 4999, path="a.zip")


def test_safe_zip_accepts_a_normal_docx(build):
    archive = open_safe_zip(build.docx(["Hello"]), path="ok.docx")
    assert "word/document.xml" in archive.namelist()


def _plain_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    return out.getvalue()


# ---------------------------------------------------------------- XML entities


def test_billion_laughs_in_docx_is_refused(build):
    data = build.replace_member(build.docx(["Hello"]), "word/document.xml", BILLION_LAUGHS)
    with pytest.raises(UnsafeInputError) as info:
        ingest_bytes(data, "laughs.docx")
    assert "laughs.docx" in str(info.value)
    assert "word/document.xml" in str(info.value)


def test_external_entity_in_docx_never_reads_the_file(build, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN-4711")
    data = build.replace_member(build.docx(["Hello"]), "word/document.xml", _xxe(str(secret)))
    with pytest.raises(UnsafeInputError) as info:
        ingest_bytes(data, "xxe.docx")
    assert "TOP-SECRET-TOKEN-4711" not in str(info.value)


def test_external_entity_in_odt_is_refused(build, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN-4712")
    data = build.replace_member(build.odt(["Hello"]), "content.xml", _xxe(str(secret)))
    with pytest.raises(UnsafeInputError) as info:
        ingest_bytes(data, "xxe.odt")
    assert "xxe.odt" in str(info.value)


def test_billion_laughs_in_odt_styles_is_refused(build):
    data = build.replace_member(build.odt(["Hello"]), "styles.xml", BILLION_LAUGHS)
    with pytest.raises(UnsafeInputError):
        ingest_bytes(data, "laughs.odt")


def test_doctype_in_utf16_is_still_found():
    with pytest.raises(UnsafeInputError):
        check_xml(BILLION_LAUGHS.decode().encode("utf-16"), name="part.xml", path="x.docx")


def test_parse_xml_refuses_and_parser_never_expands(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN-4713")
    with pytest.raises(UnsafeInputError):
        parse_xml(_xxe(str(secret)), name="content.xml", path="x.odt")
    # Even bypassing the check, the parser settings keep entities unresolved.
    from lxml import etree

    root = etree.fromstring(_xxe(str(secret)), make_parser())
    assert "TOP-SECRET-TOKEN-4713" not in etree.tostring(root, encoding="unicode")
    try:
        laughs = etree.fromstring(BILLION_LAUGHS, make_parser())
    except etree.XMLSyntaxError:  # newer libxml2 stops at its amplification limit
        return
    assert len(etree.tostring(laughs)) < 10_000


def test_zip_with_damaged_local_header_is_a_corrupt_document():
    """Found by scripts/fuzz_ingest.py: a member offset pointing before the archive start
    made zipfile raise a bare ValueError ("negative seek value") instead of a typed error."""
    import io
    import zipfile

    from vcse_modes.errors import CorruptDocumentError
    from vcse_modes.ingest import ingest_bytes

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    data = bytearray(buffer.getvalue())
    central = data.rfind(b"PK\x01\x02")  # last central-directory entry
    data[central + 42 : central + 46] = (0xFFFFFFF0).to_bytes(4, "little")  # bogus local header offset
    with pytest.raises(CorruptDocumentError, match="bad.odt"):
        ingest_bytes(bytes(data), "bad.odt")


def test_zip_claiming_an_unsupported_version_is_a_corrupt_document():
    """Found by scripts/fuzz_ingest.py: NotImplementedError from zipfile escaped."""
    import io
    import zipfile

    from vcse_modes.errors import CorruptDocumentError
    from vcse_modes.ingest import ingest_bytes

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    data = bytearray(buffer.getvalue())
    central = data.rfind(b"PK\x01\x02")
    data[central + 6] = 99  # "version needed to extract" 9.9: zipfile refuses it
    with pytest.raises(CorruptDocumentError, match="bad.docx"):
        ingest_bytes(bytes(data), "bad.docx")
