"""RTF via striprtf, after a linear-time pass that cuts pictures and hidden destinations.

striprtf walks the text token by token, so a few megabytes of hex picture data would
dominate its run time. :func:`strip_rtf_groups` first removes ``{\\pict ...}``,
``{\\object ...}``, every ``{\\* ...}`` destination and ``\\bin`` payloads; it finds
group ends with one compiled regex that skips hex data at C speed, never backtracking,
so the whole pass is linear in the input.
"""

from __future__ import annotations

import re

from vcse_modes.document import Block
from vcse_modes.ingest.builder import Extraction
from vcse_modes.ingest.options import Options
from vcse_modes.ingest.textutil import line_spans, normalise_newlines
from vcse_modes.ingest.transcript import segment_transcript

REMOVED_GROUPS = frozenset(
    {"pict", "object", "objdata", "themedata", "colorschememapping", "datastore", "xmlnstbl", "nonshppict",
     "shppict", "info", "listtable", "listoverridetable", "stylesheet", "latentstyles", "rsidtbl"}
)  # fmt: skip

_TOKEN = re.compile(r"\\bin(-?\d{1,10}) ?|\\[\\{}]|\{[ \t\r\n]*(\\\*)?[ \t\r\n]*(?:\\([a-zA-Z]{1,32}))?")
_GROUP_TOKEN = re.compile(r"\\bin(-?\d{1,10}) ?|\\[\\{}]|[{}]")
_ANSICPG = re.compile(r"\\ansicpg(\d{3,5})")
_INFO_FIELD = re.compile(r"\{\\(title|author)[ \t\r\n]+((?:[^{}\\]|\\[^{}])*)\}")
_CREATIM = re.compile(r"\{\\creatim\\yr(\d{4})\\mo(\d{1,2})\\dy(\d{1,2})")
_LINE_NOISE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad]")


def _group_end(text: str, start: int) -> int:
    """Index just past the group opening at ``text[start] == "{"`` (or len(text))."""
    depth = 0
    pos = start
    length = len(text)
    while True:
        match = _GROUP_TOKEN.search(text, pos)
        if match is None:
            return length
        token = match.group()
        if match.group(1) is not None:
            pos = min(length, match.end() + max(0, int(match.group(1))))
            continue
        pos = match.end()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth <= 0:
                return pos


def strip_rtf_groups(text: str) -> str:
    """Remove picture/object groups, ``{\\*...}`` destinations and ``\\bin`` data in one pass."""
    out: list[str] = []
    emit = 0
    pos = 0
    while True:
        match = _TOKEN.search(text, pos)
        if match is None:
            break
        if match.group(1) is not None:  # \binN: N raw bytes follow
            out.append(text[emit : match.start()])
            out.append("{}")  # keeps a preceding control word from fusing with what follows
            pos = emit = min(len(text), match.end() + max(0, int(match.group(1))))
            continue
        if match.group().startswith("{") and (match.group(2) or match.group(3) in REMOVED_GROUPS):
            out.append(text[emit : match.start()])
            out.append("{}")
            pos = emit = _group_end(text, match.start())
            continue
        pos = match.end()
    out.append(text[emit:])
    return "".join(out)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _metadata(text: str, encoding: str) -> dict[str, str]:
    from striprtf.striprtf import rtf_to_text

    metadata: dict[str, str] = {}
    for match in _INFO_FIELD.finditer(text[:200_000]):
        value = rtf_to_text("{\\rtf1 " + match.group(2) + "}", encoding=encoding, errors="replace").strip()
        if value:
            metadata.setdefault(match.group(1), value)
    created = _CREATIM.search(text[:200_000])
    if created:
        year, month, day = created.groups()
        metadata["created"] = f"{year}-{int(month):02d}-{int(day):02d}"
    return metadata


def read_rtf(data: bytes, options: Options) -> Extraction:
    """Read an RTF file: one block per paragraph, or speaker turns for transcripts."""
    from striprtf.striprtf import rtf_to_text

    raw = _decode(data)
    codepage = _ANSICPG.search(raw[:10_000])
    encoding = f"cp{codepage.group(1)}" if codepage else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    metadata = _metadata(raw, encoding)
    text = rtf_to_text(strip_rtf_groups(raw), encoding=encoding, errors="replace")
    text = _LINE_NOISE.sub("", normalise_newlines(text))
    segmentation = segment_transcript(text, options.resolver(), line_paragraphs=True)
    if segmentation is not None:
        metadata.update({k: v for k, v in segmentation.metadata.items() if k not in metadata})
        return Extraction(text=text, blocks=segmentation.blocks, metadata=metadata, is_transcript=True)
    blocks = [Block(lo, hi) for lo, hi in line_spans(text)]
    return Extraction(text=text, blocks=blocks, metadata=metadata)
