"""The codebook: modes, media of power, their poles and cue patterns, and its renderings.

The codebook ships as ``vcse_modes/data/codebook.toml``; ``docs/codebook.md`` is the
human-readable version with boundary cases. :func:`load_codebook` reads the TOML into frozen
dataclasses, and the renderers turn it into Markdown, JSON, table rows or a REFI-QDA
codebook (``.qdc``) that NVivo, ATLAS.ti, MAXQDA and QualCoder import.

Examples
--------
>>> cb = load_codebook()
>>> cb.mode_ids
('commodified', 'collaborative', 'mixed', 'neither')
>>> cb.medium("provider_competition").label
'Provider competition'
>>> any(c.phrase == "competitive tender" for c in cb.medium("provider_competition").cues_for("commodified"))
True
"""

from __future__ import annotations

import json
import re
import tomllib
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from vcse_modes import MEDIA, MODES
from vcse_modes.errors import DataError

POLES = ("commodified", "collaborative")
CONTRAST_KINDS = ("after", "from", "replace")
QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
QDC_SCHEMA_LOCATION = "http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"
# Fixed namespace for the deterministic code GUIDs (uuid5 of "<kind>:<id>" under it).
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:vcse-modes:codebook")
_PARENT_COLORS = {"modes": "#34495E", "media": "#566573"}


@dataclass(frozen=True)
class CuePattern:
    """One cue phrase, written in plain words, for one pole of one medium."""

    medium: str
    pole: str
    phrase: str


@dataclass(frozen=True)
class Mode:
    """A mode of commissioning (``commodified``, ``collaborative``, ``mixed``, ``neither``)."""

    id: str
    label: str
    definition: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    seeds: tuple[str, ...] = ()
    color: str = "#808080"


@dataclass(frozen=True)
class Medium:
    """A medium of power with its two poles, coding rules and cue patterns."""

    id: str
    label: str
    definition: str
    commodified_form: str
    collaborative_form: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    seeds: tuple[str, ...] = ()
    color: str = "#808080"
    cues: tuple[CuePattern, ...] = ()

    def cues_for(self, pole: str) -> tuple[CuePattern, ...]:
        """The cue patterns of one pole, in codebook order."""
        if pole not in POLES:
            raise ValueError(f"unknown pole {pole!r}; expected one of {', '.join(POLES)}")
        return tuple(c for c in self.cues if c.pole == pole)

    def form(self, pole: str) -> str:
        """What the medium looks like at one pole."""
        return self.commodified_form if pole == "commodified" else self.collaborative_form


@dataclass(frozen=True)
class ContrastCue:
    """A contrast marker whose foil does not count.

    ``kind`` is ``after`` ("X rather than Y": foil Y), ``from`` ("moving away from Y towards
    X": foil Y, up to to/towards) or ``replace`` ("replace Y with X"; passive "Y was replaced
    by X").
    """

    phrase: str
    kind: str


@dataclass(frozen=True)
class Codebook:
    """The whole codebook as loaded from TOML."""

    version: str
    title: str
    rule: str
    modes: tuple[Mode, ...]
    media: tuple[Medium, ...]
    contrast: tuple[ContrastCue, ...] = ()
    contrast_window: int = 8
    negation: tuple[str, ...] = ()
    negation_exceptions: tuple[str, ...] = ()
    negation_window: int = 3
    negation_scope_breakers: tuple[str, ...] = ()
    ignore_phrases: tuple[str, ...] = ()
    ignore_forms: tuple[str, ...] = ()
    poles: tuple[str, ...] = POLES
    source: str = field(default="", compare=False)

    @property
    def mode_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.modes)

    @property
    def medium_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.media)

    def mode(self, mode_id: str) -> Mode:
        for mode in self.modes:
            if mode.id == mode_id:
                return mode
        raise KeyError(mode_id)

    def medium(self, medium_id: str) -> Medium:
        for medium in self.media:
            if medium.id == medium_id:
                return medium
        raise KeyError(medium_id)

    def cue_patterns(self) -> Iterator[CuePattern]:
        """Every cue pattern of every medium and pole, in codebook order."""
        for medium in self.media:
            yield from medium.cues


