"""HTML: main text only, block elements become blocks.

Parsing is event-driven (the standard library's :class:`html.parser.HTMLParser`): no
tree is built, so 10,000 nested ``<div>`` elements cost no recursion and no depth limit
truncates the text. Script, style, navigation, header, footer, aside, form, noscript,
template, hidden elements and the ``<head>`` are dropped. If the page has a ``<main>``
element (or ``role="main"``) only its content is kept, unless that leaves nothing.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from vcse_modes.ingest.builder import Extraction, TextBuilder
from vcse_modes.ingest.encoding import decode_bytes
from vcse_modes.ingest.options import Options
from vcse_modes.ingest.textutil import normalise_newlines

SKIP = frozenset(
    {
        "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "head",
        "svg", "math", "iframe", "object", "button", "select", "dialog", "canvas",
    }
)  # fmt: skip
BLOCK = frozenset(
    {
        "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "div", "dl",
        "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "html", "li",
        "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul", "legend", "option",
    }
)  # fmt: skip
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
     "wbr"}
)  # fmt: skip
_META_AUTHOR = frozenset({"author", "dc.creator", "dcterms.creator", "citation_author", "article:author"})
_META_DATE = frozenset(
    {
        "date", "dc.date", "dcterms.created", "dcterms.date", "dc.date.issued", "dcterms.issued",
        "article:published_time", "citation_publication_date", "citation_date", "pubdate",
        "publication_date", "og:published_time",
    }
)  # fmt: skip
_META_TITLE = frozenset({"og:title", "dc.title", "dcterms.title", "citation_title"})
_SPACES = re.compile(r"\s+")
_SPACE_RUN = re.compile(r" {2,}")
_AROUND_NEWLINE = re.compile(r" *\n *")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HAS_MAIN = re.compile(r"""<main[\s>]|role\s*=\s*["']?main\b""", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    """Collect block texts, skipping boilerplate; the open-element stack is explicit."""

    def __init__(self, main_only: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.main_only = main_only
        self.blocks: list[str] = []
        self.metadata: dict[str, str] = {}
        self._buffer: list[str] = []
        self._stack: list[tuple[str, bool, bool]] = []  # (tag, skips, is_main)
        self._open: dict[str, int] = {}
        self._skip = 0
        self._main = 0
        self._pre = 0
        self._title: list[str] | None = None

    def _flush(self) -> None:
        if not self._buffer:
            return
        text = "".join(self._buffer)
        self._buffer.clear()
        if not self._pre:
            text = _AROUND_NEWLINE.sub("\n", _SPACE_RUN.sub(" ", text))
        text = text.strip()
        if text:
            self.blocks.append(text)

    def _keeping(self) -> bool:
        return self._skip == 0 and (self._main > 0 or not self.main_only)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            self._meta(dict(attrs))
            return
        if tag == "title" and self._title is None:
            self._title = []
        if tag in BLOCK:
            self._flush()
        if tag == "br" and self._keeping():
            self._buffer.append("\n")
        if tag in VOID:
            return
        attributes = dict(attrs)
        skips = (
            tag in SKIP or "hidden" in attributes or (attributes.get("aria-hidden") or "").lower() == "true"
        )
        is_main = tag == "main" or (attributes.get("role") or "").lower() == "main"
        self._stack.append((tag, skips, is_main))
        self._open[tag] = self._open.get(tag, 0) + 1
        self._skip += skips
        self._main += is_main
        self._pre += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None and "title" not in self.metadata:
            title = " ".join("".join(self._title).split())
            if title:
                self.metadata["title"] = title
        if tag in BLOCK:
            self._flush()
        if not self._open.get(tag):
            return
        while self._stack:
            name, skips, is_main = self._stack.pop()
            self._open[name] -= 1
            self._skip -= skips
            self._main -= is_main
            self._pre -= name == "pre"
            if name in BLOCK:
                self._flush()
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._title is not None and "title" not in self.metadata and self._open.get("title"):
            self._title.append(data)
            return
        if not self._keeping():
            return
        self._buffer.append(data if self._pre else _SPACES.sub(" ", data))

    def _meta(self, attrs: dict[str, str | None]) -> None:
        name = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").strip().lower()
        content = " ".join((attrs.get("content") or "").split())
        if not name or not content:
            return
        if name in _META_AUTHOR:
            self.metadata.setdefault("author", content)
        elif name in _META_DATE:
            self.metadata.setdefault("created", content)
        elif name in _META_TITLE:
            self.metadata.setdefault("og_title", content)

    def close(self) -> None:
        super().close()
        self._flush()


def _extract(text: str, main_only: bool) -> _TextExtractor:
    parser = _TextExtractor(main_only)
    parser.feed(text)
    parser.close()
    return parser


def read_html(data: bytes, options: Options) -> Extraction:
    """Read an HTML page (any nesting depth) into blocks of main text."""
    declared = _CHARSET.search(data[:4096])
    text, _encoding, warnings = decode_bytes(
        data, options.path, declared=declared.group(1).decode("ascii") if declared else None
    )
    text = normalise_newlines(text)
    parser = _extract(text, main_only=bool(_HAS_MAIN.search(text)))
    if not parser.blocks and parser.main_only:
        parser = _extract(text, main_only=False)
    metadata = dict(parser.metadata)
    if "title" not in metadata and "og_title" in metadata:
        metadata["title"] = metadata["og_title"]
    metadata.pop("og_title", None)
    builder = TextBuilder()
    for block in parser.blocks:
        builder.add_block(block)
    return Extraction(text=builder.text(), blocks=builder.blocks, metadata=metadata, warnings=warnings)
