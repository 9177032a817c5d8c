"""Small text helpers shared by every reader: newlines, ligatures, block spans.

Everything here runs at C speed on whole strings (``str`` methods and compiled regexes);
nothing loops over single characters in Python, so a 50 MB one-line file stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_BLOCK_CHARS = 20_000
"""Longest block a reader emits; longer paragraphs are cut at whitespace."""

_NONSPACE = re.compile(r"\S")
_BLANK_LINES = re.compile(r"\n[^\S\n]*\n")
_WS_RUN = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
    }
)


def normalise_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalise_ligatures(text: str) -> str:
    """Replace the Latin presentation-form ligatures (ﬁ ﬂ ﬀ ﬃ ﬄ ﬅ ﬆ) by their letters."""
    return text.translate(LIGATURES)


def strip_controls(text: str) -> str:
    """Drop C0 control characters other than tab, LF and CR (they break downstream tools)."""
    return _CONTROL.sub("", text)


def collapse_spaces(text: str) -> str:
    """Collapse runs of horizontal whitespace to one space, keeping newlines."""
    return _WS_RUN.sub(" ", text)


def trim_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink ``[start, end)`` so it has no leading or trailing whitespace.

    Returns
    -------
    tuple of int or None
        The trimmed span, or None if the span holds only whitespace.
    """
    match = _NONSPACE.search(text, start, end)
    if match is None:
        return None
    first = match.start()
    # Walk back from the end in bounded windows: rstrip on a slice is C speed.
    stop = end
    while stop > first:
        window_start = max(first, stop - 4096)
        stripped = text[window_start:stop].rstrip()
        if stripped:
            return first, window_start + len(stripped)
        stop = window_start
    return first, first + 1  # unreachable: text[first] is not whitespace


def _last_space(text: str, lo: int, hi: int) -> int:
    """Index of the last whitespace character in ``text[lo:hi]``, or -1."""
    best = -1
    for char in ("\n", " ", "\t", "\u00a0"):
        idx = text.rfind(char, lo, hi)
        if idx > best:
            best = idx
    return best


def block_spans(
    text: str, start: int, end: int, max_chars: int = MAX_BLOCK_CHARS
) -> Iterator[tuple[int, int]]:
    """Yield trimmed spans covering ``text[start:end]``, each at most ``max_chars`` long.

    A span longer than ``max_chars`` is cut at the last whitespace before the limit
    (or hard at the limit if a run has no whitespace at all), so downstream stages
    never see an unbounded block.
    """
    span = trim_span(text, start, end)
    if span is None:
        return
    pos, stop = span
    while stop - pos > max_chars:
        limit = pos + max_chars
        cut = _last_space(text, pos + max_chars // 2, limit)
        if cut <= pos:
            cut = limit
        piece = trim_span(text, pos, cut)
        if piece is not None:
            yield piece
        nxt = _NONSPACE.search(text, cut, stop)
        if nxt is None:
            return
        pos = nxt.start()
    yield pos, stop


def paragraph_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Yield trimmed block spans for the paragraphs of ``text[start:end]``.

    Paragraphs are separated by blank lines (lines holding only whitespace).
    """
    stop = len(text) if end is None else end
    pos = start
    for match in _BLANK_LINES.finditer(text, start, stop):
        yield from block_spans(text, pos, match.start())
        pos = match.end()
    yield from block_spans(text, pos, stop)


def line_spans(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Yield trimmed block spans, one per non-blank line of ``text[start:end]``."""
    stop = len(text) if end is None else end
    pos = start
    while pos < stop:
        newline = text.find("\n", pos, stop)
        if newline < 0:
            newline = stop
        yield from block_spans(text, pos, newline)
        pos = newline + 1
