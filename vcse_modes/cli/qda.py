"""``vcse-modes import-coded`` and ``vcse-modes agreement``: working with hand-coded data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from vcse_modes.cli._common import format_option, reports_errors

_FILES = click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=str)
)


def _map_option(help_text: str) -> Callable[[Any], Any]:
    return click.option(
        "--map", "map_path", type=click.Path(exists=True, dir_okay=False, path_type=str), default=None,
        help=help_text,
    )


@click.command("import-coded")
@_FILES
@_map_option("TOML mapping your codes (full path or leaf name) to modes and media.")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, path_type=str), help="Excerpts JSONL to write."
)
@click.option(
    "--column",
    "columns",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Table column for a field (text, code, codes, source, speaker_role, id, coder); repeatable.",
)
@click.option("--genre", default=None, help="Genre recorded on every excerpt (e.g. interview).")
@click.option("--tracer", default=None, help="Tracer recorded on every excerpt.")
@click.option("--source", default=None, help="Provenance recorded on every excerpt (URL or 'composed').")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Write the per-selection validation report (JSONL: exact / re-anchored / unmatched).",
)
@reports_errors
def import_coded(
    files: tuple[str, ...],
    map_path: str | None,
    out: str,
    columns: tuple[str, ...],
    genre: str | None,
    tracer: str | None,
    source: str | None,
    report_path: str | None,
) -> None:
    """Import hand-coded excerpts from FILES (.qdpx, .csv, .tsv, .xlsx, .jsonl) for retraining.

    Selections in REFI-QDA projects are re-anchored in their source text; each is
    reported as exact, re-anchored or unmatched. Codes the map does not cover are
    listed, never silently dropped.
    """
    from vcse_modes.formats import atomic_write_text, to_jsonl_line
    from vcse_modes.importing import import_coded as run_import
    from vcse_modes.importing import iter_excerpt_lines, load_code_map

    column_map = {}
    for item in columns:
        field, sep, column = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: expected FIELD=COLUMN", param_hint="--column")
        column_map[field.strip()] = column.strip()
    defaults = {k: v for k, v in {"genre": genre, "tracer": tracer, "source": source}.items() if v}
    result = run_import(
        list(files), load_code_map(map_path), columns=column_map or None, defaults=defaults or None
    )
    atomic_write_text(out, "".join(iter_excerpt_lines(result)))
    if report_path:
        atomic_write_text(report_path, "".join(to_jsonl_line(row) for row in result.validation))
    summary = result.summary()
    anchoring = summary["anchoring"]
    click.echo(f"wrote {summary['excerpts']} excerpts to {out}: modes {summary['modes']}")
    click.echo(
        f"selections: {anchoring['exact']} exact, {anchoring['re-anchored']} re-anchored, "
        f"{anchoring['unmatched']} unmatched; skipped {summary['skipped']}"
    )
    for code, count in sorted(result.unmapped_codes.items()):
        click.echo(f"unmapped code: {code} ({count} selections) - add it to --map to use it", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)


@click.command()
@_FILES
@_map_option("Code map for .qdpx coder files.")
@click.option(
    "--model-codes",
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    default=None,
    help="The model's codes on the same ids (the output of 'vcse-modes classify').",
)
@format_option("table", "json")
@click.option(
    "--boot",
    "n_boot",
    type=click.IntRange(0, 100_000),
    default=1000,
    show_default=True,
    help="Bootstrap resamples for the 95% intervals.",
)
@reports_errors
def agreement(
    files: tuple[str, ...], map_path: str | None, model_codes: str | None, output_format: str, n_boot: int
) -> None:
    """Inter-coder agreement: Cohen's kappa (pairs) and Krippendorff's alpha (all coders).

    Each FILE is a coder's .jsonl/.csv (id, mode, optional media) or a .qdpx project.
    Computed for the mode and each medium, with bootstrap intervals; with
    --model-codes also the model against each coder.
    """
    from vcse_modes.agreement import agreement_report, read_coder_file, read_coders
    from vcse_modes.formats import to_json
    from vcse_modes.importing import load_code_map

    code_map = load_code_map(map_path) if map_path else None
    coders = read_coders(list(files), code_map)
    model = next(iter(read_coder_file(model_codes, coder="model").values())) if model_codes else None
    report = agreement_report(coders, model, n_boot=n_boot)
    if output_format == "json":
        click.echo(to_json(report), nl=False)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("label", "alpha (95% CI)", "kappa per pair", "model kappa per coder")
    for target, entry in report["targets"].items():
        table.add_row(
            target,
            _estimate(entry["alpha"]),
            "\n".join(f"{'/'.join(p['coders'])}: {_estimate(p)}" for p in entry["pairs"]),
            "\n".join(f"{m['coder']}: {_estimate(m)}" for m in entry["model"]),
        )
    console = Console()
    console.print(
        f"coders: {', '.join(report['coders'])}; units coded by two or more: "
        f"{report['units']['coded_by_two_or_more']}"
    )
    console.print(table)
    for note in report["notes"]:
        console.print(f"note: {note}")


def _estimate(entry: dict) -> str:
    value = entry.get("kappa", entry.get("alpha", entry.get("value")))
    ci = entry.get("ci") or [None, None]
    if value is None:
        return "n/a"
    low, high = ci
    return f"{value:.3f} ({low:.3f} to {high:.3f})" if low is not None else f"{value:.3f}"
