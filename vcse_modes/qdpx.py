"""Read and write REFI-QDA 1.0 projects (``.qdpx``): codes, text sources and coded selections.

A ``.qdpx`` file is a ZIP archive holding ``project.qde`` (XML in the namespace
``urn:QDA-XML:project:1.0``) and the source texts under ``sources/`` (``Sources/`` is accepted
too). NVivo, ATLAS.ti, MAXQDA and QualCoder all write it, each a little differently, and their
character offsets drift (ATLAS.ti counts CRLF as one character, some tools count UTF-16 code
units, a byte-order mark shifts everything by one, NVivo drops some characters).
:func:`anchor` puts every selection back on the text it was meant to cover.

Untrusted archives are opened with :func:`vcse_modes.ingest.safezip.open_safe_zip` (member
count, declared sizes, compression ratio and member names are checked before anything is
inflated; nothing is extracted to disk) and ``project.qde`` is parsed with entities, DTDs and
network access off, after refusing any ``<!DOCTYPE``/``<!ENTITY`` and any nesting deeper than
:data:`MAX_DEPTH`.

Examples
--------
>>> project = read_project("interviews.qdpx")  # doctest: +SKIP
>>> source = project.sources[0]  # doctest: +SKIP
>>> [anchor(source.text, s).status for s in source.selections]  # doctest: +SKIP
['exact', 're-anchored']
"""

from __future__ import annotations

import bisect
import codecs
import hashlib
import io
import os
import re
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vcse_modes import MEDIA, MODES, __version__
from vcse_modes.errors import CorruptDocumentError, DataError, UnsafeInputError

if TYPE_CHECKING:
    from lxml import etree

NAMESPACE = "urn:QDA-XML:project:1.0"
SCHEMA_LOCATION = "http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

MAX_MEMBERS = 50_000
"""Most ZIP members a project may hold."""
MAX_TOTAL = 4 * 1024**3
"""Largest total declared uncompressed size (projects may carry audio and video we never read)."""
MAX_FILE = 2 * 1024**3
"""Largest ``.qdpx`` file read from disk."""
MAX_XML = 256 * 1024**2
"""Largest ``project.qde`` inflated."""
MAX_SOURCE = 64 * 1024**2
"""Largest source text file inflated."""
MAX_DEPTH = 256
"""Deepest XML nesting accepted in ``project.qde``."""
SEARCH_WINDOW = 500
"""Characters either side of the given offsets searched first when re-anchoring."""

# Deterministic GUIDs for exports: uuid5 of "<kind>:<key>" under this namespace.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:vcse-modes:qdpx")

