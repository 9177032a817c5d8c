"""Plain text: encodings, newlines, hashing, binary refusal, huge single-line input."""

from __future__ import annotations

import codecs
import hashlib

import pytest

from vcse_modes.errors import EmptyDocumentError, UnsupportedFormatError
from vcse_modes.ingest import ingest, ingest_bytes
from vcse_modes.ingest.textutil import MAX_BLOCK_CHARS


def test_paragraphs_split_on_blank_lines(check):
    data = b"First paragraph\nstill first.\n\n  \nSecond paragraph.\n\n\nThird."
    doc = ingest_bytes(data, "notes.txt")
    assert doc.format == "txt"
    assert check(doc) == ["First paragraph\nstill first.", "Second paragraph.", "Third."]


def test_crlf_and_lone_cr_normalised_but_hash_is_of_raw_bytes(check):
    data = b"Line one\r\nline two\r\rPara two\rstill two"
    doc = ingest_bytes(data, "mac.txt")
    assert "\r" not in doc.text
    assert check(doc) == ["Line one\nline two", "Para two\nstill two"]
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_byte_order_marks(bom, codec, check):
    text = "Caf\u00e9 funding \u2013 \u201cpartnership\u201d for the \u00a3 grant.\n\nSecond."
    doc = ingest_bytes(bom + text.encode(codec), "bom.txt")
    assert check(doc) == ["Caf\u00e9 funding \u2013 \u201cpartnership\u201d for the \u00a3 grant.", "Second."]
    assert "\ufeff" not in doc.text


def test_utf16le_with_bom_from_file(tmp_path, check):
    path = tmp_path / "utf16.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "Respite care for carers.\r\n".encode("utf-16-le"))
    doc = ingest(path)
    assert check(doc) == ["Respite care for carers."]


def test_cp1252_smart_quotes_decoded(check):
    text = (
        "The \u201ccompact\u201d isn\u2019t a contract \u2013 it costs \u00a35 and \u20ac2."
        "\n\nCaf\u00e9 \u2026"
    )
    data = text.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    doc = ingest_bytes(data, "word-export.txt")
    assert check(doc) == [
        "The \u201ccompact\u201d isn\u2019t a contract \u2013 it costs \u00a35 and \u20ac2.",
        "Caf\u00e9 \u2026",
    ]
    assert any("cp1252" in warning for warning in doc.warnings)


def test_latin1_accents_decoded():
    text = "Na\u00efve caf\u00e9 r\u00e9sum\u00e9 \u00e0 la carte for the \u00a35 grant."
    doc = ingest_bytes(text.encode("latin-1"), "accents.txt")
    assert doc.text == text


def test_other_encodings_via_charset_guess():
    text = "\u041c\u0435\u0441\u0442\u043d\u044b\u0439 \u0441\u043e\u0432\u0435\u0442 " * 40
    doc = ingest_bytes(text.encode("cp1251"), "cyrillic.txt")
    assert doc.text.strip() == text.strip()


def test_binary_content_in_txt_is_refused():
    data = b"Looks like text\x00\x00\x01\x02 but is not" * 50
    with pytest.raises(UnsupportedFormatError) as info:
        ingest_bytes(data, "data.txt")
    assert "data.txt" in str(info.value)
    assert "binary" in str(info.value)


def test_many_control_characters_are_refused():
    data = bytes(range(1, 32)) * 100
    with pytest.raises(UnsupportedFormatError, match="control"):
        ingest_bytes(data, "controls.txt")


def test_zero_bytes_is_empty(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(EmptyDocumentError) as info:
        ingest(path)
    assert str(path) in str(info.value)
    assert info.value.path == str(path)


def test_whitespace_only_is_empty():
    with pytest.raises(EmptyDocumentError, match="blank.txt"):
        ingest_bytes(b" \n\r\n\t \n", "blank.txt")


def test_50_mb_single_line_is_bounded(tmp_path, check):
    path = tmp_path / "huge.txt"
    word = b"commissioning "
    with path.open("wb") as handle:
        chunk = word * (1 << 16)
        for _ in range((50 * 1024 * 1024) // len(chunk) + 1):
            handle.write(chunk)
    doc = ingest(path)
    assert len(doc.text) >= 50 * 1024 * 1024
    assert len(doc.blocks) > 2_000
    assert max(b.end - b.start for b in doc.blocks) <= MAX_BLOCK_CHARS
    assert not doc.is_transcript
    first, last = doc.blocks[0], doc.blocks[-1]
    assert doc.text[first.start : first.end].startswith("commissioning commissioning")
    assert doc.text[last.start : last.end].endswith("commissioning")
    # Full invariant check on a sample keeps the test quick.
    sample = doc.blocks[:50]
    for a, b in zip(sample, sample[1:], strict=False):
        assert a.end < b.start
        assert doc.text[a.start : a.end] == doc.text[a.start : a.end].strip()


def test_giant_paragraph_without_spaces_is_cut_hard(check):
    doc = ingest_bytes(b"x" * (MAX_BLOCK_CHARS * 2 + 5), "nospace.txt")
    assert [b.end - b.start for b in doc.blocks] == [MAX_BLOCK_CHARS, MAX_BLOCK_CHARS, 5]
    check(doc)
