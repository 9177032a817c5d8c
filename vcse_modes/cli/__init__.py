"""The ``vcse-modes`` command: a lazy click group over one module per command group.

Command modules are imported only when their command runs (or ``--help`` lists them),
and they import spaCy and scikit-learn inside the command body, so ``--help`` and
``--version`` stay fast.
"""

from __future__ import annotations

import importlib

import click

from vcse_modes import __version__

# name -> (module, attribute, one-line help shown by ``vcse-modes --help``)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "score": ("vcse_modes.cli.score", "score", "Score documents on the commodified-collaborative spectrum."),
    "extract": (
        "vcse_modes.cli.extract",
        "extract",
        "Extract text, passages, pages and speakers from files.",
    ),
    "classify": ("vcse_modes.cli.classify", "classify", "Classify excerpts from a JSONL/CSV file or stdin."),
    "train": ("vcse_modes.cli.train", "train", "Train a model from coded excerpts."),
    "evaluate": ("vcse_modes.cli.train", "evaluate", "Evaluate a model against human-coded excerpts."),
    "models": ("vcse_modes.cli.models", "models", "List installed models with their cards."),
    "codebook": (
        "vcse_modes.cli.codebook",
        "codebook",
        "Print the codebook (table, Markdown, JSON, REFI-QDA).",
    ),
    "corpus": ("vcse_modes.cli.corpus", "corpus", "Check and describe a coded corpus."),
    "batch": ("vcse_modes.cli.batch", "batch", "Score a folder or manifest of documents by case, resumably."),
    "import-coded": (
        "vcse_modes.cli.qda",
        "import_coded",
        "Import hand-coded excerpts (QDPX, CSV, XLSX, JSONL).",
    ),
    "agreement": ("vcse_modes.cli.qda", "agreement", "Inter-coder agreement (kappa, alpha), model included."),
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when the command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attribute, _ = COMMANDS[cmd_name]
        return getattr(importlib.import_module(module_name), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Listing help from the table avoids importing every command module for --help.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vcse-modes")
def main() -> None:
    """Measure how NHS bodies and councils commission VCSE organisations.

    Scores commissioning documents and interview transcripts on a spectrum from
    commodified (tendering, specifications, contracts, KPIs) to collaborative
    (networks, co-production, trust, grants) commissioning, through six media of
    power. Runs fully offline.
    """
