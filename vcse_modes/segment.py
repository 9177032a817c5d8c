"""Split a :class:`~vcse_modes.document.Document` into passages: sentence windows inside blocks.

A passage never crosses a block (paragraph, table cell, speaker turn or page), and
``document.text[passage.start:passage.end] == passage.text`` always holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vcse_modes.document import Block, Document

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
    """Yield each passage with its spaCy span, so later stages need not tokenise again.

    Documents up to ``WHOLE_DOC_LIMIT`` characters are parsed as one spaCy doc (one call,
    one array read per feature) and cut into blocks by character offsets; longer ones, or
    ones where a token would straddle a block edge, are parsed block by block.
    """
    from vcse_modes.nlp import load_nlp, token_arrays

    nlp = load_nlp()
    text = document.text
    index = 0
    for block_no, block, doc, offset, ranges in _parsed_blocks(nlp, document):
        # The doc's own text, sliced without building it token by token (Span.text would).
        doc_text = text[block.start : block.end] if offset else text
        flags = token_arrays(doc).sent_start if len(doc) else None  # read once per doc, kept on it
        for lo, hi in _windows(flags, ranges, max_sentences, max_tokens):
            span = doc[lo:hi]
            start, end = _trimmed(doc_text[span.start_char : span.end_char], span.start_char)
            if start == end:
                continue
            start += offset
            end += offset
            page = block.page if block.page is not None else document.page_at(start)
            passage = Passage(index, start, end, text[start:end], page, block.speaker, block.role, block_no)
            index += 1
            yield passage, span


WHOLE_DOC_LIMIT = 1_000_000


def _parsed_blocks(nlp, document: Document) -> Iterator[tuple[int, Block, Doc, int, tuple[int, int]]]:
    """``(block number, block, doc, offset of doc in the text, token range of the block)``."""
    import numpy as np

    from vcse_modes.nlp import token_arrays

    text, blocks = document.text, document.blocks
    if 0 < len(text) <= WHOLE_DOC_LIMIT and blocks:
        doc = nlp(text)
        arrays = token_arrays(doc)
        starts, ends = arrays.idx, arrays.idx + arrays.length
        block_starts = np.array([block.start for block in blocks], dtype=np.int64)
        block_ends = np.array([block.end for block in blocks], dtype=np.int64)
        los, his = np.searchsorted(starts, block_starts), np.searchsorted(starts, block_ends)
        straddles = (los > 0) & (ends[los - 1] > block_starts)
        straddles |= (his > los) & (ends[his - 1] > block_ends)
        if not straddles.any():
            for block_no, (block, lo, hi) in enumerate(zip(blocks, los.tolist(), his.tolist(), strict=True)):
                yield block_no, block, doc, 0, (lo, hi)
            return
    block_texts = (text[block.start : block.end] for block in blocks)
    for block_no, (block, doc) in enumerate(zip(blocks, nlp.pipe(block_texts, batch_size=64), strict=True)):
        yield block_no, block, doc, block.start, (0, len(doc))


def _windows(
    flags: Any, token_range: tuple[int, int], max_sentences: int, max_tokens: int
) -> Iterator[tuple[int, int]]:
    """Token ranges grouping consecutive sentences of ``token_range`` into windows."""
    window_start: int | None = None
    sentences = 0
    lo, hi = token_range
    for sent_start, sent_end in _bounded_sentences(flags, lo, hi):
        if window_start is not None and (sentences >= max_sentences or sent_end - window_start > max_tokens):
            yield window_start, sent_start
            window_start = None
        if window_start is None:
            window_start, sentences = sent_start, 0
        sentences += 1
    if window_start is not None:
        yield window_start, hi


def _bounded_sentences(flags: Any, lo: int, hi: int) -> Iterator[tuple[int, int]]:
    """Sentences inside ``[lo, hi)`` (a block always starts one), cut at HARD_MAX_TOKENS."""
    import numpy as np

    if hi <= lo:
        return
    starts = [lo, *(lo + np.flatnonzero(flags[lo + 1 : hi]) + 1).tolist()]
    for sent_start, sent_end in zip(starts, [*starts[1:], hi], strict=True):
        for start in range(sent_start, sent_end, HARD_MAX_TOKENS):
            yield start, min(start + HARD_MAX_TOKENS, sent_end)


def _trimmed(span_text: str, offset: int) -> tuple[int, int]:
    stripped_left = span_text.lstrip()
    start = offset + len(span_text) - len(stripped_left)
    return start, start + len(stripped_left.rstrip())
