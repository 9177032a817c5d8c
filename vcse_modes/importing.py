"""Import researchers' coding as corpus excerpts, through a code map.

Researchers code in NVivo, ATLAS.ti, MAXQDA or QualCoder with their own code names. A
*code map* (TOML) says which of their codes mean which mode or medium::

    [modes]
    "Commissioning modes/Market-based" = "commodified"
    "Partnership" = "collaborative"
    [media]
    "Power/Tendering" = "provider_competition"
    "Power/Money" = ["resource_dependencies", "managerial_techniques"]

Keys match a code's full path or its leaf name (case-insensitive, whitespace-normalised,
``\\`` accepted as a path separator); a code under a mapped parent inherits the parent's
mapping, and a bare code name (from an export that drops the hierarchy) matches the last
part of a path key when that is unambiguous. Our own ids (``commodified``,
``provider_competition``...) always map to themselves unless ``defaults=False``.

:func:`import_coded` reads CSV, TSV, XLSX and JSONL exports (one row per coded segment) and
REFI-QDA projects (``.qdpx``), and returns excerpts in the corpus JSONL schema together with
what could not be used: unmapped codes with their counts, selections without a mode, and a
validation row per selection saying whether its offsets held (``exact``), had to be
repaired (``re-anchored``) or failed (``unmatched``).

Examples
--------
>>> code_map = load_code_map("codes.toml")  # doctest: +SKIP
>>> result = import_coded(["team.qdpx", "extra.csv"], code_map)  # doctest: +SKIP
>>> result.unmapped_codes  # doctest: +SKIP
{'Themes/Trust': 14}
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vcse_modes import MEDIA, MODES
from vcse_modes.errors import DataError, UnsupportedFormatError

csv.field_size_limit(64 * 1024 * 1024)

TABULAR_SUFFIXES = {".csv": ",", ".tsv": "\t", ".tab": "\t", ".xlsx": None, ".xlsm": None,
                    ".jsonl": None, ".ndjson": None}
SUFFIXES = (".qdpx", *TABULAR_SUFFIXES)
MAX_TABLE_BYTES = 512 * 1024**2

DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "segment id", "quotation id", "selection id"),
    "text": ("text", "segment", "coded text", "quotation content", "quotation", "content", "excerpt"),
    "code": ("code", "code name", "codename", "node"),
    "codes": ("codes", "nodes"),
    "source": ("source", "document", "document name", "source name", "file", "case"),
    "speaker_role": ("speaker_role", "speaker role", "role"),
    "coder": ("coder", "user", "coded by", "created by", "modified by"),
    "mode": ("mode",),
    "media": ("media",),
}
"""Column names tried for each field (case-insensitive), in order; ``columns=`` overrides."""

FIELDS = tuple(DEFAULT_COLUMNS)
Table = tuple[list[str], list[tuple[int, dict[str, Any]]]]
"""A table's header and its ``(row number, row)`` pairs."""
_CODE_SPLIT = re.compile(r"\s*[;|]\s*")
_LABEL_SPLIT = re.compile(r"\s*[;,|]\s*")


# -- the code map -----------------------------------------------------------------------------


def normalise_code(name: str) -> str:
    """Code path key: ``\\`` to ``/``, whitespace collapsed, case folded.

    Examples
    --------
    >>> normalise_code("  Power \\\\ Tendering ")
    'power/tendering'
    """
    parts = (" ".join(part.split()).casefold() for part in name.replace("\\", "/").split("/"))
    return "/".join(part for part in parts if part)


def _lookup_keys(path: str) -> list[str]:
    """Full path, leaf, then each ancestor's path and leaf (nearest first)."""
    key = normalise_code(path)
    parts = key.split("/")
    keys = [key, parts[-1]]
    for i in range(len(parts) - 1, 0, -1):
        keys += ["/".join(parts[:i]), parts[i - 1]]
    return list(dict.fromkeys(k for k in keys if k))


