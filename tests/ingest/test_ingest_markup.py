"""HTML, RTF and ODT readers."""

from __future__ import annotations

import io
import time

import pytest

from vcse_modes.errors import CorruptDocumentError, EmptyDocumentError
from vcse_modes.ingest import ingest_bytes
from vcse_modes.ingest.rtf import strip_rtf_groups

# ---------------------------------------------------------------- HTML

PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <title>Social prescribing  grants | Northfield Council</title>
  <meta name="author" content="Northfield Council">
  <meta name="dcterms.created" content="2024-05-01">
  <style>p { color: red }</style>
  <script>document.write("<p>tracking</p>")</script>
</head>
<body>
  <header><a href="/">Home</a> Site header</header>
  <nav><ul><li>Menu item</li></ul></nav>
  <div class="content">
    <h1>Social prescribing grants</h1>
    <p>The council &amp; the ICB fund <b>link workers</b>
       in community groups.</p>
    <p>Apply by<br>31 July.</p>
    <ul><li>Small grants up to &pound;5,000</li><li>Core funding</li></ul>
    <table><tr><th>Lot</th><td>Advice</td></tr></table>
    <form><label>Search</label><input name="q"></form>
    <noscript>Enable JavaScript</noscript>
    <div hidden>Hidden text</div>
  </div>
  <aside>Related links</aside>
  <footer>Copyright footer</footer>
