"""Plain text: decode, normalise newlines, paragraphs on blank lines (or speaker turns)."""

from __future__ import annotations

from vcse_modes.document import Block
from vcse_modes.ingest.builder import Extraction
from vcse_modes.ingest.encoding import decode_bytes, ensure_text
from vcse_modes.ingest.options import Options
from vcse_modes.ingest.textutil import normalise_newlines, paragraph_spans
from vcse_modes.ingest.transcript import segment_transcript


def read_txt(data: bytes, options: Options) -> Extraction:
    """Read a plain-text file; the document text is the file's text with LF newlines.

    Raises
    ------
    UnsupportedFormatError
        The bytes are binary (NUL bytes, many control characters).
    """
    ensure_text(data, options.path)
    text, _encoding, warnings = decode_bytes(data, options.path)
    text = normalise_newlines(text)
    return text_extraction(text, options, warnings)


def text_extraction(text: str, options: Options, warnings: list[str] | None = None) -> Extraction:
    """Blocks for an already decoded text: speaker turns if it is a transcript, else paragraphs."""
    segmentation = segment_transcript(text, options.resolver())
    if segmentation is not None:
        return Extraction(
            text=text,
            blocks=segmentation.blocks,
            metadata=segmentation.metadata,
            warnings=list(warnings or []),
            is_transcript=True,
        )
    blocks = [Block(lo, hi) for lo, hi in paragraph_spans(text)]
    return Extraction(text=text, blocks=blocks, warnings=list(warnings or []))
