"""Coded excerpts: loading, hashing and validating the training corpus.

A corpus is one or more JSONL files (or folders of them) with one excerpt per line; the
schema is documented in ``corpus/README.md``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vcse_modes import MEDIA, MODES
from vcse_modes.errors import DataError

GENRES = (
    "interview",
    "commissioning_document",
    "tender_notice",
    "specification",
    "grant_terms",
    "partnership_agreement",
    "board_minutes",
    "policy",
    "research",
    "news",
)
COMMISSIONING_GENRES = (
    "commissioning_document",
    "tender_notice",
    "specification",
    "grant_terms",
    "partnership_agreement",
    "board_minutes",
)
SPEAKER_ROLES = ("commissioner", "vcse", "researcher", "document", "unknown")
TRACERS = ("social_prescribing", "end_of_life", "learning_disability", "other")
REQUIRED = ("id", "text", "mode", "media", "genre", "speaker_role", "tracer", "source", "group", "coder")


@dataclass(frozen=True)
class Excerpt:
    """One coded excerpt."""

    id: str
    text: str
    mode: str
    media: tuple[str, ...] = ()
    genre: str = "unknown"
    speaker_role: str = "unknown"
    tracer: str = "other"
    source: str = "composed"
    group: str = ""
    coder: str = "unknown"
    weight: float = 1.0

    @property
    def is_paraphrase(self) -> bool:
        return self.source.strip().lower() != "composed"


@dataclass
class ValidationReport:
    """What ``validate`` found: errors make the corpus unusable; warnings deserve a look."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    total: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def corpus_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into their ``*.jsonl`` files (sorted) and keep files as given."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.jsonl") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise DataError("no such file or folder", str(path))
    if not files:
        raise DataError("no .jsonl files found; pass a corpus folder or JSONL files")
    return files


def read_records(paths: Iterable[str | Path]) -> Iterable[tuple[Path, int, dict[str, Any]]]:
    """Yield ``(file, line number, record)`` for every non-blank line; bad JSON is a DataError."""
    for file in corpus_files(paths):
        with file.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise DataError(
                        f"line {number}: malformed JSON ({error.msg}); fix or remove the line", str(file)
                    ) from None
                if not isinstance(record, dict):
                    raise DataError(f"line {number}: expected a JSON object", str(file))
                yield file, number, record


def excerpt_from_record(record: dict[str, Any], where: str = "") -> Excerpt:
    """Build an Excerpt, checking label ids (a typo is an error naming the line)."""
    mode = record.get("mode")
    if mode not in MODES:
        raise DataError(f"{where}unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    media = record.get("media") or []
    if isinstance(media, str):
        media = [m for m in re.split(r"[;,|]\s*", media) if m]
    unknown = [m for m in media if m not in MEDIA]
    if unknown:
        raise DataError(f"{where}unknown medium {unknown[0]!r}; expected ids from {', '.join(MEDIA)}")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"{where}empty or missing text")
    return Excerpt(
        id=str(record.get("id", "")),
        text=text,
        mode=mode,
        media=tuple(dict.fromkeys(media)),
        genre=str(record.get("genre", "unknown")),
        speaker_role=str(record.get("speaker_role", "unknown")),
        tracer=str(record.get("tracer", "other")),
        source=str(record.get("source", "composed")),
        group=str(record.get("group") or record.get("source") or record.get("id", "")),
        coder=str(record.get("coder", "unknown")),
        weight=float(record.get("weight", 1.0)),
    )


def load_corpus(paths: Iterable[str | Path]) -> list[Excerpt]:
    """Load excerpts from JSONL files or folders; raises DataError naming the bad line."""
    return [excerpt_from_record(record, f"{file}:{number}: ") for file, number, record in read_records(paths)]


def corpus_hash(paths: Iterable[str | Path]) -> str:
    """SHA-256 over the corpus content (file names relative, lines normalised), for staleness checks."""
    digest = hashlib.sha256()
    for file in corpus_files(paths):
        digest.update(file.name.encode())
        for line in file.read_text(encoding="utf-8-sig").splitlines():
            if line.strip():
                digest.update(line.strip().encode())
                digest.update(b"\n")
    return digest.hexdigest()


def _shingles(text: str, size: int = 5) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + size]) for i in range(max(len(words) - size + 1, 1))}


