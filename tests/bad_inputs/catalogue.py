"""The list of bad document inputs: how each is built, what ``ingest`` raises, what a batch row says.

One entry per kind of file. ``error`` is the exact exception class :func:`vcse_modes.ingest.ingest`
raises (``None``: the file is read, possibly with warnings); ``status`` is the ``status`` of the
file's row in ``documents.jsonl`` after ``run_batch(..., timeout=5, memory_mb=1500)``. A tuple of
statuses marks the two resource-bound cases, whose row depends on which limit the worker hits
first (time or memory): both are a clear status for that file, and the batch goes on.

Non-document cases (tabular files, training data, models, folders) live in their own test
modules; the CSV files here are also documents a batch may meet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from vcse_modes.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    NeedsOcrError,
    UnsafeInputError,
    UnsupportedFormatError,
    VcseModesError,
)

from . import builders as b

GOOD_EXAMPLES = (
    "grant_terms.pdf",
    "partnership_agreement.docx",
    "interview_commissioner.vtt",
    "interview_hospice.txt",
    "tender_notice.txt",
    "cases/northfield-social-prescribing/board_minutes.html",
)
"""Files copied from ``examples/`` into the batch folder: every one must come out ``ok``."""


@dataclass(frozen=True)
class Build:
    """What a builder may use: the file's own path and the secret file outside the inputs."""

    path: Path
    secret: Path


@dataclass(frozen=True)
class BadFile:
    name: str
    make: Callable[[Build], bytes | None]
    """Returns the file's bytes, or writes the file itself and returns None."""
    error: type[VcseModesError] | None
    status: str | tuple[str, ...]
    what: str


def _plan(ctx: Build) -> bytes:
    return b.report_pdf(b.PLAN_PAGES)


def _long_line(ctx: Build) -> None:
    b.write_long_line(ctx.path)