# -- loading --------------------------------------------------------------------------------


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load a codebook TOML; ``None`` loads (once per process) the one shipped in the package.

    Raises
    ------
    DataError
        The file is missing, is not TOML, or lacks a required field or id.
    """
    if path is None:
        return _default_codebook()
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read the codebook: {exc.strerror or exc}", str(path)) from exc
    return parse_codebook(text, str(path))


@lru_cache(maxsize=1)
def _default_codebook() -> Codebook:
    from importlib.resources import files

    resource = files("vcse_modes") / "data" / "codebook.toml"
    return parse_codebook(resource.read_text(encoding="utf-8"), "vcse_modes/data/codebook.toml")


def parse_codebook(text: str, source: str = "<codebook>") -> Codebook:
    """Build a :class:`Codebook` from TOML text, checking ids and required fields."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"the codebook is not valid TOML: {exc}", source) from exc
    reader = _Reader(source)
    poles = tuple(data.get("poles", POLES))
    if poles != POLES:
        raise DataError(f"poles must be {list(POLES)}, got {list(poles)}", source)
    modes = tuple(reader.mode(entry) for entry in reader.tables(data, "modes"))
    media = tuple(reader.medium(entry) for entry in reader.tables(data, "media"))
    _check_ids("mode", tuple(m.id for m in modes), MODES, source)
    _check_ids("medium", tuple(m.id for m in media), MEDIA, source)
    contrast_table = data.get("contrast", {})
    contrast = tuple(
        ContrastCue(phrase, kind)
        for kind in CONTRAST_KINDS
        for phrase in reader.strings(contrast_table, kind, where="[contrast]", required=False)
    )
    negation_table = data.get("negation", {})
    ignore_table = data.get("ignore", {})
    return Codebook(
        version=reader.string(data, "version", where="top level"),
        title=reader.string(data, "title", where="top level"),
        rule=reader.string(data, "rule", where="top level"),
        modes=modes,
        media=media,
        contrast=contrast,
        contrast_window=reader.integer(contrast_table, "window", 8, where="[contrast]"),
        negation=reader.strings(negation_table, "cues", where="[negation]", required=False),
        negation_exceptions=reader.strings(negation_table, "exceptions", where="[negation]", required=False),
        negation_window=reader.integer(negation_table, "window", 3, where="[negation]"),
        negation_scope_breakers=reader.strings(
            negation_table, "scope_breakers", where="[negation]", required=False
        ),
        ignore_phrases=reader.strings(ignore_table, "phrases", where="[ignore]", required=False),
        ignore_forms=tuple(
            s.lower() for s in reader.strings(ignore_table, "forms", where="[ignore]", required=False)
        ),
        source=source,
    )


def _check_ids(kind: str, found: tuple[str, ...], expected: tuple[str, ...], source: str) -> None:
    if found != expected:
        raise DataError(
            f"the codebook's {kind} ids must be {', '.join(expected)} in that order; "
            f"found {', '.join(found)}",
            source,
        )


class _Reader:
    """Typed access to the TOML tables with error messages that say where and what."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, message: str) -> DataError:
        return DataError(message, self.source)

    def tables(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"expected one or more [[{key}]] tables")
        return value

    def string(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}: '{key}' must be a non-empty string")
        return " ".join(value.split())

    def strings(
        self, data: Mapping[str, Any], key: str, where: str, required: bool = True
    ) -> tuple[str, ...]:
        value = data.get(key)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"{where}: '{key}' must be a list of non-empty strings")
        if required and not value:
            raise self.fail(f"{where}: '{key}' must not be empty")
        return tuple(" ".join(v.split()) for v in value)

    def integer(self, data: Mapping[str, Any], key: str, default: int, where: str) -> int:
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise self.fail(f"{where}: '{key}' must be a positive integer")
        return value

    def mode(self, entry: Mapping[str, Any]) -> Mode:
        mode_id = self.string(entry, "id", where="[[modes]]")
        where = f"mode {mode_id!r}"
        return Mode(
            id=mode_id,
            label=self.string(entry, "label", where),
            definition=self.string(entry, "definition", where),
            include=self.strings(entry, "include", where),
            exclude=self.strings(entry, "exclude", where),
            seeds=self.strings(entry, "seeds", where),
            color=self.color(entry, where),
        )

    def medium(self, entry: Mapping[str, Any]) -> Medium:
        medium_id = self.string(entry, "id", where="[[media]]")
        where = f"medium {medium_id!r}"
        cue_table = entry.get("cues")
        if not isinstance(cue_table, dict):
            raise self.fail(f"{where}: needs a [media.cues] table with {' and '.join(POLES)} lists")
        unknown = set(cue_table) - set(POLES)
        if unknown:
            raise self.fail(f"{where}: unknown pole(s) in [media.cues]: {', '.join(sorted(unknown))}")
        cues = tuple(
            CuePattern(medium_id, pole, phrase)
            for pole in POLES
            for phrase in self.strings(cue_table, pole, f"{where} cues")
        )
        return Medium(
            id=medium_id,
            label=self.string(entry, "label", where),
            definition=self.string(entry, "definition", where),
            commodified_form=self.string(entry, "commodified_form", where),
            collaborative_form=self.string(entry, "collaborative_form", where),
            include=self.strings(entry, "include", where),
            exclude=self.strings(entry, "exclude", where),
            seeds=self.strings(entry, "seeds", where),
            color=self.color(entry, where),
            cues=cues,
        )

    def color(self, entry: Mapping[str, Any], where: str) -> str:
        value = self.string(entry, "color", where)
        if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise self.fail(f"{where}: 'color' must look like #1A2B3C, got {value!r}")
        return value.upper()


# -- renderers ------------------------------------------------------------------------------


def code_guid(kind: str, code_id: str) -> str:
    """Deterministic GUID of a code: uuid5 of ``"<kind>:<id>"`` under :data:`GUID_NAMESPACE`."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}:{code_id}"))


