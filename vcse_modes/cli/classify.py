"""``vcse-modes classify``: one prediction per excerpt."""

from __future__ import annotations

import click

from vcse_modes.cli._common import format_option, model_option, reports_errors, trust_model_option


@click.command()
@click.argument(
    "input_path", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True, path_type=str)
)
@model_option
@format_option("jsonl", "json", "csv", default="jsonl", help="Output format (machine formats only).")
@trust_model_option
@reports_errors
def classify(input_path: str, model_name: str | None, output_format: str, trust_model: bool) -> None:
    """Classify excerpts in INPUT: a .jsonl or .csv with 'id' and 'text', or '-' for JSONL on stdin."""
    from vcse_modes.api import classify_texts, load
    from vcse_modes.formats import render
    from vcse_modes.tabular import read_id_text

    rows = read_id_text(input_path)
    model, _ = load(model_name, trust=trust_model)
    predictions = classify_texts([text for _, text in rows], model) if rows else []
    records = [
        {"id": row_id, **prediction} for (row_id, _), prediction in zip(rows, predictions, strict=True)
    ]
    click.echo(render(records, output_format), nl=False)
