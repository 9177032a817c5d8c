"""Assemble ``Document.text`` and its blocks with exact offsets.

Readers either append pieces of text they built (PDF pages, DOCX paragraphs) with
:meth:`TextBuilder.add_block`, or hand over a finished text and spans into it
(plain-text files and transcripts). Either way every block satisfies
``text[b.start:b.end] == b_text.strip()`` by construction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vcse_modes.document import Block, PageSpan
from vcse_modes.ingest.textutil import MAX_BLOCK_CHARS, block_spans

BLOCK_SEPARATOR = "\n\n"


@dataclass
class Extraction:
    """What a reader returns; :func:`vcse_modes.ingest.ingest_bytes` wraps it in a Document."""

    text: str
    blocks: list[Block]
    pages: list[PageSpan] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    is_transcript: bool = False


class TextBuilder:
    """Accumulate text pieces and the blocks that point into them.

    Parameters
    ----------
    separator:
        Inserted between consecutive pieces so that blocks never touch.
    max_chars:
        Longest block; longer pieces are split at whitespace.
    """

    def __init__(self, separator: str = BLOCK_SEPARATOR, max_chars: int = MAX_BLOCK_CHARS) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._separator = separator
        self._max_chars = max_chars
        self.blocks: list[Block] = []

    @property
    def length(self) -> int:
        """Number of characters appended so far."""
        return self._length

    def _append(self, piece: str) -> int:
        if self._length and piece:
            self._parts.append(self._separator)
            self._length += len(self._separator)
        start = self._length
        self._parts.append(piece)
        self._length += len(piece)
        return start

    def add_block(
        self,
        text: str,
        *,
        page: int | None = None,
        speaker: str | None = None,
        role: str = "unknown",
        timestamp: str | None = None,
        prefix: str = "",
    ) -> bool:
        """Append ``prefix + text`` and record ``text`` as one block (or several if very long).

        ``prefix`` (for example ``"Jane: "``) lands in the document text but outside the
        block. Whitespace-only text adds nothing.

        Returns
        -------
        bool
            True if at least one block was added.
        """
        if not text or text.isspace():
            return False
        start = self._append(prefix + text) + len(prefix)
        spans = list(block_spans(prefix + text, len(prefix), len(prefix) + len(text), self._max_chars))
        offset = start - len(prefix)
        for lo, hi in spans:
            self.blocks.append(
                Block(offset + lo, offset + hi, page=page, speaker=speaker, role=role, timestamp=timestamp)
            )
        return bool(spans)

    def add_text(self, text: str) -> int:
        """Append ``text`` without making a block; return where it starts."""
        return self._append(text)

    def add_spans(self, text: str, blocks: list[Block]) -> None:
        """Append ``text`` with ready-made ``blocks`` whose offsets are relative to ``text``."""
        start = self._append(text)
        for block in blocks:
            self.blocks.append(
                Block(
                    block.start + start,
                    block.end + start,
                    page=block.page,
                    speaker=block.speaker,
                    role=block.role,
                    timestamp=block.timestamp,
                )
            )

    def text(self) -> str:
        """The document text assembled so far."""
        return "".join(self._parts)