def to_dict(cb: Codebook) -> dict[str, Any]:
    """Plain data for JSON: codes in codebook order, cue phrases sorted."""
    return {
        "version": cb.version,
        "title": cb.title,
        "rule": cb.rule,
        "poles": list(cb.poles),
        "modes": [
            {
                "id": m.id,
                "guid": code_guid("mode", m.id),
                "label": m.label,
                "definition": m.definition,
                "include": list(m.include),
                "exclude": list(m.exclude),
                "seeds": list(m.seeds),
                "color": m.color,
            }
            for m in cb.modes
        ],
        "media": [
            {
                "id": m.id,
                "guid": code_guid("medium", m.id),
                "label": m.label,
                "definition": m.definition,
                "poles": {pole: m.form(pole) for pole in cb.poles},
                "include": list(m.include),
                "exclude": list(m.exclude),
                "seeds": list(m.seeds),
                "color": m.color,
                "cues": {
                    pole: sorted({c.phrase for c in m.cues_for(pole)}, key=str.lower) for pole in cb.poles
                },
            }
            for m in cb.media
        ],
        "contrast": {
            "window": cb.contrast_window,
            **{kind: [c.phrase for c in cb.contrast if c.kind == kind] for kind in CONTRAST_KINDS},
        },
        "negation": {
            "window": cb.negation_window,
            "cues": list(cb.negation),
            "exceptions": list(cb.negation_exceptions),
            "scope_breakers": list(cb.negation_scope_breakers),
        },
        "ignore": {"phrases": list(cb.ignore_phrases), "forms": list(cb.ignore_forms)},
    }


