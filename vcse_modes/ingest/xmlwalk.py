"""Word-processor XML bodies (DOCX and ODT): paragraphs and table cells in order, then blocks."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from vcse_modes.ingest.builder import TextBuilder
from vcse_modes.ingest.transcript import segment_transcript


def iter_items(
    root: Any,
    *,
    paragraphs: Collection[str],
    table: str,
    cell: str,
    text_of: Callable[[Any], str],
    descend: Callable[[str], bool],
) -> Iterator[str]:
    """Yield each paragraph's text, and each table cell's non-empty paragraphs joined by newlines.

    An explicit stack instead of recursion, so hostile nesting depth cannot overflow Python's
    stack. ``paragraphs``, ``table`` and ``cell`` are the format's tag names; ``descend``
    says which other elements to walk into (all others, and comments, are skipped).
    """
    stack: list[tuple[Iterator[Any], list[str] | None]] = [(iter(root), None)]
    while stack:
        children, texts = stack[-1]
        element = next(children, None)
        if element is None:
            stack.pop()
            if texts:
                yield "\n".join(texts)
                texts.clear()
            continue
        tag = element.tag
        if not isinstance(tag, str):  # comments and processing instructions
            continue
        if tag in paragraphs:
            text = text_of(element)
            if texts is None:
                yield text
            elif text.strip():
                texts.append(text)
        elif tag == table:
            if texts:  # a table nested in a cell: flush the cell's text before it
                yield "\n".join(texts)
                texts.clear()
            stack.append((iter(element), None))
        elif tag == cell:
            stack.append((iter(element), []))
        elif descend(tag):
            stack.append((iter(element), texts))


def body_blocks(items: Sequence[str], resolver: Any, metadata: dict[str, str]) -> tuple[TextBuilder, bool]:
    """The body's items as speaker turns when they read as a transcript, else one block each.

    Returns the builder (callers add headers, footers or comments after the body) and whether
    the body is a transcript; transcript header fields fill ``metadata`` keys it lacks.
    """
    lines = TextBuilder(separator="\n")
    for item in items:
        lines.add_block(item)
    body_text = lines.text()
    result = TextBuilder()
    segmentation = segment_transcript(body_text, resolver, line_paragraphs=True)
    if segmentation is not None:
        result.add_spans(body_text, segmentation.blocks)
        for key, value in segmentation.metadata.items():
            metadata.setdefault(key, value)
    else:
        for item in items:
            result.add_block(item)
    return result, segmentation is not None
