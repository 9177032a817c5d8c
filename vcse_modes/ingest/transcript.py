"""Find speaker turns in plain-text (and DOCX/ODT/RTF) interview transcripts.

A line starts a turn when it begins with a speaker label followed by a colon, with an
optional timestamp before or after the label::

    Interviewer: So how did the tender go?
    [00:12:31] R1: Honestly, it was a lot of paperwork.
    Jane Smith (00:12): Can I add something?
    Respondent (VCSE chief executive): We nearly pulled out.
    Speaker 2  0:14          <- Otter style: label and time alone, text on the next lines

Generic labels (``Interviewer``, ``Int``, ``I``, ``Q``, ``R``, ``R1``, ``Respondent``,
``A``, ``P1`` ...) always count; a personal-name label (``Jane Smith``) counts once it
starts at least two lines or is declared in the header. The text is a transcript when
at least three lines start turns, at least two different speakers talk, and turns make
up a fair share of the paragraphs.

A header is the run of metadata lines at the top (``Date: 3 May 2024``,
``Interviewer: Jane Smith``, ``Participant role: commissioner``, ``R1 role: vcse``,
``Respondent (VCSE chief executive)``). It is only trusted when it is clearly a header:
it must hold at least one metadata or role line (or be a title followed by a blank line).

Each turn becomes one block covering only the spoken text (never the label or the
timestamp), running over several lines until the next label. Roles come from
:class:`vcse_modes.ingest.roles.RoleResolver`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from vcse_modes import ROLES
from vcse_modes.document import Block
from vcse_modes.ingest.roles import (
    PARTICIPANT_BASES,
    RoleResolver,
    is_generic_label,
    is_interviewer_label,
    label_base,
    label_key,
    role_from_description,
)
from vcse_modes.ingest.textutil import block_spans, line_spans, paragraph_spans

_TS = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TSB = rf"(?:\[{_TS}\]|\({_TS}\)|{_TS})"
_GENERIC = (
    r"(?:(?i:interviewer|interviewee|respondent|participant|facilitator|moderator|researcher|speaker"
    r"|question|answer|resp|int)(?:[ ]?\d{1,3})?|(?:IV|[IQARP])\d{0,3})"
)
_NAME = r"(?:[A-Z][A-Za-z'\u2019\-]{0,24}\.?(?:[ ][A-Z][A-Za-z'\u2019\-]{0,24}\.?){0,2})"

LABEL_LINE = re.compile(
    rf"[ \t]*(?:(?P<ts1>{_TSB})[ \t]*(?:[-\u2013][ \t]*)?)?"
    rf"(?P<label>{_GENERIC}|{_NAME})"
    r"(?:[ \t]*\((?P<desc>[^()\n]{1,80})\))?"
    rf"(?:[ \t]*(?P<ts2>{_TSB}))?"
    r"[ \t]*:(?![/\\])[ \t]*"
    rf"(?:(?P<ts3>{_TSB})(?=\s|$)[ \t]*)?"
)
"""A turn-opening line: optional timestamp, label, optional (description), colon."""

OTTER_LINE = re.compile(rf"[ \t]*(?P<label>{_GENERIC}|{_NAME})[ \t]+(?P<ts>{_TSB})[ \t]*$")
"""A label and a timestamp alone on a line (Otter.ai, Teams exports); the text follows."""

_TS_ONLY = re.compile(rf"{_TSB}")
_HEADER_LINE = re.compile(
    r"[ \t]*(?P<key>[A-Za-z][A-Za-z0-9 ()'\u2019/&.\-]{0,48}?)[ \t]*[:=][ \t]*(?P<value>.*)"
)
_STANDALONE_ROLE = re.compile(
    rf"[ \t]*(?P<label>{_GENERIC}|{_NAME})[ \t]*\((?P<desc>[^()\n]{{1,80}})\)[ \t]*$"
)
_NAME_VALUE = re.compile(
    rf"(?P<name>{_NAME})(?:[ \t]*[(,\u2013-][ \t]*(?P<desc>[^()\n]{{1,80}}?)\)?)?[ \t]*$"
)
_ROLE_KEY = re.compile(r"(?P<who>.+?)[ \t]+role$|role(?:[ \t]+of[ \t]+(?P<of>.+))?$", re.IGNORECASE)

META_KEYS = frozenset(
    {
        "date", "time", "location", "venue", "place", "duration", "length", "project", "study", "site",
        "interview", "interview date", "interview number", "interview no", "interview id",
        "interviewee id", "participant id", "participant code", "participant number", "transcript",
        "transcript id", "transcribed by", "transcriber", "recording", "audio", "audio file", "file",
        "filename", "consent", "notes", "organisation", "organization", "sector", "area", "region",
        "topic", "mode", "format", "setting", "language", "ref", "reference", "id", "code", "case",
        "case id", "pseudonym", "group", "focus group", "session",
    }
)  # fmt: skip
"""Header keys that only carry metadata (never speaker labels)."""


def _words(text: str) -> list[str]:
    return text.split()


NAME_STOPLIST = frozenset(
    _words(
        """note notes nb ps date time location venue title subject re summary background duration project
    transcript source comment comments example examples total yes no okay ok so well because but and also
    however therefore step tel telephone email e-mail website web address ref reference page figure table
    action actions outcome outcomes aim aims objective objectives key purpose scope status owner deadline
    budget cost costs value contact from to cc bcc sent attendees apologies present agenda minutes chair
    item decision decisions update risk risks issue issues response recommendation recommendations finding
    findings theme themes code codes category tags keywords file audio recording consent organisation
    organization role sector site study interview warning important tip lot lots phase stage part section
    chapter appendix annex introduction conclusion conclusions method methods results discussion vision
    mission priority priorities target targets measure measures indicator kpi kpis contract contracts
    funding grant provider providers definition definitions link links url source sources tel mobile fax
    name names author authors version day week month year when where what who why how here there this that
    then now first second third finally overall context rationale description details detail notice"""
    )
)
"""Capitalised words that end in a colon in ordinary prose: never speaker names."""

SAMPLE_CHARS = 256 * 1024
"""Texts longer than this are first sniffed on a sample, so huge non-transcripts stay cheap."""


@dataclass
class _Candidate:
    line: int
    line_start: int
    content_start: int
    label: str
    desc: str | None
    timestamp: str | None


@dataclass
class _Header:
    end_line: int = 0
    metadata: dict[str, str] = field(default_factory=dict)
    declared: dict[str, str] = field(default_factory=dict)
    interviewer_names: set[str] = field(default_factory=set)
    participant_names: set[str] = field(default_factory=set)
    participant_role: str | None = None


@dataclass
class TranscriptSegmentation:
    """Blocks (offsets relative to the segmented text) and header metadata."""

    blocks: list[Block]
    metadata: dict[str, str]
    speakers: list[str]


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = start
    while pos <= end:
        newline = text.find("\n", pos, end)
        if newline < 0:
            spans.append((pos, end))
            break
        spans.append((pos, newline))
        pos = newline + 1
    return spans


def _strip_brackets(stamp: str | None) -> str | None:
    if stamp is None:
        return None
    return stamp.strip().strip("[]()")


def _clean_label(label: str) -> str:
    return " ".join(label.split())


def _match_line(text: str, start: int, end: int, index: int) -> _Candidate | None:
    match = LABEL_LINE.match(text, start, end)
    if match is not None:
        desc = match.group("desc")
        stamp = match.group("ts1") or match.group("ts2") or match.group("ts3")
        if desc is not None and _TS_ONLY.fullmatch(desc.strip()):
            stamp = stamp or desc
            desc = None
        return _Candidate(
            index, start, match.end(), _clean_label(match.group("label")), desc, _strip_brackets(stamp)
        )
    match = OTTER_LINE.match(text, start, end)
    if match is not None:
        return _Candidate(
            index, start, end, _clean_label(match.group("label")), None, _strip_brackets(match.group("ts"))
        )
    return None


@lru_cache(maxsize=4096)
def _is_name_like(label: str) -> bool:
    key = label_key(label)
    if is_generic_label(label):
        return True
    return bool(key) and key not in NAME_STOPLIST and key.split()[0] not in NAME_STOPLIST


def _participant_generic(label: str) -> bool:
    """``Respondent``, ``Participant``, ``Interviewee``, ``R``, ``A`` without a number."""
    key = label_key(label)
    return key == label_base(label) and key in PARTICIPANT_BASES


def _parse_header(text: str, lines: list[tuple[int, int]]) -> _Header | None:
    """Parse the header at the top of a transcript, or return None if there is no clear one.

    Layout: an optional title line (no colon), optional blank lines, then a run of
    consecutive header lines. The header is trusted when the run holds a metadata or
    role line, or when a title is present and the run is closed by a blank line.
    """
    header = _Header()
    index = 0
    count = len(lines)

    def blank(i: int) -> bool:
        start, end = lines[i]
        return start == end or text[start:end].isspace()

    while index < count and blank(index):
        index += 1
    if index == count:
        return None
    title_line = None
    first = text[slice(*lines[index])].strip()
    looks_like_title = ":" not in first and len(first) <= 100 and not first.endswith((".", "?", "!"))
    if looks_like_title and _STANDALONE_ROLE.fullmatch(first) is None:
        title_line = index
        index += 1
        while index < count and blank(index):
            index += 1
    trusted = False
    last = title_line
    while index < count and not blank(index):
        kind = _header_kind(text[slice(*lines[index])], header)
        if kind is None:
            break
        trusted = trusted or kind in ("meta", "role")
        last = index
        index += 1
    if last is None:
        return None
    closed_by_blank = last + 1 >= count or blank(last + 1)
    if not trusted and not (title_line is not None and closed_by_blank):
        return None
    if title_line is not None:
        header.metadata.setdefault("title", text[slice(*lines[title_line])].strip())
    header.end_line = last + 1
    return header


def _header_kind(line: str, header: _Header) -> str | None:
    standalone = _STANDALONE_ROLE.fullmatch(line)
    if standalone is not None and not _TS_ONLY.fullmatch(standalone.group("desc").strip()):
        role = role_from_description(standalone.group("desc"))
        if role is None:
            return None
        _declare(header, standalone.group("label"), role)
        return "role"
    match = _HEADER_LINE.fullmatch(line)
    if match is None:
        return None
    key = " ".join(match.group("key").split())
    value = match.group("value").strip()
    lower = key.lower()
    role_key = _ROLE_KEY.fullmatch(lower)
    if role_key is not None:
        who = role_key.group("who") or role_key.group("of")
        role = role_from_description(value) or "other"
        if who is None or _participant_generic(who):
            header.participant_role = header.participant_role or role
        elif not is_interviewer_label(who):
            header.declared.setdefault(label_key(who), role)
        header.metadata[lower.replace(" ", "_")] = value
        return "role"
    if lower in META_KEYS:
        if value:
            header.metadata[lower.replace(" ", "_")] = value
        return "meta"
    if is_generic_label(key) and value and len(value) <= 80 and not value.endswith((".", "!", "?")):
        named = _NAME_VALUE.fullmatch(value)
        interviewer = is_interviewer_label(key)
        if named is not None and label_key(named.group("name")) not in NAME_STOPLIST:
            name = label_key(named.group("name"))
            desc_role = role_from_description(named.group("desc") or "")
            if named.group("desc") and desc_role is None and not value.endswith(")"):
                return None
            if interviewer:
                header.interviewer_names.add(name)
            else:
                header.participant_names.add(name)
                if desc_role is not None:
                    header.declared.setdefault(name, desc_role)
                    if _participant_generic(key):
                        header.participant_role = header.participant_role or desc_role
            header.metadata.setdefault(lower.replace(" ", "_"), value)
            return "speaker"
        role = role_from_description(value)
        if role is not None and not interviewer:
            _declare(header, key, role)
            header.metadata.setdefault(lower.replace(" ", "_"), value)
            return "role"
    return None


def parse_declarations(text: str) -> _Header:
    """Collect role and metadata declarations from free-standing lines (a WebVTT ``NOTE``).

    Every line is tried on its own (``Participant role: commissioner``,
    ``Sam Patel role: commissioner``, ``Interviewer: Jane Smith``); other lines are ignored.
    """
    header = _Header()
    for line in text.split("\n"):
        if line.strip():
            _header_kind(line, header)
    return header


def apply_declarations(header: _Header, resolver: RoleResolver) -> dict[str, str]:
    """Hand a header's declarations to ``resolver``; return the header's metadata."""
    for key, role in header.declared.items():
        resolver.declared.setdefault(key, role)
    resolver.interviewer_names |= header.interviewer_names
    if header.participant_role is not None and resolver.participant_role is None:
        resolver.participant_role = header.participant_role
    return dict(header.metadata)


def _declare(header: _Header, label: str, role: str) -> None:
    if _participant_generic(label):
        header.participant_role = header.participant_role or role
    header.declared.setdefault(label_key(label), role)


def _find_turns(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], _Header | None, list]:
    lines = _lines(text, start, end)
    header = _parse_header(text, lines)
    first_line = header.end_line if header is not None else 0
    candidates = []
    for index in range(first_line, len(lines)):
        line_start, line_end = lines[index]
        if line_end - line_start < 2:
            continue
        candidate = _match_line(text, line_start, line_end, index)
        if candidate is not None and _is_name_like(candidate.label):
            candidates.append(candidate)
    counts = Counter(label_key(c.label) for c in candidates)
    known: set[str] = set()
    if header is not None:
        known = header.interviewer_names | header.participant_names | set(header.declared)
    turns = [
        c
        for c in candidates
        if is_generic_label(c.label) or counts[label_key(c.label)] >= 2 or label_key(c.label) in known
    ]
    return lines, header, turns


def _looks_like_transcript(
    text: str, lines: list[tuple[int, int]], turns: list[_Candidate], first: int, line_paragraphs: bool
) -> bool:
    if len(turns) < 3 or len({label_key(t.label) for t in turns}) < 2:
        return False
    turn_lines = {t.line for t in turns}
    units = 0
    previous_blank = True
    for index in range(first, len(lines)):
        start, end = lines[index]
        blank = start == end or text[start:end].isspace()
        if not blank and (line_paragraphs or previous_blank or index in turn_lines):
            units += 1
        previous_blank = blank
    return len(turns) >= 0.2 * max(units, 1)


def segment_transcript(
    text: str,
    resolver: RoleResolver,
    start: int = 0,
    end: int | None = None,
    *,
    line_paragraphs: bool = False,
) -> TranscriptSegmentation | None:
    """Split ``text[start:end]`` into speaker turns if it is a transcript.

    Parameters
    ----------
    text:
        Newline-normalised text.
    resolver:
        Holds the caller's roles and default role; header declarations are added to it.
    start, end:
        The region to look at (a DOCX body, for instance, without its headers).
    line_paragraphs:
        True when every line is a paragraph (DOCX, ODT, RTF bodies); False for plain
        text, where paragraphs are separated by blank lines.

    Returns
    -------
    TranscriptSegmentation or None
        None if the region does not look like a transcript.
    """
    stop = len(text) if end is None else end
    if stop - start > SAMPLE_CHARS:
        cut = text.rfind("\n", start, start + SAMPLE_CHARS)
        sample_end = cut if cut > start else start + SAMPLE_CHARS
        lines, header, turns = _find_turns(text, start, sample_end)
        if not _looks_like_transcript(text, lines, turns, header.end_line if header else 0, line_paragraphs):
            return None
    lines, header, turns = _find_turns(text, start, stop)
    first_line = header.end_line if header is not None else 0
    if not _looks_like_transcript(text, lines, turns, first_line, line_paragraphs):
        return None

    metadata: dict[str, str] = {}
    if header is not None:
        metadata.update(apply_declarations(header, resolver))
    for turn in turns:
        if turn.desc is not None:
            role = role_from_description(turn.desc)
            if role is not None:
                resolver.declare(turn.label, role)
        elif label_key(turn.label) in ROLES and not is_generic_label(turn.label):
            resolver.declare(turn.label, label_key(turn.label))

    blocks: list[Block] = []
    body_start = lines[first_line][0] if first_line < len(lines) else stop
    preamble = line_spans if line_paragraphs else paragraph_spans
    for lo, hi in preamble(text, body_start, turns[0].line_start):
        blocks.append(Block(lo, hi))
    for index, turn in enumerate(turns):
        turn_end = turns[index + 1].line_start if index + 1 < len(turns) else stop
        role = resolver.role(turn.label)
        for lo, hi in block_spans(text, turn.content_start, turn_end):
            blocks.append(Block(lo, hi, speaker=turn.label, role=role, timestamp=turn.timestamp))
    if not blocks:  # every turn is empty: keep the header's lines (a title, say) rather than lose them
        blocks = [Block(lo, hi) for lo, hi in line_spans(text, start, body_start)]
    speakers = list(dict.fromkeys(turn.label for turn in turns))
    return TranscriptSegmentation(blocks=blocks, metadata=metadata, speakers=speakers)
