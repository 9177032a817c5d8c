"""Inter-coder agreement against hand-computed and published values."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest

from vcse_modes import MEDIA
from vcse_modes.agreement import (
    _alpha_interval,
    _kappa_interval,
    _paired_codes,
    _unit_coincidences,
    _unit_counts,
    agreement_report,
    bootstrap_ci,
    cohen_kappa,
    krippendorff_alpha,
    medium_alpha,
    medium_kappa,
    percent_agreement,
    presence,
    read_coder_file,
    read_coders,
)
from vcse_modes.errors import DataError
from vcse_modes.qdpx import export_scored

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders, 12 units,
# values 1-5, '.' = missing.
N = None
KRIPPENDORFF = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],  # coder A
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],  # coder B
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],  # coder C
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],  # coder D
]


def test_cohen_kappa_hand_computed() -> None:
    # 50 units: both "yes" 20, A yes/B no 5, A no/B yes 10, both "no" 15.
    # p_o = (20 + 15) / 50 = 0.70
    # A says yes 25/50 = 0.5, B says yes 30/50 = 0.6
    # p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.50
    # kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
    a = ["yes"] * 20 + ["yes"] * 5 + ["no"] * 10 + ["no"] * 15
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.40)
    assert percent_agreement(a, b) == pytest.approx(0.70)


def test_cohen_kappa_matches_scikit_learn() -> None:
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = random.Random(3)
    a = [rng.choice("abcd") for _ in range(300)]
    b = [x if rng.random() < 0.6 else rng.choice("abcd") for x in a]
    assert cohen_kappa(a, b) == pytest.approx(sklearn_metrics.cohen_kappa_score(a, b))


def test_cohen_kappa_missing_and_undefined() -> None:
    # Units with a missing code drop out: what remains is (x,x) (y,y) (x,y).
    # p_o = 2/3; A: x 2/3, y 1/3; B: x 1/3, y 2/3; p_e = 2/9 + 2/9 = 4/9
    # kappa = (6/9 - 4/9) / (5/9) = 0.4
    assert cohen_kappa(["x", "y", "x", None, "y"], ["x", "y", "y", "y", float("nan")]) == pytest.approx(0.4)
    assert math.isnan(cohen_kappa(["a", "a"], ["a", "a"]))  # chance agreement is 1: undefined
    assert math.isnan(cohen_kappa([None], ["a"]))
    with pytest.raises(ValueError):
        cohen_kappa(["a"], ["a", "b"])


def test_krippendorff_nominal_worked_example() -> None:
    # Unit 12 has one value (not pairable); the other units give n = 40 pairable values:
    #   n_1 = 9, n_2 = 13, n_3 = 10, n_4 = 5, n_5 = 3.
    # Disagreeing pairs per unit, sum over c != k of o_ck = (m_u^2 - sum_c n_uc^2) / (m_u - 1):
    #   unit 2 {2,2,3,2}: (16 - 9 - 1) / 3 = 2;  unit 6 {1,2,3,4}: (16 - 4) / 3 = 4;
    #   unit 8 {1,1,2,1}: (16 - 9 - 1) / 3 = 2;  every other unit agrees: 0.   Total = 8.
    # alpha = 1 - (n - 1) * 8 / (n^2 - sum n_c^2)
    #       = 1 - 39 * 8 / (1600 - (81 + 169 + 100 + 25 + 9)) = 1 - 312 / 1216 = 0.7434
    assert krippendorff_alpha(KRIPPENDORFF) == pytest.approx(1 - 312 / 1216)
    assert round(krippendorff_alpha(KRIPPENDORFF), 3) == 0.743


@pytest.mark.parametrize(("level", "published"), [("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_other_levels_published_values(level: str, published: float) -> None:
    assert round(krippendorff_alpha(KRIPPENDORFF, level), 3) == published


def test_krippendorff_small_hand_example_and_edges() -> None:
    # Units: (a, a, -), (a, b, a), (b, b, b). n = 8 pairable values, n_a = 4, n_b = 4.
    # Only unit 2 disagrees: (3^2 - 2^2 - 1^2) / (3 - 1) = 2.
    # alpha = 1 - 7 * 2 / (64 - 16 - 16) = 1 - 14 / 32 = 0.5625
    assert krippendorff_alpha([["a", "a", "b"], ["a", "b", "b"], [None, "a", "b"]]) == pytest.approx(0.5625)
    assert krippendorff_alpha([["a", "b"], ["a", "b"]]) == pytest.approx(1.0)
    assert math.isnan(krippendorff_alpha([["a", "a"], ["a", "a"]]))  # no variation
    assert math.isnan(krippendorff_alpha([["a", None], [None, "b"]]))  # nothing pairable
    with pytest.raises(ValueError):
        krippendorff_alpha(KRIPPENDORFF, "cardinal")


def test_binary_media_versions() -> None:
    a = [["negotiated_order"], [], ["negotiated_order", "discursive_control"], None]
    b = [["negotiated_order"], ["negotiated_order"], ["discursive_control"], []]
    assert presence(a, "negotiated_order") == [True, False, True, None]
    assert medium_kappa(a, b, "negotiated_order") == pytest.approx(
        cohen_kappa([True, False, True], [True, True, False]))
    assert medium_alpha([a, b], "discursive_control") == pytest.approx(
        krippendorff_alpha([[False, False, True, None], [False, False, True, False]]))


def test_vectorised_bootstrap_equals_generic() -> None:
    rng = random.Random(7)
    a = [rng.choice("xyz") for _ in range(120)]
    b = [x if rng.random() < 0.7 else rng.choice("xyz") for x in a]
    generic = bootstrap_ci(lambda units: cohen_kappa(*zip(*units, strict=True)), list(zip(a, b, strict=True)),
                           n=300, seed=11)
    x, y, k = _paired_codes(a, b)
    assert _kappa_interval(x, y, k, 300, 11, 0.95) == pytest.approx(generic)
    low, high = generic
    assert low < cohen_kappa(a, b) < high

    data = [[rng.choice("pq") for _ in range(80)] for _ in range(3)]
    columns = list(zip(*data, strict=True))
    generic_alpha = bootstrap_ci(lambda units: krippendorff_alpha(list(zip(*units, strict=True))), columns,
                                 n=200, seed=5)
    counts, categories = _unit_counts(data, "nominal")
    fast = _alpha_interval(_unit_coincidences(counts), "nominal", categories, 200, 5, 0.95)
    assert fast == pytest.approx(generic_alpha)
    assert all(math.isnan(x) for x in bootstrap_ci(len, [], n=10))


def labels(modes: str, media: list[list[str]] | None = None) -> dict[str, tuple]:
    """Unit u0.. → (mode, media) from one letter per unit (c = commodified, k = collaborative, m = mixed)."""
    names = {"c": "commodified", "k": "collaborative", "m": "mixed", "n": "neither"}
    return {f"u{i}": (names[ch], None if media is None else tuple(media[i])) for i, ch in enumerate(modes)}


def test_agreement_report_structure_and_values() -> None:
    media_a = [["provider_competition"], [], ["negotiated_order"], [], ["provider_competition"], []] * 3
    coders = {
        "ann": labels("cckkmn" * 3, media_a),
        "ben": labels("ckkkmn" * 3, [m[:] for m in media_a[:-1]] + [["negotiated_order"]]),
        "cat": labels("cckkcn" * 3),  # no media coded: left out of media agreement
    }
    model = labels("cckkmn" * 3, media_a)  # identical to ann
    report = agreement_report(coders, model, n_boot=200, seed=1)
    assert report["coders"] == ["ann", "ben", "cat"]
    assert report["units"] == {"total": 18, "coded_by_two_or_more": 18}
    mode = report["targets"]["mode"]
    assert len(mode["pairs"]) == 3 and len(mode["model"]) == 3
    ann_ben = next(p for p in mode["pairs"] if p["coders"] == ["ann", "ben"])
    assert ann_ben["kappa"] == pytest.approx(
        cohen_kappa([coders["ann"][u][0] for u in sorted(coders["ann"])],
                    [coders["ben"][u][0] for u in sorted(coders["ann"])]), abs=1e-4)
    assert ann_ben["ci"][0] <= ann_ben["kappa"] <= ann_ben["ci"][1]
    units = sorted(coders["ann"])
    assert mode["alpha"]["value"] == pytest.approx(
        krippendorff_alpha([[coders[c][u][0] for u in units] for c in ("ann", "ben", "cat")]), abs=1e-4)
    assert mode["alpha"]["coders"] == 3 and mode["alpha"]["units"] == 18
    assert next(r for r in mode["model"] if r["coder"] == "ann")["kappa"] == 1.0
    assert any(note.startswith("mode: the model agrees with ann") for note in report["notes"])
    competition = report["targets"]["provider_competition"]
    assert [p["coders"] for p in competition["pairs"]] == [["ann", "ben"]]
    assert competition["alpha"]["coders"] == 2
    assert competition["prevalence"] == pytest.approx(12 / 36, abs=1e-4)
    assert set(report["targets"]) == {"mode", *MEDIA}
    json.dumps(report, allow_nan=False)  # JSON-ready: undefined values are None


def test_agreement_report_with_one_coder() -> None:
    report = agreement_report({"solo": labels("ck")}, n_boot=20)
    assert report["targets"]["mode"]["alpha"]["value"] is None
    assert report["targets"]["mode"]["pairs"] == []
    assert "fewer than two" in report["notes"][0]


def test_report_is_fast_on_a_realistic_sample() -> None:
    import time

    rng = np.random.default_rng(0)
    modes = ("commodified", "collaborative", "mixed", "neither")
    coders = {}
    for name in ("a", "b", "c"):
        coders[name] = {f"u{i}": (modes[rng.integers(4)], tuple(m for m in MEDIA if rng.random() < 0.3))
                        for i in range(900)}
    start = time.perf_counter()
    agreement_report(coders, coders["a"], n_boot=1000)
    assert time.perf_counter() - start < 10


# -- coder files ------------------------------------------------------------------------------


def test_read_coder_file_jsonl_and_csv(tmp_path: Path) -> None:
    jsonl = tmp_path / "coder_b.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in [
        {"id": "s1-0001", "mode": "commodified", "media": ["discursive_control"], "coder": "coder_b",
         "note": "x"},
        {"id": "s1-0003", "mode": "collaborative", "media": [], "coder": "coder_b"},
        {"id": "s1-0004", "text": "not coded yet"},
    ]) + "\n", encoding="utf-8")
    assert read_coder_file(jsonl) == {"coder_b": {"s1-0001": ("commodified", ("discursive_control",)),
                                                  "s1-0003": ("collaborative", ())}}
    csv = tmp_path / "ann.csv"
    csv.write_text("id,mode,media\nu1,mixed,provider_competition; negotiated_order\nu2,neither,\n",
                   encoding="utf-8")
    assert read_coder_file(csv) == {"ann": {"u1": ("mixed", ("negotiated_order", "provider_competition")),
                                            "u2": ("neither", ())}}
    no_media = tmp_path / "ben.csv"
    no_media.write_text("id,mode\nu1,mixed\n", encoding="utf-8")
    assert read_coder_file(no_media, coder="Ben") == {"Ben": {"u1": ("mixed", None)}}
    merged = read_coders([csv, no_media])
    assert set(merged) == {"ann", "ben"}


@pytest.mark.parametrize(("content", "message"), [
    ('{"id": "a", "text": "blind"}\n', "blind sample"),
    ('{"id": "a", "text": "blind"}\n{"id": "b", "mode": ""}\n', "no coded rows"),
    ('{"id": "a", "mode": "market"}\n', "unknown mode"),
    ('{"id": "a", "mode": "mixed", "media": ["power"]}\n', "unknown medium"),
    ('{"id": "a", "mode": "mixed"}\n{"id": "a", "mode": "neither"}\n', "twice"),
    ('{"mode": "mixed"}\n', "needs 'id'"),
])
def test_read_coder_file_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        read_coder_file(path)


def test_read_coder_file_qdpx(tmp_path: Path) -> None:
    text = "Intro.\nWe were told to tender every single year.\nAnd so on."
    start = text.index("We were")
    row = {"text": "We were told to tender every single year.", "start": start, "end": start + 41,
           "mode": "commodified", "p": 0.9, "media": ["provider_competition"], "cues": [],
           "pole": "commodified"}
    export_scored(tmp_path / "m.qdpx", [("doc.txt", text, [row])], "model-x")
    got = read_coder_file(tmp_path / "m.qdpx")
    assert got == {"model-x": {f"doc.txt:{start}-{start + 41}": ("commodified", ("provider_competition",))}}
