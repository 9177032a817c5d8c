"""``vcse-modes train`` and ``vcse-modes evaluate``."""

from __future__ import annotations

import click

from vcse_modes.cli._common import format_option, reports_errors, trust_model_option


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
@click.option(
    "--weight-new",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="Weight of your new excerpts (every path after the first) relative to the base corpus.",
)
@click.option("--no-base", is_flag=True, help="Train on the given excerpts alone (no base corpus).")
@reports_errors
def train(
    corpus: tuple[str, ...],
    out: str,
    config_path: str | None,
    seed: int,
    name: str | None,
    weight_new: float,
    no_base: bool,
) -> None:
    """Train a model on coded excerpts in CORPUS (JSONL files or folders) and write it to --out.

    The first CORPUS path is the base corpus (e.g. corpus/); any further paths are your own
    newly coded excerpts (e.g. from 'vcse-modes import-coded'), combined with it. With new
    excerpts the command prints and records in the model card the grouped cross-validated
    metrics on your excerpts before and after retraining. --no-base trains on the given
    paths alone.

    Runs grouped 5-fold cross-validation (no source document or interview is split across
    folds) and records the metrics, data hash, seed and library versions in the model card.
    """
    from vcse_modes.training import train_and_save

    command = f"vcse-modes train {' '.join(corpus)} --out {out} --seed {seed}"
    if config_path:
        command += f" --config {config_path}"
    if no_base:
        command += " --no-base"
    if weight_new != 1.0:
        command += f" --weight-new {weight_new:g}"
    base, new = ([], list(corpus)) if no_base else (list(corpus[:1]), list(corpus[1:]))
    card = train_and_save(
        base,
        out,
        new_paths=new,
        weight_new=weight_new,
        seed=seed,
        config_path=config_path,
        name=name,
        command=command,
    )
    mode, media = card["cross_validation"]["mode"], card["cross_validation"]["media"]
    click.echo(
        f"trained {card['name']} on {card['data']['excerpts']} excerpts -> {out}\n"
        f"grouped {card['cross_validation']['folds']}-fold CV: mode macro-F1 {mode['macro_f1']:.3f}, "
        f"kappa {mode['cohen_kappa']:.3f}, pole accuracy {mode['pole_accuracy']:.3f}, "
        f"ECE {mode['ece']:.3f}; media micro-F1 {media['micro_f1']:.3f}, macro-F1 {media['macro_f1']:.3f}"
    )
    retraining = card.get("retraining")
    if retraining:
        click.echo(f"on your {retraining['new_excerpts']} new excerpts:")
        for label in ("before", "after"):
            metrics = retraining[label]
            if metrics is None:
                click.echo(f"  {label}: no base model (--no-base)")
                continue
            click.echo(
                f"  {label}: mode macro-F1 {metrics['mode']['macro_f1']:.3f}, kappa "
                f"{metrics['mode']['cohen_kappa']:.3f}; media micro-F1 {metrics['media']['micro_f1']:.3f}"
                + ("  (base model)" if label == "before" else "  (grouped CV, base + new)")
            )


@click.command()
@click.argument("model_name", metavar="MODEL")
@click.argument("data", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@format_option("table", "json")
@trust_model_option
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
