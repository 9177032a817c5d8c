"""Fixture builders for the ingest tests: every file is made in code, nothing downloaded."""

from __future__ import annotations

import io
import zlib
from types import SimpleNamespace

import pytest
from bad_inputs import builders  # shared ZIP and PDF builders (tests/ is on sys.path)
from bad_inputs.builders import encrypt_pdf, replace_member, stored

from vcse_modes import ROLES
from vcse_modes.document import Document

# ---------------------------------------------------------------- checks


def check_document(doc: Document) -> None:
    """The invariants every Document must satisfy."""
    assert doc.format in {"pdf", "docx", "odt", "html", "txt", "rtf", "vtt", "srt"}
    assert len(doc.sha256) == 64
    previous_end = 0
    for block in doc.blocks:
        piece = doc.text[block.start : block.end]
        assert block.start < block.end, block
        assert block.start >= previous_end, "blocks overlap or are out of order"
        assert piece == piece.strip(), f"block has surrounding whitespace: {piece!r}"
        assert piece, block
        assert block.role in ROLES
        previous_end = block.end
    for page in doc.pages:
        assert 0 <= page.start <= page.end <= len(doc.text)
    if doc.pages:
        for block in doc.blocks:
            span = doc.pages[block.page - 1]
            assert span.number == block.page
            assert span.start <= block.start and block.end <= span.end, "block crosses a page"


def texts(doc: Document) -> list[str]:
    return [doc.text[b.start : b.end] for b in doc.blocks]


# ---------------------------------------------------------------- PDF


def make_pdf(
    pages: list[list[str] | None],
    *,
    header: str | None = "Northfield ICB Commissioning Strategy 2024-2029",
    footer: str | None = "Page {n} of {total}",
    title: str | None = "Northfield commissioning plan",
    author: str | None = "Jane Author",
    image_pages: frozenset[int] = frozenset(),
) -> bytes:
    """A PDF with one list of body lines per page (``""`` = paragraph gap, None = no text).

    Pages listed in ``image_pages`` (1-based) get an image and no text at all.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    if title:
        pdf.setTitle(title)
    if author:
        pdf.setAuthor(author)
    total = len(pages)
    for number, lines in enumerate(pages, start=1):
        if number in image_pages or lines is None:
            if number in image_pages:
                pdf.drawImage(ImageReader(_png_image()), 72, 400, width=300, height=200)
            pdf.showPage()
            continue
        if header:
            pdf.setFont("Helvetica", 9)
            pdf.drawString(72, 800, header)
        pdf.setFont("Helvetica", 11)
        y = 760.0
        for line in lines:
            if line:
                pdf.drawString(72, y, line)
                y -= 14
            else:
                y -= 10
        if footer:
            pdf.setFont("Helvetica", 9)
            pdf.drawString(260, 40, footer.format(n=number, total=total))
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _png_image():
    from PIL import Image

    image = Image.new("RGB", (60, 40), (200, 30, 30))
    return image


# ---------------------------------------------------------------- DOCX / ODT


def make_docx(paragraphs: list[str], *, header: str | None = None, footer: str | None = None) -> bytes:
    import docx

    document = docx.Document()
    if header is not None:
        document.sections[0].header.paragraphs[0].text = header
    if footer is not None:
        document.sections[0].footer.paragraphs[0].text = footer
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_odt(paragraphs: list[str], *, heading: str | None = None) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    if heading:
        document.text.addElement(H(outlinelevel=1, text=heading))
    for text in paragraphs:
        document.text.addElement(P(text=text))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def raw_zip(members: list[tuple[str, bytes, int | None]]) -> bytes:
    """Hand-built ZIP: ``(name, raw deflate payload or stored bytes, declared size or None)``.

    With a declared size the payload is stored as deflate data and the directory
    claims ``declared`` uncompressed bytes, so a bomb costs nothing to build.
    """
    return builders.raw_zip([
        stored(name, payload) if declared is None else (name, payload, 8, declared, 0)
        for name, payload, declared in members
    ])


def zeros_deflated(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    out = [compressor.compress(chunk) for _ in range(size >> 20)]
    out.append(compressor.compress(bytes(size & ((1 << 20) - 1))))
    out.append(compressor.flush())
    return b"".join(out)


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def build() -> SimpleNamespace:
    """File builders: ``build.pdf(...)``, ``build.docx(...)``, ``build.raw_zip(...)`` ..."""
    return SimpleNamespace(
        pdf=make_pdf,
        encrypt_pdf=encrypt_pdf,
        docx=make_docx,
        odt=make_odt,
        replace_member=replace_member,
        raw_zip=raw_zip,
        zeros_deflated=zeros_deflated,
    )


@pytest.fixture
def check():
    """``check(doc)`` asserts the Document invariants and returns the block texts."""

    def run(doc: Document) -> list[str]:
        check_document(doc)
        return texts(doc)

    return run
