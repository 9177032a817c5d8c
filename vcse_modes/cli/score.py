"""``vcse-modes score``: where documents sit on the commodified-collaborative spectrum."""

from __future__ import annotations

import click

from vcse_modes.cli._common import (
    evidence_option,
    format_option,
    model_option,
    parse_roles,
    qdpx_option,
    reports_errors,
    roles_option,
    trust_model_option,
)
from vcse_modes.errors import VcseModesError


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@model_option
@format_option(
    "table",
    "json",
    "jsonl",
    "csv",
    "md",
    default="table",
    help="'table' for people; json/jsonl/csv/md for programs.",
)
@evidence_option("Evidence passages shown per pole.")
@roles_option
@click.option(
    "--default-role",
    type=click.Choice(["commissioner", "vcse", "other", "unknown"]),
    default="unknown",
    show_default=True,
    help="Role of passages with no speaker label.",
)
@qdpx_option
@trust_model_option
@reports_errors
def score(
    files: tuple[str, ...],
    model_name: str | None,
    output_format: str,
    n_evidence: int,
    roles: str | None,
    default_role: str,
    qdpx_path: str | None,
    trust_model: bool,
) -> None:
    """Score FILES (PDF, DOCX, ODT, HTML, RTF, TXT, VTT, SRT; transcripts too).

    Prints the spectrum score in [-1, 1] (negative = commodified, positive =
    collaborative) with its 95% bootstrap interval, how strongly each mode is present,
    the media-of-power profile, and the passages that drive the score.

    Exit codes: 0 all scored; 1 usage or model error; 3-8 input problems (empty,
    unsupported, encrypted, needs OCR, corrupt, unsafe) for a single file; 12 when some
    of several files failed (each is reported on stderr).
    """
    from vcse_modes.api import load, score_file_with_text
    from vcse_modes.formats import render

    model, card = load(model_name, trust=trust_model)
    role_map = parse_roles(roles)
    records, texts, failures = [], [], []
    for path in files:
        try:
            record, text = score_file_with_text(
                path, model, card, roles=role_map, default_role=default_role, n_evidence=n_evidence
            )
            records.append(record)
            texts.append(text)
        except VcseModesError as error:
            if len(files) == 1:
                raise
            failures.append(error)
            click.echo(f"error: {error}", err=True)
    if output_format == "table":
        from rich.console import Console

        console = Console()
        for record in records:
            render_record(record, console)
    elif output_format == "md":
        from vcse_modes.report import score_markdown

        click.echo("\n".join(score_markdown(r) for r in records), nl=False)
    elif output_format == "csv":
        click.echo(
            render([{k: v for k, v in r.items() if k != "evidence"} for r in records], "csv"), nl=False
        )
    else:
        click.echo(render(records, output_format), nl=False)
    if qdpx_path:
        from vcse_modes.qdpx import export_scored

        documents = [(r["source"], text, r["evidence"]) for r, text in zip(records, texts, strict=True)]
        for warning in export_scored(qdpx_path, documents, card.get("name", "vcse-modes")):
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"wrote {qdpx_path}", err=True)
    if failures:
        raise SystemExit(12)


def render_record(record: dict, console) -> None:
    from vcse_modes.report import render_score

    render_score(record, console)
