"""Human views: rich tables for the terminal, Markdown for score records and model cards."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from vcse_modes.formats import signed

SPECTRUM_WIDTH = 41


def spectrum_bar(score: float, low: float, high: float, width: int = SPECTRUM_WIDTH) -> str:
    """A text spectrum from -1 (commodified) to +1 (collaborative): ``[`` ``]`` interval, ``●`` score."""

    def column(value: float) -> int:
        return min(width - 1, max(0, round((value + 1) / 2 * (width - 1))))

    cells = ["─"] * width
    cells[width // 2] = "┼"
    lo, hi = column(low), column(high)
    for i in range(lo, hi + 1):
        cells[i] = "═"
    cells[lo], cells[hi] = "[", "]"
    cells[column(score)] = "●"
    return "".join(cells)


def _highlight(text: str, cues: Iterable[str]) -> Any:
    from rich.text import Text

    rendered = Text(text)
    for cue in sorted(set(cues), key=len, reverse=True):
        for match in re.finditer(re.escape(cue), text, flags=re.IGNORECASE):
            rendered.stylize("bold yellow", match.start(), match.end())
    return rendered


def render_score(record: Mapping[str, Any], console: Any) -> None:
    """Print one score record as a rich block: spectrum, intensities, media, evidence."""
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    header = Text()
    header.append(f"{record['mode'].upper()}", style="bold")
    header.append(
        f"   score {signed(record['score'])}  (95% CI {signed(record['ci_low'])} to "
        f"{signed(record['ci_high'])})   {record['passages_scored']} passages\n"
    )
    header.append("commodified ", style="red")
    header.append(spectrum_bar(record["score"], record["ci_low"], record["ci_high"]))
    header.append(" collaborative", style="green")
    header.append(
        f"\nintensity: commodified {record['intensity']['commodified']:.2f}"
        f" · collaborative {record['intensity']['collaborative']:.2f}"
    )

    media = Table(title="Media of power", show_edge=False, expand=False)
    media.add_column("medium")
    media.add_column("share", justify="right")
    media.add_column("lean (−1 commodified … +1 collaborative)")
    for medium, values in sorted(record["media"].items(), key=lambda kv: -kv[1]["share"]):
        lean = values["lean"]
        media.add_row(
            medium,
            f"{values['share']:.0%}",
            Text(f"{signed(lean)} ", style="green" if lean > 0 else "red")
            + Text(spectrum_bar(lean, lean, lean, 21)),
        )

    evidence = Table(title="Evidence", show_edge=False, expand=True, show_lines=True)
    evidence.add_column("pole", no_wrap=True)
    evidence.add_column("p", justify="right")
    evidence.add_column("where", no_wrap=True)
    evidence.add_column("passage (cues highlighted)", ratio=1)
    for row in record["evidence"]:
        where = f"p.{row['page']}" if row["page"] else ""
        if row.get("speaker"):
            where += f" {row['speaker']} ({row['role']})"
        where += f"\n{row['start']}–{row['end']}"
        evidence.add_row(
            Text(row["pole"], style="red" if row["pole"] == "commodified" else "green"),
            f"{row['p']:.2f}",
            where.strip(),
            _highlight(row["text"], row["cues"]),
        )
    console.print(Panel(header, title=str(record["source"]), title_align="left"))
    console.print(media)
    if record["evidence"]:
        console.print(evidence)
    for warning in record.get("warnings", []):
        console.print(f"[yellow]warning:[/] {warning}")


def score_markdown(record: Mapping[str, Any]) -> str:
    """A score record as Markdown (for lab notebooks and reports)."""
    lines = [
        f"## {record['source']}",
        "",
        f"**{record['mode']}** · score {signed(record['score'])} (95% CI {signed(record['ci_low'])} to "
        f"{signed(record['ci_high'])}) · {record['passages_scored']} passages",
        "",
        f"`commodified {spectrum_bar(record['score'], record['ci_low'], record['ci_high'])} collaborative`",
        "",
        f"Intensity: commodified {record['intensity']['commodified']:.2f}, "
        f"collaborative {record['intensity']['collaborative']:.2f}",
        "",
        "| medium | share | lean |",
        "|---|---:|---:|",
    ]
    for medium, values in sorted(record["media"].items(), key=lambda kv: -kv[1]["share"]):
        lines.append(f"| {medium} | {values['share']:.0%} | {signed(values['lean'])} |")
    lines += ["", "| pole | p | where | passage | cues |", "|---|---:|---|---|---|"]
    for row in record["evidence"]:
        text = row["text"].replace("|", "\\|").replace("\n", " ")
        where = f"p.{row['page']} " if row["page"] else ""
        where += f"{row['start']}–{row['end']}"
        lines.append(f"| {row['pole']} | {row['p']:.2f} | {where} | {text} | {', '.join(row['cues'])} |")
    return "\n".join(lines) + "\n"


def card_markdown(card: Mapping[str, Any]) -> str:
    """The human model card (``card.md``) from ``card.json``."""
    cv = card.get("cross_validation", {})
    mode = cv.get("mode", {})
    media = cv.get("media", {})
    data = card.get("data", {})
    lines = [
        f"# Model card: {card.get('name')}",
        "",
        f"vcse-modes {card.get('version')} · seed {card.get('seed')} · "
        f"model SHA-256 `{card.get('model_sha256')}`",
        "",
        "## Intended use",
        "",
        str(card.get("intended_use", "")),
        "",
        "## Training data",
        "",
        f"{data.get('excerpts')} excerpts, corpus SHA-256 `{card.get('corpus_sha256')}`.",
        "",
        f"Modes: {data.get('mode')}  ",
        f"Media: {data.get('media')}  ",
        f"Sources: {data.get('source_type')}",
        "",
        f"Reproduce: `{card.get('train_command')}`",
        "",
        f"## Grouped {cv.get('folds')}-fold cross-validation",
        "",
        "| metric | value |",
        "|---|---:|",
    ]
    for label, value in (
        ("mode macro-F1", mode.get("macro_f1")),
        ("mode accuracy", mode.get("accuracy")),
        ("Cohen's kappa (model vs human codes)", mode.get("cohen_kappa")),
        ("commodified vs collaborative accuracy", mode.get("pole_accuracy")),
        ("Brier score", mode.get("brier")),
        ("expected calibration error", mode.get("ece")),
        ("media micro-F1", media.get("micro_f1")),
        ("media macro-F1", media.get("macro_f1")),
    ):
        lines.append(f"| {label} | {value:.3f} |" if isinstance(value, float) else f"| {label} | {value} |")
    per_class = mode.get("per_class", {})
    if per_class:
        lines += ["", "| mode | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
        for label, values in per_class.items():
            lines.append(
                f"| {label} | {values['precision']:.3f} | {values['recall']:.3f} | "
                f"{values['f1']:.3f} | {values['support']} |"
            )
    per_medium = media.get("per_medium_f1", {})
    if per_medium:
        lines += ["", "| medium | F1 |", "|---|---:|"]
        lines += [f"| {m} | {f:.3f} |" for m, f in per_medium.items()]
    confusion = mode.get("confusion")
    if confusion:
        lines += [
            "",
            "Confusion matrix (rows = human code, columns = model):",
            "",
            "| | " + " | ".join(confusion["labels"]) + " |",
            "|---|" + "---:|" * len(confusion["labels"]),
        ]
        for label, row in zip(confusion["labels"], confusion["matrix"], strict=True):
            lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    retraining = card.get("retraining")
    if retraining:
        lines += [
            "",
            f"## Retraining: metrics on the {retraining['new_excerpts']} new excerpts",
            "",
            "| | mode macro-F1 | kappa | media micro-F1 |",
            "|---|---:|---:|---:|",
        ]
        for label, note in (("before", "base model"), ("after", "grouped CV, base + new")):
            metrics = retraining.get(label)
            if metrics:
                lines.append(
                    f"| {label} ({note}) | {metrics['mode']['macro_f1']:.3f} | "
                    f"{metrics['mode']['cohen_kappa']:.3f} | {metrics['media']['micro_f1']:.3f} |"
                )
            else:
                lines.append(f"| {label} | no base model | | |")
    lines += ["", "## Parameters", "", f"`{card.get('params')}`", "", "## Library versions", ""]
    lines += [f"- {k}: {v}" for k, v in card.get("versions", {}).items()]
    lines += ["", "## Limitations", ""] + [f"- {item}" for item in card.get("limitations", [])]
    return "\n".join(lines) + "\n"
