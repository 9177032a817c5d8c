"""Refuse PDF decompression bombs before pdfium inflates them.

pdfium inflates a page's content streams with no size limit, and under a memory cap it
aborts the process instead of raising. ZIP containers are checked before decompressing
(:mod:`vcse_modes.ingest.safezip`); this does the same for PDFs: every stream whose
dictionary names ``/FlateDecode`` is inflated here, layer by layer, in bounded chunks, and
a stream that would grow past ``MAX_STREAM_BYTES`` is refused.
"""

from __future__ import annotations

import re
import zlib

from vcse_modes.errors import UnsafeInputError

MAX_STREAM_BYTES = 256 * 1024 * 1024
_CHUNK = 1 << 20
_STREAM_START = re.compile(rb">>\s*stream\r?\n")


def check_pdf_streams(data: bytes, path: str | None = None, limit: int = MAX_STREAM_BYTES) -> None:
    """Raise UnsafeInputError if any Flate stream of ``data`` inflates beyond ``limit`` bytes."""
    if b"/FlateDecode" not in data:
        return
    for match in _STREAM_START.finditer(data):
        # The stream's dictionary: back to the start of its object ("N G obj"), at most 4 KB.
        window = data[max(0, match.start() - 4096) : match.start()]
        window = window[window.rfind(b"obj") + 1 :]
        layers = window.count(b"/FlateDecode")
        if layers and _inflated_size(data, match.end(), layers, limit) > limit:
            raise UnsafeInputError(
                f"a compressed PDF stream expands beyond {limit // (1024 * 1024)} MB; refused as a "
                "possible decompression bomb",
                path,
            )


def _inflated_size(data: bytes, start: int, layers: int, limit: int) -> int:
    """Bytes the stream at ``start`` inflates to through ``layers`` Flate layers (stops past limit)."""
    end = data.find(b"endstream", start)
    payload = data[start : end if end >= 0 else len(data)]
    for _ in range(max(layers, 1)):
        inflater = zlib.decompressobj()
        pieces, total = [], 0
        try:
            chunk = inflater.decompress(payload, _CHUNK)
            while chunk:
                total += len(chunk)
                if total > limit:
                    return total
                pieces.append(chunk)
                chunk = inflater.decompress(inflater.unconsumed_tail, _CHUNK)
        except zlib.error:
            return total  # damaged or not really Flate: pdfium reports that itself
        payload = b"".join(pieces)
    return len(payload)
