"""Tabular inputs (``vcse_modes.tabular.read_id_text``) and training data (``vcse_modes.corpus``,
``vcse_modes.training``): BOMs, NUL bytes, huge fields, label typos, malformed JSONL, a
one-example class and one interview's excerpts spread through a file.

``tests/test_tabular.py`` and ``tests/test_corpus.py`` check the same rules on their own small
files; these use the catalogue's files and add the CLI view (exit code, one line, no traceback).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from vcse_modes import MODES
from vcse_modes.corpus import Excerpt, load_corpus
from vcse_modes.errors import DataError
from vcse_modes.tabular import read_id_text
from vcse_modes.training import fit_model, grouped_folds

TINY = {"char_ngrams": None, "calibrate": False}


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _data_error(call, *args) -> DataError:
    with pytest.raises(DataError) as info:
        call(*args)
    assert type(info.value) is DataError
    return info.value


# ---------------------------------------------------------------- tables


def test_utf8_bom_csv_first_header_has_no_bom(bad_files):
    rows = read_id_text(str(bad_files.bad["excel-bom.csv"]))
    assert rows == [("e1", "The council tendered the contract."), ("e2", "We co-design, together.")]


def test_csv_nul_byte_error_names_file_and_row(bad_files):
    path = str(bad_files.bad["nul-byte.csv"])
    error = _data_error(read_id_text, path)
    assert str(error) == f"{path}: row 3: NUL byte in CSV; remove it or re-export the file"


def test_csv_field_over_131072_characters_is_read(bad_files):
    rows = dict(read_id_text(str(bad_files.bad["long-field.csv"])))
    assert rows["short"] == "Fine."
    assert len(rows["long"]) > 131_072 and rows["long"].startswith("partnership partnership")


def test_malformed_jsonl_table_names_the_line(tmp_path):
    path = tmp_path / "texts.jsonl"
    path.write_text('{"id": "a", "text": "fine"}\n{"id": "b", "text": "unterminated\n', encoding="utf-8")
    error = _data_error(read_id_text, str(path))
    assert str(error).startswith(f"{path}: line 2: malformed JSON (")


# ---------------------------------------------------------------- training data


def test_label_typo_names_file_and_line(tmp_path, corpus_records, cli):
    records = [dict(r) for r in corpus_records[:6]]
    records[2]["mode"] = "colaborative"
    path = _jsonl(tmp_path / "coded.jsonl", records)
    error = _data_error(load_corpus, [path])
    assert str(error).startswith(f"{path}:3: unknown mode 'colaborative'; expected one of ")
    result = cli("train", path, "--out", tmp_path / "model")
    assert result.exit_code == DataError.exit_code
    assert "Traceback" not in result.output and f"{path}:3: unknown mode 'colaborative'" in result.output
    assert not (tmp_path / "model").exists()


def test_medium_typo_names_file_and_line(tmp_path, corpus_records):
    records = [dict(r) for r in corpus_records[:4]]
    records[3]["media"] = ["provider_competiton"]
    path = _jsonl(tmp_path / "coded.jsonl", records)
    assert str(_data_error(load_corpus, [path])).startswith(f"{path}:4: unknown medium 'provider_competiton'")


def test_malformed_jsonl_corpus_names_file_and_line(tmp_path, corpus_records):
    path = tmp_path / "coded.jsonl"
    path.write_text(
        json.dumps(corpus_records[0]) + "\n\n" + '{"id": "x", "mode": "mixed",\n', encoding="utf-8"
    )
    error = _data_error(load_corpus, [path])
    assert error.path == str(path)
    assert str(error).startswith(f"{path}: line 3: malformed JSON (")


def test_single_example_class_still_trains(tmp_path, all_excerpts, cli):
    """One ``neither`` excerpt among 37: fitting, grouped folds and the CLI all work; no traceback,
    no DataError. scikit-learn warns (UserWarning) that the class is smaller than the number of
    folds, and the CLI lets that raw warning through to stderr."""
    seen: Counter[str] = Counter()
    chosen = []
    for excerpt in all_excerpts:
        if seen[excerpt.mode] < (1 if excerpt.mode == "neither" else 12):
            chosen.append(excerpt)
            seen[excerpt.mode] += 1
    assert seen["neither"] == 1 and len(chosen) == 37
    model = fit_model(chosen, TINY)
    mode_proba, _ = model.predict_all([e.text for e in chosen[:3]])
    assert mode_proba.shape == (3, len(MODES))
    with pytest.warns(UserWarning, match="least populated class in y has only 1 members"):
        folds = grouped_folds(chosen)
    assert len(set(folds)) == 5

    path = _jsonl(
        tmp_path / "coded.jsonl",
        [
            {"id": e.id, "text": e.text, "mode": e.mode, "media": list(e.media), "group": e.group}
            for e in chosen
        ],
    )
    config = tmp_path / "tiny.toml"
    config.write_text("[model]\nchar_ngrams = false\ncalibrate = false\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="least populated class in y has only 1 members"):
        result = cli("train", path, "--out", tmp_path / "model", "--config", config)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "trained model on 37 excerpts" in result.output
    card = json.loads((tmp_path / "model" / "card.json").read_text(encoding="utf-8"))
    assert card["data"]["mode"]["neither"] == 1


def test_one_interviews_excerpts_stay_in_one_fold(all_excerpts):
    """Twelve excerpts of one interview, spread through the file and over all four modes,
    all land in the same fold; so does every other group."""
    from dataclasses import replace

    others = all_excerpts[:60]
    interview = [
        replace(e, id=f"int-{i}", group="interview-07")
        for i, e in enumerate(
            e for mode in MODES for e in [x for x in all_excerpts[60:] if x.mode == mode][:3]
        )
    ]
    assert {e.mode for e in interview} == set(MODES) and len(interview) == 12
    excerpts: list[Excerpt] = []
    for i, excerpt in enumerate(others):
        excerpts.append(excerpt)
        if i % 5 == 0 and interview:
            excerpts.append(interview.pop())
    excerpts.extend(interview)
    folds = grouped_folds(excerpts)
    by_group: dict[str, set[int]] = {}
    for excerpt, fold in zip(excerpts, folds, strict=True):
        by_group.setdefault(excerpt.group, set()).add(int(fold))
    assert len(by_group["interview-07"]) == 1
    assert all(len(f) == 1 for f in by_group.values())
    assert len(set(folds)) == 5
