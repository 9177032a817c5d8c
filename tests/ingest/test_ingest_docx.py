"""DOCX: body order with tables, headers/footers, comments, metadata, transcripts, damage."""

from __future__ import annotations

import io

import pytest

from vcse_modes.errors import CorruptDocumentError
from vcse_modes.ingest import ingest, ingest_bytes


def _strategy_docx() -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = "VCSE strategy"
    document.core_properties.author = "Dee Author"
    document.sections[0].header.paragraphs[0].text = "Northfield Council - VCSE strategy"
    document.sections[0].footer.paragraphs[0].text = "Official - sensitive"
    document.add_heading("Working with the voluntary sector", 1)
    paragraph = document.add_paragraph("The council will fund infrastructure support.")
    document.add_comment(paragraph.runs, text="Check this figure with finance", author="Bob")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Lot"
    table.cell(0, 1).text = "Annual value"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Lot 1 covers advice services"
    document.add_paragraph("")
    document.add_paragraph("Grants will be reviewed annually.")
    second = document.add_section()
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = "Northfield Council - VCSE strategy"  # duplicate: kept once
    document.add_paragraph("Appendix: the compact.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_body_tables_headers_footers_in_order(check, tmp_path):
    path = tmp_path / "strategy.docx"
    path.write_bytes(_strategy_docx())
    doc = ingest(path)
    assert doc.format == "docx"
    assert not doc.is_transcript
    assert check(doc) == [
        "Working with the voluntary sector",
        "The council will fund infrastructure support.",
        "Lot",
        "Annual value",
        "Lot 1 covers advice services",
        "Grants will be reviewed annually.",
        "Appendix: the compact.",
        "Northfield Council - VCSE strategy",
        "Official - sensitive",
    ]


def test_metadata_from_core_properties():
    doc = ingest_bytes(_strategy_docx(), "strategy.docx")
    assert doc.metadata["title"] == "VCSE strategy"
    assert doc.metadata["author"] == "Dee Author"
    assert "created" in doc.metadata


def test_comments_excluded_unless_asked(check):
    data = _strategy_docx()
    without = ingest_bytes(data, "strategy.docx")
    assert "Check this figure" not in without.text
    with_comments = ingest_bytes(data, "strategy.docx", include_comments=True)
    assert check(with_comments)[-1] == "Check this figure with finance"


def test_docx_transcript_turns_and_roles(build, check):
    data = build.docx(
        [
            "Interview 12",
            "Date: 4 June 2024",
            "Interviewer: Jane Smith",
            "R1 role: vcse",
            "Jane Smith: How has commissioning changed for you?",
            "R1: It has become much more about contracts.",
            "And much more about price, frankly.",
            "Jane Smith: Anything else?",
            "R1: [00:12:31] The partnership board helps a lot.",
        ]
    )
    doc = ingest_bytes(data, "interview-12.docx")
    blocks = check(doc)
    assert doc.is_transcript
    assert blocks == [
        "How has commissioning changed for you?",
        "It has become much more about contracts.\nAnd much more about price, frankly.",
        "Anything else?",
        "The partnership board helps a lot.",
    ]
    assert [(b.speaker, b.role) for b in doc.blocks] == [
        ("Jane Smith", "interviewer"),
        ("R1", "vcse"),
        ("Jane Smith", "interviewer"),
        ("R1", "vcse"),
    ]
    assert doc.blocks[3].timestamp == "00:12:31"
    assert doc.metadata["date"] == "4 June 2024"


def test_docx_transcript_with_roles_argument(build):
    data = build.docx(["I: Welcome.", "R: Thanks.", "I: Tell me about the tender.", "R: It was long."])
    doc = ingest_bytes(data, "int.docx", roles={"r": "commissioner"})
    assert [b.role for b in doc.blocks] == ["interviewer", "commissioner", "interviewer", "commissioner"]


def test_damaged_docx_xml_is_corrupt(build):
    data = build.replace_member(build.docx(["Hello"]), "word/document.xml", b"<w:document><unclosed>")
    with pytest.raises(CorruptDocumentError) as info:
        ingest_bytes(data, "broken.docx")
    assert "broken.docx" in str(info.value)


def test_truncated_docx_is_corrupt(build):
    data = build.docx(["Hello there"])
    with pytest.raises(CorruptDocumentError) as info:
        ingest_bytes(data[: len(data) // 2], "cut.docx")
    assert "cut.docx" in str(info.value)
