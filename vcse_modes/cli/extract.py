"""``vcse-modes extract``: what the tool reads from each file."""

from __future__ import annotations

import click

from vcse_modes.cli._common import format_option, parse_roles, reports_errors, roles_option


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@format_option(
    "text",
    "json",
    "jsonl",
    default="text",
    help="'text' prints the extracted text; json/jsonl add passages, pages, speakers and warnings.",
)
@roles_option
@click.option("--include-comments", is_flag=True, help="Keep DOCX comments (excluded by default).")
@reports_errors
def extract(files: tuple[str, ...], output_format: str, roles: str | None, include_comments: bool) -> None:
    """Extract text, passages (with exact offsets), pages, speakers and roles from FILES."""
    from vcse_modes.api import extract_file
    from vcse_modes.formats import render

    role_map = parse_roles(roles)
    records = []
    for path in files:
        record = extract_file(path, roles=role_map, include_comments=include_comments)
        for warning in record["warnings"]:
            click.echo(f"warning: {path}: {warning}", err=True)
        if output_format == "text":
            click.echo(record["text"])
        else:
            records.append(record)
    if records:
        click.echo(render(records, output_format), nl=False)
