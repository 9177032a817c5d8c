"""Print the corpus composition tables used in corpus/README.md (Markdown)."""

import sys
from collections import Counter

from vcse_modes import MEDIA, MODES
from vcse_modes.corpus import COMMISSIONING_GENRES, describe, load_corpus

paths = sys.argv[1:] or ["corpus/excerpts"]
excerpts = load_corpus(paths)
counts = describe(excerpts)
total = len(excerpts)


def table(title: str, mapping: dict) -> None:
    print(f"| {title} | excerpts | share |\n|---|---:|---:|")
    for key, value in mapping.items():
        print(f"| {key} | {value} | {value / total:.0%} |")
    print()


print(f"**{total} excerpts** in {counts['groups']['count']} groups "
      f"(sources or interviews), {len({e.coder for e in excerpts})} first coders.\n")
table("mode", counts["mode"])
table("medium (multi-label)", counts["media"])
table("genre", counts["genre"])
commissioning = sum(e.genre in COMMISSIONING_GENRES for e in excerpts)
print(f"Commissioning documents (notices, specifications, grant terms, partnership agreements, "
      f"board minutes, other commissioning documents): {commissioning} ({commissioning / total:.0%}).\n")
table("speaker role", counts["speaker_role"])
table("tracer", counts["tracer"])
table("source type", counts["source_type"])
interviews = Counter(e.speaker_role for e in excerpts if e.genre == "interview")
print(f"Interview speech: {dict(interviews)}.\n")
print("| mode x genre | " + " | ".join(MODES) + " |\n|---|" + "---:|" * len(MODES))
for genre in sorted({e.genre for e in excerpts}):
    row = Counter(e.mode for e in excerpts if e.genre == genre)
    print(f"| {genre} | " + " | ".join(str(row[m]) for m in MODES) + " |")
print()
print("| medium | commodified | collaborative | mixed | neither |\n|---|---:|---:|---:|---:|")
for medium in MEDIA:
    row = Counter(e.mode for e in excerpts if medium in e.media)
    print(f"| {medium} | " + " | ".join(str(row[m]) for m in MODES) + " |")
