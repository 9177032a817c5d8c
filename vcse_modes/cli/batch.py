"""``vcse-modes batch``: score a folder or manifest of documents into an output folder."""

from __future__ import annotations

import sys
from typing import Any

import click

from vcse_modes.cli._common import (
    evidence_option,
    model_option,
    qdpx_option,
    reports_errors,
    trust_model_option,
)


@click.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=str))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=str),
    help="Output folder (created if needed).",
)
@click.option(
    "--cases",
    "cases_file",
    default=None,
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    help="CSV with columns case, site, tracer: attributes added to every file of a case.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0 = one per CPU). Outputs do not depend on it.",
)
@click.option("--resume", is_flag=True, help="Reuse the rows of an earlier (possibly killed) run in --out.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=120,
    show_default=True,
    help="Seconds allowed per file (0 = no limit).",
)
@click.option(
    "--memory-mb",
    type=click.IntRange(min=0),
    default=4096,
    show_default=True,
    help="Memory cap per worker process in MB (0 = none).",
)
@click.option(
    "--backend",
    type=click.Choice(["loky", "dask"]),
    default="loky",
    show_default=True,
    help="'loky': local worker processes; 'dask': a dask cluster.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Dask scheduler address (with --backend dask; default: a local cluster).",
)
@model_option
@click.option(
    "--passages", "write_passages", is_flag=True, help="Also write every scored passage to passages.jsonl.gz."
)
@evidence_option("Evidence passages per pole, per document and per case.")
@qdpx_option
@trust_model_option
@reports_errors
def batch(
    input_path: str,
    out_dir: str,
    cases_file: str | None,
    jobs: int,
    resume: bool,
    timeout: float,
    memory_mb: int,
    backend: str,
    scheduler: str | None,
    model_name: str | None,
    write_passages: bool,
    n_evidence: int,
    qdpx_path: str | None,
    trust_model: bool,
) -> None:
    """Score every document of INPUT into --out, one row per file and per case.

    INPUT is a folder (INPUT/<case>/... makes the top folder the case; files directly
    in INPUT get case '(none)') or a manifest CSV with columns file, case, site,
    tracer, role, date (paths relative to the CSV; role is the side a document
    speaks for: commissioner or vcse).

    Each file is read and scored in a worker process with a time limit and a memory
    cap; a file that fails, hangs or crashes its worker becomes a row with its status
    and the batch goes on. Writes documents.jsonl/.csv, cases.jsonl/.csv (pooled
    scores with 95% intervals and the commissioner-versus-VCSE view), report.html,
    manifest.json and, with --passages, passages.jsonl.gz. A killed run continues with
    --resume.

    Exit codes: 0 every file scored; 12 the batch finished but some files were not
    scored (see documents.csv); 2 usage error; 9 model error; 10 bad manifest or
    cases CSV; 1 other errors; 130 interrupted (rerun with --resume).
    """
    from vcse_modes.batch import run_batch

    if scheduler and backend != "dask":
        raise click.BadParameter("needs --backend dask", param_hint="--scheduler")
    reporter = _TerminalProgress() if sys.stdout.isatty() else _LogProgress()
    try:
        with reporter:
            summary = run_batch(
                input_path,
                out_dir,
                model=model_name,
                jobs=jobs,
                resume=resume,
                timeout=timeout,
                memory_mb=memory_mb,
                backend=backend,
                scheduler=scheduler,
                write_passages=write_passages,
                n_evidence=n_evidence,
                progress=reporter,
                cases=cases_file,
                trust_model=trust_model,
            )
    except KeyboardInterrupt:
        click.echo(f"interrupted; finished files are kept: rerun with --resume --out {out_dir}", err=True)
        raise SystemExit(130) from None
    print_summary(summary)
    if qdpx_path:
        from vcse_modes.batch import export_qdpx

        for warning in export_qdpx(out_dir, qdpx_path):
            click.echo(f"warning: {warning}", err=True)
        click.echo(f"wrote {qdpx_path}", err=True)
    if summary.failed_total:
        raise SystemExit(12)


class _LogProgress:
    """Plain log lines on stderr (not a terminal: CI logs, nohup, pipes)."""

    def __enter__(self) -> _LogProgress:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __call__(self, event: Any) -> None:
        if event.status == "finalising":
            click.echo("batch: writing documents, cases and report", err=True)
            return
        if event.file is None:
            total = event.total if event.total is not None else "?"
            click.echo(f"batch: {total} files", err=True)
            return
        width = len(str(event.total)) if event.total else 1
        total = event.total if event.total is not None else "?"
        status = ("reused " if event.reused else "") + str(event.status)
        seconds = f" ({event.seconds:.2f} s)" if event.seconds is not None and not event.reused else ""
        click.echo(f"[{event.done:>{width}}/{total}] {status:<12} {event.file}{seconds}", err=True)


class _TerminalProgress:
    """A rich progress bar with counts and ETA (stdout is a terminal)."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]scoring[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("•"),
            TimeElapsedColumn(),
            TextColumn("• ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"),
            transient=False,
        )
        self.task: Any = None

    def __enter__(self) -> _TerminalProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)

    def __call__(self, event: Any) -> None:
        if self.task is None:
            self.task = self.progress.add_task("batch", total=event.total, counts="")
        if event.status == "finalising":
            self.progress.update(self.task, counts="[dim]writing outputs…[/]")
            return
        ok = event.counts.get("ok", 0)
        failed = sum(n for status, n in event.counts.items() if status not in ("ok", "duplicate"))
        counts = f"[green]{ok} ok[/]" + (f" [red]{failed} failed[/]" if failed else "")
        if event.counts.get("duplicate"):
            counts += f" {event.counts['duplicate']} dup"
        self.progress.update(self.task, completed=event.done, counts=counts)


def print_summary(summary: Any) -> None:
    """The end-of-run table: scored, failed by status, duplicates, slowest files."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]Batch finished[/] in {summary.seconds:.1f} s")
    table = Table(show_header=False)
    table.add_column("what")
    table.add_column("n", justify="right")
    table.add_row("documents", str(summary.total))
    table.add_row("[green]scored ok[/]", str(summary.ok))
    if summary.reused:
        table.add_row("  reused from an earlier run", str(summary.reused))
    if summary.duplicates:
        table.add_row("  duplicates (scored once)", str(summary.duplicates))
    for status, count in summary.failed.items():
        table.add_row(f"[red]{status}[/]", str(count))
    table.add_row("cases", str(summary.cases))
    console.print(table)
    if summary.slowest:
        slow = Table(title="Slowest files", title_justify="left")
        slow.add_column("file", overflow="fold")
        slow.add_column("seconds", justify="right")
        for file, seconds in summary.slowest:
            slow.add_row(file, f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}")
        console.print(slow)
    for note in summary.notes:
        console.print(f"[yellow]note:[/] {note}")
    console.print(f"outputs in {summary.out_dir}: report.html, documents.csv, cases.csv, manifest.json")
