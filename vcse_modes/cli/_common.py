"""Options and error handling shared by every command."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from vcse_modes.errors import VcseModesError

F = TypeVar("F", bound=Callable[..., Any])

MACHINE_FORMATS = ("json", "jsonl", "csv")


def format_option(*choices: str, default: str = "table", help: str | None = None) -> Callable[[F], F]:
    """The shared ``--format`` option; ``table`` is the human view, the rest plain stdout."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help=help or "Output format: 'table' for people; the others are plain text for programs, on stdout.",
    )


def reports_errors(func: F) -> F:
    """Turn package errors into one-line ClickExceptions with the error's exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VcseModesError as error:
            exception = click.ClickException(str(error))
            exception.exit_code = error.exit_code
            raise exception from error

    return wrapper  # type: ignore[return-value]


def parse_roles(value: str | None) -> dict[str, str]:
    """Parse ``"R1=commissioner,R2=vcse"`` into a mapping, validating role ids."""
    from vcse_modes import ROLES

    roles: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in (value or "").split(","))):
        label, sep, role = item.partition("=")
        if not sep or role.strip() not in ROLES:
            raise click.BadParameter(
                f"{item!r}: expected LABEL=ROLE with ROLE one of {', '.join(ROLES)}", param_hint="--roles"
            )
        roles[label.strip()] = role.strip()
    return roles


roles_option = click.option(
    "--roles",
    default=None,
    metavar="LABEL=ROLE,...",
    help="Speaker roles for transcripts, e.g. 'R1=commissioner,R2=vcse'.",
)


model_option = click.option(
    "--model",
    "model_name",
    default=None,
    metavar="NAME|PATH",
    help="Model folder or installed model name (default: the shipped 'default').",
)


def evidence_option(help: str) -> Callable[[F], F]:
    """The shared ``--evidence N`` option (evidence passages per pole); ``help`` says per what."""
    return click.option("--evidence", "n_evidence", type=click.IntRange(0, 100), default=3, show_default=True,
                        help=help)


trust_model_option = click.option(
    "--trust-model", is_flag=True, help="Load a model whose hash its card does not vouch for."
)

qdpx_option = click.option(
    "--qdpx",
    "qdpx_path",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Also write a REFI-QDA project (sources, codebook, evidence as coded selections).",
)