def to_json(cb: Codebook) -> str:
    """The codebook as JSON with sorted keys (byte-stable for the same codebook)."""
    return json.dumps(to_dict(cb), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_rows(cb: Codebook, *, cues: bool = False) -> list[dict[str, str]]:
    """Rows for a table: one per code, or with ``cues=True`` one per cue pattern.

    Every row of one call has the same keys in the same order.
    """
    if cues:
        return [{"medium": c.medium, "pole": c.pole, "phrase": c.phrase} for c in cb.cue_patterns()]
    rows = [
        {"kind": "mode", "id": m.id, "label": m.label, "cues comm./collab.": "", "definition": m.definition}
        for m in cb.modes
    ]
    rows += [
        {
            "kind": "medium",
            "id": m.id,
            "label": m.label,
            "cues comm./collab.": f"{len(m.cues_for('commodified'))} / {len(m.cues_for('collaborative'))}",
            "definition": m.definition,
        }
        for m in cb.media
    ]
    return rows


def to_markdown(cb: Codebook) -> str:
    """A reference rendering of the machine-readable codebook (docs/codebook.md is the full one)."""
    out = [
        f"# {cb.title}",
        "",
        f"Codebook version {cb.version}.",
        "",
        f"**The rule above all:** {cb.rule}",
        "",
    ]
    out += ["## Modes", ""]
    for mode in cb.modes:
        out += [f"### `{mode.id}`: {mode.label}", "", mode.definition, ""]
        out += _md_list("Include", mode.include) + _md_list("Exclude", mode.exclude)
        out += _md_list("Seeds", mode.seeds)
    out += ["## Media of power", ""]
    for medium in cb.media:
        out += [f"### `{medium.id}`: {medium.label}", "", medium.definition, ""]
        for pole in cb.poles:
            out += [f"- **{pole} pole:** {medium.form(pole)}"]
        out += [""]
        out += _md_list("Include", medium.include) + _md_list("Exclude", medium.exclude)
        out += _md_list("Seeds", medium.seeds)
        for pole in cb.poles:
            phrases = ", ".join(f"`{c.phrase}`" for c in medium.cues_for(pole))
            out += [f"**Cues, {pole}:** {phrases}", ""]
    out += ["## Contrast and negation", ""]
    for kind in CONTRAST_KINDS:
        phrases = ", ".join(f"`{c.phrase}`" for c in cb.contrast if c.kind == kind)
        out += [f"- contrast ({kind}, foil up to {cb.contrast_window} tokens): {phrases}"]
    out += [
        f"- negation (within {cb.negation_window} tokens): " + ", ".join(f"`{n}`" for n in cb.negation),
        "- not negation: " + ", ".join(f"`{n}`" for n in cb.negation_exceptions),
        "- end a negation's reach: " + ", ".join(f"`{n}`" for n in cb.negation_scope_breakers),
        "- ignored look-alikes: " + ", ".join(f"`{n}`" for n in cb.ignore_phrases + cb.ignore_forms),
        "",
    ]
    return "\n".join(out)


def _md_list(title: str, items: tuple[str, ...]) -> list[str]:
    if not items:
        return []
    return [f"**{title}:**", ""] + [f"- {item}" for item in items] + [""]


def to_qdc(cb: Codebook) -> bytes:
    """A REFI-QDA codebook (QDA-XML ``urn:QDA-XML:codebook:1.0``) as UTF-8 bytes.

    The root ``CodeBook`` holds one ``Codes`` element with two parent codes, "Modes" and
    "Media of power"; each mode and medium is a codable child code with a deterministic
    GUID, a colour and a ``Description``. Parent codes are grouping folders
    (``isCodable="false"``). The layout follows the Codebook 1.0 XSD: ``Description`` before
    child ``Code`` elements, required ``guid``/``name``/``isCodable`` attributes, GUIDs in
    8-4-4-4-12 hex form and colours as ``#RRGGBB``.
    """
    import xml.etree.ElementTree as ET

    def q(tag: str) -> str:
        return f"{{{QDC_NAMESPACE}}}{tag}"

    ET.register_namespace("", QDC_NAMESPACE)
    root = ET.Element(q("CodeBook"), {"origin": f"vcse-modes codebook {cb.version}"})
    codes = ET.SubElement(root, q("Codes"))

    def code(
        parent: ET.Element, kind: str, code_id: str, name: str, color: str, description: str, codable: bool
    ) -> ET.Element:
        element = ET.SubElement(
            parent,
            q("Code"),
            {
                "guid": code_guid(kind, code_id),
                "name": name,
                "isCodable": "true" if codable else "false",
                "color": color,
            },
        )
        ET.SubElement(element, q("Description")).text = description
        return element

    modes = code(
        codes,
        "group",
        "modes",
        "Modes",
        _PARENT_COLORS["modes"],
        f"Modes of commissioning VCSE organisations. {cb.rule}",
        codable=False,
    )
    for mode in cb.modes:
        code(
            modes,
            "mode",
            mode.id,
            mode.id,
            mode.color,
            f"{mode.label}. {mode.definition} Seeds: {'; '.join(mode.seeds)}",
            codable=True,
        )
    media = code(
        codes,
        "group",
        "media",
        "Media of power",
        _PARENT_COLORS["media"],
        "Media of power through which commissioners govern VCSE providers (multi-label).",
        codable=False,
    )
    for medium in cb.media:
        description = (
            f"{medium.label}. {medium.definition} Commodified pole: {medium.commodified_form} "
            f"Collaborative pole: {medium.collaborative_form} Seeds: {'; '.join(medium.seeds)}"
        )
        code(media, "medium", medium.id, medium.id, medium.color, description, codable=True)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
