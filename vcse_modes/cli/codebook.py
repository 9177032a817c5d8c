"""``vcse-modes codebook``: the codebook for people, programs and QDA tools."""

from __future__ import annotations

import click

from vcse_modes.cli._common import format_option, reports_errors


@click.command()
@format_option(
    "table",
    "md",
    "json",
    "qdc",
    default="table",
    help="'qdc' is a REFI-QDA codebook for NVivo, ATLAS.ti, MAXQDA, QualCoder.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Write to this file instead of stdout (qdc defaults to vcse-modes.qdc).",
)
@reports_errors
def codebook(output_format: str, out: str | None) -> None:
    """Print the codebook: modes, media of power, definitions and cue patterns."""
    from vcse_modes import codebook as cb
    from vcse_modes.formats import atomic_write_bytes

    book = cb.load_codebook()
    if output_format == "qdc":
        target = out or "vcse-modes.qdc"
        atomic_write_bytes(target, cb.to_qdc(book))
        click.echo(f"wrote {target}", err=True)
        return
    if output_format == "table":
        from rich.console import Console
        from rich.table import Table

        rows = cb.to_rows(book)
        table = Table(*rows[0].keys(), show_lines=True) if rows else Table()
        for row in rows:
            table.add_row(*(str(v) for v in row.values()))
        Console().print(table)
        return
    text = cb.to_markdown(book) if output_format == "md" else cb.to_json(book)
    if out:
        atomic_write_bytes(out, text.encode("utf-8"))
    else:
        click.echo(text, nl=not text.endswith("\n"))
