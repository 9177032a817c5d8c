"""One walker for word-processor XML bodies (DOCX and ODT): paragraphs and table cells in order."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import Any


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