CATALOGUE: tuple[BadFile, ...] = (
    BadFile("zero-bytes.txt", lambda ctx: b"", EmptyDocumentError, "empty", "zero-byte file"),
    BadFile(
        "scanned.pdf",
        lambda ctx: b.report_pdf([None, None]),
        NeedsOcrError,
        "needs_ocr",
        "scanned PDF: images, no text layer",
    ),
    BadFile(
        "partly-scanned.pdf",
        lambda ctx: b.report_pdf([b.PLAN_PAGES[0], None, b.PLAN_PAGES[1], None]),
        None,
        "ok",
        "PDF whose pages 2 and 4 are scans: read, with a warning naming them",
    ),
    BadFile(
        "locked-user-password.pdf",
        lambda ctx: b.encrypt_pdf(_plan(ctx), user_password="unknown-4711", owner_password="owner"),
        EncryptedDocumentError,
        "encrypted",
        "PDF encrypted with a user password we do not know",
    ),
    BadFile(
        "owner-password-only.pdf",
        lambda ctx: b.encrypt_pdf(_plan(ctx), user_password="", owner_password="owner-only"),
        None,
        "ok",
        "PDF with an owner password only: opens and extracts",
    ),
    BadFile(
        "flate-bomb.pdf",
        lambda ctx: b.flate_bomb_pdf(),
        UnsafeInputError,
        "error",
        "content stream FlateDecode twice, inflating to 4 GiB: refused before pdfium inflates it",
    ),
    BadFile(
        "circular-xref.pdf",
        lambda ctx: b.circular_xref_pdf(),
        None,
        "ok",
        "xref sections whose /Prev entries point at each other",
    ),
    BadFile(
        "circular-outline.pdf",
        lambda ctx: b.circular_outline_pdf(),
        None,
        "ok",
        "outline items linked in a loop",
    ),
    BadFile(
        "deep-page-tree.pdf",
        lambda ctx: b.deep_page_tree_pdf(5000),
        CorruptDocumentError,
        "error",
        "5,000 nested /Pages nodes above the only page",
    ),
    BadFile(
        "board-papers-really-html.pdf",
        lambda ctx: b.HTML_REPORT,
        None,
        "ok",
        "HTML saved with a .pdf name: read as HTML with a warning",
    ),
    BadFile(
        "truncated.pdf",
        lambda ctx: _plan(ctx)[: len(_plan(ctx)) * 6 // 10],
        CorruptDocumentError,
        "error",
        "PDF cut at 60% of its length",
    ),
    BadFile(
        "zip-bomb.docx",
        lambda ctx: b.docx_zip_bomb(),
        UnsafeInputError,
        "error",
        "DOCX with a member inflating 1000:1 to 256 MiB",
    ),
    BadFile(
        "billion-laughs.docx",
        lambda ctx: b.replace_member(b.docx(["x"]), "word/document.xml", b.BILLION_LAUGHS),
        UnsafeInputError,
        "error",
        "DOCX whose document.xml declares nested entities",
    ),
    BadFile(
        "external-entity.docx",
        lambda ctx: b.external_entity_docx(ctx.secret),
        UnsafeInputError,
        "error",
        "DOCX with an external entity pointing at a local secret file",
    ),
    BadFile(
        "password-protected.docx",
        lambda ctx: b.encrypted_ole_docx(),
        EncryptedDocumentError,
        "encrypted",
        "encrypted Office file: an OLE container (D0 CF 11 E0) holding EncryptedPackage",
    ),
    BadFile(
        "traversal.qdpx",
        lambda ctx: b.qdpx(b.qde(), {"../../evil.txt": b"x"}),
        UnsafeInputError,
        "error",
        "REFI-QDA project with a ../ member name",
    ),
    BadFile(
        "absolute-member.qdpx",
        lambda ctx: b.qdpx(b.qde(), {"/etc/cron.d/evil": b"x"}),
        UnsafeInputError,
        "error",
        "REFI-QDA project with an absolute member name",
    ),
    BadFile(
        "many-members.qdpx",
        lambda ctx: b.qdpx_many_members(100_000),
        UnsafeInputError,
        "error",
        "REFI-QDA project with 100,000 members",
    ),
    BadFile(
        "deep-xml.qdpx",
        lambda ctx: b.qdpx_deep_xml(300),
        UnsupportedFormatError,
        "unsupported",
        "REFI-QDA project nesting 300 deep (as a document: a project, not a text)",
    ),
    BadFile("utf16le-bom.txt", lambda ctx: b.utf16le_with_bom(), None, "ok", "UTF-16LE text with a BOM"),
    BadFile("excel-bom.csv", lambda ctx: b.csv_with_bom(), None, "ok", "UTF-8 CSV with a BOM"),
    BadFile(
        "cp1252-transcript.txt",
        lambda ctx: b.TRANSCRIPT.encode("cp1252"),
        None,
        "ok",
        "Windows-1252 transcript with smart quotes",
    ),
    BadFile("photo.txt", lambda ctx: b.jpeg(), UnsupportedFormatError, "unsupported", "a JPEG named .txt"),
    BadFile(
        "nul-byte.csv",
        lambda ctx: b.csv_with_nul(),
        UnsupportedFormatError,
        "unsupported",
        "CSV with a NUL byte (binary to the document reader)",
    ),
    BadFile("mixed-newlines.txt", lambda ctx: b.mixed_newlines(), None, "ok", "CRLF, LF and CR mixed"),
    BadFile(
        "one-line-50mb.txt",
        _long_line,
        None,
        ("timeout", "error"),
        "a single 50 MB line: read in bounded time; scoring it overruns 5 s or 1500 MB",
    ),
    BadFile(
        "long-field.csv",
        lambda ctx: b.csv_with_long_field(),
        None,
        "ok",
        "CSV with a field over 131,072 characters",
    ),
    BadFile(
        "pictures.rtf", lambda ctx: b.rtf_with_pictures(), None, "ok", "RTF with four 4 MB \\pict groups"
    ),
    BadFile("nested-divs.html", lambda ctx: b.nested_divs_html(10_000), None, "ok", "10,000 nested <div>s"),
)

BY_NAME = {case.name: case for case in CATALOGUE}
IN_PROCESS_UNSAFE: frozenset[str] = frozenset()
"""Files never ingested in the test process (none since the PDF stream guard refuses the bomb)."""


def build_all(folder: Path, secret: Path) -> dict[str, Path]:
    """Write every catalogue file into ``folder``; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for case in CATALOGUE:
        path = folder / case.name
        data = case.make(Build(path, secret))
        if data is not None:
            path.write_bytes(data)
        assert path.is_file(), case.name
        paths[case.name] = path
    return paths
