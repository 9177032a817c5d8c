"""Apply the adjudicated codes of the reliability exercises to the corpus shards.

Reads corpus/reliability/adjudication.jsonl (round 1), round2_adjudication.jsonl (round 2),
round3_adjudication.jsonl (round 3), round4_part*_adjudication.jsonl (round 4: the double coding
of every remaining s10-s14 excerpt), round5_part*_adjudication.jsonl (round 5: every s1-s9 excerpt
not in an earlier sample) and round6_part*_adjudication.jsonl (round 6: shards s15 and s16).

Idempotent: running it again changes nothing. Prints each changed excerpt.
"""

import json
from pathlib import Path

root = Path(__file__).resolve().parent.parent
decisions = {}
reliability = root / "corpus/reliability"
names = ["adjudication.jsonl", "round2_adjudication.jsonl", "round3_adjudication.jsonl",
         *sorted(p.name for p in reliability.glob("round[456]_part*_adjudication.jsonl"))]
for name in names:
    for line in (reliability / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            decisions[row["id"]] = row

changed = 0
for shard in sorted((root / "corpus/excerpts").glob("*.jsonl")):
    lines = shard.read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        record = json.loads(line) if line.strip() else None
        if record and record["id"] in decisions:
            final = decisions[record["id"]]
            if record["mode"] != final["mode"] or sorted(record["media"]) != sorted(final["media"]):
                print(f"{record['id']}: {record['mode']} {record['media']} -> {final['mode']} {final['media']}")
                record["mode"], record["media"] = final["mode"], list(final["media"])
                changed += 1
            line = json.dumps(record, ensure_ascii=False)
        out.append(line)
    shard.write_text("\n".join(out) + "\n", encoding="utf-8")
print(f"{changed} excerpts changed")
