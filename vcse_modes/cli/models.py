"""``vcse-modes models``: installed models and their cards."""

from __future__ import annotations

import click

from vcse_modes.cli._common import format_option, reports_errors


@click.command()
@format_option("table", "json", "jsonl", "csv")
@reports_errors
def models(output_format: str) -> None:
    """List installed models (folders with model.npz and card.json) with their cards."""
    from vcse_modes.formats import render
    from vcse_modes.modelio import list_models

    rows = list_models()
    if output_format != "table":
        click.echo(render(rows, output_format), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "path", "excerpts", "macro-F1", "ECE", "corpus", "trained with")
    for row in rows:
        table.add_row(
            row["name"],
            row["path"],
            str(row["excerpts"]),
            _fmt(row["macro_f1"]),
            _fmt(row["ece"]),
            str(row["corpus_sha256"])[:12],
            row["sklearn"],
        )
    Console().print(table)


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