@dataclass(frozen=True)
class CodeMap:
    """Researcher codes → mode and media ids (keys already normalised)."""

    modes: Mapping[str, str] = field(default_factory=dict)
    media: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def default(cls) -> CodeMap:
        """Our own ids mapped to themselves (codes made from ``vcse-modes codebook --format qdc``)."""
        return cls({m: m for m in MODES}, {m: (m,) for m in MEDIA}, "<default>")

    @property
    def maps_media(self) -> bool:
        return bool(self.media)

    def lookup(self, path: str) -> tuple[str | None, tuple[str, ...]]:
        """Mode and media for one code path (``None``/``()`` when unmapped).

        Examples
        --------
        >>> cm = CodeMap({"market-based": "commodified"}, {"power/tendering": ("provider_competition",)})
        >>> cm.lookup("Commissioning modes/Market-based")
        ('commodified', ())
        >>> cm.lookup("Power/Tendering/Lots")
        (None, ('provider_competition',))
        >>> cm.lookup("Tendering")  # a bare name from an export without the hierarchy
        (None, ('provider_competition',))
        """
        keys = _lookup_keys(path)
        mode = next((self.modes[k] for k in keys if k in self.modes), None)
        media = next((self.media[k] for k in keys if k in self.media), ())
        bare = keys[0] if "/" not in keys[0] else None
        if bare and mode is None:
            mode = _unique_leaf(self.modes).get(bare)
        if bare and not media:
            media = _unique_leaf(self.media).get(bare, ())
        return mode, media


def _unique_leaf(table: Mapping[str, Any]) -> dict[str, Any]:
    """Leaf of each path key → value, for bare code names from exports that drop the hierarchy.

    A leaf shared by keys with different values is ambiguous and left out.
    """
    found: dict[str, Any] = {}
    clashes: set[str] = set()
    for key, value in table.items():
        if "/" not in key:
            continue
        leaf = key.rsplit("/", 1)[1]
        if leaf in found and found[leaf] != value:
            clashes.add(leaf)
        found.setdefault(leaf, value)
    return {leaf: value for leaf, value in found.items() if leaf not in clashes}


def load_code_map(path: str | Path | None = None, *, defaults: bool = True) -> CodeMap:
    """Load a code map TOML (``[modes]`` and ``[media]`` tables); ``None`` gives the default map.

    Values are checked against MODES and MEDIA; a medium value may be a list.

    Raises
    ------
    DataError
        Bad TOML, unknown tables, unknown ids, or one code mapped two ways.
    """
    base = CodeMap.default() if defaults else CodeMap()
    if path is None:
        return base
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise DataError(f"cannot read the code map ({exc.strerror})", where) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"the code map is not valid TOML ({exc})", where) from None
    unknown = sorted(set(data) - {"modes", "media"})
    if unknown:
        raise DataError(f"unknown table(s) {', '.join(unknown)}; a code map has [modes] and [media]", where)
    modes = dict(base.modes)
    modes.update(_table(data.get("modes", {}), "modes", MODES, where, single=True))
    media = dict(base.media)
    media.update(_table(data.get("media", {}), "media", MEDIA, where, single=False))
    return CodeMap(modes, media, where)


def _table(table: Any, name: str, allowed: Sequence[str], where: str, *, single: bool) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise DataError(f"[{name}] must be a table of \"code\" = id lines", where)
    out: dict[str, Any] = {}
    for key, value in table.items():
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not values or (single and len(values) != 1):
            kind = "a mode id" if single else "a medium id or a list of them"
            raise DataError(f"[{name}] {key!r}: expected {kind}, got {value!r}", where)
        bad = [v for v in values if v not in allowed]
        if bad:
            raise DataError(
                f"[{name}] {key!r} = {bad[0]!r}: unknown id; expected one of {', '.join(allowed)}", where
            )
        normal = normalise_code(key)
        if not normal:
            raise DataError(f"[{name}] has an empty code name", where)
        mapped = values[0] if single else tuple(dict.fromkeys(values))
        if normal in out and out[normal] != mapped:
            raise DataError(f"[{name}] maps {key!r} twice (keys match case- and space-insensitively)", where)
        out[normal] = mapped
    return out


def combine_modes(modes: Iterable[str]) -> str | None:
    """One mode from the modes of several codes on one excerpt.

    ``neither`` gives way to any other mode; commodified with collaborative (or anything
    with ``mixed``) is ``mixed``.

    Examples
    --------
    >>> combine_modes(["commodified", "collaborative"])
    'mixed'
    >>> combine_modes(["neither", "collaborative"])
    'collaborative'
    >>> combine_modes([]) is None
    True
    """
    found = set(modes)
    if len(found) > 1:
        found.discard("neither")
    if "mixed" in found or {"commodified", "collaborative"} <= found:
        return "mixed"
    return next(iter(found)) if found else None


