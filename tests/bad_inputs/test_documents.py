"""Every document in the catalogue, read from disk with ``ingest``: exact error class or exact text.

Overlaps on purpose with ``tests/ingest/test_ingest_bad_inputs.py`` and the reader tests there
(which build their own variants in memory): this directory holds the whole bad-input list, read
from files on disk as a user or a batch meets them. The flate bomb is never read in-process
(see ``test_pdf_hostile.py``).
"""

from __future__ import annotations

import hashlib
import time

import pytest

from vcse_modes.errors import CorruptDocumentError
from vcse_modes.ingest import ingest
from vcse_modes.ingest.textutil import MAX_BLOCK_CHARS

from . import builders as b
from .catalogue import CATALOGUE, IN_PROCESS_UNSAFE
from .checks import block_texts, check_blocks, refused

MESSAGES = {
    "zero-bytes.txt": "file is empty (0 bytes)",
    "scanned.pdf": "no page has a text layer (scanned or image-only PDF, 2 pages); run OCR first",
    "locked-user-password.pdf": "PDF is password-protected (user password)",
    "deep-page-tree.pdf": "no page of this PDF could be read",
    "truncated.pdf": "damaged or truncated PDF",
    "zip-bomb.docx": "ZIP member 'word/media/image1.bin' is compressed 1,011:1 (limit 200:1); refused as a "
    "possible zip bomb",
    "billion-laughs.docx": "XML part 'word/document.xml' declares a DTD or entities",
    "external-entity.docx": "XML part 'word/document.xml' declares a DTD or entities",
    "password-protected.docx": "password-protected Office document (an encrypted OLE container)",
    "traversal.qdpx": "ZIP member name '../../evil.txt' points outside the archive; refused",
    "absolute-member.qdpx": "ZIP member name '/etc/cron.d/evil' points outside the archive; refused",
    "many-members.qdpx": "ZIP container declares 65,535 members (limit 5,000); refused as a possible "
    "zip bomb",
    "deep-xml.qdpx": "content is a REFI-QDA project (.qdpx), not a text document",
    "photo.txt": "content is a JPEG image, not a text document",
    "flate-bomb.pdf": "refused as a possible decompression bomb",
    "nul-byte.csv": "binary content, not text (it contains NUL bytes)",
}
REFUSED = [case for case in CATALOGUE if case.error is not None]
READ = [case for case in CATALOGUE if case.error is None and case.name not in IN_PROCESS_UNSAFE]


def test_every_refused_case_has_a_message_check():
    assert sorted(MESSAGES) == sorted(case.name for case in REFUSED)


@pytest.mark.parametrize("case", REFUSED, ids=lambda case: case.name)
def test_refused_with_the_exact_error_naming_the_file(bad_files, case):
    error = refused(bad_files.bad[case.name], case.error)
    assert MESSAGES[case.name] in str(error)
    assert error.status == case.status, "the batch row status comes from the error class"
    assert b.SECRET not in str(error)


@pytest.mark.parametrize("case", [c for c in READ if c.name != "one-line-50mb.txt"], ids=lambda c: c.name)
def test_read_cases_give_ordered_nonempty_blocks(bad_files, case):
    doc = ingest(bad_files.bad[case.name])
    check_blocks(doc)
    assert doc.blocks and doc.sha256 == hashlib.sha256(bad_files.bad[case.name].read_bytes()).hexdigest()


# ---------------------------------------------------------------- PDF


def test_partly_scanned_pdf_is_read_with_a_warning_naming_the_pages(bad_files):
    doc = ingest(bad_files.bad["partly-scanned.pdf"])
    assert doc.format == "pdf" and len(doc.pages) == 4
    assert "needs_ocr: pages 2, 4" in doc.warnings
    text = " ".join(block_texts(doc))
    for line in b.PLAN_PAGES[0] + b.PLAN_PAGES[1]:
        assert line in text
    assert {block.page for block in doc.blocks} == {1, 3}


def test_owner_password_only_pdf_extracts(bad_files):
    doc = ingest(bad_files.bad["owner-password-only.pdf"])
    assert doc.format == "pdf" and doc.warnings == ()
    text = " ".join(block_texts(doc))
    for line in b.PLAN_PAGES[0] + b.PLAN_PAGES[1]:
        assert line in text


def test_circular_xref_is_read_quickly_from_the_newest_revision(bad_files):
    start = time.perf_counter()
    doc = ingest(bad_files.bad["circular-xref.pdf"])
    assert time.perf_counter() - start < 5
    assert block_texts(doc) == ["Updated text about co-design with the hospice alliance."]


def test_circular_outline_is_never_followed(bad_files):
    start = time.perf_counter()
    doc = ingest(bad_files.bad["circular-outline.pdf"])
    assert time.perf_counter() - start < 5
    assert block_texts(doc) == [
        "The outline of this plan loops back on itself. Grants are agreed with the alliance."
    ]


