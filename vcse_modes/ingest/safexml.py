"""Parse untrusted XML parts (OOXML, ODF, later REFI-QDA) without entities or DTDs.

OOXML and ODF never need a document type declaration, so any part carrying
``<!DOCTYPE`` or ``<!ENTITY`` is refused outright (billion laughs, external entities
pointing at local files or URLs). Parsing then uses lxml with entity resolution, DTD
loading and network access all switched off, and the parsed tree is checked once more.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from vcse_modes.errors import CorruptDocumentError, UnsafeInputError

if TYPE_CHECKING:
    from lxml import etree

_MARKERS = ("<!DOCTYPE", "<!ENTITY")
_PATTERNS = tuple(
    re.compile(re.escape(marker.encode(encoding)), re.IGNORECASE)
    for marker in _MARKERS
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)


def check_xml(data: bytes, *, name: str, path: str | None = None) -> None:
    """Refuse an XML part that declares a DTD or entities.

    Raises
    ------
    UnsafeInputError
        The part contains ``<!DOCTYPE`` or ``<!ENTITY`` (in any UTF encoding).
    """
    for pattern in _PATTERNS:
        if pattern.search(data):
            raise UnsafeInputError(
                f"XML part {name!r} declares a DTD or entities, which this format never needs; "
                "refused as possibly hostile (entity expansion or external entity)",
                path,
            )


def make_parser() -> etree.XMLParser:
    """An lxml parser that never resolves entities, loads DTDs or touches the network."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, *, name: str, path: str | None = None) -> etree._Element:
    """Check and parse one XML part.

    Raises
    ------
    UnsafeInputError
        See :func:`check_xml`.
    CorruptDocumentError
        The XML is not well formed (or nests deeper than libxml2 allows).
    """
    from lxml import etree

    check_xml(data, name=name, path=path)
    try:
        root = etree.fromstring(data, make_parser())
    except etree.XMLSyntaxError as exc:
        raise CorruptDocumentError(f"XML part {name!r} is not well formed ({exc})", path) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeInputError(f"XML part {name!r} declares a DTD; refused as possibly hostile", path)
    return root