def near_duplicates(excerpts: Sequence[Excerpt], threshold: float = 0.6) -> list[tuple[str, str, float]]:
    """Pairs of excerpts whose word 5-gram Jaccard similarity is at least ``threshold``."""
    shingles = [_shingles(e.text) for e in excerpts]
    index: dict[str, list[int]] = {}
    for i, grams in enumerate(shingles):
        for gram in grams:
            index.setdefault(gram, []).append(i)
    pairs: dict[tuple[int, int], int] = Counter()
    for members in index.values():
        if len(members) > 50:  # boilerplate shingles say nothing about duplication
            continue
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1 :]:
                pairs[(a, b)] += 1
    found = []
    for (a, b), shared in pairs.items():
        similarity = shared / len(shingles[a] | shingles[b])
        if similarity >= threshold:
            found.append((excerpts[a].id, excerpts[b].id, round(similarity, 3)))
    return sorted(found)


def verbatim_overlaps(
    excerpts: Sequence[Excerpt], reference_texts: dict[str, str], size: int = 10
) -> list[str]:
    """Excerpt ids sharing a run of ``size`` words with a reference text (copying check)."""
    reference: dict[str, str] = {}
    for name, text in reference_texts.items():
        for gram in _shingles(text, size):
            reference.setdefault(gram, name)
    return [
        f"{e.id} repeats {size}+ words of {reference[gram]}"
        for e in excerpts
        for gram in list(_shingles(e.text, size))[:1000]
        if gram in reference
    ][:200]


def validate(paths: Iterable[str | Path], seeds_dir: str | Path | None = None) -> ValidationReport:
    """Check schema, label ids, provenance, duplicates and cross-group leaks; count labels."""
    report = ValidationReport()
    excerpts: list[Excerpt] = []
    ids: Counter[str] = Counter()
    for file, number, record in read_records(paths):
        where = f"{file.name}:{number}: "
        missing = [key for key in REQUIRED if key not in record]
        if missing:
            report.errors.append(f"{where}missing field(s) {', '.join(missing)}")
        try:
            excerpt = excerpt_from_record(record, where)
        except DataError as error:
            report.errors.append(str(error))
            continue
        for value, allowed, name in (
            (excerpt.genre, GENRES, "genre"),
            (excerpt.speaker_role, SPEAKER_ROLES, "speaker_role"),
            (excerpt.tracer, TRACERS, "tracer"),
        ):
            if value not in allowed:
                report.errors.append(f"{where}unknown {name} {value!r}")
        if not excerpt.source.strip():
            report.errors.append(
                f"{where}missing provenance: source must be a URL, a seed section or 'composed'"
            )
        elif excerpt.is_paraphrase and not re.match(r"(https?://|seeds/)", excerpt.source):
            report.errors.append(f"{where}source {excerpt.source!r} is not a URL, seeds/... or 'composed'")
        ids[excerpt.id] += 1
        excerpts.append(excerpt)
    report.errors.extend(f"duplicate id {i!r}" for i, n in ids.items() if n > 1)
    by_text: dict[str, str] = {}
    for e in excerpts:
        key = " ".join(e.text.lower().split())
        if key in by_text:
            report.errors.append(f"exact duplicate text: {by_text[key]} and {e.id}")
        by_text.setdefault(key, e.id)
    groups = {e.id: e.group for e in excerpts}
    for a, b, similarity in near_duplicates(excerpts):
        if groups[a] != groups[b]:
            report.errors.append(
                f"near-duplicates across groups (would leak between folds): {a} ~ {b} ({similarity})"
            )
        else:
            report.warnings.append(f"near-duplicates within group {groups[a]}: {a} ~ {b} ({similarity})")
    if seeds_dir is not None and Path(seeds_dir).is_dir():
        seeds = {
            p.name: p.read_text(encoding="utf-8", errors="replace") for p in Path(seeds_dir).glob("*.txt")
        }
        report.errors.extend(f"verbatim copying: {hit}" for hit in verbatim_overlaps(excerpts, seeds))
    report.total = len(excerpts)
    report.counts = describe(excerpts)
    return report


def describe(excerpts: Sequence[Excerpt]) -> dict[str, dict[str, int]]:
    """Counts by mode, medium, genre, speaker role, tracer and source type."""
    media = Counter(m for e in excerpts for m in e.media)
    return {
        "mode": {m: sum(e.mode == m for e in excerpts) for m in MODES},
        "media": {m: media[m] for m in MEDIA},
        "genre": dict(sorted(Counter(e.genre for e in excerpts).items())),
        "speaker_role": dict(sorted(Counter(e.speaker_role for e in excerpts).items())),
        "tracer": dict(sorted(Counter(e.tracer for e in excerpts).items())),
        "source_type": {
            "paraphrase": sum(e.is_paraphrase for e in excerpts),
            "composed": sum(not e.is_paraphrase for e in excerpts),
        },
        "groups": {"count": len({e.group for e in excerpts})},
    }
