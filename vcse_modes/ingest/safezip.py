"""Open untrusted ZIP containers (DOCX, ODT, REFI-QDA ``.qdpx``) without decompressing first.

Every check runs on the central directory, before a single byte is inflated:

* member count (first from the end-of-central-directory record, so a 100,000-member
  archive is refused without parsing its directory),
* total declared uncompressed size,
* per-member compression ratio (for members big enough to matter),
* member names: absolute paths, drive letters, ``..`` segments, NUL bytes, duplicates,
* encrypted members.

Python's :mod:`zipfile` never returns more than a member's declared size, so the declared
sizes checked here bound what :func:`read_member` (or any later reader) can inflate.

Examples
--------
>>> zf = open_safe_zip(data, path="interviews.qdpx")  # doctest: +SKIP
>>> xml = read_member(zf, "project.qde", limit=50_000_000, path="interviews.qdpx")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from vcse_modes.errors import CorruptDocumentError, EncryptedDocumentError, UnsafeInputError

MAX_MEMBERS = 5_000
MAX_TOTAL = 500 * 1024 * 1024
MAX_RATIO = 200.0
RATIO_MIN_SIZE = 256 * 1024
"""Members smaller than this are not ratio-checked (tiny XML parts compress very well)."""

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_CENTRAL_ENTRY_MIN = 46


def _directory_summary(data: bytes) -> tuple[int, int] | None:
    """Declared (member count, central directory size) from the end record, or None."""
    tail_start = max(0, len(data) - (65_535 + 22))
    idx = data.rfind(_EOCD, tail_start)
    if idx < 0 or idx + 22 > len(data):
        return None
    count, cd_size = struct.unpack("<HI", data[idx + 10 : idx + 16])
    if count == 0xFFFF or cd_size == 0xFFFFFFFF:
        loc = idx - 20
        if loc >= 0 and data[loc : loc + 4] == _ZIP64_LOCATOR:
            (eocd64,) = struct.unpack("<Q", data[loc + 8 : loc + 16])
            if data[eocd64 : eocd64 + 4] == _ZIP64_EOCD and eocd64 + 56 <= len(data):
                count, cd_size = struct.unpack("<QQ", data[eocd64 + 32 : eocd64 + 48])
    return count, cd_size


def _bad_name(name: str) -> bool:
    if not name or "\x00" in name:
        return True
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return True
    return any(part == ".." for part in normalised.split("/"))


def open_safe_zip(
    data: bytes,
    *,
    path: str | None = None,
    max_members: int = MAX_MEMBERS,
    max_total: int = MAX_TOTAL,
    max_ratio: float = MAX_RATIO,
) -> zipfile.ZipFile:
    """Validate a ZIP archive's directory and return it opened for reading.

    Parameters
    ----------
    data:
        The whole archive.
    path:
        File name used in error messages.
    max_members:
        Most members allowed.
    max_total:
        Largest total declared uncompressed size, in bytes.
    max_ratio:
        Largest uncompressed/compressed ratio for a member of at least
        :data:`RATIO_MIN_SIZE` bytes.

    Returns
    -------
    zipfile.ZipFile
        The archive, nothing inflated yet.

    Raises
    ------
    UnsafeInputError
        Too many members, too large, too compressed, or a dangerous member name.
    EncryptedDocumentError
        A member is encrypted.
    CorruptDocumentError
        The archive cannot be read at all.
    """
    summary = _directory_summary(data)
    if summary is not None:
        count, cd_size = summary
        if count > max_members or cd_size > max_members * 1024 + 65_536:
            raise UnsafeInputError(
                f"ZIP container declares {count:,} members (limit {max_members:,}); refused as a "
                "possible zip bomb",
                path,
            )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        struct.error,
        NotImplementedError,
    ) as exc:
        raise CorruptDocumentError(f"damaged ZIP container ({exc}); re-save the file", path) from exc
    infos = archive.infolist()
    if len(infos) > max_members:
        archive.close()
        raise UnsafeInputError(
            f"ZIP container holds {len(infos):,} members (limit {max_members:,}); refused as a "
            "possible zip bomb",
            path,
        )
    total = 0
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if _bad_name(name):
            archive.close()
            raise UnsafeInputError(f"ZIP member name {name!r} points outside the archive; refused", path)
        if name in seen:
            archive.close()
            raise UnsafeInputError(f"ZIP member {name!r} appears twice; refused", path)
        seen.add(name)
        if info.flag_bits & 0x1:
            archive.close()
            raise EncryptedDocumentError(
                f"ZIP member {name!r} is encrypted; remove the password and save again", path
            )
        total += info.file_size
        if total > max_total:
            archive.close()
            raise UnsafeInputError(
                f"ZIP container would expand to more than {max_total:,} bytes; refused as a possible "
                "zip bomb",
                path,
            )
        if info.file_size >= RATIO_MIN_SIZE and info.file_size > max_ratio * max(info.compress_size, 1):
            archive.close()
            raise UnsafeInputError(
                f"ZIP member {name!r} is compressed {info.file_size / max(info.compress_size, 1):,.0f}:1 "
                f"(limit {max_ratio:,.0f}:1); refused as a possible zip bomb",
                path,
            )
    return archive


# What zipfile raises on a damaged member header or stream (found by scripts/fuzz_ingest.py).
_MEMBER_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    NotImplementedError,
    ValueError,
    struct.error,
)


def read_member(zf: zipfile.ZipFile, name: str, limit: int, *, path: str | None = None) -> bytes:
    """Read one member, never inflating more than ``limit`` bytes.

    Raises
    ------
    KeyError
        No member of that name.
    UnsafeInputError
        The member is (or claims to be) larger than ``limit``.
    CorruptDocumentError
        The member's compressed data is damaged.
    """
    info = zf.getinfo(name)
    if info.file_size > limit:
        raise UnsafeInputError(f"ZIP member {name!r} is {info.file_size:,} bytes (limit {limit:,})", path)
    try:
        with zf.open(info) as handle:
            content = handle.read(limit + 1)
    except _MEMBER_ERRORS as exc:
        raise CorruptDocumentError(f"damaged ZIP member {name!r} ({exc}); re-save the file", path) from exc
    if len(content) > limit:
        raise UnsafeInputError(f"ZIP member {name!r} expands beyond {limit:,} bytes", path)
    return content


def peek_member(zf: zipfile.ZipFile, name: str, size: int, *, path: str | None = None) -> bytes:
    """Read at most the first ``size`` bytes of a member (for sniffing)."""
    try:
        with zf.open(zf.getinfo(name)) as handle:
            return handle.read(size)
    except _MEMBER_ERRORS as exc:
        raise CorruptDocumentError(f"damaged ZIP member {name!r} ({exc}); re-save the file", path) from exc