# -- results ----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """Excerpts (corpus JSONL records plus a ``unit`` key) and everything that was not used."""

    excerpts: list[dict[str, Any]] = field(default_factory=list)
    unmapped_codes: dict[str, int] = field(default_factory=dict)
    validation: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    media_without_mode: list[str] = field(default_factory=list)
    combined_modes: list[str] = field(default_factory=list)
    """Ids of excerpts whose codes gave several modes (combined by :func:`combine_modes`)."""

    def summary(self) -> dict[str, Any]:
        """Counts for a one-screen report."""
        status = Counter(row["status"] for row in self.validation)
        return {
            "excerpts": len(self.excerpts),
            "modes": dict(Counter(e["mode"] for e in self.excerpts)),
            "anchoring": {s: status.get(s, 0) for s in ("exact", "re-anchored", "unmatched")},
            "skipped": dict(self.skipped),
            "unmapped_codes": dict(self.unmapped_codes),
            "media_without_mode": len(self.media_without_mode),
            "combined_modes": len(self.combined_modes),
            "warnings": len(self.warnings),
        }


@dataclass
class _Coded:
    """One coded segment before mapping (a merged selection or table row)."""

    id: str
    text: str
    unit: str
    group: str
    provenance: str
    coder: str
    speaker_role: str = "unknown"
    codes: list[str] = field(default_factory=list)
    modes: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)


# -- import -----------------------------------------------------------------------------------


def import_coded(
    paths: str | Path | Iterable[str | Path],
    code_map: CodeMap | None = None,
    *,
    columns: Mapping[str, str] | None = None,
    defaults: Mapping[str, str] | None = None,
    sheet: str | None = None,
) -> ImportResult:
    """Turn coded exports into corpus excerpts.

    Parameters
    ----------
    paths:
        ``.qdpx``, ``.csv``, ``.tsv``, ``.xlsx`` or ``.jsonl`` files.
    code_map:
        From :func:`load_code_map`; ``None`` maps only our own ids.
    columns:
        Field → column name for tables (fields: ``text``, ``code``, ``codes``, ``source``,
        ``speaker_role``, ``id``, ``coder``, ``mode``, ``media``); others are found among
        :data:`DEFAULT_COLUMNS`. Code cells may hold several codes separated by ``;`` or ``|``.
    defaults:
        Values for ``genre``, ``tracer``, ``speaker_role`` and ``coder`` when the input has none,
        and ``source`` to replace the provenance (by default ``"<file>#<source>"`` for
        projects and the file name for tables).
    sheet:
        Worksheet of an XLSX file (default: the first).

    Returns
    -------
    ImportResult
        ``excerpts`` carry the corpus fields plus ``unit`` (``"<source>:<start>-<end>"`` for
        selections, the row id or a text hash for tables), the key agreement matches on.

    Raises
    ------
    DataError, UnsupportedFormatError, UnsafeInputError
        Unreadable, unsupported or hostile input.

    Examples
    --------
    >>> result = import_coded("nvivo_export.csv", load_code_map("map.toml"))  # doctest: +SKIP
    >>> result.excerpts[0]["mode"]  # doctest: +SKIP
    'commodified'
    """
    files = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    code_map = code_map or CodeMap.default()
    settings = {"genre": "unknown", "tracer": "other", "speaker_role": "unknown", "coder": "unknown"}
    settings.update(defaults or {})
    result = ImportResult()
    coded: list[_Coded] = []
    for file in files:
        suffix = file.suffix.lower()
        if suffix == ".qdpx":
            coded.extend(_from_qdpx(file, settings, result))
        elif suffix in TABULAR_SUFFIXES:
            coded.extend(_from_table(file, columns or {}, settings, sheet, result))
        else:
            raise UnsupportedFormatError(f"cannot import {suffix or 'files without a suffix'}; "
                                         f"use one of {', '.join(SUFFIXES)}", str(file))
    ids: Counter[str] = Counter()
    for item in coded:
        excerpt = _resolve(item, code_map, settings, result)
        if excerpt is None:
            continue
        ids[excerpt["id"]] += 1
        if ids[excerpt["id"]] > 1:
            excerpt["id"] = f"{excerpt['id']}-{ids[excerpt['id']]}"
            result.warnings.append(f"duplicate id {item.id!r}; renamed {excerpt['id']!r}")
        result.excerpts.append(excerpt)
    result.unmapped_codes = dict(sorted(result.unmapped_codes.items(), key=lambda kv: (-kv[1], kv[0])))
    if result.combined_modes:
        result.warnings.append(
            f"{len(result.combined_modes)} coded segment(s) carry codes of different modes, combined "
            f"(commodified + collaborative = mixed; first: {', '.join(result.combined_modes[:5])})"
        )
    if result.media_without_mode:
        result.warnings.append(
            f"{len(result.media_without_mode)} coded segment(s) have media but no mode and were skipped "
            f"(first: {', '.join(result.media_without_mode[:5])}); map a code to a mode to keep them"
        )
    return result


