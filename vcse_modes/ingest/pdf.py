"""PDF via pypdfium2: page text, running headers/footers removed, paragraphs rebuilt.

Per page the text comes from one ``get_text_range`` call; the only per-line work is one
``get_charbox`` call for the first character of each line (its position and font box),
which drives paragraph breaks: extra vertical space, a change of font size, an indented
first line, or a bullet. Blocks never cross pages; pages are separated by a blank line
in ``Document.text`` and recorded as :class:`~vcse_modes.document.PageSpan`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from vcse_modes.document import PageSpan
from vcse_modes.errors import CorruptDocumentError, EncryptedDocumentError, NeedsOcrError
from vcse_modes.ingest.builder import Extraction, TextBuilder
from vcse_modes.ingest.options import Options
from vcse_modes.ingest.textutil import LIGATURES

_ERR_PASSWORD = 4
_ERR_SECURITY = 6
_ZONE = 3
"""Lines at the top and bottom of a page that may be running headers or footers."""

_LINE = re.compile(r"[^\r\n]+")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
_PAGE_NUMBER = re.compile(
    r"(?:page\s*)?#(?:\s*(?:of|/)\s*#)?|[-\u2013]\s*#\s*[-\u2013]|(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})",
    re.IGNORECASE,
)
_BULLET = re.compile(
    r"(?:[\u2022\u25cf\u25aa\u25e6\u2023\u2043\u2219*\u2013\u2014-]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s)"
)
_CONTROL = re.compile(r"[\x00-\x01\x03-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SOFT_HYPHEN_JOIN = re.compile(r"[\ufffe\x02\u00ad](?=[a-z\u00e0-\u00ff])")
_SOFT_HYPHEN = re.compile(r"[\ufffe\x02]")
_SENTENCE_END = (".", "!", "?", ":", ";", '"', "\u201d", ")")
_PDF_DATE = re.compile(
    r"D?:?(?P<y>\d{4})(?P<m>\d{2})?(?P<d>\d{2})?(?P<H>\d{2})?(?P<M>\d{2})?(?P<S>\d{2})?"
    r"(?:(?P<z>[Zz])|(?P<sign>[+-])(?P<zh>\d{2})'?(?P<zm>\d{2})?'?)?"
)
_PLACEHOLDERS = frozenset({"", "untitled", "anonymous", "unknown", "unspecified", "none"})


@dataclass
class _Line:
    text: str
    bottom: float | None = None
    """Baseline-ish bottom of the line's first character (pdfium's loose font box)."""
    end_bottom: float | None = None
    """Bottom of the last character (differs when pdfium merged a hyphenated line pair)."""
    height: float | None = None
    left: float | None = None


def clean_line(text: str) -> str:
    """Normalise one extracted line: ligatures, pdfium hyphen markers, controls, spaces."""
    text = text.translate(LIGATURES)
    text = _SOFT_HYPHEN_JOIN.sub("", text)
    text = _SOFT_HYPHEN.sub("-", text).replace("\u00ad", "")
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def _open(pdfium, data: bytes, path: str):
    last = None
    for password in (None, ""):
        try:
            return pdfium.PdfDocument(data, password=password)
        except pdfium.PdfiumError as exc:
            last = exc
            if getattr(exc, "err_code", None) != _ERR_PASSWORD:
                break
    code = getattr(last, "err_code", None)
    if code in (_ERR_PASSWORD, _ERR_SECURITY):
        raise EncryptedDocumentError(
            "PDF is password-protected (user password); open it with the password and save an "
            "unprotected copy",
            path,
        ) from last
    message = f"damaged or truncated PDF ({last}); re-save or download it again"
    raise CorruptDocumentError(message, path) from last


def _page_lines(textpage) -> list[_Line]:
    raw = textpage.get_text_range()
    geometry = len(raw) == textpage.count_chars()
    lines: list[_Line] = []
    for match in _LINE.finditer(raw):
        text = clean_line(match.group())
        if not text:
            continue
        line = _Line(text)
        if geometry:
            body = match.group()
            first = match.start() + (len(body) - len(body.lstrip()))
            last = match.start() + len(body.rstrip()) - 1
            try:
                left, bottom, _right, top = textpage.get_charbox(first, loose=True)
                end_bottom = textpage.get_charbox(last, loose=True)[1]
            except Exception:  # pragma: no cover - pdfium refusing one box is not fatal
                geometry = False
            else:
                line.bottom, line.end_bottom, line.height, line.left = bottom, end_bottom, top - bottom, left
        lines.append(line)
    if not geometry:
        for line in lines:
            line.bottom = line.end_bottom = line.height = line.left = None
    return lines


def _zone_keys(lines: list[_Line]) -> tuple[list[str], list[str]]:
    keys = [_SPACES.sub(" ", _DIGITS.sub("#", line.text.lower())).strip() for line in lines]
    return keys[:_ZONE], keys[-_ZONE:] if len(keys) > _ZONE else keys[:]


def _remove_running_lines(pages: list[list[_Line]]) -> None:
    """Drop lines that repeat at the top or bottom of many pages (digits normalised)."""
    with_text = [lines for lines in pages if lines]
    threshold = max(3, math.ceil(0.4 * len(with_text)))
    top_counts: Counter[str] = Counter()
    bottom_counts: Counter[str] = Counter()
    for lines in with_text:
        top, bottom = _zone_keys(lines)
        top_counts.update(set(top))
        bottom_counts.update(set(bottom))
    for index, lines in enumerate(pages):
        if not lines:
            continue
        keys = [_SPACES.sub(" ", _DIGITS.sub("#", line.text.lower())).strip() for line in lines]
        drop: set[int] = set()
        # Only a run of repeated lines touching the page edge goes (never a line below body text).
        for i in range(min(_ZONE, len(lines))):
            if not (top_counts[keys[i]] >= threshold or _PAGE_NUMBER.fullmatch(keys[i])):
                break
            drop.add(i)
        for i in range(len(lines) - 1, max(-1, len(lines) - 1 - _ZONE), -1):
            if not (bottom_counts[keys[i]] >= threshold or _PAGE_NUMBER.fullmatch(keys[i])):
                break
            drop.add(i)
        if drop:
            pages[index] = [line for i, line in enumerate(lines) if i not in drop]


def _line_ratio(a: _Line, b: _Line) -> float | None:
    """Vertical advance from ``a`` to ``b`` in units of ``a``'s font box height."""
    if a.end_bottom is None or b.bottom is None or not a.height:
        return None
    return (a.end_bottom - b.bottom) / a.height


