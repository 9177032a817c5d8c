"""Compare candidate models by grouped 5-fold cross-validation on corpus/; table into docs/model.md.

Usage: python scripts/compare_models.py [--seed 13]
"""

import argparse
import time
from pathlib import Path

from vcse_modes.corpus import load_corpus
from vcse_modes.training import DEFAULT_PARAMS, cross_validate

CANDIDATES = {
    "logistic regression x complement NB, product of experts (default)": {},
    "logistic regression": {"estimator": "logreg"},
    "logistic regression without codebook cues": {"estimator": "logreg", "cues": False},
    "logistic regression without char n-grams": {"estimator": "logreg", "char_ngrams": None},
    "linear SVM (temperature-calibrated)": {"estimator": "svm"},
    "complement naive Bayes (temperature-calibrated)": {"estimator": "nb"},
}

parser = argparse.ArgumentParser()
parser.add_argument("--seed", type=int, default=13)
args = parser.parse_args()
root = Path(__file__).resolve().parent.parent
excerpts = load_corpus([root / "corpus" / "excerpts"])
rows = ["| candidate | mode macro-F1 | kappa | pole accuracy | ECE | Brier | media micro-F1 | media macro-F1 | CV time |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
for name, change in CANDIDATES.items():
    start = time.perf_counter()
    metrics = cross_validate(excerpts, {**DEFAULT_PARAMS, **change}, seed=args.seed).metrics
    mode, media = metrics["mode"], metrics["media"]
    rows.append(f"| {name} | {mode['macro_f1']:.3f} | {mode['cohen_kappa']:.3f} | {mode['pole_accuracy']:.3f} | "
                f"{mode['ece']:.3f} | {mode['brier']:.3f} | {media['micro_f1']:.3f} | {media['macro_f1']:.3f} | "
                f"{time.perf_counter() - start:.0f} s |")
    print(rows[-1], flush=True)
table = "\n".join(rows) + "\n"
doc = root / "docs" / "model.md"
text = doc.read_text(encoding="utf-8")
start_marker, end_marker = "<!-- candidates -->", "<!-- /candidates -->"
before, rest = text.split(start_marker, 1)
after = rest.split(end_marker, 1)[1]
header = f"\n{len(excerpts)} excerpts, seed {args.seed}, `python scripts/compare_models.py`:\n\n"
doc.write_text(before + start_marker + header + table + end_marker + after, encoding="utf-8")
