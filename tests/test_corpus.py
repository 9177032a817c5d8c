"""Coded corpora: loading errors that name the line, validation, hashing, grouped folds."""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
import pytest

from vcse_modes import MEDIA, MODES
from vcse_modes.corpus import Excerpt, corpus_hash, describe, load_corpus, near_duplicates, validate
from vcse_modes.errors import DataError
from vcse_modes.training import grouped_folds

TEXTS = [
    "The council tendered the befriending service and three providers bid against each other.",
    "Our grant from the community foundation runs for five years with light reporting.",
    "The alliance board meets monthly and shares decisions about the pooled budget.",
    "Quarterly KPI returns are compared against the specification by the contract manager.",
    "The hospice co-designed the bereavement pathway together with the ICB team.",
    "Minutes of the previous meeting were agreed as an accurate record by members.",
]


def record(i: int, text: str | None = None, **fields) -> dict[str, object]:
    base = {
        "id": f"c-{i}",
        "text": text if text is not None else TEXTS[i % len(TEXTS)] + f" Item {i}.",
        "mode": MODES[i % len(MODES)],
        "media": [MEDIA[i % len(MEDIA)]],
        "genre": "commissioning_document",
        "speaker_role": "document",
        "tracer": "other",
        "source": "composed",
        "group": f"g{i}",
        "coder": "tester",
    }
    base.update(fields)
    return base


def write(path, records, raw_lines=()):
    lines = [json.dumps(r) for r in records] + list(raw_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------ loading


def test_load_corpus_reads_folders_in_file_order(tmp_path):
    write(tmp_path / "b.jsonl", [record(2), record(3)])
    write(tmp_path / "a.jsonl", [record(0), record(1, media="negotiated_order; provider_competition")])
    (tmp_path / "notes.txt").write_text("not a corpus file", encoding="utf-8")
    excerpts = load_corpus([tmp_path])
    assert [e.id for e in excerpts] == ["c-0", "c-1", "c-2", "c-3"]
    assert excerpts[1].media == ("negotiated_order", "provider_competition")
    assert excerpts[0] == Excerpt(
        id="c-0",
        text=TEXTS[0] + " Item 0.",
        mode="commodified",
        media=("managerial_techniques",),
        genre="commissioning_document",
        speaker_role="document",
        tracer="other",
        source="composed",
        group="g0",
        coder="tester",
        weight=1.0,
    )


def test_group_defaults_to_source_then_id(tmp_path):
    rows = [record(0), record(1), record(2)]
    del rows[0]["group"]
    rows[0]["source"] = "seeds/001.txt"
    del rows[1]["group"]
    del rows[1]["source"]
    excerpts = load_corpus([write(tmp_path / "c.jsonl", rows)])
    assert [e.group for e in excerpts] == ["seeds/001.txt", "c-1", "g2"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "text": "broken"', "line 3: malformed JSON"),
        ('["a list"]', "line 3: expected a JSON object"),
    ],
)
def test_malformed_lines_name_file_and_line(tmp_path, line, message):
    path = write(tmp_path / "bad.jsonl", [record(0), record(1)], raw_lines=[line])
    with pytest.raises(DataError) as error:
        load_corpus([tmp_path])
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"mode": "colaborative"}, "unknown mode 'colaborative'"),
        ({"media": ["negotiated_order", "provider_competiton"]}, "unknown medium 'provider_competiton'"),
        ({"text": "   "}, "empty or missing text"),
    ],
)
def test_label_errors_name_file_and_line(tmp_path, fields, message):
    path = write(tmp_path / "c.jsonl", [record(0), record(1, **fields)])
    with pytest.raises(DataError) as error:
        load_corpus([path])
    assert f"{path}:2: " in str(error.value)
    assert message in str(error.value)


