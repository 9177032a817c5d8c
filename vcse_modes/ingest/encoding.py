"""Decode text bytes: BOMs, strict UTF-8, then a bounded charset guess; refuse binary data."""

from __future__ import annotations

import codecs
import re

from vcse_modes.errors import UnsupportedFormatError

SAMPLE_BYTES = 64 * 1024
"""How much of a file the binary check and the charset guesser look at."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_HIGH_BYTES = re.compile(rb"[\x80-\xff]")
_LATIN_FAMILY = frozenset(
    codecs.lookup(name).name
    for name in (
        "ascii", "latin-1", "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-9", "iso8859-10", "iso8859-13",
        "iso8859-14", "iso8859-15", "iso8859-16", "cp1250", "cp1252", "cp1254", "cp1257", "cp1258",
        "mac-roman", "mac-latin2", "mac-iceland", "mac-turkish", "cp437", "cp850", "cp858",
    )
)  # fmt: skip
"""Latin-script single-byte encodings that English text is usually mistaken for."""


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark announces and the mark's length, or None."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def utf16_without_bom(sample: bytes) -> str | None:
    """Spot BOM-less UTF-16 (ASCII-heavy text with every other byte NUL)."""
    if len(sample) < 8:
        return None
    even = sample[0::2]
    odd = sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def binary_reason(data: bytes) -> str | None:
    """Why ``data`` does not look like text (NUL bytes, control characters), or None."""
    if bom_encoding(data) is not None:
        return None
    sample = data[:SAMPLE_BYTES]
    if utf16_without_bom(sample) is not None:
        return None
    if b"\x00" in sample:
        return "it contains NUL bytes"
    controls = len(_CONTROL_BYTES.findall(sample))
    if controls > max(8, 0.01 * len(sample)):
        return f"it contains {controls} control characters in the first {len(sample):,} bytes"
    return None


def ensure_text(data: bytes, path: str | None) -> None:
    """Raise UnsupportedFormatError if ``data`` is binary rather than text."""
    reason = binary_reason(data)
    if reason is not None:
        raise UnsupportedFormatError(
            f"binary content, not text ({reason}); convert it to PDF, DOCX, ODT, HTML, RTF or plain text",
            path,
        )


def _guess(sample: bytes) -> str | None:
    """Most likely encoding of a sample that is not UTF-8.

    cp1252 (Word on Windows) wins whenever it decodes the sample and charset-normalizer
    does not point to a non-Latin script: for English text the guessers often say
    latin-1 (which turns smart quotes into invisible controls) or cp1250.
    """
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        cp1252_ok = False
    else:
        cp1252_ok = True
    if cp1252_ok and len(_HIGH_BYTES.findall(sample)) <= 0.02 * max(len(sample), 1):
        return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        return "cp1252" if cp1252_ok else None
    name = codecs.lookup(best.encoding).name
    if cp1252_ok and name in _LATIN_FAMILY:
        return "cp1252"
    return name


def decode_bytes(data: bytes, path: str | None, *, declared: str | None = None) -> tuple[str, str, list[str]]:
    """Decode ``data`` to str.

    Order: byte-order mark, strict UTF-8, a charset ``declared`` by the file (HTML meta),
    then a guess from a bounded sample (cp1252 preferred for English text, otherwise
    charset-normalizer), decoding the whole file with replacement characters if needed.

    Returns
    -------
    tuple
        ``(text, encoding, warnings)``.
    """
    warnings: list[str] = []
    bom = bom_encoding(data)
    if bom is not None:
        name, size = bom
        try:
            return data[size:].decode(name), name, warnings
        except UnicodeDecodeError:
            warnings.append(f"encoding: invalid {name} bytes replaced")
            return data[size:].decode(name, errors="replace"), name, warnings
    sample = data[:SAMPLE_BYTES]
    utf16 = utf16_without_bom(sample)
    if utf16 is not None:
        return data.decode(utf16, errors="replace"), utf16, warnings
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    if declared:
        try:
            candidates.append(codecs.lookup(declared).name)
        except LookupError:
            warnings.append(f"encoding: unknown declared charset {declared!r} ignored")
    if len(sample) < len(data):
        # Do not cut a multi-byte character in half at the end of the sample.
        newline = sample.rfind(b"\n")
        if newline > 0:
            sample = sample[: newline + 1]
    guess = _guess(sample)
    if guess is not None:
        candidates.append(guess)
    candidates.append("cp1252")
    for name in candidates:
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if name not in ("utf-8", "utf_8"):
            warnings.append(f"encoding: not UTF-8; decoded as {name}")
        return text, name, warnings
    name = candidates[0]
    warnings.append(f"encoding: not UTF-8; decoded as {name} with undecodable bytes replaced")
    return data.decode(name, errors="replace"), name, warnings
