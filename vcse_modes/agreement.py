"""Inter-coder agreement: Cohen's kappa, Krippendorff's alpha, bootstrap intervals, a report.

Labels are per unit (excerpt id, or ``"<source>:<start>-<end>"`` for REFI-QDA selections):
a mode and a set of media. Agreement is computed for the mode (nominal) and, for each
medium, for its presence (binary). ``None`` marks a missing code: the unit is left out of
kappa and contributes only its present values to alpha.

Krippendorff's alpha is computed from the coincidence matrix, ``alpha = 1 - (n - 1) *
sum(o_ck * d_ck) / sum(n_c * n_k * d_ck)``, for nominal, ordinal, interval and ratio data.
Confidence intervals are percentile bootstraps over units (resampling units with
replacement), vectorised with numpy so a full report takes well under a second.

Examples
--------
>>> cohen_kappa(["a", "a", "b", "b"], ["a", "b", "b", "b"])
0.5
>>> round(krippendorff_alpha([[1, 2, 3, 3], [1, 2, 3, 4]]), 3)
0.696
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vcse_modes import MEDIA, MODES
from vcse_modes.errors import DataError

if TYPE_CHECKING:
    import numpy as np

    from vcse_modes.importing import CodeMap

Label = tuple[str, "tuple[str, ...] | None"]
"""A unit's code: the mode and its media (``None`` when the coder's file has no media)."""
LEVELS = ("nominal", "ordinal", "interval", "ratio")
N_BOOT = 1000
_CHUNK_CELLS = 2_000_000


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _sort_key(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value if isinstance(value, (int, float, str, bool)) else repr(value))


def _categories(values: Iterable[Any], level: str) -> list[Any]:
    found = set(values)
    if level == "nominal":
        return sorted(found, key=_sort_key)
    try:
        return sorted(found)
    except TypeError:
        raise ValueError(f"{level} data must be sortable numbers") from None


# -- Cohen's kappa ----------------------------------------------------------------------------


def _kappa_from_tables(tables: np.ndarray) -> np.ndarray:
    """Kappa of one ``(K, K)`` contingency table or a stack ``(B, K, K)``; NaN when undefined."""
    import numpy as np

    tables = np.asarray(tables, dtype=float)
    n = tables.sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.trace(tables, axis1=-2, axis2=-1) / n
        expected = (tables.sum(axis=-1) * tables.sum(axis=-2)).sum(axis=-1) / n**2
        kappa = (observed - expected) / (1.0 - expected)
    return np.where((n > 0) & (1.0 - expected > 1e-12), kappa, np.nan)


def _paired_codes(a: Sequence[Any], b: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, int]:
    import numpy as np

    if len(a) != len(b):
        raise ValueError(f"the two coders have {len(a)} and {len(b)} labels; pass one label per unit each")
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if not _missing(x) and not _missing(y)]
    index = {c: i for i, c in enumerate(_categories([v for p in pairs for v in p], "nominal"))}
    codes = np.array([(index[x], index[y]) for x, y in pairs], dtype=np.int64).reshape(-1, 2)
    return codes[:, 0], codes[:, 1], len(index)


def _table(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    import numpy as np

    return np.bincount(a * k + b, minlength=k * k).reshape(k, k)


def cohen_kappa(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Cohen's kappa of two coders' nominal labels (units where either is missing are left out).

    Returns NaN when undefined (no shared units, or both coders used one identical category
    throughout so that chance agreement is 1).

    Examples
    --------
    >>> round(cohen_kappa(["x", "y", "x", None], ["x", "y", "y", "y"]), 4)
    0.4
    """
    x, y, k = _paired_codes(a, b)
    if len(x) == 0:
        return math.nan
    return float(_kappa_from_tables(_table(x, y, k)))