def _skip(result: ImportResult, reason: str) -> None:
    result.skipped[reason] = result.skipped.get(reason, 0) + 1


def _resolve(item: _Coded, code_map: CodeMap, settings: Mapping[str, str],
             result: ImportResult) -> dict[str, Any] | None:
    modes, media = list(item.modes), list(item.media)
    for code in dict.fromkeys(item.codes):
        mode, mapped_media = code_map.lookup(code)
        if mode is None and not mapped_media:
            result.unmapped_codes[code] = result.unmapped_codes.get(code, 0) + 1
        if mode is not None:
            modes.append(mode)
        media.extend(mapped_media)
    mode = combine_modes(modes)
    if len(set(modes) - {"neither"}) > 1:
        result.combined_modes.append(item.id)
    if mode is None:
        _skip(result, "no_mode")
        if media:
            result.media_without_mode.append(item.id)
        return None
    return {
        "id": item.id,
        "text": item.text,
        "mode": mode,
        "media": [m for m in MEDIA if m in set(media)],
        "genre": settings["genre"],
        "speaker_role": item.speaker_role,
        "tracer": settings["tracer"],
        "source": item.provenance,
        "group": item.group,
        "coder": item.coder,
        "unit": item.unit,
    }


# -- REFI-QDA ---------------------------------------------------------------------------------


def _from_qdpx(file: Path, settings: Mapping[str, str], result: ImportResult) -> list[_Coded]:
    from vcse_modes.qdpx import Anchored, anchor, read_project

    project = read_project(file)
    result.warnings.extend(f"{file.name}: {w}" for w in project.warnings)
    codes = project.code_index()
    users = project.user_names()
    merged: dict[tuple[Any, ...], _Coded] = {}
    for source, selection in project.selections():
        coder = users.get(selection.creator or "", selection.creator or settings["coder"])
        if source.text is None:
            placed = Anchored(selection.start, selection.end, "unmatched", "", "missing-source", False)
        else:
            placed = _trimmed(anchor(source.text, selection))
        text = placed.text if placed.status != "unmatched" else (selection.stored_text or "")
        paths = [codes[g].path if g in codes else f"<unknown code {g}>" for g in selection.code_guids]
        note = _note(placed, selection, text)
        result.validation.append({
            "file": file.name, "source": source.name, "selection": selection.guid, "coder": coder,
            "start": selection.start, "end": selection.end, "anchored_start": placed.start,
            "anchored_end": placed.end, "status": placed.status, "method": placed.method,
            "verified": placed.verified, "codes": paths, "note": note,
        })
        if not paths:
            _skip(result, "uncoded")
            continue
        if not text.strip():
            _skip(result, "no_text")
            continue
        if placed.status == "unmatched":
            key: tuple[Any, ...] = (source.guid, "stored", " ".join(text.split()), coder)
            unit = f"{source.name}:{selection.start}-{selection.end}"
        else:
            key = (source.guid, placed.start, placed.end, coder)
            unit = f"{source.name}:{placed.start}-{placed.end}"
        if key in merged:
            merged[key].codes.extend(p for p in paths if p not in merged[key].codes)
            continue
        merged[key] = _Coded(id=selection.guid, text=text, unit=unit, group=source.name,
                             provenance=settings.get("source") or f"{file.name}#{source.name}", coder=coder,
                             speaker_role=settings["speaker_role"], codes=list(paths))
    return list(merged.values())


def _trimmed(placed: Any) -> Any:
    """The anchored span without leading or trailing whitespace (so units match across coders)."""
    from dataclasses import replace

    text = placed.text
    if placed.status == "unmatched" or not text or text == text.strip():
        return placed
    lead = len(text) - len(text.lstrip())
    stripped = text.strip()
    if not stripped:
        return placed
    start = placed.start + lead
    return replace(placed, start=start, end=start + len(stripped), text=stripped)