def test_blank_lines_and_bom_are_tolerated(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(
        "\ufeff" + json.dumps(record(0)) + "\n\n   \n" + json.dumps(record(1)) + "\n", encoding="utf-8"
    )
    assert [e.id for e in load_corpus([path])] == ["c-0", "c-1"]


def test_missing_paths_and_empty_folders_are_errors(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_corpus([tmp_path / "missing"])
    with pytest.raises(DataError, match="no .jsonl files"):
        load_corpus([tmp_path])


# ------------------------------------------------------------------ validation


def test_valid_corpus_validates(tiny_corpus):
    report = validate([tiny_corpus])
    assert report.ok, report.errors
    assert report.total == 24
    assert report.counts["mode"] == {m: 6 for m in MODES}


def test_validate_finds_duplicate_ids_texts_and_provenance(tmp_path):
    rows = [record(i) for i in range(6)]
    rows[1]["id"] = "c-0"  # duplicate id
    rows[2]["text"] = "  " + rows[3]["text"].upper() + " "  # exact duplicate after case/space folding
    rows[4]["source"] = " "  # missing provenance
    rows[5]["source"] = "an old email"  # a paraphrase without a traceable source
    report = validate([write(tmp_path / "c.jsonl", rows)])
    assert not report.ok
    assert "duplicate id 'c-0'" in report.errors
    assert "exact duplicate text: c-2 and c-3" in report.errors
    assert any(e.startswith("c.jsonl:5: missing provenance") for e in report.errors)
    assert any(e.startswith("c.jsonl:6: source 'an old email' is not a URL") for e in report.errors)


def test_validate_reports_missing_fields_and_bad_vocabularies(tmp_path):
    rows = [record(0), record(1, genre="novel", tracer="dementia", speaker_role="mayor"), record(2)]
    del rows[0]["coder"]
    rows[2]["mode"] = "both"
    report = validate([write(tmp_path / "c.jsonl", rows)])
    assert "c.jsonl:1: missing field(s) coder" in report.errors
    assert {
        "c.jsonl:2: unknown genre 'novel'",
        "c.jsonl:2: unknown tracer 'dementia'",
        "c.jsonl:2: unknown speaker_role 'mayor'",
    } <= set(report.errors)
    assert any(e.startswith("c.jsonl:3: unknown mode 'both'") for e in report.errors)
    assert report.total == 2  # the unreadable excerpt is not counted


def test_near_duplicates_across_groups_are_errors_within_a_group_warnings(tmp_path):
    base = (
        "The integrated care board awarded the social prescribing contract to the lowest bidder after "
        "a competitive tender that ran for six months across the whole county"
    )
    rows = [
        record(0, base + " in 2023.", group="north"),
        record(1, base + " in 2024.", group="south"),  # leaks between folds
        record(2, "Different words entirely. " + TEXTS[4], group="east"),
        record(
            3,
            TEXTS[1] + " The foundation renewed it twice since then without any new conditions.",
            group="west",
        ),
        record(
            4,
            TEXTS[1] + " The foundation renewed it twice since then without any new conditions!",
            group="west",
        ),
    ]
    pairs = near_duplicates([Excerpt(id=str(r["id"]), text=str(r["text"]), mode="neither") for r in rows])
    assert [(a, b) for a, b, _ in pairs] == [("c-0", "c-1"), ("c-3", "c-4")]
    report = validate([write(tmp_path / "c.jsonl", rows)])
    assert [e for e in report.errors if "near-duplicates" in e] == [
        f"near-duplicates across groups (would leak between folds): c-0 ~ c-1 ({pairs[0][2]})"
    ]
    assert [w for w in report.warnings if "near-duplicates within group west" in w]


def test_verbatim_copying_from_seeds_is_an_error(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "001.txt").write_text("Preamble. " + TEXTS[0] + " More text follows here.", encoding="utf-8")
    rows = [record(0, "He said " + TEXTS[0]), record(1)]
    report = validate([write(tmp_path / "c.jsonl", rows)], seeds_dir=seeds)
    assert any(e.startswith("verbatim copying: c-0 repeats 10+ words of 001.txt") for e in report.errors)
    assert not any("c-1" in e for e in report.errors)


def test_describe_counts():
    excerpts = [
        Excerpt("a", "t", "mixed", ("negotiated_order",), source="https://x"),
        Excerpt("b", "u", "mixed", ("negotiated_order", "juridical_control"), group="g"),
    ]
    counts = describe(excerpts)
    assert counts["mode"] == {"commodified": 0, "collaborative": 0, "mixed": 2, "neither": 0}
    assert counts["media"]["negotiated_order"] == 2 and counts["media"]["juridical_control"] == 1
    assert counts["source_type"] == {"paraphrase": 1, "composed": 1}


# ------------------------------------------------------------------ hashing


def test_corpus_hash_changes_with_content_not_with_trailing_space_or_blank_lines(tmp_path):
    rows = [json.dumps(record(i)) for i in range(4)]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    original = corpus_hash([tmp_path])
    assert len(original) == 64

    path.write_text("\n\n".join(r + "   \t" for r in rows) + "\n\n\n", encoding="utf-8")
    assert corpus_hash([tmp_path]) == original, "trailing whitespace and blank lines must not matter"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    assert corpus_hash([tmp_path]) == original, "line endings must not matter"
    path.write_text("\ufeff" + "\n".join(rows), encoding="utf-8")
    assert corpus_hash([tmp_path]) == original, "a BOM or a missing final newline must not matter"

    changed = rows[:]
    changed[2] = changed[2].replace('"mode": "mixed"', '"mode": "neither"')
    assert changed != rows
    path.write_text("\n".join(changed) + "\n", encoding="utf-8")
    assert corpus_hash([tmp_path]) != original
    path.write_text("\n".join(rows[:3]) + "\n", encoding="utf-8")
    assert corpus_hash([tmp_path]) != original, "a removed line must change the hash"
    path.write_text("\n".join([rows[1], rows[0], *rows[2:]]) + "\n", encoding="utf-8")
    assert corpus_hash([tmp_path]) != original, "reordered lines must change the hash"


def test_corpus_hash_depends_on_file_names_not_folder_location(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two" / "nested"
    two.mkdir(parents=True)
    one.mkdir()
    write(one / "c.jsonl", [record(0)])
    write(two / "c.jsonl", [record(0)])
    assert corpus_hash([one]) == corpus_hash([two])
    (two / "c.jsonl").rename(two / "d.jsonl")
    assert corpus_hash([one]) != corpus_hash([two])


def test_corpus_hash_of_the_project_corpus_is_stable():
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[1] / "corpus" / "excerpts"
    assert corpus_hash([corpus]) == corpus_hash([str(corpus)]) == corpus_hash(sorted(corpus.glob("*.jsonl")))


# ------------------------------------------------------------------ grouped folds


def test_grouped_folds_keep_an_interview_in_one_fold():
    excerpts = [Excerpt(f"int-{i}", f"answer {i}", MODES[i % 4], group="interview-07") for i in range(30)]
    for g in range(12):
        excerpts += [
            Excerpt(f"doc{g}-{i}", f"text {g} {i}", MODES[(g + i) % 4], group=f"doc-{g}") for i in range(3)
        ]
    fold = grouped_folds(excerpts, n_folds=5, seed=3)
    folds_of_group = defaultdict(set)
    for excerpt, number in zip(excerpts, fold, strict=True):
        folds_of_group[excerpt.group].add(int(number))
    assert all(len(folds) == 1 for folds in folds_of_group.values()), folds_of_group
    assert set(fold.tolist()) == set(range(5))
    assert np.array_equal(fold, grouped_folds(excerpts, n_folds=5, seed=3))


def test_grouped_folds_with_few_groups_use_fewer_folds_and_one_group_is_an_error():
    excerpts = [Excerpt(str(i), "t", MODES[i % 2], group=f"g{i % 3}") for i in range(12)]
    fold = grouped_folds(excerpts, n_folds=5)
    assert set(fold.tolist()) == {0, 1, 2}
    with pytest.raises(DataError, match="at least two groups"):
        grouped_folds([Excerpt(str(i), "t", MODES[i % 2], group="only") for i in range(6)])


def test_grouped_folds_on_the_project_corpus(all_excerpts):
    fold = grouped_folds(all_excerpts)
    by_group = defaultdict(set)
    for excerpt, number in zip(all_excerpts, fold, strict=True):
        by_group[excerpt.group].add(int(number))
    assert max(len(v) for v in by_group.values()) == 1
