"""id/text tables from CSV, JSONL and stdin, with errors that name the row."""

from __future__ import annotations

import io
import sys

import pytest

from vcse_modes.errors import DataError
from vcse_modes.tabular import read_id_text


def test_csv_with_utf8_bom(tmp_path):
    path = tmp_path / "excerpts.csv"
    path.write_bytes('\ufeffid,text\nx1,"Café, tendered"\n'.encode())
    assert read_id_text(str(path)) == [("x1", "Café, tendered")]


def test_csv_header_has_no_bom_character(tmp_path):
    # With the BOM left in, the first header would be '\ufeffid' and ids would fall back to row numbers.
    path = tmp_path / "excerpts.csv"
    path.write_bytes(b"\xef\xbb\xbfid,text\nfirst,Some text\n")
    [(row_id, _)] = read_id_text(str(path))
    assert row_id == "first"


def test_csv_quoted_newlines_missing_ids_and_extra_columns(tmp_path):
    path = tmp_path / "t.CSV"
    path.write_text('text,id,notes\n"Line one\nline two",a,n\nNo id here,,n\n"",c,\n', encoding="utf-8")
    assert read_id_text(str(path)) == [("a", "Line one\nline two"), ("2", "No id here"), ("c", "")]


def test_csv_nul_byte_error_names_the_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,text\nx1,fine\nx2,bro\x00ken\nx3,fine\n")
    with pytest.raises(DataError) as error:
        read_id_text(str(path))
    message = str(error.value)
    assert message.startswith(f"{path}: ")
    assert "row 3" in message and "NUL" in message


def test_csv_field_over_131072_characters_is_read(tmp_path):
    long_text = "word " * 40_000  # 200,000 characters, over csv's default field limit
    path = tmp_path / "long.csv"
    path.write_text(f'id,text\nbig,"{long_text}"\nsmall,short\n', encoding="utf-8")
    rows = read_id_text(str(path))
    assert rows == [("big", long_text), ("small", "short")]
    assert len(rows[0][1]) > 131_072


def test_csv_without_text_column(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,body\n1,x\n", encoding="utf-8")
    with pytest.raises(DataError, match="needs a 'text' column"):
        read_id_text(str(path))


def test_jsonl_rows_and_default_ids(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(
        '{"id": "a", "text": "One."}\n\n{"text": "Three."}\n{"id": 7, "text": "Four."}\n', encoding="utf-8"
    )
    assert read_id_text(str(path)) == [("a", "One."), ("3", "Three."), ("7", "Four.")]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "b", "text": "unterminated', "line 2: malformed JSON"),
        ('{"id": "b", "body": "no text"}', "line 2: expected an object with a 'text' string"),
        ('{"id": "b", "text": 5}', "line 2: expected an object with a 'text' string"),
        ('"just a string"', "line 2: expected an object"),
    ],
)
def test_malformed_jsonl_line_is_named(tmp_path, line, message):
    path = tmp_path / "t.jsonl"
    path.write_text('{"id": "a", "text": "ok"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DataError) as error:
        read_id_text(str(path))
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


def test_stdin_is_jsonl(monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO('\ufeff{"id": "s", "text": "From stdin."}\n'.encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert read_id_text("-") == [("s", "From stdin.")]


def test_stdin_errors_name_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"{oops\n")))
    with pytest.raises(DataError, match="<stdin>: line 1: malformed JSON"):
        read_id_text("-")


def test_empty_input_gives_no_rows(tmp_path, monkeypatch):
    (tmp_path / "e.jsonl").write_bytes(b"")
    assert read_id_text(str(tmp_path / "e.jsonl")) == []
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    assert read_id_text("-") == []


def test_non_utf8_csv_is_a_data_error_naming_the_file(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("id,text\nx1,Café tender\n".encode("cp1252"))
    with pytest.raises(DataError) as error:
        read_id_text(str(path))
    assert str(path) in str(error.value)