def _note(placed: Any, selection: Any, text: str) -> str:
    if placed.method == "missing-source":
        return "source text missing" + ("; the selection's stored text is used" if text else "; skipped")
    if placed.status == "unmatched":
        return "stored text not found in the source" + ("; the stored text is used" if text else "")
    if not selection.code_guids:
        return "no coding (a memo or description only)"
    if not placed.verified:
        return "offsets taken on trust (the selection carries no text to check them)"
    return ""


# -- tables -----------------------------------------------------------------------------------


def read_table(path: str | Path, *, sheet: str | None = None) -> Table:
    """Header and ``(row number, row)`` pairs of a CSV, TSV, XLSX or JSONL file.

    Raises
    ------
    DataError
        Unreadable file, bad JSON, NUL bytes.
    UnsupportedFormatError
        Another suffix.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in TABULAR_SUFFIXES:
        raise UnsupportedFormatError(f"not a table; use one of {', '.join(TABULAR_SUFFIXES)}", str(file))
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror})", str(file)) from None
    if size > MAX_TABLE_BYTES:
        raise DataError(f"file is {size:,} bytes (limit {MAX_TABLE_BYTES:,})", str(file))
    raw = file.read_bytes()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(raw, str(file), sheet)
    text = _decode(raw, str(file))
    if suffix in (".jsonl", ".ndjson"):
        return _jsonl_rows(text, str(file))
    return _delimited_rows(text, str(file), TABULAR_SUFFIXES[suffix] or ",")


def _decode(raw: bytes, where: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 (byte {exc.start}); save the file as UTF-8", where) from None


def _jsonl_rows(text: str, where: str) -> Table:
    rows, header = [], {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"line {number}: malformed JSON ({error.msg})", where) from None
        if not isinstance(record, dict):
            raise DataError(f"line {number}: expected a JSON object", where)
        header.update(dict.fromkeys(record))
        rows.append((number, record))
    return list(header), rows


def _delimited_rows(text: str, where: str, delimiter: str) -> Table:
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError(f"line {line}: NUL byte; re-export the file", where)
    first = text.split("\n", 1)[0]
    if delimiter == "," and first.count(";") > first.count(",") and first.count(";") > first.count("\t"):
        delimiter = ";"
    elif delimiter == "," and first.count("\t") > first.count(","):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    rows = []
    for values in reader:
        if not header:
            if any(v.strip() for v in values):
                header = [v.strip() for v in values]
            continue
        if any(v.strip() for v in values):
            rows.append((reader.line_num, dict(zip(header, values, strict=False))))
    return header, rows


def _xlsx_rows(raw: bytes, where: str, sheet: str | None) -> Table:
    from vcse_modes.ingest.safexml import check_xml
    from vcse_modes.ingest.safezip import open_safe_zip, read_member

    with open_safe_zip(raw, path=where) as archive:
        for name in archive.namelist():
            if name.lower().endswith((".xml", ".rels")):
                check_xml(read_member(archive, name, MAX_TABLE_BYTES, path=where), name=name, path=where)
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - optional dependency
        raise DataError("reading .xlsx needs openpyxl (pip install openpyxl)", where) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged workbooks
        raise DataError(f"cannot read the workbook ({exc})", where) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise DataError(f"no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}", where)
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        header: list[str] = []
        rows = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = ["" if v is None else _cell(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if not header:
                header = [c.strip() for c in cells]
                continue
            rows.append((number, dict(zip(header, cells, strict=False))))
        return header, rows
    finally:
        book.close()


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def resolve_columns(header: Sequence[str], columns: Mapping[str, str], where: str) -> dict[str, str]:
    """Field → actual column for a table header (case- and space-insensitive).

    Raises
    ------
    DataError
        An explicitly named column is missing, or an unknown field is named.
    """
    by_key = {" ".join(h.split()).casefold(): h for h in header}
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise DataError(
            f"unknown column field(s) {', '.join(unknown)}; fields are {', '.join(FIELDS)}", where
        )
    found: dict[str, str] = {}
    for name in FIELDS:
        if name in columns:
            key = " ".join(columns[name].split()).casefold()
            if key not in by_key:
                raise DataError(
                    f"no column {columns[name]!r} (for {name}); columns: {', '.join(header)}", where
                )
            found[name] = by_key[key]
            continue
        for candidate in DEFAULT_COLUMNS[name]:
            if candidate in by_key:
                found[name] = by_key[candidate]
                break
    return found


def split_labels(value: Any, pattern: re.Pattern[str] = _CODE_SPLIT) -> list[str]:
    """Cell → list: JSON lists as they are, strings split on ``;`` or ``|``."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part for part in pattern.split(str(value).strip()) if part]


