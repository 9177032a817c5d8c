"""``vcse-modes models``: installed models, their cards, and how two models differ."""

from __future__ import annotations

import click

from vcse_modes.cli._common import format_option, reports_errors


@click.group(invoke_without_command=True)
@format_option("table", "json", "jsonl", "csv")
@click.pass_context
@reports_errors
def models(ctx: click.Context, output_format: str) -> None:
    """List installed models (folders with model.npz and card.json) with their cards.

    Subcommand 'diff' compares two models' scores on the same documents.
    """
    if ctx.invoked_subcommand is not None:
        return
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


@models.command()
@click.argument("model_a", metavar="A")
@click.argument("model_b", metavar="B")
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@click.option(
    "--top", type=click.IntRange(1, 1000), default=10, show_default=True, help="Largest movers shown."
)
@format_option("table", "json")
@click.option("--trust-model", is_flag=True, help="Load models whose hash their card does not vouch for.")
@reports_errors
def diff(
    model_a: str, model_b: str, data: tuple[str, ...], top: int, output_format: str, trust_model: bool
) -> None:
    """How models A and B score the same DATA (files or folders): rank correlation, largest movers."""
    from pathlib import Path

    from vcse_modes.api import diff_models
    from vcse_modes.formats import to_json

    paths = []
    for item in map(Path, data):
        paths += sorted(str(p) for p in item.rglob("*") if p.is_file()) if item.is_dir() else [str(item)]
    result = diff_models(model_a, model_b, paths, trust=trust_model, top=top)
    if output_format == "json":
        click.echo(to_json(result), nl=False)
        return
    click.echo(
        f"{result['documents']} documents; Spearman rho {result['spearman_rho']}; mean |change| "
        f"{result['mean_abs_change']}; {result['mode_changes']} change mode"
    )
    for row in result["largest_movers"]:
        click.echo(
            f"  {row['change']:+.3f}  {row['score_a']:+.3f} -> {row['score_b']:+.3f}  "
            f"{row['mode_a']} -> {row['mode_b']}  {row['source']}"
        )
    for row in result["failed"]:
        click.echo(f"error: {row['error']}", err=True)


def _fmt(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)