def percent_agreement(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Share of shared units with the same label (NaN when none are shared)."""
    x, y, _ = _paired_codes(a, b)
    return float((x == y).mean()) if len(x) else math.nan


# -- Krippendorff's alpha ---------------------------------------------------------------------


def _unit_counts(data: Sequence[Sequence[Any]], level: str) -> tuple[np.ndarray, list[Any]]:
    """Values per unit and category: an ``(units, categories)`` count matrix."""
    import numpy as np

    rows = [list(row) for row in data]
    if not rows:
        return np.zeros((0, 0)), []
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ValueError("every coder needs one entry per unit (use None for a missing code)")
    categories = _categories((v for row in rows for v in row if not _missing(v)), level)
    index = {c: i for i, c in enumerate(categories)}
    counts = np.zeros((width, len(categories)))
    for row in rows:
        for unit, value in enumerate(row):
            if not _missing(value):
                counts[unit, index[value]] += 1
    return counts, categories


def _unit_coincidences(counts: np.ndarray) -> np.ndarray:
    """Each pairable unit's contribution to the coincidence matrix, ``(units, K, K)``."""
    import numpy as np

    m = counts.sum(axis=1)
    counts = counts[m >= 2]
    m = m[m >= 2]
    pairs = counts[:, :, None] * counts[:, None, :]
    diagonal = np.arange(counts.shape[1])
    pairs[:, diagonal, diagonal] -= counts
    return pairs / (m - 1)[:, None, None]


def _delta(level: str, categories: Sequence[Any], marginals: np.ndarray) -> np.ndarray:
    """Squared difference function for every pair of categories (per resample for ordinal)."""
    import numpy as np

    k = len(categories)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        cumulative = np.cumsum(marginals, axis=-1)
        c, n = cumulative[..., :, None], marginals[..., :, None]
        return (cumulative[..., None, :] - c + (n - marginals[..., None, :]) / 2.0) ** 2
    values = np.asarray(categories, dtype=float)
    difference = values[:, None] - values[None, :]
    if level == "interval":
        return difference**2
    total = values[:, None] + values[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total != 0, (difference / total) ** 2, 0.0)


def _alpha_from_coincidences(matrix: np.ndarray, level: str, categories: Sequence[Any]) -> np.ndarray:
    """Alpha of one coincidence matrix ``(K, K)`` or a stack ``(B, K, K)``; NaN when undefined."""
    import numpy as np

    marginals = matrix.sum(axis=-1)
    n = marginals.sum(axis=-1)
    delta = _delta(level, categories, marginals)
    observed = (matrix * delta).sum(axis=(-2, -1))
    expected = (marginals[..., :, None] * marginals[..., None, :] * delta).sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * observed / expected
    return np.where(expected > 1e-12, alpha, np.nan)


def krippendorff_alpha(data: Sequence[Sequence[Any]], level: str = "nominal") -> float:
    """Krippendorff's alpha for any number of coders, with missing codes.

    Parameters
    ----------
    data:
        Reliability data, one row per coder and one column per unit; ``None`` (or NaN)
        marks a missing code. Units with fewer than two codes are not pairable and drop out.
    level:
        ``nominal``, ``ordinal``, ``interval`` or ``ratio``.

    Returns
    -------
    float
        Alpha, or NaN when undefined (no pairable units, or no variation at all).

    Examples
    --------
    >>> round(krippendorff_alpha([["a", "a", "b"], ["a", "b", "b"], [None, "a", "b"]]), 4)
    0.5625
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    counts, categories = _unit_counts(data, level)
    coincidences = _unit_coincidences(counts) if counts.size else counts
    if not len(coincidences):
        return math.nan
    return float(_alpha_from_coincidences(coincidences.sum(axis=0), level, categories))


# -- binary per-medium versions ---------------------------------------------------------------


def presence(media: Sequence[Iterable[str] | None], medium: str) -> list[bool | None]:
    """Whether each unit's media include ``medium`` (``None`` stays missing).

    Examples
    --------
    >>> presence([["negotiated_order"], [], None], "negotiated_order")
    [True, False, None]
    """
    return [None if m is None else medium in set(m) for m in media]


def medium_kappa(a: Sequence[Iterable[str] | None], b: Sequence[Iterable[str] | None], medium: str) -> float:
    """Cohen's kappa on the presence of one medium."""
    return cohen_kappa(presence(a, medium), presence(b, medium))


def medium_alpha(data: Sequence[Sequence[Iterable[str] | None]], medium: str) -> float:
    """Krippendorff's alpha (nominal) on the presence of one medium; ``data`` is coders × units."""
    return krippendorff_alpha([presence(row, medium) for row in data])


# -- bootstrap --------------------------------------------------------------------------------


def _resamples(n_units: int, n: int, seed: int) -> Iterator[np.ndarray]:
    """Index matrices ``(rows, n_units)`` of units drawn with replacement, in bounded chunks."""
    import numpy as np

    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK_CELLS // max(n_units, 1))
    for done in range(0, n, chunk):
        yield rng.integers(0, n_units, size=(min(chunk, n - done), n_units))


def _interval(values: Sequence[float] | np.ndarray, level: float) -> tuple[float, float]:
    import numpy as np

    array = np.asarray(values, dtype=float)
    array = array[np.isfinite(array)]
    if not array.size:
        return math.nan, math.nan
    low, high = np.percentile(array, [50 * (1 - level), 50 * (1 + level)])
    return float(low), float(high)


def bootstrap_ci(
    metric: Callable[[list[Any]], float],
    units: Sequence[Any],
    n: int = N_BOOT,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``metric`` over units resampled with replacement.

    Resamples where the metric is undefined (NaN) are left out. Returns ``(nan, nan)`` with
    no units.

    Examples
    --------
    >>> units = list(zip("aabbabab", "abbbabaa"))
    >>> low, high = bootstrap_ci(lambda us: cohen_kappa(*zip(*us)), units, n=200, seed=1)
    >>> low <= cohen_kappa(*zip(*units)) <= high
    True
    """
    units = list(units)
    if not units or n <= 0:
        return math.nan, math.nan
    values = [metric([units[i] for i in row]) for rows in _resamples(len(units), n, seed) for row in rows]
    return _interval(values, level)


def _kappa_interval(
    a: np.ndarray, b: np.ndarray, k: int, n: int, seed: int, level: float
) -> tuple[float, float]:
    """Vectorised :func:`bootstrap_ci` of Cohen's kappa (same resamples for the same seed)."""
    import numpy as np

    if not len(a) or n <= 0:
        return math.nan, math.nan
    values = []
    for rows in _resamples(len(a), n, seed):
        count = rows.shape[0]
        cells = a[rows] * k + b[rows] + (np.arange(count) * k * k)[:, None]
        tables = np.bincount(cells.ravel(), minlength=count * k * k).reshape(count, k, k)
        values.append(_kappa_from_tables(tables))
    return _interval(np.concatenate(values), level)


def _alpha_interval(coincidences: np.ndarray, level_name: str, categories: Sequence[Any], n: int, seed: int,
                    level: float) -> tuple[float, float]:
    """Vectorised bootstrap of alpha over pairable units (weights times per-unit coincidences)."""
    import numpy as np

    units = len(coincidences)
    if not units or n <= 0:
        return math.nan, math.nan
    k = coincidences.shape[1]
    flat = coincidences.reshape(units, k * k)
    values = []
    for rows in _resamples(units, n, seed):
        count = rows.shape[0]
        weights = np.bincount((rows + (np.arange(count) * units)[:, None]).ravel(),
                              minlength=count * units).reshape(count, units)
        values.append(_alpha_from_coincidences((weights @ flat).reshape(count, k, k), level_name, categories))
    return _interval(np.concatenate(values), level)


# -- the report -------------------------------------------------------------------------------


def _round(value: float) -> float | None:
    return round(float(value), 4) if value is not None and math.isfinite(value) else None


def _ci(bounds: tuple[float, float]) -> list[float | None]:
    return [_round(bounds[0]), _round(bounds[1])]


def _kappa_entry(
    x: Mapping[str, Any], y: Mapping[str, Any], n: int, seed: int, level: float
) -> dict[str, Any]:
    shared = sorted(u for u in x if u in y and not _missing(x[u]) and not _missing(y[u]))
    a, b, k = _paired_codes([x[u] for u in shared], [y[u] for u in shared])
    kappa = float(_kappa_from_tables(_table(a, b, k))) if len(a) else math.nan
    return {
        "units": len(shared),
        "agreement": _round(float((a == b).mean())) if len(a) else None,
        "kappa": _round(kappa),
        "ci": _ci(_kappa_interval(a, b, k, n, seed, level)),
    }


def _alpha_entry(values: Mapping[str, Mapping[str, Any]], n: int, seed: int, level: float) -> dict[str, Any]:
    names = list(values)
    units = sorted({u for labels in values.values() for u in labels})
    data = [[values[name].get(u) for u in units] for name in names]
    counts, categories = _unit_counts(data, "nominal") if units else (None, [])
    coincidences = _unit_coincidences(counts) if counts is not None and counts.size else None
    if coincidences is None or not len(coincidences) or len(names) < 2:
        return {"value": None, "ci": [None, None], "units": 0, "coders": len(names)}
    alpha = float(_alpha_from_coincidences(coincidences.sum(axis=0), "nominal", categories))
    return {
        "value": _round(alpha),
        "ci": _ci(_alpha_interval(coincidences, "nominal", categories, n, seed, level)),
        "units": len(coincidences),
        "coders": len(names),
    }


def _targets() -> dict[str, Callable[[Label], Any]]:
    targets: dict[str, Callable[[Label], Any]] = {"mode": lambda label: label[0]}
    for medium in MEDIA:
        targets[medium] = lambda label, m=medium: None if label[1] is None else m in label[1]
    return targets


def _model_note(
    target: str, pairs: Sequence[Mapping[str, Any]], model_rows: Sequence[Mapping[str, Any]]
) -> str | None:
    human = [p["kappa"] for p in pairs if p["kappa"] is not None]
    if not human:
        return None
    mean = sum(human) / len(human)
    closer = [r for r in model_rows if r["kappa"] is not None and r["kappa"] > mean]
    if not closer:
        return None
    who = ", ".join(f"{r['coder']} (kappa {r['kappa']:.3f})" for r in closer)
    return (f"{target}: the model agrees with {who} more than the human coders agree with each other "
            f"(mean pairwise kappa {mean:.3f}); it may have learnt one coder's style rather than the "
            "codebook")


def agreement_report(
    coders: Mapping[str, Mapping[str, Label]],
    model: Mapping[str, Label] | None = None,
    *,
    n_boot: int = N_BOOT,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, Any]:
    """Agreement between human coders (and the model) on the mode and on each medium.

    Parameters
    ----------
    coders:
        Coder name → unit id → ``(mode, media)``; media ``None`` when that coder did not code
        media (media agreement then leaves the coder out).
    model:
        The model's labels on the same unit ids, if any.
    n_boot, seed, level:
        Bootstrap resamples, random seed and interval level.

    Returns
    -------
    dict
        ``targets`` → ``mode`` and each medium → ``alpha`` (over all human coders), ``pairs``
        (Cohen's kappa per coder pair) and ``model`` (kappa of the model against each coder),
        each with units, a 95% bootstrap ``ci`` and, for kappas, raw ``agreement``; ``notes``
        flag where the model agrees with a coder more than the coders agree with each other.
        Undefined values are ``None``.

    Examples
    --------
    >>> a = {"u1": ("commodified", ()), "u2": ("collaborative", ("negotiated_order",))}
    >>> b = {"u1": ("commodified", ()), "u2": ("mixed", ("negotiated_order",))}
    >>> agreement_report({"A": a, "B": b}, n_boot=50)["targets"]["mode"]["pairs"][0]["agreement"]
    0.5
    """
    names = sorted(coders)
    units = {u for labels in coders.values() for u in labels}
    shared = {u for u in units if sum(u in coders[name] for name in names) >= 2}
    report: dict[str, Any] = {
        "coders": names,
        "model": model is not None,
        "units": {"total": len(units), "coded_by_two_or_more": len(shared)},
        "n_boot": n_boot,
        "seed": seed,
        "level": level,
        "targets": {},
        "notes": [],
    }
    if len(names) < 2:
        report["notes"].append("fewer than two human coders: human agreement cannot be computed")
    for target, get in _targets().items():
        values = {name: {u: get(label) for u, label in coders[name].items()} for name in names}
        values = {name: v for name, v in values.items() if any(not _missing(x) for x in v.values())}
        pairs = [{"coders": [a, b], **_kappa_entry(values[a], values[b], n_boot, seed, level)}
                 for a, b in combinations(list(values), 2)]
        alpha = _alpha_entry(values, n_boot, seed, level)
        entry: dict[str, Any] = {"alpha": alpha, "pairs": pairs, "model": []}
        if target != "mode":
            flags = [x for v in values.values() for x in v.values() if not _missing(x)]
            entry["prevalence"] = _round(sum(flags) / len(flags)) if flags else None
        if model is not None:
            predicted = {u: get(label) for u, label in model.items()}
            entry["model"] = [{"coder": name, **_kappa_entry(predicted, values[name], n_boot, seed, level)}
                              for name in values]
            note = _model_note(target, pairs, entry["model"])
            if note:
                report["notes"].append(note)
        report["targets"][target] = entry
    return report


# -- coder files ------------------------------------------------------------------------------


def read_coder_file(
    path: str | Path,
    code_map: CodeMap | None = None,
    *,
    coder: str | None = None,
) -> dict[str, dict[str, Label]]:
    """One coder file → coder name → unit id → ``(mode, media)``.

    ``.jsonl``/``.csv``/``.tsv``/``.xlsx`` need ``id`` and ``mode`` columns, optionally
    ``media`` (a JSON list or ``;``-separated) and ``coder`` (else the file's stem names the
    coder). Rows without a mode are skipped. ``.qdpx`` projects are imported through
    ``code_map`` (see :mod:`vcse_modes.importing`), one coder per creating user, with units
    ``"<source>:<start>-<end>"``; media are ``None`` when the map maps no media. ``coder``
    renames every coder in the file to that name.

    Raises
    ------
    DataError
        Missing columns, unknown labels, no coded rows, or one unit coded two ways by one coder.

    Examples
    --------
    >>> read_coder_file("corpus/reliability/coder_b.jsonl")["coder_b"]["s1-0003"]  # doctest: +SKIP
    ('commodified', ('managerial_techniques', 'juridical_control'))
    """
    file = Path(path)
    if file.suffix.lower() == ".qdpx":
        return _coders_from_qdpx(file, code_map, coder)
    return _coders_from_table(file, coder)


def _put(out: dict[str, dict[str, Label]], name: str, unit: str, label: Label, where: str) -> None:
    labels = out.setdefault(name, {})
    if unit in labels and labels[unit] != label:
        raise DataError(f"{name} codes unit {unit!r} twice, differently ({labels[unit]} and {label})", where)
    labels[unit] = label


def _coders_from_qdpx(file: Path, code_map: CodeMap | None, coder: str | None) -> dict[str, dict[str, Label]]:
    from vcse_modes.importing import CodeMap, import_coded

    code_map = code_map or CodeMap.default()
    result = import_coded([file], code_map)
    out: dict[str, dict[str, Label]] = {}
    for excerpt in result.excerpts:
        media = tuple(excerpt["media"]) if code_map.maps_media else None
        labels = out.setdefault(coder or excerpt["coder"], {})
        labels.setdefault(excerpt["unit"], (excerpt["mode"], media))
    if not out:
        raise DataError("no selection maps to a mode; check the code map", str(file))
    return out


def _coders_from_table(file: Path, coder: str | None) -> dict[str, dict[str, Label]]:
    from vcse_modes.importing import _LABEL_SPLIT, read_table, split_labels

    where = str(file)
    header, rows = read_table(file)
    columns = {h.strip().casefold(): h for h in header}
    if "mode" not in columns:
        raise DataError(f"no 'mode' column (found {', '.join(header)}); is this the blind sample rather "
                        "than a coder's file?", where)
    if "id" not in columns:
        raise DataError(f"a coder file needs 'id' (found {', '.join(header)})", where)
    has_media = "media" in columns
    out: dict[str, dict[str, Label]] = {}
    for number, row in rows:
        mode = str(row.get(columns["mode"]) or "").strip()
        if not mode:
            continue
        if mode not in MODES:
            raise DataError(f"row {number}: unknown mode {mode!r}; expected one of {', '.join(MODES)}", where)
        media = None
        if has_media:
            found = split_labels(row.get(columns["media"]), _LABEL_SPLIT)
            bad = [m for m in found if m not in MEDIA]
            if bad:
                raise DataError(f"row {number}: unknown medium {bad[0]!r}", where)
            media = tuple(m for m in MEDIA if m in found)
        unit = str(row.get(columns["id"]) or "").strip()
        if not unit:
            raise DataError(f"row {number}: empty id", where)
        name = coder or str(row.get(columns.get("coder", ""), "") or "").strip() or file.stem
        _put(out, name, unit, (mode, media), where)
    if not out:
        raise DataError("no coded rows (no 'mode' values); is this the blind sample?", where)
    return out


def read_coders(
    paths: Iterable[str | Path],
    code_map: CodeMap | None = None,
) -> dict[str, dict[str, Label]]:
    """Coder files merged by coder name (one coder may be spread over several files).

    Raises
    ------
    DataError
        A coder codes one unit differently in two files.
    """
    merged: dict[str, dict[str, Label]] = {}
    for path in paths:
        for name, labels in read_coder_file(path, code_map).items():
            for unit, label in labels.items():
                _put(merged, name, unit, label, str(path))
    return merged


__all__ = [
    "LEVELS",
    "Label",
    "agreement_report",
    "bootstrap_ci",
    "cohen_kappa",
    "krippendorff_alpha",
    "medium_alpha",
    "medium_kappa",
    "percent_agreement",
    "presence",
    "read_coder_file",
    "read_coders",
]