</body>
</html>"""


def test_html_main_text_only(check):
    doc = ingest_bytes(PAGE.encode(), "grants.html")
    assert doc.format == "html"
    assert check(doc) == [
        "Social prescribing grants",
        "The council & the ICB fund link workers in community groups.",
        "Apply by\n31 July.",
        "Small grants up to \u00a35,000",
        "Core funding",
        "Lot",
        "Advice",
    ]
    for dropped in ("tracking", "Menu item", "Site header", "Related links", "Copyright", "Search", "Hidden"):
        assert dropped not in doc.text


def test_html_metadata():
    doc = ingest_bytes(PAGE.encode(), "grants.html")
    assert doc.metadata["title"] == "Social prescribing grants | Northfield Council"
    assert doc.metadata["author"] == "Northfield Council"
    assert doc.metadata["created"] == "2024-05-01"


def test_html_main_element_preferred(check):
    page = (
        b"<html><body><div>Cookie banner</div><main><p>The real content.</p></main>"
        b"<div>Promo</div></body></html>"
    )
    assert check(ingest_bytes(page, "main.html")) == ["The real content."]


def test_html_10000_nested_divs(check):
    page = "<html><body>" + "<div>" * 10_000 + "Deeply nested partnership text." + "</div>" * 10_000
    page += "<p>After the nest.</p></body></html>"
    start = time.perf_counter()
    doc = ingest_bytes(page.encode(), "nested.html")
    assert time.perf_counter() - start < 10
    assert check(doc) == ["Deeply nested partnership text.", "After the nest."]


def test_html_10000_unclosed_divs(check):
    page = "<html><body>" + "<div><span>" * 10_000 + "Unclosed text."
    assert check(ingest_bytes(page.encode(), "unclosed.html")) == ["Unclosed text."]


def test_html_declared_windows_1252(check):
    page = (
        '<html><head><meta charset="windows-1252"></head><body><p>\u201cCo-design\u201d \u2013 caf\u00e9</p>'
    )
    doc = ingest_bytes(page.encode("cp1252"), "legacy.htm")
    assert check(doc) == ["\u201cCo-design\u201d \u2013 caf\u00e9"]


def test_html_without_text_is_empty():
    with pytest.raises(EmptyDocumentError, match="nav-only.html"):
        ingest_bytes(b"<html><body><nav>Menu</nav><script>x()</script></body></html>", "nav-only.html")


# ---------------------------------------------------------------- RTF

RTF = (
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Times New Roman;}}"
    r"{\info{\title Grant terms}{\author Jo Smith}{\creatim\yr2024\mo3\dy5\hr10\min0}}"
    r"{\*\generator Riched20;}"
    "\n"
    r"\pard The council\rquote s grant {\b terms} are fair \endash  mostly.\par"
    "{\\pict\\pngblip\\picw10\\pich10 PICTURE\\par}"
    r"{\*\annotation reviewer note}Caf\'e9 funding continues.\par"
    r'{\field{\*\fldinst HYPERLINK "http://example.org"}{\fldrslt the compact}}\par}'
)


def test_rtf_text_and_metadata(check):
    doc = ingest_bytes(RTF.replace("PICTURE", "89504e47" * 10).encode(), "terms.rtf")
    assert doc.format == "rtf"
    assert check(doc) == [
        "The council\u2019s grant terms are fair \u2013 mostly.",
        "Caf\u00e9 funding continues.",
        "the compact",
    ]
    assert doc.metadata == {"title": "Grant terms", "author": "Jo Smith", "created": "2024-03-05"}


def test_rtf_huge_picture_is_cheap():
    data = RTF.replace("PICTURE", "0f" * 5_000_000).encode()
    start = time.perf_counter()
    doc = ingest_bytes(data, "picture.rtf")
    assert time.perf_counter() - start < 5
    assert "0f0f" not in doc.text


def test_rtf_bin_payload_with_braces_is_skipped():
    payload = "}{\\par junk{{"
    rtf = r"{\rtf1\ansi Before.\par{\*\blob\bin" + str(len(payload)) + " " + payload + r"}After.\par}"
    assert strip_rtf_groups(rtf).count("junk") == 0
    doc = ingest_bytes(rtf.encode("latin-1"), "bin.rtf")
    assert [doc.text[b.start : b.end] for b in doc.blocks] == ["Before.", "After."]


def test_rtf_strip_is_linear_on_many_groups():
    rtf = r"{\rtf1 " + r"{\*\bkmkstart x}word " * 50_000 + "}"
    start = time.perf_counter()
    stripped = strip_rtf_groups(rtf)
    assert time.perf_counter() - start < 2
    assert "bkmkstart" not in stripped


# ---------------------------------------------------------------- ODT


def _odt(include_annotation: bool = True) -> bytes:
    from odf import dc, meta
    from odf.office import Annotation
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, List, ListItem, P, S, Tab

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text="Alliance agreement"))
    document.meta.addElement(meta.InitialCreator(text="Ann Author"))
    document.meta.addElement(meta.CreationDate(text="2024-02-01T09:00:00"))
    document.text.addElement(H(outlinelevel=1, text="Purpose"))
    paragraph = P(text="Partners agree")
    paragraph.addElement(S(c=2))
    paragraph.addText("to share")
    paragraph.addElement(Tab())
    paragraph.addText("risk")
    if include_annotation:
        note = Annotation()
        note.addElement(P(text="Legal to confirm"))
        paragraph.addElement(note)
    paragraph.addText(" and reward.")
    document.text.addElement(paragraph)
    items = List()
    for text in ("Hospice care", "Respite"):
        item = ListItem()
        item.addElement(P(text=text))
        items.addElement(item)
    document.text.addElement(items)
    table = Table()
    table.addElement(TableColumn(numbercolumnsrepeated=2))
    row = TableRow()
    for text in ("Partner", "Share"):
        cell = TableCell()
        cell.addElement(P(text=text))
        row.addElement(cell)
    table.addElement(row)
    document.text.addElement(table)
    document.text.addElement(P(text="Signed by all partners."))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_odt_paragraphs_headings_lists_tables(check):
    doc = ingest_bytes(_odt(), "alliance.odt")
    assert doc.format == "odt"
    assert check(doc) == [
        "Purpose",
        "Partners agree  to share\trisk and reward.",
        "Hospice care",
        "Respite",
        "Partner",
        "Share",
        "Signed by all partners.",
    ]
    assert doc.metadata["title"] == "Alliance agreement"
    assert doc.metadata["author"] == "Ann Author"
    assert doc.metadata["created"].startswith("2024-02-01")


def test_odt_comments_only_when_asked(check):
    data = _odt()
    assert "Legal to confirm" not in ingest_bytes(data, "a.odt").text
    assert check(ingest_bytes(data, "a.odt", include_comments=True))[-1] == "Legal to confirm"


def test_odt_transcript(build, check):
    data = build.odt(["Interviewer: What changed?", "R2: The tender.", "Interviewer: And?", "R2: More KPIs."])
    doc = ingest_bytes(data, "interview.odt", roles={"r2": "commissioner"})
    assert doc.is_transcript
    assert check(doc) == ["What changed?", "The tender.", "And?", "More KPIs."]
    assert [b.role for b in doc.blocks] == ["interviewer", "commissioner", "interviewer", "commissioner"]


def test_odt_broken_content_is_corrupt(build):
    data = build.replace_member(build.odt(["Hello"]), "content.xml", b"<office:document-content")
    with pytest.raises(CorruptDocumentError, match="broken.odt"):
        ingest_bytes(data, "broken.odt")
