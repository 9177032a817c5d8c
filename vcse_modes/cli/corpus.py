"""``vcse-modes corpus``: validate and describe coded corpora."""

from __future__ import annotations

import click

from vcse_modes.cli._common import format_option, reports_errors


@click.group()
def corpus() -> None:
    """Check and describe a coded corpus."""


@corpus.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@click.option(
    "--seeds",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Folder of source texts to check for verbatim copying (10-word runs).",
)
@format_option("table", "json")
@reports_errors
def validate(paths: tuple[str, ...], seeds: str | None, output_format: str) -> None:
    """Validate PATHS: schema, label ids, provenance, duplicates, cross-group leaks, counts.

    Exits 1 when any error is found.
    """
    from vcse_modes.corpus import validate as run_validation
    from vcse_modes.formats import to_json

    report = run_validation(paths, seeds_dir=seeds)
    if output_format == "json":
        click.echo(
            to_json(
                {
                    "ok": report.ok,
                    "total": report.total,
                    "errors": report.errors,
                    "warnings": report.warnings,
                    "counts": report.counts,
                }
            ),
            nl=False,
        )
    else:
        click.echo(f"{report.total} excerpts")
        for section, counts in report.counts.items():
            click.echo(f"  {section}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        for warning in report.warnings:
            click.echo(f"warning: {warning}", err=True)
        for error in report.errors:
            click.echo(f"error: {error}", err=True)
        click.echo("ok" if report.ok else f"{len(report.errors)} error(s)")
    if not report.ok:
        raise SystemExit(1)
