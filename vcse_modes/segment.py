"""Split a :class:`~vcse_modes.document.Document` into passages: sentence windows inside blocks.

A passage never crosses a block (paragraph, table cell, speaker turn or page), and
``document.text[passage.start:passage.end] == passage.text`` always holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vcse_modes.document import Document

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

MAX_SENTENCES = 3
MAX_TOKENS = 90
# spaCy's tokenizer is linear, but a block with no sentence punctuation (a 50 MB line)
# must still come out as bounded passages, so long sentences are cut by token count.
HARD_MAX_TOKENS = 160


@dataclass(frozen=True)
class Passage:
    """A window of whole sentences from one block, with exact offsets into the document text."""

    index: int
    start: int
    end: int
    text: str
    page: int | None
    speaker: str | None
    role: str
    block: int


def segment(
    document: Document, *, max_sentences: int = MAX_SENTENCES, max_tokens: int = MAX_TOKENS
) -> list[Passage]:
    """Return the passages of ``document`` in reading order.

    Examples
    --------
    >>> from vcse_modes.document import Block, Document
    >>> text = "We tendered the service. Nobody bid.\\n\\nThe alliance met monthly."
    >>> doc = Document("x.txt", "0" * 64, "txt", text, (Block(0, 36), Block(38, 63)))
    >>> [p.text for p in segment(doc, max_sentences=1)]
    ['We tendered the service.', 'Nobody bid.', 'The alliance met monthly.']
    """
    return [passage for passage, _ in segment_with_spans(document, max_sentences, max_tokens)]


def segment_with_spans(
    document: Document, max_sentences: int = MAX_SENTENCES, max_tokens: int = MAX_TOKENS
) -> Iterator[tuple[Passage, Span]]:
    """Yield each passage with its spaCy span, so later stages need not tokenise again."""
    from vcse_modes.nlp import load_nlp

    nlp = load_nlp()
    text = document.text
    block_texts = (text[block.start : block.end] for block in document.blocks)
    index = 0
    for block_no, (block, doc) in enumerate(
        zip(document.blocks, nlp.pipe(block_texts, batch_size=64), strict=True)
    ):
        for span in _windows(doc, max_sentences, max_tokens):
            start, end = _trimmed(span.text, span.start_char)
            if start == end:
                continue
            start += block.start
            end += block.start
            page = block.page if block.page is not None else document.page_at(start)
            passage = Passage(index, start, end, text[start:end], page, block.speaker, block.role, block_no)
            index += 1
            yield passage, span


def _windows(doc: Doc, max_sentences: int, max_tokens: int) -> Iterator[Span]:
    """Group consecutive sentences into windows of at most ``max_sentences``/``max_tokens``."""
    window_start: int | None = None
    sentences = 0
    for sent in _bounded_sentences(doc):
        if window_start is not None and (sentences >= max_sentences or sent.end - window_start > max_tokens):
            yield doc[window_start : sent.start]
            window_start = None
        if window_start is None:
            window_start, sentences = sent.start, 0
        sentences += 1
    if window_start is not None:
        yield doc[window_start : len(doc)]


def _bounded_sentences(doc: Doc) -> Iterator[Span]:
    for sent in doc.sents:
        if len(sent) <= HARD_MAX_TOKENS:
            yield sent
            continue
        for start in range(sent.start, sent.end, HARD_MAX_TOKENS):
            yield doc[start : min(start + HARD_MAX_TOKENS, sent.end)]


def _trimmed(span_text: str, offset: int) -> tuple[int, int]:
    stripped_left = span_text.lstrip()
    start = offset + len(span_text) - len(stripped_left)
    return start, start + len(stripped_left.rstrip())
