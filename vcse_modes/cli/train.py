"""``vcse-modes train`` and ``vcse-modes evaluate``."""

from __future__ import annotations

import click

from vcse_modes.cli._common import reports_errors


@click.command()
@click.argument("corpus", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@click.option(
    "--out", required=True, type=click.Path(file_okay=False, path_type=str), help="Model folder to write."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=str),
    help="TOML with a [model] table (estimator, C, char_ngrams, min_df, cues, calibrate).",
)
@click.option("--seed", type=int, default=13, show_default=True, help="Seed for folds and estimators.")
@click.option("--name", default=None, help="Model name recorded in the card (default: folder name).")
@reports_errors
def train(corpus: tuple[str, ...], out: str, config_path: str | None, seed: int, name: str | None) -> None:
    """Train a model on coded excerpts in CORPUS (JSONL files or folders) and write it to --out.

    Runs grouped 5-fold cross-validation first (no source document or interview is split
    across folds) and records the metrics, data hash, seed and library versions in the
    model card.
    """
    from vcse_modes.training import train_and_save

    command = f"vcse-modes train {' '.join(corpus)} --out {out} --seed {seed}"
    if config_path:
        command += f" --config {config_path}"
    card = train_and_save(list(corpus), out, seed=seed, config_path=config_path, name=name, command=command)
    mode, media = card["cross_validation"]["mode"], card["cross_validation"]["media"]
    click.echo(
        f"trained {card['name']} on {card['data']['excerpts']} excerpts -> {out}\n"
        f"grouped {card['cross_validation']['folds']}-fold CV: mode macro-F1 {mode['macro_f1']:.3f}, "
        f"kappa {mode['cohen_kappa']:.3f}, pole accuracy {mode['pole_accuracy']:.3f}, "
        f"ECE {mode['ece']:.3f}; media micro-F1 {media['micro_f1']:.3f}, macro-F1 {media['macro_f1']:.3f}"
    )


@click.command()
@click.argument("model_name", metavar="MODEL")
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option("--trust-model", is_flag=True, help="Load a model whose hash its card does not vouch for.")
@reports_errors
def evaluate(model_name: str, data: tuple[str, ...], output_format: str, trust_model: bool) -> None:
    """Evaluate MODEL against human-coded excerpts in DATA (JSONL files or folders).

    Reports per-class precision/recall/F1, macro-F1, Cohen's kappa against the human
    codes, media micro/macro F1, Brier score, expected calibration error and the
    confusion matrix.
    """
    from vcse_modes.api import load
    from vcse_modes.corpus import load_corpus
    from vcse_modes.formats import to_json
    from vcse_modes.training import evaluate_model

    model, _ = load(model_name, trust=trust_model)
    metrics = evaluate_model(model, load_corpus(data))
    if output_format == "json":
        click.echo(to_json(metrics), nl=False)
        return
    from vcse_modes.report import card_markdown

    click.echo(
        card_markdown({"name": model_name, "cross_validation": {"folds": "n/a", **metrics}})
        .split("## Grouped n/a-fold cross-validation", 1)[-1]
        .split("## Parameters")[0]
        .strip()
    )
