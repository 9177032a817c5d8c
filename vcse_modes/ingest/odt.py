"""ODT: paragraphs, headings, list items and table cells of ``content.xml`` in order.

``content.xml`` and ``meta.xml`` are read through the safe-zip helper and parsed with the
safe lxml settings (no entities, no DTD, no network); any part declaring a DTD is refused.
Walking uses an explicit stack and lxml's iterative ``iterwalk``, never recursion.
Footnotes, tracked-change deletions and (unless ``include_comments``) annotations are
left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from vcse_modes.errors import CorruptDocumentError
from vcse_modes.ingest import xmlwalk
from vcse_modes.ingest.builder import Extraction
from vcse_modes.ingest.ooxml import MAX_XML_PART, check_container
from vcse_modes.ingest.options import Options
from vcse_modes.ingest.safexml import parse_xml
from vcse_modes.ingest.safezip import open_safe_zip, read_member

if TYPE_CHECKING:
    from lxml import etree

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DC = "http://purl.org/dc/elements/1.1/"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"

_P = f"{{{TEXT}}}p"
_H = f"{{{TEXT}}}h"
_S = f"{{{TEXT}}}s"
_TAB = f"{{{TEXT}}}tab"
_LINE_BREAK = f"{{{TEXT}}}line-break"
_CELL = f"{{{TABLE}}}table-cell"
_TABLE = f"{{{TABLE}}}table"
_ANNOTATION = f"{{{OFFICE}}}annotation"
_SKIP = frozenset(
    {
        f"{{{TEXT}}}note",
        f"{{{TEXT}}}tracked-changes",
        f"{{{TEXT}}}sequence-decls",
        f"{{{TEXT}}}variable-decls",
        f"{{{TEXT}}}user-field-decls",
        f"{{{OFFICE}}}forms",
        f"{{{OFFICE}}}annotation-end",
        _ANNOTATION,
    }
)


def paragraph_text(paragraph: etree._Element, comments: list[str] | None = None) -> str:
    """Text of one ``text:p``/``text:h``; annotations go to ``comments`` if given."""
    from lxml import etree

    parts: list[str] = []
    skipping: etree._Element | None = None
    for event, element in etree.iterwalk(paragraph, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if skipping is not None:
                continue
            if tag in _SKIP:
                skipping = element
                if tag == _ANNOTATION and comments is not None:
                    comments.append(_annotation_text(element))
                continue
            if tag == _S:
                parts.append(" " * int(element.get(f"{{{TEXT}}}c", "1") or 1))
            elif tag == _TAB:
                parts.append("\t")
            elif tag == _LINE_BREAK or (tag in (_P, _H) and element is not paragraph):
                parts.append("\n")
            if element.text:
                parts.append(element.text)
        else:
            if element is skipping:
                skipping = None
            elif skipping is not None:
                continue
            if element is not paragraph and element.tail:
                parts.append(element.tail)
    return "".join(parts)


def _annotation_text(annotation: etree._Element) -> str:
    return "\n".join(paragraph_text(p) for p in annotation.iter(_P))


def iter_items(body: etree._Element, comments: list[str] | None) -> Iterator[str]:
    """Yield paragraph, heading and table-cell texts under ``body`` in document order."""
    return xmlwalk.iter_items(body, paragraphs=(_P, _H), table=_TABLE, cell=_CELL,
                              text_of=lambda element: paragraph_text(element, comments),
                              descend=lambda tag: tag not in _SKIP)


def _metadata(archive, path: str) -> dict[str, str]:
    if "meta.xml" not in archive.namelist():
        return {}
    root = parse_xml(read_member(archive, "meta.xml", MAX_XML_PART, path=path), name="meta.xml", path=path)
    metadata: dict[str, str] = {}
    for key, tag in (
        ("title", f"{{{DC}}}title"),
        ("author", f"{{{META}}}initial-creator"),
        ("author", f"{{{DC}}}creator"),
        ("created", f"{{{META}}}creation-date"),
    ):
        element = root.find(f".//{tag}")
        if element is not None and element.text and element.text.strip():
            metadata.setdefault(key, element.text.strip())
    return metadata


def read_odt(data: bytes, options: Options) -> Extraction:
    """Read an ODT text document.

    Raises
    ------
    UnsafeInputError
        Zip bomb, hostile member names or XML declaring a DTD/entities.
    CorruptDocumentError
        ``content.xml`` missing or not well formed.
    """
    path = options.path
    check_container(data, path)
    with open_safe_zip(data, path=path) as archive:
        if "content.xml" not in archive.namelist():
            raise CorruptDocumentError("ODT has no content.xml; re-save it", path)
        content = read_member(archive, "content.xml", MAX_XML_PART, path=path)
        root = parse_xml(content, name="content.xml", path=path)
        metadata = _metadata(archive, path)
    body = root.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
    if body is None:
        body = root.find(f"{{{OFFICE}}}body")
    comments: list[str] | None = [] if options.include_comments else None
    items = [item for item in iter_items(body, comments) if item.strip()] if body is not None else []

    result, is_transcript = xmlwalk.body_blocks(items, options.resolver(), metadata)
    for comment in comments or []:
        result.add_block(comment)
    return Extraction(
        text=result.text(), blocks=result.blocks, metadata=metadata, is_transcript=is_transcript
    )
