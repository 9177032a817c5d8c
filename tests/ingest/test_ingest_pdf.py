"""PDF: pages, running headers/footers, hyphenation, OCR warnings, encryption, damage."""

from __future__ import annotations

import re

import pytest

from vcse_modes.errors import CorruptDocumentError, EncryptedDocumentError, NeedsOcrError
from vcse_modes.ingest import ingest, ingest_bytes
from vcse_modes.ingest.pdf import clean_line

BODY = [
    [
        "Commissioning intentions for the voluntary sector are set out here,",
        "with a focus on partnership working and shared commis-",
        "sioning across the whole integrated care system.",
        "",
        "Grant funding for community groups will continue for three years.",
    ],
    None,  # replaced by an image: no text layer
    [
        "The hospice alliance contract uses a shared outcomes framework",
        "agreed by every partner at the board.",
        "",
        "Social prescribing link workers are hosted by the CVS.",
    ],
    [
        "Procurement under the Provider Selection Regime allows a direct",
        "award where the incumbent provider is performing well.",
    ],
    [
        "Learning disability respite services will be co-designed with",
        "families and carers during the coming year.",
    ],
]


@pytest.fixture
def report_pdf(build) -> bytes:
    return build.pdf(BODY, image_pages=frozenset({2}))


def test_pages_blocks_and_metadata(report_pdf, check, tmp_path):
    path = tmp_path / "strategy.pdf"
    path.write_bytes(report_pdf)
    doc = ingest(path)
    blocks = check(doc)
    assert doc.format == "pdf"
    assert doc.path == str(path)
    assert [p.number for p in doc.pages] == [1, 2, 3, 4, 5]
    assert doc.pages[1].start == doc.pages[1].end  # the image page holds no text
    assert doc.metadata["title"] == "Northfield commissioning plan"
    assert doc.metadata["author"] == "Jane Author"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.*", doc.metadata["created"])
    assert blocks[0] == (
        "Commissioning intentions for the voluntary sector are set out here, with a focus on "
        "partnership working and shared commissioning across the whole integrated care system."
    )
    assert blocks[1] == "Grant funding for community groups will continue for three years."
    assert [b.page for b in doc.blocks] == [1, 1, 3, 3, 4, 5]
    for block in doc.blocks:
        assert doc.page_at(block.start) == block.page


def test_running_headers_and_footers_removed(report_pdf, check):
    doc = ingest_bytes(report_pdf, "strategy.pdf")
    check(doc)
    assert "Northfield ICB Commissioning Strategy" not in doc.text
    assert "Page 3 of 5" not in doc.text
    assert "of 5" not in doc.text


def test_hyphenated_line_ends_are_joined(report_pdf):
    doc = ingest_bytes(report_pdf, "strategy.pdf")
    assert "shared commissioning across" in doc.text
    assert "commis-" not in doc.text and "\ufffe" not in doc.text


def test_page_without_text_is_named_in_a_warning(report_pdf):
    doc = ingest_bytes(report_pdf, "strategy.pdf")
    assert "needs_ocr: pages 2" in doc.warnings


def test_several_pages_without_text_are_all_named(build):
    pages = [["Page one text about grants."], None, ["Page three text."], None, ["Page five text."]]
    doc = ingest_bytes(build.pdf(pages, image_pages=frozenset({2, 4})), "scan-mix.pdf")
    assert "needs_ocr: pages 2, 4" in doc.warnings


def test_scanned_pdf_without_any_text_needs_ocr(build):
    data = build.pdf([None, None], image_pages=frozenset({1, 2}))
    with pytest.raises(NeedsOcrError) as info:
        ingest_bytes(data, "scanned.pdf")
    assert "scanned.pdf" in str(info.value)
    assert info.value.path == "scanned.pdf"


def test_user_password_pdf_is_refused(report_pdf, build):
    data = build.encrypt_pdf(report_pdf, user_password="secret", owner_password="owner")
    with pytest.raises(EncryptedDocumentError) as info:
        ingest_bytes(data, "locked.pdf")
    assert "locked.pdf" in str(info.value)


def test_owner_password_only_pdf_still_extracts(report_pdf, build, check):
    data = build.encrypt_pdf(report_pdf, user_password="", owner_password="owner")
    doc = ingest_bytes(data, "restricted.pdf")
    blocks = check(doc)
    assert blocks[1] == "Grant funding for community groups will continue for three years."


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9])
def test_truncated_pdf_is_corrupt(report_pdf, fraction):
    with pytest.raises(CorruptDocumentError) as info:
        ingest_bytes(report_pdf[: int(len(report_pdf) * fraction)], "truncated.pdf")
    assert "truncated.pdf" in str(info.value)


def test_garbage_after_pdf_header_is_corrupt():
    with pytest.raises(CorruptDocumentError) as info:
        ingest_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20, "garbage.pdf")
    assert "garbage.pdf" in str(info.value)


def test_ligatures_are_normalised_in_lines():
    assert (
        clean_line("the \ufb01nal o\ufb03ce \ufb02ow e\ufb00ort ba\ufb04e")
        == "the final office flow effort baffle"
    )


def test_ligature_glyphs_in_a_pdf_come_out_as_letters(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    try:
        pdfmetrics.registerFont(TTFont("DejaVuIngestTest", font))
    except Exception:  # font not installed on this machine
        pytest.skip("DejaVu font not available")
    path = tmp_path / "ligatures.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setFont("DejaVuIngestTest", 12)
    pdf.drawString(72, 700, "The \ufb01nal o\ufb03ce \ufb02ow")
    pdf.save()
    doc = ingest(path)
    assert "The final office flow" in doc.text
    assert not any(ch in doc.text for ch in "\ufb00\ufb01\ufb02\ufb03\ufb04")


def test_paragraph_breaks_from_spacing_and_short_lines(build, check):
    pages = [
        [
            "1. Introduction",
            "",
            "This strategy sets out how the council and its partners will work",
            "with the voluntary sector over the next five years and beyond.",
            "",
            "It replaces the compact agreed in 2019.",
            "Each partner signed up to the new charter in March.",
        ]
    ]
    doc = ingest_bytes(build.pdf(pages, header=None, footer=None), "paras.pdf")
    assert check(doc) == [
        "1. Introduction",
        "This strategy sets out how the council and its partners will work with the voluntary sector "
        "over the next five years and beyond.",
        "It replaces the compact agreed in 2019.",
        "Each partner signed up to the new charter in March.",
    ]
