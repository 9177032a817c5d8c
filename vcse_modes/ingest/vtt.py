"""WebVTT and SRT captions joined into speaker turns.

Role declarations in ``NOTE`` blocks (``Participant role: commissioner``,
``Sam Patel role: commissioner``) are honoured like a transcript header's.
A cue's speaker comes from a voice tag (``<v Jane Smith>``) or a ``Name:`` prefix.
Consecutive cues by one speaker merge into one turn; cues without a speaker merge into
turns of about a paragraph. Markup (``<i>``, ``<c.loud>``, ``{\\an8}``) is stripped and
entities decoded. ``Document.text`` holds one ``Speaker: text`` paragraph per turn; each
block covers the text only, and ``Block.timestamp`` is ``"first start --> last end"``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from vcse_modes.ingest.builder import Extraction, TextBuilder
from vcse_modes.ingest.encoding import decode_bytes
from vcse_modes.ingest.options import Options
from vcse_modes.ingest.roles import is_generic_label
from vcse_modes.ingest.textutil import normalise_newlines
from vcse_modes.ingest.transcript import NAME_STOPLIST, apply_declarations, parse_declarations

_TIME = r"(?:\d{1,3}:)?\d{1,2}:\d{2}[.,]\d{1,3}"
_TIMING = re.compile(rf"[ \t]*(?P<start>{_TIME})[ \t]*-->[ \t]*(?P<end>{_TIME})")
_BLANK = re.compile(r"\n[^\S\n]*\n")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+(?P<name>[^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][^>]*>|<\d[^>]*>|\{\\[^}]*\}")
_SPACES = re.compile(r"\s+")
_PREFIX = re.compile(
    r"(?P<name>(?:[A-Z][\w'\u2019.\-]{0,24}|[A-Z]{1,4}\d{0,3})(?:[ ][A-Z][\w'\u2019.\-]{0,24}){0,3}"
    r"|(?i:interviewer|interviewee|respondent|participant|speaker)(?:[ ]?\d{1,3})?)[ \t]*:[ \t]+"
)
_MERGE_UNLABELLED = 1_000
_SENTENCE_END = (".", "!", "?", '"', "\u201d")


@dataclass
class _Segment:
    speaker: str | None
    text: str
    start: str
    end: str


def _speaker_prefix(text: str) -> tuple[str | None, str]:
    match = _PREFIX.match(text)
    if match is None:
        return None, text
    name = " ".join(match.group("name").split())
    if name.lower() in NAME_STOPLIST and not is_generic_label(name):
        return None, text
    return name, text[match.end() :]


def _clean(text: str) -> str:
    return _SPACES.sub(" ", html.unescape(_TAG.sub("", text))).strip()


def _cue_segments(payload: str, start: str, end: str) -> list[_Segment]:
    """Split one cue's payload by voice tags (and ``Name:`` prefixes) into segments."""
    segments: list[_Segment] = []
    pieces: list[tuple[str | None, str]] = []
    pos = 0
    voice: str | None = None
    for match in _VOICE.finditer(payload):
        pieces.append((voice, payload[pos : match.start()]))
        voice = " ".join((match.group("name") or "").split()) or None
        pos = match.end()
    pieces.append((voice, payload[pos:]))
    for speaker, raw in pieces:
        for line in raw.split("\n") if speaker is None else [raw]:
            text = _clean(line)
            if not text:
                continue
            label = speaker
            if label is None:
                if text.startswith("- "):
                    text = text[2:].lstrip()
                label, text = _speaker_prefix(text)
            if text:
                segments.append(_Segment(label, text, start, end))
    return _merge_lines(segments)


def _merge_lines(segments: list[_Segment]) -> list[_Segment]:
    merged: list[_Segment] = []
    for segment in segments:
        if merged and segment.speaker is None and merged[-1].speaker is None:
            merged[-1].text += " " + segment.text
        else:
            merged.append(segment)
    return merged


def _cues(text: str, srt: bool, notes: list[str]) -> list[_Segment]:
    segments: list[_Segment] = []
    for chunk in _BLANK.split(text):
        lines = chunk.strip("\n").split("\n")
        if not lines or not lines[0].strip():
            continue
        first = lines[0].strip()
        if not srt and (first.startswith(("WEBVTT", "NOTE", "STYLE", "REGION")) and "-->" not in first):
            if first.startswith("NOTE"):
                notes.append("\n".join([first[4:]] + lines[1:]))
            continue
        timing_index = next((i for i, line in enumerate(lines[:3]) if "-->" in line), None)
        if timing_index is None:
            continue
        timing = _TIMING.match(lines[timing_index])
        if timing is None:
            continue
        payload = "\n".join(lines[timing_index + 1 :])
        segments.extend(_cue_segments(payload, timing.group("start"), timing.group("end")))
    return segments


def _turns(segments: list[_Segment]) -> list[_Segment]:
    """Merge consecutive segments of one speaker (unlabelled ones up to about a paragraph)."""
    turns: list[_Segment] = []
    for segment in segments:
        if turns and turns[-1].speaker == segment.speaker:
            last = turns[-1]
            if segment.speaker is not None or not (
                len(last.text) >= _MERGE_UNLABELLED and last.text.endswith(_SENTENCE_END)
            ):
                last.text += " " + segment.text
                last.end = segment.end
                continue
        turns.append(_Segment(segment.speaker, segment.text, segment.start, segment.end))
    return turns


def _read(data: bytes, options: Options, srt: bool) -> Extraction:
    text, _encoding, warnings = decode_bytes(data, options.path)
    text = normalise_newlines(text).lstrip("\ufeff")
    resolver = options.resolver()
    notes: list[str] = []
    turns = _turns(_cues(text, srt, notes))
    metadata = apply_declarations(parse_declarations("\n".join(notes)), resolver) if notes else {}
    builder = TextBuilder()
    for turn in turns:
        builder.add_block(
            turn.text,
            speaker=turn.speaker,
            role=resolver.role(turn.speaker),
            timestamp=f"{turn.start} --> {turn.end}",
            prefix=f"{turn.speaker}: " if turn.speaker else "",
        )
    return Extraction(
        text=builder.text(), blocks=builder.blocks, metadata=metadata, warnings=warnings, is_transcript=True
    )


def read_vtt(data: bytes, options: Options) -> Extraction:
    """Read a WebVTT file into speaker turns."""
    return _read(data, options, srt=False)


def read_srt(data: bytes, options: Options) -> Extraction:
    """Read an SRT subtitle file into speaker turns."""
    return _read(data, options, srt=True)