def test_deep_page_tree_is_refused_quickly(bad_files):
    start = time.perf_counter()
    refused(bad_files.bad["deep-page-tree.pdf"], CorruptDocumentError)
    assert time.perf_counter() - start < 5


def test_pdf_that_is_really_html_is_read_as_html_with_a_warning(bad_files):
    doc = ingest(bad_files.bad["board-papers-really-html.pdf"])
    assert doc.format == "html"
    assert doc.warnings == ("extension .pdf but content is html; read as html",)
    assert block_texts(doc) == ["Board papers", "The board agreed to extend the grant to the carers' centre."]


# ---------------------------------------------------------------- text encodings and line endings


def test_utf16le_with_bom(bad_files):
    doc = ingest(bad_files.bad["utf16le-bom.txt"])
    assert doc.format == "txt" and "\ufeff" not in doc.text and "\r" not in doc.text
    assert block_texts(doc) == [
        "Respite care for carers \u2013 \u201cco-designed\u201d with the caf\u00e9 group.",
        "Second paragraph.",
    ]


def test_utf8_bom_csv_read_as_a_document_has_no_bom_character(bad_files):
    doc = ingest(bad_files.bad["excel-bom.csv"])
    assert doc.text.startswith("id,text\n") and "\ufeff" not in doc.text


def test_cp1252_transcript_with_smart_quotes(bad_files):
    doc = ingest(bad_files.bad["cp1252-transcript.txt"])
    assert doc.is_transcript
    assert doc.warnings == ("encoding: not UTF-8; decoded as cp1252",)
    assert [(block.speaker, doc.text[block.start : block.end]) for block in doc.blocks] == [
        ("Interviewer", "How did the \u201ccompact\u201d change the way you are funded?"),
        ("R1", "We\u2019re treated as partners now \u2013 the council doesn\u2019t re-tender every year."),
        ("Interviewer", "And the money itself?"),
        ("R1", "It\u2019s a five-year grant of \u00a340,000, with light-touch reporting."),
    ]
    assert [block.role for block in doc.blocks][0] == "interviewer"


def test_mixed_line_endings_give_the_lf_text_and_the_raw_hash(bad_files, tmp_path):
    path = bad_files.bad["mixed-newlines.txt"]
    raw = path.read_bytes()
    assert b"\r\n" in raw and b"\n\r" in raw and b".\rP" in raw  # CRLF, LF and lone CR all present
    lf = tmp_path / "lf.txt"
    lf.write_bytes(b.MIXED_NEWLINES_LF.encode())
    doc, again, lf_doc = ingest(path), ingest(path), ingest(lf)
    assert doc.text == lf_doc.text == b.MIXED_NEWLINES_LF.rstrip("\n") + "\n"
    assert doc.blocks == lf_doc.blocks and block_texts(doc) == [
        "Northfield tender notice\nThe contract goes to the lowest compliant bid.",
        "Providers must report KPIs monthly.\nPenalties apply for missed targets.",
        "The alliance co-designed the pathway.",
    ]
    assert doc.sha256 == hashlib.sha256(raw).hexdigest() != lf_doc.sha256
    assert (again.text, again.sha256, again.blocks) == (doc.text, doc.sha256, doc.blocks)


def test_fifty_mb_single_line_is_read_in_bounded_time(bad_files):
    path = bad_files.bad["one-line-50mb.txt"]
    assert path.stat().st_size == 50 * b.MIB
    start = time.perf_counter()
    doc = ingest(path)
    elapsed = time.perf_counter() - start
    assert elapsed < 30, f"{elapsed:.1f} s"
    assert len(doc.text) == 50 * b.MIB and not doc.is_transcript
    assert max(block.end - block.start for block in doc.blocks) <= MAX_BLOCK_CHARS
    assert sum(block.end - block.start for block in doc.blocks) >= 0.99 * len(doc.text)


# ---------------------------------------------------------------- markup


def test_rtf_with_huge_pictures_is_fast_and_keeps_the_text(bad_files):
    path = bad_files.bad["pictures.rtf"]
    assert path.stat().st_size > 16 * b.MIB
    start = time.perf_counter()
    doc = ingest(path)
    assert time.perf_counter() - start < 5
    assert block_texts(doc) == [
        *(f"Paragraph {i}: the alliance shares decisions." for i in range(1, 5)),
        "The end of the report.",
    ]


def test_html_with_10000_nested_divs(bad_files):
    start = time.perf_counter()
    doc = ingest(bad_files.bad["nested-divs.html"])
    assert time.perf_counter() - start < 10
    assert block_texts(doc) == ["Deeply nested partnership text.", "After the nest."]


def test_long_csv_field_read_as_a_document(bad_files):
    doc = ingest(bad_files.bad["long-field.csv"])
    assert max(block.end - block.start for block in doc.blocks) <= MAX_BLOCK_CHARS
    assert doc.text.count("partnership") == (131_073 + 50_000) // 12
