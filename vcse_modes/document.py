"""Plain dataclasses that flow one way through the pipeline: ingest -> segment -> score."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class PageSpan:
    """Where one page's text sits in ``Document.text`` (``number`` counts from 1)."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Block:
    """A paragraph, table cell or speaker turn: the unit a passage never crosses.

    ``text[start:end]`` of the owning document is the block's text. For transcripts,
    ``speaker`` is the label as written (``R1``, ``Interviewer``, ``Jane Smith``) and
    ``role`` one of ``vcse_modes.ROLES``.
    """

    start: int
    end: int
    page: int | None = None
    speaker: str | None = None
    role: str = "unknown"
    timestamp: str | None = None


def _frozen_mapping(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


@dataclass(frozen=True)
class Document:
    """The extracted text of one input file with everything needed to point back into it."""

    path: str
    sha256: str
    format: str
    text: str
    blocks: tuple[Block, ...]
    pages: tuple[PageSpan, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    is_transcript: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "metadata", _frozen_mapping(self.metadata))

    def page_at(self, offset: int) -> int | None:
        """Page number holding character ``offset``, or None for formats without pages."""
        for page in self.pages:
            if page.start <= offset < page.end or (offset == page.end == len(self.text)):
                return page.number
        return None