def _from_table(file: Path, columns: Mapping[str, str], settings: Mapping[str, str], sheet: str | None,
                result: ImportResult) -> list[_Coded]:
    from vcse_modes.corpus import SPEAKER_ROLES

    header, rows = read_table(file, sheet=sheet)
    where = str(file)
    found = resolve_columns(header, columns, where)
    if "text" not in found:
        raise DataError(f"no text column (tried {', '.join(DEFAULT_COLUMNS['text'])}); pass columns="
                        "{'text': ...}", where)
    if not {"code", "codes", "mode"} & set(found):
        raise DataError("no code column (code, codes or mode); pass columns={'code': ...}", where)
    merged: dict[tuple[str, ...], _Coded] = {}
    roles: Counter[str] = Counter()
    for number, row in rows:
        item = _row_item(file, number, row, found, settings, roles, SPEAKER_ROLES, where)
        if item is None:
            _skip(result, "no_text")
            continue
        if not (item.codes or item.modes or item.media):
            _skip(result, "uncoded")
            continue
        key = (item.id,) if "id" in found and row.get(found["id"]) else (
            item.group, " ".join(item.text.split()), item.coder)
        if key in merged:
            target = merged[key]
            target.codes.extend(c for c in item.codes if c not in target.codes)
            target.modes.extend(item.modes)
            target.media.extend(item.media)
        else:
            merged[key] = item
    for role, count in sorted(roles.items()):
        result.warnings.append(f"{file.name}: speaker role {role!r} ({count} rows) is not one of "
                               f"{', '.join(SPEAKER_ROLES)}; set to unknown")
    return list(merged.values())


def _row_item(file: Path, number: int, row: Mapping[str, Any], found: Mapping[str, str],
              settings: Mapping[str, str], roles: Counter[str], allowed_roles: Sequence[str],
              where: str) -> _Coded | None:
    def cell(name: str) -> Any:
        return row.get(found[name]) if name in found else None

    text = str(cell("text") or "")
    if not text.strip():
        return None
    codes = split_labels(cell("codes")) + split_labels(cell("code"))
    modes = split_labels(cell("mode"), _LABEL_SPLIT)
    media = split_labels(cell("media"), _LABEL_SPLIT)
    for value, allowed, what in ((modes, MODES, "mode"), (media, MEDIA, "medium")):
        bad = [v for v in value if v not in allowed]
        if bad:
            raise DataError(f"row {number}: unknown {what} {bad[0]!r}; expected one of {', '.join(allowed)}",
                            where)
    group = str(cell("source") or "").strip() or file.stem
    role = str(cell("speaker_role") or "").strip().casefold() or settings["speaker_role"]
    if role not in allowed_roles:
        roles[role] += 1
        role = "unknown"
    row_id = str(cell("id") or "").strip() or f"{file.stem}-{number}"
    digest = hashlib.sha256(" ".join(text.split()).encode()).hexdigest()[:12]
    unit = str(cell("id") or "").strip() or f"{group}:{digest}"
    provenance = settings.get("source") or file.name
    return _Coded(id=row_id, text=text, unit=unit, group=group, provenance=provenance,
                  coder=str(cell("coder") or "").strip() or settings["coder"], speaker_role=role,
                  codes=list(dict.fromkeys(codes)), modes=modes, media=media)


def iter_excerpt_lines(result: ImportResult) -> Iterator[str]:
    """The excerpts as JSONL lines (no trailing newline), ready to write to a corpus shard."""
    for excerpt in result.excerpts:
        yield json.dumps(excerpt, ensure_ascii=False)


__all__ = [
    "CodeMap",
    "DEFAULT_COLUMNS",
    "ImportResult",
    "combine_modes",
    "import_coded",
    "iter_excerpt_lines",
    "load_code_map",
    "normalise_code",
    "read_table",
    "resolve_columns",
    "split_labels",
]