_IGNORABLE = "\r\ufeff\u200b\u200c\u200d\u2060\u00ad"
_IGNORABLE_RE = re.compile(f"[{_IGNORABLE}]")
_SEPARATOR = f"[\\s{_IGNORABLE}]+"
_ELLIPSIS = re.compile(r"\s*(\.\.\.|…)\s*$")
_LABEL = re.compile(
    r"^\s*((quot(e|ation)|segment|selection|coding|passage|reference|ref)\b)?[\s\d:.#\-]*$", re.I
)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_LONE_LF = re.compile(r"(?<!\r)\n")
_GUID_BRACES = re.compile(r"^\{(.*)\}$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# -- data model -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    """One code of the codebook.

    ``path`` joins the names from the top-level code down with ``/`` ("Parent/Child");
    ``parent`` is the parent code's GUID (``None`` at the top). ``codable``, ``color`` and
    ``description`` are only used when writing.
    """

    guid: str
    name: str
    path: str
    parent: str | None = None
    codable: bool = True
    color: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Selection:
    """One ``PlainTextSelection``: a span of a source with the codes applied to it.

    ``start``/``end`` are the offsets as the tool wrote them (end exclusive); ``creator`` is
    the creating user's GUID; ``stored_text`` is the selected text when the tool stored it
    (read from the selection's name when that name is the text itself), else ``None``.
    """

    guid: str
    name: str
    start: int
    end: int
    code_guids: tuple[str, ...] = ()
    creator: str | None = None
    description: str = ""
    stored_text: str | None = None


@dataclass(frozen=True)
class Source:
    """A text source (or the text representation of a PDF). ``text`` is ``None`` when missing."""

    guid: str
    name: str
    text: str | None
    selections: tuple[Selection, ...] = ()
    kind: str = "text"

    @property
    def missing(self) -> bool:
        return self.text is None


@dataclass(frozen=True)
class User:
    """A user (coder) of the project."""

    guid: str
    name: str


@dataclass(frozen=True)
class Project:
    """What :func:`read_project` found, with the warnings it collected on the way."""

    codes: tuple[Code, ...]
    sources: tuple[Source, ...]
    users: tuple[User, ...]
    warnings: tuple[str, ...] = ()
    name: str = ""
    origin: str = ""

    def code_index(self) -> dict[str, Code]:
        """Codes by GUID."""
        return {c.guid: c for c in self.codes}

    def user_names(self) -> dict[str, str]:
        """User names by GUID (the GUID itself when the user has no name)."""
        return {u.guid: u.name or u.guid for u in self.users}

    def selections(self) -> Iterator[tuple[Source, Selection]]:
        """Every ``(source, selection)`` pair in document order."""
        for source in self.sources:
            for selection in source.selections:
                yield source, selection


@dataclass(frozen=True)
class Anchored:
    """Where a selection sits in its source text.

    ``status`` is ``"exact"`` (the given offsets hold the selection's text),
    ``"re-anchored"`` (found under another counting convention, by searching, or clipped to
    the end of the text) or ``"unmatched"``. ``method`` says how: ``offsets``, ``crlf``,
    ``utf16``, ``bom-1``/``bom+1``, ``lf-as-crlf`` (or a ``+`` combination), ``nearby``,
    ``search``, ``nearby-loose``/``search-loose`` (letters and digits only), ``clipped`` or
    ``none``. ``verified`` is False when the selection carried no text to check the offsets
    against (the offsets were taken on trust).
    """

    start: int
    end: int
    status: str
    text: str
    method: str = "offsets"
    verified: bool = True


# -- reading ----------------------------------------------------------------------------------


def read_project(
    path_or_bytes: str | os.PathLike[str] | bytes,
    *,
    max_members: int = MAX_MEMBERS,
    max_total: int = MAX_TOTAL,
    max_file: int = MAX_FILE,
) -> Project:
    """Read a REFI-QDA ``.qdpx`` project without extracting anything to disk.

    Parameters
    ----------
    path_or_bytes:
        The project file, or its bytes.
    max_members, max_total, max_file:
        Limits on ZIP members, total declared uncompressed size and file size.

    Returns
    -------
    Project
        Codes (with ``Parent/Child`` paths), users, text and PDF sources with their
        ``PlainTextSelection`` elements, and warnings (missing source files, duplicate GUIDs,
        skipped media sources).

    Raises
    ------
    UnsafeInputError
        Hostile archive or XML (zip bomb, ``..`` or absolute member names, too many members,
        DTD or entity declarations, nesting deeper than :data:`MAX_DEPTH`).
    DataError
        The archive holds no ``project.qde`` or its root is not a ``Project``.

    Examples
    --------
    >>> project = read_project("team.qdpx")  # doctest: +SKIP
    >>> [c.path for c in project.codes][:2]  # doctest: +SKIP
    ['Commissioning modes', 'Commissioning modes/Market-based']
    """
    from vcse_modes.ingest.safezip import open_safe_zip, read_member

    data, label = _load_bytes(path_or_bytes, max_file)
    archive = open_safe_zip(data, path=label, max_members=max_members, max_total=max_total)
    with archive:
        members = {name.lower(): name for name in archive.namelist()}
        qde = _find_project_member(members, label)
        root = parse_project_xml(read_member(archive, qde, MAX_XML, path=label), path=label)

        def read_text(member: str) -> bytes:
            return read_member(archive, member, MAX_SOURCE, path=label)

        return _ProjectReader(root, members, read_text).project()


def _load_bytes(path_or_bytes: str | os.PathLike[str] | bytes, max_file: int) -> tuple[bytes, str]:
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return bytes(path_or_bytes), "<qdpx bytes>"
    path = Path(path_or_bytes)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataError(f"cannot read the project ({exc.strerror})", str(path)) from None
    if size > max_file:
        raise UnsafeInputError(
            f"project is {size:,} bytes (limit {max_file:,}); export it without media", str(path)
        )
    try:
        return path.read_bytes(), str(path)
    except OSError as exc:
        raise DataError(f"cannot read the project ({exc.strerror})", str(path)) from None


def _find_project_member(members: Mapping[str, str], label: str) -> str:
    if "project.qde" in members:
        return members["project.qde"]
    candidates = sorted(n for low, n in members.items() if low.endswith(".qde") and "/" not in low)
    if not candidates:
        raise DataError("not a REFI-QDA project: the archive holds no project.qde", label)
    return candidates[0]


def parse_project_xml(data: bytes, *, path: str | None = None, max_depth: int = MAX_DEPTH) -> etree._Element:
    """Parse ``project.qde`` safely and return its root element.

    ``<!DOCTYPE``/``<!ENTITY`` are refused before parsing; lxml then parses with entity
    resolution, DTD loading, network access and huge trees off, counting the nesting depth
    as elements open and stopping as soon as it exceeds ``max_depth``.

    Raises
    ------
    UnsafeInputError
        DTD/entities, or nesting deeper than ``max_depth``.
    CorruptDocumentError
        The XML is not well formed.
    """
    from lxml import etree

    from vcse_modes.ingest.safexml import check_xml

    check_xml(data, name="project.qde", path=path)
    depth = 0
    events = etree.iterparse(
        io.BytesIO(data), events=("start", "end"), resolve_entities=False, no_network=True,
        load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True, chunk_size=4096,
    )
    try:
        for event, _ in events:
            depth += 1 if event == "start" else -1
            if depth > max_depth:
                raise UnsafeInputError(f"project.qde nests deeper than {max_depth} levels; refused", path)
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():
            raise UnsafeInputError(f"project.qde nests too deeply ({exc}); refused", path) from exc
        raise CorruptDocumentError(f"project.qde is not well formed ({exc})", path) from exc
    root = events.root
    if root is None or root.getroottree().docinfo.doctype:
        raise UnsafeInputError("project.qde declares a DTD; refused", path)
    return root


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> Iterator[Any]:
    return (child for child in element if _local(child) == name)


def _child(element: Any, name: str) -> Any | None:
    return next(_children(element, name), None)


def _guid(value: str | None) -> str:
    value = (value or "").strip()
    match = _GUID_BRACES.match(value)
    return (match.group(1) if match else value).lower()


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


class _ProjectReader:
    """Walks a parsed ``project.qde``, collecting codes, users, sources and warnings."""

    def __init__(self, root: Any, members: Mapping[str, str], read_text: Any) -> None:
        self.root = root
        self.members = members
        self.read_text = read_text
        self.warnings: list[str] = []
        self.seen: dict[str, str] = {}

    def project(self) -> Project:
        root = self.root
        if _local(root) != "Project":
            raise DataError(f"project.qde's root is <{_local(root)}>, not <Project>")
        namespace = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
        if namespace != NAMESPACE:
            self.warnings.append(f"project.qde uses namespace {namespace!r}, not {NAMESPACE!r}; read anyway")
        users = self.users()
        codes = self.codes()
        sources = self.sources(codes)
        return Project(
            codes=tuple(codes), sources=tuple(sources), users=tuple(users), warnings=tuple(self.warnings),
            name=root.get("name", ""), origin=root.get("origin", ""),
        )

    def claim(self, guid: str, kind: str, name: str) -> bool:
        """Record a GUID; a repeat is a warning and the later element is skipped."""
        if not guid:
            self.warnings.append(f"{kind} {name!r} has no guid; skipped")
            return False
        if guid in self.seen:
            self.warnings.append(
                f"duplicate GUID {guid} on {kind} {name!r} (first used by {self.seen[guid]}); "
                "the first is kept"
            )
            return False
        self.seen[guid] = f"{kind} {name!r}"
        return True

    def users(self) -> list[User]:
        users = []
        for block in _children(self.root, "Users"):
            for element in _children(block, "User"):
                guid, name = _guid(element.get("guid")), element.get("name") or element.get("id") or ""
                if self.claim(guid, "User", name):
                    users.append(User(guid, name))
        return users

    def codes(self) -> list[Code]:
        codes: list[Code] = []
        for book in _children(self.root, "CodeBook"):
            for block in _children(book, "Codes"):
                self.walk_codes(block, None, "", codes)
        return codes

    def walk_codes(self, element: Any, parent: str | None, prefix: str, out: list[Code]) -> None:
        for code in _children(element, "Code"):
            name = code.get("name") or ""
            guid = _guid(code.get("guid"))
            path = f"{prefix}/{name}" if prefix else name
            if self.claim(guid, "Code", path):
                description = _child(code, "Description")
                out.append(Code(
                    guid=guid, name=name, path=path, parent=parent,
                    codable=code.get("isCodable", "true").strip().lower() != "false",
                    color=code.get("color"),
                    description=(description.text or "") if description is not None else "",
                ))
            self.walk_codes(code, guid or parent, path, out)

    def sources(self, codes: Sequence[Code]) -> list[Source]:
        known = {c.guid for c in codes}
        sources: list[Source] = []
        skipped: dict[str, int] = {}
        for block in _children(self.root, "Sources"):
            for element in block:
                kind = _local(element)
                if kind == "TextSource":
                    source = self.text_source(element, element, "text", known)
                elif kind == "PDFSource":
                    source = self.pdf_source(element, known)
                else:
                    if kind:
                        skipped[kind] = skipped.get(kind, 0) + 1
                    continue
                if source is not None:
                    sources.append(source)
        for kind, count in sorted(skipped.items()):
            self.warnings.append(f"{count} {kind} element(s) skipped: only text and PDF text is read")
        return sources

    def pdf_source(self, element: Any, known: set[str]) -> Source | None:
        name = element.get("name") or ""
        representation = _child(element, "Representation")
        boxes = sum(1 for _ in _children(element, "PDFSelection"))
        if boxes:
            self.warnings.append(
                f"PDF {name!r}: {boxes} area selection(s) (PDFSelection) skipped; only selections on its "
                "text representation are read"
            )
        if representation is None:
            self.warnings.append(f"PDF {name!r} has no text Representation; skipped")
            self.claim(_guid(element.get("guid")), "PDFSource", name)
            return None
        return self.text_source(element, representation, "pdf", known)

    def text_source(self, element: Any, body: Any, kind: str, known: set[str]) -> Source | None:
        name = element.get("name") or body.get("name") or ""
        guid = _guid(element.get("guid"))
        if not self.claim(guid, "TextSource" if kind == "text" else "PDFSource", name):
            return None
        if body is not element and _guid(body.get("guid")) and _guid(body.get("guid")) != guid:
            self.claim(_guid(body.get("guid")), "Representation", name)
        text = self.source_text(body, name)
        selections = []
        for selection in _children(body, "PlainTextSelection"):
            selections.extend(self.selection(selection, name, text, known))
        if text is None and selections:
            self.warnings.append(f"source {name!r}: its {len(selections)} selection(s) cannot be checked")
        whole = sum(1 for _ in _children(body, "Coding"))
        if whole:
            self.warnings.append(f"source {name!r}: {whole} whole-source coding(s) ignored")
        return Source(guid=guid, name=name, text=text, selections=tuple(selections), kind=kind)

    def source_text(self, body: Any, name: str) -> str | None:
        content = _child(body, "PlainTextContent")
        if content is not None:
            return (content.text or "").lstrip("\ufeff")
        reference = (body.get("plainTextPath") or "").strip()
        if not reference:
            self.warnings.append(
                f"source {name!r} has neither PlainTextContent nor plainTextPath; text missing"
            )
            return None
        if not reference.lower().startswith("internal://"):
            self.warnings.append(
                f"source {name!r} points at {reference!r} outside the project; text missing"
            )
            return None
        file_name = reference[len("internal://"):].lstrip("/")
        member = self.member(file_name)
        if member is None:
            self.warnings.append(
                f"source {name!r}: sources/{file_name} is missing from the archive; text missing"
            )
            return None
        text, problem = decode_text(self.read_text(member))
        if problem:
            self.warnings.append(f"source {name!r}: {problem}")
        return text

    def member(self, file_name: str) -> str | None:
        lower = file_name.lower()
        for candidate in (f"sources/{lower}", lower):
            if candidate in self.members:
                return self.members[candidate]
        return None

    def selection(self, element: Any, source_name: str, text: str | None, known: set[str]) -> list[Selection]:
        name = element.get("name") or ""
        start, end = _int(element.get("startPosition")), _int(element.get("endPosition"))
        guid = _guid(element.get("guid"))
        if start is None or end is None:
            self.warnings.append(
                f"source {source_name!r}: selection {guid or name!r} has no integer positions; skipped"
            )
            return []
        if not self.claim(guid, "PlainTextSelection", name[:40] or guid):
            return []
        description = _child(element, "Description")
        codings: list[tuple[str, str | None]] = []
        for coding in _children(element, "Coding"):
            reference = _child(coding, "CodeRef")
            target = _guid(reference.get("targetGUID")) if reference is not None else ""
            if not target:
                continue
            if target not in known:
                self.warnings.append(
                    f"source {source_name!r}: selection {guid} refers to unknown code {target}"
                )
            codings.append((target, _guid(coding.get("creatingUser")) or None))
        base = Selection(
            guid=guid, name=name, start=min(start, end), end=max(start, end),
            creator=_guid(element.get("creatingUser")) or None,
            description=(description.text or "").strip() if description is not None else "",
            stored_text=_stored_text(name, text),
        )
        return _split_by_coder(base, codings)


def _split_by_coder(base: Selection, codings: Sequence[tuple[str, str | None]]) -> list[Selection]:
    """One Selection per coding user (NVivo records the coder on ``Coding``, not the selection)."""
    if not codings:
        return [base]
    by_user: dict[str | None, list[str]] = {}
    for code, user in codings:
        by_user.setdefault(user or base.creator, []).append(code)
    return [
        replace(base, creator=user, code_guids=tuple(dict.fromkeys(codes)))
        for user, codes in by_user.items()
    ]


def decode_text(raw: bytes) -> tuple[str, str | None]:
    """Decode a source file: UTF-8 (BOM stripped) or BOM-marked UTF-16; returns (text, problem).

    Examples
    --------
    >>> decode_text(codecs.BOM_UTF8 + "café".encode())
    ('café', None)
    """
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace"), None
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        problem = f"not valid UTF-8 at byte {exc.start}; bad bytes replaced"
        return raw.decode("utf-8", errors="replace"), problem


# -- anchoring --------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(_IGNORABLE_RE.sub("", text).split()).casefold()


def _looks_like_text(name: str) -> bool:
    """A selection name that is probably the selected text rather than a label."""
    cleaned = _ELLIPSIS.sub("", name).strip()
    return len(cleaned.split()) >= 3 and len(cleaned) >= 12 and not _LABEL.match(cleaned)


def _stored_text(name: str, text: str | None) -> str | None:
    """The selection's name when it is the selected text (found in the source), else None."""
    if not _looks_like_text(name):
        return None
    if text is None:
        return name
    reference = _ELLIPSIS.sub("", name).strip()
    if _strict_pattern(reference).search(text) or (
        (loose := _loose_pattern(reference)) is not None and loose.search(text)
    ):
        return name
    return None


@lru_cache(maxsize=512)
def _strict_pattern(reference: str) -> re.Pattern[str]:
    tokens = _IGNORABLE_RE.sub("", reference).split()
    return re.compile(_SEPARATOR.join(re.escape(t) for t in tokens), re.IGNORECASE)


@lru_cache(maxsize=512)
def _loose_pattern(reference: str) -> re.Pattern[str] | None:
    """Letters and digits of the reference in order, anything else allowed between them."""
    chars = re.sub(r"[\W_]+", "", reference)[:1000]
    if len(chars) < 8:
        return None
    return re.compile(r"[\W_]*".join(re.escape(c) for c in chars), re.IGNORECASE)


def _matches(actual: str, reference: str, prefix: bool) -> bool:
    """Same text (whitespace-normalised, case-folded), or with ``prefix`` the text starts with it.

    A prefix match must begin on the reference's first character, not on whitespace before it
    (that would be a span shifted by a line end, with its tail cut off).
    """
    got, want = _norm(actual), _norm(reference)
    if not want or (prefix and (not actual or actual[0].isspace() or actual[0] in _IGNORABLE)):
        return False
    return got.startswith(want) if prefix else got == want


@lru_cache(maxsize=32)
def _views(text: str) -> dict[str, tuple[str, list[int]]]:
    """Per counting convention: the text as the tool saw it, and the break points to map back."""
    views: dict[str, tuple[str, list[int]]] = {}
    if "\r\n" in text:
        crlf = [m.start() - i for i, m in enumerate(re.finditer("\r\n", text))]
        views["crlf"] = (text.replace("\r\n", "\n"), crlf)
    if "\n" in text and _LONE_LF.search(text):
        lf = [m.start() + i for i, m in enumerate(_LONE_LF.finditer(text))]
        views["lf-as-crlf"] = (_LONE_LF.sub("\r\n", text), lf)
    return views


@lru_cache(maxsize=64)
def _astral_units(text: str) -> list[int]:
    return [m.start() + i for i, m in enumerate(_ASTRAL.finditer(text))]


def _from_view(kind: str, breaks: list[int], position: int) -> int:
    before = bisect.bisect_left(breaks, position)
    return position + before if kind == "crlf" else position - before


def _convention_candidates(text: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """Offsets under each alternative counting convention, converted to Python indices."""
    views = [("", text, [])] + [(k, v, b) for k, (v, b) in _views(text).items()]
    shifts = [(0, "")] + [(-1, "bom-1"), (1, "bom+1")]
    for shift, shift_name in shifts:
        for kind, view, breaks in views:
            for utf16 in (False, True):
                if not (kind or utf16 or shift):
                    continue
                units = _astral_units(view) if utf16 else []
                if utf16 and not units:
                    continue
                s, e = start + shift, end + shift
                if utf16:
                    s, e = _from_view("utf16", units, s), _from_view("utf16", units, e)
                if kind:
                    s, e = _from_view(kind, breaks, s), _from_view(kind, breaks, e)
                name = "+".join(x for x in (shift_name, kind, "utf16" if utf16 else "") if x)
                yield name, s, e


def _search(text: str, reference: str, start: int, length: int, truncated: bool,
            window: int) -> tuple[int, int, str] | None:
    """Find the reference: nearby first, then anywhere (nearest to ``start`` wins)."""
    for pattern, suffix in ((_strict_pattern(reference), ""), (_loose_pattern(reference), "-loose")):
        if pattern is None or not pattern.pattern:
            continue
        low, high = max(0, start - window), min(len(text), start + length + window)
        found = _nearest(pattern.finditer(text, low, high), start)
        place = "nearby"
        if found is None:
            found, place = _nearest(pattern.finditer(text), start), "search"
        if found is not None:
            s, e = found
            if truncated:
                e = max(e, min(len(text), s + length))
            return s, e, place + suffix
    return None


def _nearest(matches: Iterable[re.Match[str]], start: int, cap: int = 10_000) -> tuple[int, int] | None:
    best: tuple[int, int] | None = None
    for count, match in enumerate(matches):
        if best is None or abs(match.start() - start) < abs(best[0] - start):
            best = (match.start(), match.end())
        if count >= cap:
            break
    return best


def _on_trust(text: str, start: int, end: int) -> Anchored:
    """Offsets with nothing to check them against: keep them, clipped to the text."""
    n = len(text)
    s, e = max(0, start), min(n, end)
    if s >= e:
        return Anchored(start, end, "unmatched", "", "none", verified=False)
    if (s, e) != (start, end):
        return Anchored(s, e, "re-anchored", text[s:e], "clipped", verified=False)
    return Anchored(s, e, "exact", text[s:e], "offsets", verified=False)


def anchor(source_text: str, selection: Selection, *, window: int = SEARCH_WINDOW) -> Anchored:
    """Place a selection on its source text, correcting offset drift between tools.

    The reference text is ``selection.stored_text``, or else the selection's name when it
    looks like text (three words or more). Tried in order: the given offsets; the offsets
    under other counting conventions (CRLF counted as one character, UTF-16 code units, a
    byte-order mark shifting by one, LF counted as CRLF, and combinations); a
    whitespace-normalised search within ``window`` characters, then in the whole text; the
    same with letters and digits only. A name-derived reference that matches nowhere falls
    back to the offsets taken on trust; a selection with no reference keeps its offsets
    (clipped to the text) with ``verified=False``. Nothing here raises for odd offsets.

    Examples
    --------
    >>> text = "Intro.\\r\\nWe were told to tender every year."
    >>> sel = Selection("g", "We were told to tender every year.", 7, 41)  # ATLAS.ti: CRLF = 1
    >>> anchor(text, sel).status, anchor(text, sel).method
    ('re-anchored', 'crlf')
    >>> anchor("short", Selection("g", "", 2, 99)).status
    're-anchored'
    """
    start, end = sorted((selection.start, selection.end))
    n = len(source_text)
    trusted = selection.stored_text is not None
    raw = selection.stored_text if trusted else (selection.name if _looks_like_text(selection.name) else None)
    if raw is None:
        return _on_trust(source_text, start, end)
    reference = _ELLIPSIS.sub("", raw).strip()
    # An ellipsis, or offsets spanning much more than the reference, mean a cut-short name.
    truncated = bool(_ELLIPSIS.search(raw)) or end - start > 1.2 * len(reference) + 5
    # Tools often store a name cut short without saying so: after exact matches under every
    # convention, a reference of 12 or more characters may match as a prefix.
    prefixes = (False, True) if truncated or len(_norm(reference)) >= 12 else (False,)
    for prefix in prefixes:
        for method, s, e in [("offsets", start, end), *_convention_candidates(source_text, start, end)]:
            if 0 <= s < e <= n and _matches(source_text[s:e], reference, prefix):
                status = "exact" if method == "offsets" else "re-anchored"
                return Anchored(s, e, status, source_text[s:e], method)
    found = _search(source_text, reference, start, max(end - start, 1), truncated, window)
    if found is not None:
        s, e, method = found
        return Anchored(s, e, "re-anchored", source_text[s:e], method)
    if not trusted:
        return _on_trust(source_text, start, end)
    return Anchored(start, end, "unmatched", "", "none")


# -- writing ----------------------------------------------------------------------------------


def make_guid(kind: str, key: str) -> str:
    """Deterministic GUID (uuid5 of ``"<kind>:<key>"``).

    Examples
    --------
    >>> make_guid("user", "model") == make_guid("user", "model")
    True
    """
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{key}"))


def _lf_only(text: str) -> tuple[str, list[int]]:
    """Text with CRLF/CR turned into LF, and the positions of removed CRs for remapping."""
    if "\r" not in text:
        return text, []
    removed = [m.start() for m in re.finditer(r"\r(?=\n)", text)]
    return text.replace("\r\n", "\n").replace("\r", "\n"), removed


def _remap(position: int, removed: list[int]) -> int:
    return position - bisect.bisect_left(removed, position)


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (form feeds from PDFs, other C0 controls)."""
    return _NOT_XML.sub("", text)


def _check_guid(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(_guid(value)))
    except ValueError:
        raise DataError(f"{what} has GUID {value!r}, which is not 8-4-4-4-12 hex") from None


def write_project(
    path: str | os.PathLike[str],
    sources: Sequence[Source],
    codes: Sequence[Code],
    selections: Mapping[str, Sequence[Selection]] | None = None,
    user_name: str = "vcse-modes",
    *,
    project_name: str = "vcse-modes export",
    description: str | None = None,
) -> None:
    """Write a REFI-QDA 1.0 project (``.qdpx``) atomically.

    Parameters
    ----------
    path:
        The ``.qdpx`` to write (replaced atomically: temporary file, then ``os.replace``).
    sources:
        Text sources; each is stored as ``sources/<guid>.txt`` (UTF-8, LF line ends; offsets
        are remapped when CRLF is turned into LF) with ``plainTextPath="internal://<guid>.txt"``.
    codes:
        The codebook; ``parent`` GUIDs nest codes. Codes whose parent is unknown go at the top.
    selections:
        Selections by source GUID; ``None`` writes each source's own ``selections``.
    user_name:
        The one user written; every selection and coding is created by it.

    Raises
    ------
    DataError
        A GUID is malformed, a selection lies outside its text or refers to an unknown code.

    Examples
    --------
    >>> code = Code(make_guid("code", "x"), "x", "x")
    >>> src = Source(make_guid("source", "a"), "a.txt", "Some text here.")
    >>> sel = Selection(make_guid("sel", "1"), "Some text", 0, 9, (code.guid,))
    >>> write_project("out.qdpx", [src], [code], {src.guid: [sel]}, "me")  # doctest: +SKIP
    """
    user_guid = make_guid("user", user_name)
    code_guids = {_check_guid(c.guid, f"code {c.path!r}") for c in codes}
    files: dict[str, bytes] = {}
    built_sources = []
    for source in sources:
        guid = _check_guid(source.guid, f"source {source.name!r}")
        if source.text is None:
            raise DataError(f"source {source.name!r} has no text to write")
        chosen = source.selections if selections is None else selections.get(source.guid, ())
        text, removed = _lf_only(source.text)
        fixed = [_fixed_selection(s, source, removed, len(text), code_guids) for s in chosen]
        files[f"sources/{guid}.txt"] = text.encode("utf-8")
        built_sources.append((replace(source, guid=guid, text=text), fixed))
    xml = _project_xml(built_sources, codes, user_guid, user_name, project_name, description)
    _write_zip_atomically(Path(path), {"project.qde": xml, **files})


def _fixed_selection(selection: Selection, source: Source, removed: list[int], length: int,
                     code_guids: set[str]) -> Selection:
    start, end = _remap(selection.start, removed), _remap(selection.end, removed)
    if not 0 <= start < end <= length:
        raise DataError(
            f"selection {selection.guid} [{selection.start}, {selection.end}) lies outside source "
            f"{source.name!r} ({length} characters)"
        )
    what = f"code reference of selection {selection.guid}"
    refs = tuple(_check_guid(g, what) for g in selection.code_guids)
    unknown = [g for g in refs if g not in code_guids]
    if unknown:
        raise DataError(f"selection {selection.guid} refers to unknown code {unknown[0]}")
    return replace(selection, guid=_check_guid(selection.guid, "selection"), start=start, end=end,
                   code_guids=refs)


def _project_xml(sources: Sequence[tuple[Source, list[Selection]]], codes: Sequence[Code], user_guid: str,
                 user_name: str, project_name: str, description: str | None) -> bytes:
    from lxml import etree

    def q(tag: str) -> str:
        return f"{{{NAMESPACE}}}{tag}"

    root = etree.Element(q("Project"), nsmap={None: NAMESPACE, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{NAMESPACE} {SCHEMA_LOCATION}")
    root.set("name", _xml_safe(project_name))
    root.set("origin", f"vcse-modes {__version__}")
    root.set("creatingUserGUID", user_guid)
    users = etree.SubElement(root, q("Users"))
    etree.SubElement(users, q("User"), guid=user_guid, name=_xml_safe(user_name))
    if codes:
        _codes_xml(etree.SubElement(etree.SubElement(root, q("CodeBook")), q("Codes")), codes, q)
    if sources:
        block = etree.SubElement(root, q("Sources"))
        for source, chosen in sources:
            element = etree.SubElement(block, q("TextSource"), guid=source.guid, name=_xml_safe(source.name),
                                       plainTextPath=f"internal://{source.guid}.txt", creatingUser=user_guid)
            for selection in chosen:
                _selection_xml(element, selection, user_guid, q)
    if description:
        etree.SubElement(root, q("Description")).text = _xml_safe(description)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _codes_xml(parent: Any, codes: Sequence[Code], q: Any) -> None:
    from lxml import etree

    guids = {_guid(c.guid) for c in codes}
    children: dict[str | None, list[Code]] = {}
    for code in codes:
        key = _guid(code.parent) if code.parent and _guid(code.parent) in guids else None
        children.setdefault(key, []).append(code)

    def add(element: Any, key: str | None) -> None:
        for code in children.get(key, []):
            attributes = {"guid": _guid(code.guid), "name": _xml_safe(code.name),
                          "isCodable": "true" if code.codable else "false"}
            if code.color:
                attributes["color"] = code.color
            node = etree.SubElement(element, q("Code"), attributes)
            if code.description:
                etree.SubElement(node, q("Description")).text = _xml_safe(code.description)
            add(node, _guid(code.guid))

    add(parent, None)


def _selection_xml(parent: Any, selection: Selection, user_guid: str, q: Any) -> None:
    from lxml import etree

    element = etree.SubElement(parent, q("PlainTextSelection"), guid=selection.guid,
                               name=_xml_safe(selection.name),
                               startPosition=str(selection.start), endPosition=str(selection.end),
                               creatingUser=user_guid)
    if selection.description:
        etree.SubElement(element, q("Description")).text = _xml_safe(selection.description)
    for code_guid in selection.code_guids:
        coding_guid = make_guid("coding", f"{selection.guid}:{code_guid}")
        coding = etree.SubElement(element, q("Coding"), guid=coding_guid, creatingUser=user_guid)
        etree.SubElement(coding, q("CodeRef"), targetGUID=code_guid)


def _write_zip_atomically(path: Path, members: Mapping[str, bytes]) -> None:
    """Write a ZIP with fixed timestamps (byte-stable output) via a temporary file."""
    directory = path.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in members.items():
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- exporting scored documents ---------------------------------------------------------------


MODES_GROUP = "Modes"
MEDIA_GROUP = "Media of power"


def codebook_codes() -> list[Code]:
    """Our codebook as REFI-QDA codes: parents "Modes" and "Media of power" with the ids below.

    GUIDs are those of ``vcse-modes codebook --format qdc``, so an export merges with a
    project that already imported the codebook.

    Examples
    --------
    >>> [c.path for c in codebook_codes()][:2]
    ['Modes', 'Modes/commodified']
    """
    from vcse_modes.codebook import code_guid

    modes_guid, media_guid = code_guid("group", "modes"), code_guid("group", "media")
    codes = [Code(modes_guid, MODES_GROUP, MODES_GROUP, None, codable=False)]
    codes += [Code(code_guid("mode", m), m, f"{MODES_GROUP}/{m}", modes_guid) for m in MODES]
    codes.append(Code(media_guid, MEDIA_GROUP, MEDIA_GROUP, None, codable=False))
    codes += [Code(code_guid("medium", m), m, f"{MEDIA_GROUP}/{m}", media_guid) for m in MEDIA]
    return codes


def export_scored(
    path: str | os.PathLike[str],
    documents: Sequence[tuple[str, str, Sequence[Mapping[str, Any]]]],
    model_name: str,
    *,
    project_name: str | None = None,
) -> list[str]:
    """Write scored documents as a REFI-QDA project coded by the model.

    Parameters
    ----------
    path:
        The ``.qdpx`` to write.
    documents:
        ``(source name, text, evidence rows)`` per document; rows follow the ``score``
        evidence schema (``text``, ``start``, ``end``, ``mode``, ``p``, ``media``, ``cues``,
        ``pole``) with offsets into ``text``.
    model_name:
        Name of the User who creates every selection and coding.

    Returns
    -------
    list of str
        Warnings (evidence rows that could not be placed, unknown labels).

    Examples
    --------
    >>> row = {"text": "We tender yearly.", "start": 0, "end": 17, "mode": "commodified",
    ...        "p": 0.91, "media": ["provider_competition"], "cues": ["tender"], "pole": "commodified"}
    >>> export_scored("scored.qdpx", [("a.txt", "We tender yearly.", [row])], "base-1.0")  # doctest: +SKIP
    []
    """
    codes = codebook_codes()
    mode_guid = {c.name: c.guid for c in codes if c.parent == codes[0].guid}
    medium_guid = {c.name: c.guid for c in codes if c.parent and c.parent != codes[0].guid}
    warnings: list[str] = []
    sources: list[Source] = []
    used: set[str] = set()
    for name, text, rows in documents:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        guid, n = make_guid("source", f"{name}:{digest}"), 1
        while guid in used:
            guid, n = make_guid("source", f"{name}:{digest}:{n}"), n + 1
        used.add(guid)
        chosen = [s for row in rows if (s := _evidence_selection(row, guid, name, text, model_name,
                                                                  mode_guid, medium_guid, warnings))]
        unique = list({s.guid: s for s in chosen}.values())
        sources.append(Source(guid, name, text, tuple(unique)))
    write_project(path, sources, codes, None, model_name,
                  project_name=project_name or f"vcse-modes: {model_name}",
                  description=f"Passages coded by the vcse-modes model {model_name}.")
    return warnings


def _evidence_selection(row: Mapping[str, Any], source_guid: str, source_name: str, text: str,
                        model_name: str, mode_guid: Mapping[str, str], medium_guid: Mapping[str, str],
                        warnings: list[str]) -> Selection | None:
    passage = str(row.get("text") or "")
    start, end = _int(row.get("start")), _int(row.get("end"))
    if start is None or end is None:
        start, end = 0, 0
    placed = anchor(text, Selection("", "", start, end, stored_text=passage or None))
    if placed.status == "unmatched":
        warnings.append(f"{source_name}: evidence passage at [{start}, {end}) not found in the text; skipped")
        return None
    mode = str(row.get("mode") or "")
    media = [str(m) for m in row.get("media") or []]
    refs = [mode_guid[mode]] if mode in mode_guid else []
    refs += [medium_guid[m] for m in media if m in medium_guid]
    bad = [x for x in [mode, *media] if x not in mode_guid and x not in medium_guid]
    if bad:
        warnings.append(f"{source_name}: unknown label(s) {', '.join(map(repr, bad))} not coded")
    pole = str(row.get("pole") or "")
    p = row.get("p")
    cues = ", ".join(str(c) for c in row.get("cues") or []) or "none"
    description = (
        f"{model_name}: evidence for the {pole or 'unknown'} pole"
        + (f" (p = {float(p):.4f})" if isinstance(p, (int, float)) else "")
        + f"; predicted mode {mode or 'none'}; media: {', '.join(media) or 'none'}; cues: {cues}"
    )
    name = placed.text if len(placed.text) <= 1000 else placed.text[:999] + "…"
    guid = make_guid("selection", f"{source_guid}:{placed.start}:{placed.end}:{pole}")
    return Selection(guid, name, placed.start, placed.end, tuple(dict.fromkeys(refs)),
                     description=description, stored_text=placed.text)


__all__ = [
    "Anchored",
    "Code",
    "MAX_DEPTH",
    "MAX_MEMBERS",
    "NAMESPACE",
    "Project",
    "Selection",
    "Source",
    "User",
    "anchor",
    "codebook_codes",
    "decode_text",
    "export_scored",
    "make_guid",
    "parse_project_xml",
    "read_project",
    "write_project",
]
