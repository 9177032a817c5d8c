"""Builders for every bad input: each file is made in code (reportlab, pypdf, python-docx, raw bytes).

Nothing here is downloaded and nothing is big on disk except the 50 MB one-line text file.
Bombs are built from repeated compressed blocks, so a stream that inflates to 4 GiB costs
milliseconds and a few kilobytes to make.
"""

from __future__ import annotations

import codecs
import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

MIB = 1 << 20
SECRET = "SECRET-TOKEN-7f3a9c-do-not-leak"
"""Content of the local file the external-entity DOCX points at."""

_ADLER_MOD = 65521

# ---------------------------------------------------------------- compressed bombs


def _repeated_block(byte: bytes) -> tuple[bytes, bytes]:
    """(zlib header, one raw-deflate block inflating to 1 MiB of ``byte``), byte-aligned."""
    compressor = zlib.compressobj(9)
    first = compressor.compress(byte * MIB) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(byte * MIB) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert first[2:] == block, "zlib did not produce a repeatable block"
    return first[:2], block


def zlib_of_repeated(total: int, byte: bytes = b" ") -> bytes:
    """A valid zlib stream (checksum included) that inflates to ``total`` copies of ``byte``.

    ``total`` must be a multiple of 1 MiB. The Adler-32 of a constant run has a closed form,
    so nothing of ``total`` size is ever made.
    """
    assert total % MIB == 0 and len(byte) == 1
    header, block = _repeated_block(byte)
    value = byte[0]
    a = (1 + total * value) % _ADLER_MOD
    b = (total + value * (total * (total + 1) // 2)) % _ADLER_MOD
    final = b"\x03\x00"  # an empty final block with fixed Huffman codes
    return header + block * (total // MIB) + final + ((b << 16) | a).to_bytes(4, "big")


def raw_deflate_of_repeated(total: int, byte: bytes = b"\x00") -> tuple[bytes, int]:
    """(raw deflate data, CRC-32) inflating to ``total`` copies of ``byte`` (ZIP member payload)."""
    assert total % MIB == 0
    _, block = _repeated_block(byte)
    crc = 0
    chunk = byte * MIB
    for _ in range(total // MIB):
        crc = zlib.crc32(chunk, crc)
    return block * (total // MIB) + b"\x03\x00", crc


# ---------------------------------------------------------------- raw PDF


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
PAGE = (
    b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
    b"/Contents %d 0 R >>"
)


def text_stream(lines: list[str]) -> bytes:
    body = [b"BT /F1 11 Tf 72 760 Td 14 TL"]
    body += [b"(" + line.encode("latin-1") + b") Tj T*" for line in lines]
    body.append(b"ET")
    return stream(b"\n".join(body))


def stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _objects(objects: list[bytes], start: int = 1, offset: int = 0) -> tuple[bytes, list[int]]:
    out = bytearray()
    offsets = []
    for number, body in enumerate(objects, start=start):
        offsets.append(offset + len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    return bytes(out), offsets


def _xref(first: int, offsets: list[int], *, with_free: bool) -> bytes:
    if with_free:
        rows = b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
    else:
        rows = b"xref\n%d %d\n" % (first, len(offsets))
    return rows + b"".join(b"%010d 00000 n \n" % o for o in offsets)


def raw_pdf(objects: list[bytes]) -> bytes:
    """A classic PDF with objects ``1..n`` (object 1 the catalog) and a correct xref table."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    body, offsets = _objects(objects, offset=len(head))
    xref_at = len(head) + len(body)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return head + body + _xref(1, offsets, with_free=True) + trailer


def one_page_pdf(
    lines: list[str], extra_objects: list[bytes] = (), catalog_extra: bytes = b""
) -> list[bytes]:
    """Objects of a one-page text PDF (1 catalog, 2 pages, 3 page, 4 content, 5 font, then extras)."""
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        PAGE % (2, 5, 4),
        text_stream(lines),
        FONT,
        *extra_objects,
    ]


def flate_bomb_pdf(inflated: int = 4 << 30) -> bytes:
    """Page 1 has text; page 2's content stream is FlateDecode twice and inflates to ``inflated``
    bytes of spaces (4 GiB by default, from about 10 KB of file)."""
    inner = zlib_of_repeated(inflated, b" ")
    outer = zlib.compress(inner, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
        PAGE % (2, 5, 4),
        text_stream(["The council tendered the befriending contract on price."]),
        FONT,
        PAGE % (2, 5, 7),
        stream(outer, b"/Filter [/FlateDecode /FlateDecode] "),
    ]
    return raw_pdf(objects)


def circular_outline_pdf() -> bytes:
    """Outline items whose /Next, /Prev and /First point at each other in a loop."""
    outline = [
        b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 2 >>",
        b"<< /Title (Loop) /Parent 6 0 R /Next 8 0 R /First 8 0 R /Dest [3 0 R /Fit] >>",
        b"<< /Title (Back) /Parent 7 0 R /Next 7 0 R /Prev 7 0 R /First 7 0 R /Dest [3 0 R /Fit] >>",
    ]
    lines = ["The outline of this plan loops back on itself.", "Grants are agreed with the alliance."]
    return raw_pdf(one_page_pdf(lines, outline, b"/Outlines 6 0 R /PageMode /UseOutlines "))


def circular_xref_pdf() -> bytes:
    """An incremental update whose trailer /Prev points at the original xref, whose /Prev
    points back at the update: the cross-reference chain is a cycle."""
    head = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    objects = one_page_pdf(["Original text about price competition."])
    body, offsets = _objects(objects, offset=len(head))
    first_xref = len(head) + len(body)
    table = _xref(1, offsets, with_free=True)
    # Fixed-width /Prev so the offsets below do not depend on its value.
    first_trailer_template = b"trailer\n<< /Size 6 /Root 1 0 R /Prev %010d >>\nstartxref\n%d\n%%%%EOF\n"
    first_trailer_length = len(first_trailer_template % (0, first_xref))
    update_at = first_xref + len(table) + first_trailer_length
    update_obj = b"4 0 obj\n" + text_stream(["Updated text about co-design with the hospice alliance."])
    update_obj += b"\nendobj\n"
    second_xref = update_at + len(update_obj)
    first_trailer = first_trailer_template % (second_xref, first_xref)
    assert len(first_trailer) == first_trailer_length
    update = update_obj + _xref(4, [update_at], with_free=False)
    update += b"trailer\n<< /Size 6 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        first_xref,
        second_xref,
    )
    return head + body + table + first_trailer + update


def deep_page_tree_pdf(depth: int = 5000) -> bytes:
    """``depth`` /Pages nodes nested one inside the other, with one page at the bottom."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = 2 + level
        parent = b"/Parent %d 0 R " % (number - 1) if level else b""
        objects.append(b"<< /Type /Pages %s/Kids [%d 0 R] /Count 1 >>" % (parent, number + 1))
    page = depth + 2
    objects += [PAGE % (page - 1, page + 2, page + 1), text_stream(["Deep inside the page tree."]), FONT]
    return raw_pdf(objects)


# ---------------------------------------------------------------- reportlab / pypdf PDFs


def report_pdf(pages: list[list[str] | None]) -> bytes:
    """A PDF with one list of lines per page; ``None`` makes an image-only (scanned) page."""
    from PIL import Image
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setTitle("Northfield commissioning plan")
    for number, lines in enumerate(pages, start=1):
        if lines is None:
            image = Image.new("RGB", (80, 50), (30 + number, 120, 200))
            pdf.drawImage(ImageReader(image), 72, 300, width=450, height=300)
        else:
            pdf.setFont("Helvetica", 11)
            y = 760.0
            for line in lines:
                pdf.drawString(72, y, line)
                y -= 14
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


PLAN_PAGES = [
    ["The council went out to competitive tender for the befriending service.",
     "Providers bid against each other and the contract was awarded on price."],
    ["We co-designed the hospice pathway with the alliance over a year of workshops.",
     "Trust between partners is high and decisions are shared."],
]  # fmt: skip


def encrypt_pdf(data: bytes, *, user_password: str, owner_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ---------------------------------------------------------------- ZIP containers


def docx(paragraphs: list[str]) -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """Copy a ZIP, swapping one member's content."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, content if info.filename == name else source.read(info))
    return out.getvalue()


def raw_zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    """A hand-built ZIP from ``(name, payload, method, uncompressed size, crc)`` (no validation,
    so member names and sizes can be anything)."""
    local = io.BytesIO()
    central = io.BytesIO()
    for name, payload, method, size, crc in members:
        encoded = name.encode()
        offset = local.tell()
        local.write(
            struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0, crc, len(payload), size, len(encoded), 0
            )
        )
        local.write(encoded)
        local.write(payload)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                method,
                0,
                0,
                crc,
                len(payload),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
        )
        central.write(encoded)
    directory = central.getvalue()
    count = min(len(members), 0xFFFF)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(directory), local.tell(), 0)
    return local.getvalue() + directory + end


def stored(name: str, payload: bytes) -> tuple[str, bytes, int, int, int]:
    return name, payload, 0, len(payload), zlib.crc32(payload)


def docx_zip_bomb(inflated: int = 256 * MIB) -> bytes:
    """A real DOCX whose ``word/media/image1.bin`` truly inflates to 256 MiB of zeros from about
    250 KB of deflate data (about 1000:1); sizes and CRC are honest, so nothing but the ratio
    gives it away."""
    genuine = zipfile.ZipFile(io.BytesIO(docx(["A harmless looking tender notice."])))
    members = [stored(info.filename, genuine.read(info)) for info in genuine.infolist()]
    payload, crc = raw_deflate_of_repeated(inflated)
    members.append(("word/media/image1.bin", payload, 8, inflated, crc))
    return raw_zip(members)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE w:document [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)


def external_entity_docx(secret_path: Path) -> bytes:
    part = (
        f'<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret_path}">]>\n'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Leaked: &xxe;</w:t></w:r></w:p></w:body></w:document>"
    ).encode()
    return replace_member(docx(["Hello"]), "word/document.xml", part)


def encrypted_ole_docx() -> bytes:
    """A password-protected Word file as Office writes it: a Compound File Binary (OLE)
    container (``D0 CF 11 E0`` header) with ``EncryptionInfo`` and ``EncryptedPackage`` streams.

    Version 3 (512-byte sectors); both streams are 4 KiB so no mini stream is needed.
    Sector 0 is the FAT, sector 1 the directory, 2-9 EncryptionInfo, 10-17 EncryptedPackage.
    """
    sector = 512
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>".ljust(4096 - 8, b"\x00")
    package = struct.pack("<Q", 12_345) + os.urandom(4096 - 8)
    fat = [fat_sector, end] + list(range(3, 10)) + [end] + list(range(11, 18)) + [end]
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        return struct.pack(
            "<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, free, right, child, bytes(16), 0, 0, 0,
            start, size,
        )  # fmt: skip

    directory = b"".join([
        entry("Root Entry", 5, 1, free, end, 0),
        entry("EncryptionInfo", 2, free, 2, 2, len(info)),
        entry("EncryptedPackage", 2, free, free, 10, len(package)),
        entry("", 0, free, free, 0, 0),
    ])  # fmt: skip
    difat = [0] + [free] * 108
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", bytes(16), 0x3E, 3, 0xFFFE, 9, 6,
        bytes(6), 0, 1, 1, 0, 0x1000, end, 0, end, 0,
    ) + struct.pack("<109I", *difat)  # fmt: skip
    assert len(header) == sector and len(directory) == sector
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + info + package


# ---------------------------------------------------------------- REFI-QDA projects

QDA_NS = "urn:QDA-XML:project:1.0"


def qde(body: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="{QDA_NS}" name="study" origin="test">'
        f"{body}</Project>"
    ).encode()


def qdpx(
    project: bytes, files: dict[str, bytes] | None = None, compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """A .qdpx via zipfile (names are not checked by zipfile.writestr)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("project.qde", project)
        for name, content in (files or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def qdpx_many_members(count: int = 100_000) -> bytes:
    """A real ZIP with ``count`` empty members besides project.qde (about 10 MB)."""
    return raw_zip([stored("project.qde", qde())] + [stored(f"sources/{i}.txt", b"") for i in range(count)])


def qdpx_deep_xml(depth: int) -> bytes:
    """project.qde whose elements nest ``depth`` levels (the Project element is level 1), stored
    uncompressed so the depth check, not the compression-ratio check, is what refuses it."""
    inner = depth - 2
    xml = (
        f'<Project xmlns="{QDA_NS}" name="x"><Description>'.encode()
        + b"<a>" * inner
        + b"</a>" * inner
        + b"</Description></Project>"
    )
    return qdpx(xml, compression=zipfile.ZIP_STORED)


# ---------------------------------------------------------------- text formats

TRANSCRIPT = (
    "Interviewer: How did the \u201ccompact\u201d change the way you are funded?\n"
    "R1: We\u2019re treated as partners now \u2013 the council doesn\u2019t re-tender every year.\n"
    "Interviewer: And the money itself?\n"
    "R1: It\u2019s a five-year grant of \u00a340,000, with light-touch reporting.\n"
)

MIXED_NEWLINES_LF = (
    "Northfield tender notice\n"
    "The contract goes to the lowest compliant bid.\n\n"
    "Providers must report KPIs monthly.\n"
    "Penalties apply for missed targets.\n\n"
    "The alliance co-designed the pathway.\n"
)


def mixed_newlines() -> bytes:
    """The text of :data:`MIXED_NEWLINES_LF` with CRLF, LF and lone CR mixed (a lone CR is never
    followed by LF, which would make it a CRLF)."""
    return (
        b"Northfield tender notice\r\n"
        b"The contract goes to the lowest compliant bid.\n\r"
        b"Providers must report KPIs monthly.\r"
        b"Penalties apply for missed targets.\r\n\r\n"
        b"The alliance co-designed the pathway.\r"
    )


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 30)).save(out, format="JPEG")
    return out.getvalue()


def write_long_line(path: Path, size: int = 50 * MIB) -> Path:
    """One line of exactly ``size`` bytes of words and no newline, written in chunks."""
    chunk = b"commissioning " * (1 << 16)
    with open(path, "wb") as handle:
        remaining = size
        while remaining:
            piece = chunk[:remaining]
            handle.write(piece)
            remaining -= len(piece)
    return path


def rtf_with_pictures(n_pictures: int = 4, hex_bytes: int = 4 * MIB) -> bytes:
    """An RTF with ``n_pictures`` ``{\\pict}`` groups of ``hex_bytes`` hex digits each, between paragraphs."""
    picture = "{\\pict\\pngblip\\picw640\\pich480 " + "89504e470d0a1a0a" * (hex_bytes // 16) + "}"
    parts = [r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0 Arial;}}" + "\n"]
    for i in range(n_pictures):
        parts.append(f"\\pard Paragraph {i + 1}: the alliance shares decisions.\\par\n")
        parts.append(picture)
    parts.append(r"\pard The end of the report.\par}")
    return "".join(parts).encode("ascii")


def nested_divs_html(depth: int = 10_000) -> bytes:
    return (
        "<!DOCTYPE html><html><body>"
        + "<div>" * depth
        + "<p>Deeply nested partnership text.</p>"
        + "</div>" * depth
        + "<p>After the nest.</p></body></html>"
    ).encode()


HTML_REPORT = (
    b"<!DOCTYPE html><html><head><title>Board papers</title></head><body><main>"
    b"<h1>Board papers</h1><p>The board agreed to extend the grant to the carers' centre.</p>"
    b"</main></body></html>"
)


def utf16le_with_bom() -> bytes:
    text = (
        "Respite care for carers \u2013 \u201cco-designed\u201d with the caf\u00e9 group.\r\n\r\n"
        "Second paragraph.\r\n"
    )
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def csv_with_bom() -> bytes:
    return (
        codecs.BOM_UTF8
        + b'id,text\r\ne1,The council tendered the contract.\r\ne2,"We co-design, together."\r\n'
    )


def csv_with_nul() -> bytes:
    return b"id,text\ne1,First excerpt.\ne2,Sec\x00ond excerpt.\ne3,Third.\n"


def csv_with_long_field(length: int = 131_073 + 50_000) -> bytes:
    return b'id,text\nshort,Fine.\nlong,"' + b"partnership " * (length // 12) + b'"\n'