def _typical_ratio(lines: list[_Line]) -> float | None:
    """The line advance inside a paragraph: the smallest plausible advance on the page."""
    ratios = []
    for a, b in zip(lines, lines[1:], strict=False):
        ratio = _line_ratio(a, b)
        same_size = bool(a.height and b.height and abs(a.height - b.height) <= 0.1 * a.height)
        if ratio is not None and same_size and 0.8 <= ratio <= 4:
            ratios.append(ratio)
    return min(ratios) if ratios else None


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Group a page's lines into paragraphs and join each one's lines."""
    if not lines:
        return []
    typical = _typical_ratio(lines)
    width_typ = sorted(len(line.text) for line in lines)[int(0.8 * (len(lines) - 1))]
    lefts = sorted(line.left for line in lines if line.left is not None)
    left_typ = lefts[len(lefts) // 4] if lefts else None

    groups: list[list[str]] = [[lines[0].text]]
    for a, b in zip(lines, lines[1:], strict=False):
        if _breaks(a, b, typical, width_typ, left_typ):
            groups.append([b.text])
        else:
            groups[-1].append(b.text)
    return [_join(group) for group in groups]


def _breaks(a: _Line, b: _Line, typical: float | None, width_typ: int, left_typ: float | None) -> bool:
    """Whether a paragraph ends between lines ``a`` and ``b``."""
    if _BULLET.match(b.text):
        return True
    ends_sentence = a.text.endswith(_SENTENCE_END)
    ratio = _line_ratio(a, b)
    if ratio is not None:
        if ratio <= 0.3 or (typical is not None and ratio > 1.3 * typical) or ratio > 2.5:
            return True  # moved up (new column), or extra vertical space
        if a.height and b.height and abs(a.height - b.height) > 0.2 * max(a.height, b.height):
            return True  # font size change: heading
        if ends_sentence and left_typ is not None and b.left is not None and b.left - left_typ > 8:
            return True  # indented first line
    return ends_sentence and len(a.text) < 0.75 * width_typ


def _join(lines: list[str]) -> str:
    parts = [lines[0]]
    for line in lines[1:]:
        previous = parts[-1]
        if len(previous) > 1 and previous.endswith("-") and previous[-2].isalpha() and line[:1].islower():
            parts[-1] = previous[:-1]
            parts.append(line)
        else:
            parts.append(" ")
            parts.append(line)
    return "".join(parts)


def _pdf_date(value: str) -> str | None:
    match = _PDF_DATE.match(value.strip())
    if match is None:
        return None
    year, month, day = match.group("y"), match.group("m") or "01", match.group("d") or "01"
    date = f"{year}-{month}-{day}"
    if match.group("H") is None:
        return date
    stamp = f"{date}T{match.group('H')}:{match.group('M') or '00'}:{match.group('S') or '00'}"
    if match.group("z"):
        return stamp + "+00:00"
    if match.group("sign"):
        return f"{stamp}{match.group('sign')}{match.group('zh')}:{match.group('zm') or '00'}"
    return stamp


def _metadata(pdf) -> dict[str, str]:
    try:
        raw = pdf.get_metadata_dict(skip_empty=True)
    except TypeError:  # older pypdfium2 without skip_empty
        raw = pdf.get_metadata_dict()
    except Exception:  # pragma: no cover - unreadable info dictionary
        return {}
    metadata: dict[str, str] = {}
    for key, name in (("Title", "title"), ("Author", "author")):
        value = (raw.get(key) or "").strip()
        if value.lower() not in _PLACEHOLDERS:
            metadata[name] = value
    created = _pdf_date(raw.get("CreationDate") or "")
    if created:
        metadata["created"] = created
    return metadata


def read_pdf(data: bytes, options: Options) -> Extraction:
    """Read a PDF.

    Raises
    ------
    EncryptedDocumentError
        A user password is needed (owner-password-only files open normally).
    CorruptDocumentError
        pdfium cannot load the file (truncated, damaged).
    UnsafeInputError
        A compressed stream would expand beyond 256 MB (a decompression bomb).
    NeedsOcrError
        No page has a text layer.
    """
    import pypdfium2 as pdfium

    from vcse_modes.ingest.pdfguard import check_pdf_streams

    path = options.path
    check_pdf_streams(data, path)  # pdfium would inflate a bomb without limit
    pdf = _open(pdfium, data, path)
    warnings: list[str] = []
    pages: list[list[_Line]] = []
    unreadable: list[int] = []
    try:
        for index in range(len(pdf)):
            try:
                page = pdf.get_page(index)
            except pdfium.PdfiumError:
                unreadable.append(index + 1)
                pages.append([])
                continue
            try:
                textpage = page.get_textpage()
                try:
                    pages.append(_page_lines(textpage))
                finally:
                    textpage.close()
            finally:
                page.close()
        metadata = _metadata(pdf)
    finally:
        pdf.close()
    if not pages:
        raise CorruptDocumentError("PDF has no pages", path)
    if len(unreadable) == len(pages):
        raise CorruptDocumentError("no page of this PDF could be read; re-save or re-download it", path)

    empty = [i + 1 for i, lines in enumerate(pages) if not lines and i + 1 not in unreadable]
    if len(empty) + len(unreadable) == len(pages):
        raise NeedsOcrError(
            f"no page has a text layer (scanned or image-only PDF, {len(pages)} pages); run OCR first", path
        )
    if unreadable:
        warnings.append(f"unreadable pages: {', '.join(map(str, unreadable))}")
    if empty:
        warnings.append(f"needs_ocr: pages {', '.join(map(str, empty))}")

    _remove_running_lines(pages)
    builder = TextBuilder()
    spans: list[PageSpan] = []
    for number, lines in enumerate(pages, start=1):
        start = None
        for paragraph in _paragraphs(lines):
            if builder.add_block(paragraph, page=number) and start is None:
                start = builder.blocks[-1].start
        if start is None:
            start = builder.length
        spans.append(PageSpan(number, start, builder.length))
    if not builder.blocks:
        raise NeedsOcrError(
            "the only text is running headers, footers or page numbers (a scanned PDF with a stamped "
            "text layer?); run OCR first",
            path,
        )
    return Extraction(
        text=builder.text(), blocks=builder.blocks, pages=spans, metadata=metadata, warnings=warnings
    )
