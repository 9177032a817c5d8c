"""DOCX via python-docx: body paragraphs and table cells in order, then headers/footers.

The container and every XML part are checked (:mod:`vcse_modes.ingest.ooxml`) before
python-docx parses anything. The body is walked with an explicit stack, so nested
tables and content controls cost no recursion. Each body paragraph is a block; each
table cell is one block (its paragraphs joined by newlines). Headers and footers follow
the body, deduplicated; comments come last and only with ``include_comments``. A body
that reads as an interview transcript is split into speaker turns instead.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

from vcse_modes.errors import CorruptDocumentError, UnsupportedFormatError
from vcse_modes.ingest import xmlwalk
from vcse_modes.ingest.builder import Extraction
from vcse_modes.ingest.ooxml import check_container
from vcse_modes.ingest.options import Options

if TYPE_CHECKING:
    from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"w": W, "mc": MC}

_P = f"{{{W}}}p"
_T = f"{{{W}}}t"
_TAB = f"{{{W}}}tab"
_BR = f"{{{W}}}br"
_CR = f"{{{W}}}cr"
_NB_HYPHEN = f"{{{W}}}noBreakHyphen"
_TBL = f"{{{W}}}tbl"
_TR = f"{{{W}}}tr"
_TC = f"{{{W}}}tc"
_SDT = f"{{{W}}}sdt"
_SDT_CONTENT = f"{{{W}}}sdtContent"
_CUSTOM_XML = f"{{{W}}}customXml"
_CONTAINERS = frozenset({_SDT, _SDT_CONTENT, _CUSTOM_XML, f"{{{W}}}ins", f"{{{W}}}moveTo"})

_HEADER_FOOTER_KINDS = (
    "header",
    "first_page_header",
    "even_page_header",
    "footer",
    "first_page_footer",
    "even_page_footer",
)

_text_xpath = None


def _text_nodes(paragraph: etree._Element) -> list:
    global _text_xpath
    if _text_xpath is None:
        from lxml import etree

        _text_xpath = etree.XPath(
            "(.//w:t | .//w:r/w:tab | .//w:br | .//w:cr | .//w:noBreakHyphen | .//w:p)"
            "[not(ancestor::mc:Fallback) and not(ancestor::w:moveFrom) and not(ancestor::w:del)]",
            namespaces=NS,
        )
    return _text_xpath(paragraph)


def paragraph_text(paragraph: etree._Element) -> str:
    """Visible text of one ``w:p`` (tabs, breaks and text boxes included, deletions not)."""
    parts: list[str] = []
    for node in _text_nodes(paragraph):
        tag = node.tag
        if tag == _T:
            parts.append(node.text or "")
        elif tag == _TAB:
            parts.append("\t")
        elif tag in (_BR, _CR, _P):
            parts.append("\n")
        elif tag == _NB_HYPHEN:
            parts.append("-")
    return "".join(parts)


def iter_items(container: etree._Element) -> Iterator[str]:
    """Yield the text of each paragraph and each table cell under ``container``, in order."""
    return xmlwalk.iter_items(container, paragraphs=(_P,), table=_TBL, cell=_TC, text_of=paragraph_text,
                              descend=lambda tag: tag == _TR or tag in _CONTAINERS)


def _open(data: bytes, path: str):
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml import etree

    try:
        return docx.Document(io.BytesIO(data))
    except ValueError as exc:
        raise UnsupportedFormatError(f"not a Word document body ({exc}); save it as .docx", path) from exc
    except (PackageNotFoundError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, AttributeError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        raise CorruptDocumentError(f"damaged DOCX ({reason}); re-save it in Word", path) from exc


def _metadata(document) -> dict[str, str]:
    props = document.core_properties
    metadata: dict[str, str] = {}
    if props.title:
        metadata["title"] = props.title.strip()
    if props.author:
        metadata["author"] = props.author.strip()
    if props.created is not None:
        metadata["created"] = props.created.isoformat()
    return {key: value for key, value in metadata.items() if value}


def _headers_and_footers(document) -> Iterator[str]:
    for attr in _HEADER_FOOTER_KINDS:
        for section in document.sections:
            part = getattr(section, attr)
            if part.is_linked_to_previous:
                continue
            yield from iter_items(part._element)


def _comments(document) -> Iterator[str]:
    try:
        comments = document.comments
    except (AttributeError, KeyError, ValueError):
        return
    for comment in comments:
        for paragraph in comment.paragraphs:
            yield paragraph_text(paragraph._p)


def read_docx(data: bytes, options: Options) -> Extraction:
    """Read a DOCX file.

    Raises
    ------
    UnsafeInputError
        Zip bomb, hostile member names or XML with DTD/entity declarations.
    CorruptDocumentError
        The package cannot be opened.
    """
    check_container(data, options.path)
    document = _open(data, options.path)

    items = [item for item in iter_items(document.element.body) if item.strip()]
    metadata = _metadata(document)
    result, is_transcript = xmlwalk.body_blocks(items, options.resolver(), metadata)

    seen: set[str] = set()
    for item in _headers_and_footers(document):
        key = " ".join(item.split())
        if key and key not in seen:
            seen.add(key)
            result.add_block(item)
    if options.include_comments:
        for item in _comments(document):
            result.add_block(item)
    return Extraction(
        text=result.text(),
        blocks=result.blocks,
        metadata=metadata,
        is_transcript=is_transcript,
    )
