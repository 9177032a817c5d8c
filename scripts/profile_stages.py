"""Where scoring and batch time goes: the figures behind the notes in docs/performance.md.

Usage:
    python scripts/profile_stages.py scoring          # per-stage CPU time on the four examples
    python scripts/profile_stages.py startup          # what a batch worker pays before its first file
    python scripts/profile_stages.py batch DIR --jobs 2 [--finalise-jobs 1]
                                                      # phase times of one batch run on DIR

To compare with an older commit, run this file with ``PYTHONPATH`` set to a checkout of it
(``git worktree add /tmp/old <commit>``; ``PYTHONPATH=/tmp/old python scripts/profile_stages.py ...``).
Timings are the best of many runs of CPU time (``time.process_time``), so a busy second core
disturbs them little.
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["tender_notice.txt", "partnership_agreement.docx", "grant_terms.pdf", "interview_hospice.txt"]


def best_ms(fn, repeat: int = 60) -> float:
    from bench import timed  # scripts/ is on sys.path when this file runs

    return timed(fn, repeat, clock=time.process_time) * 1e3


def scoring() -> None:
    import spacy

    from vcse_modes.api import load, score_document
    from vcse_modes.counting import cue_matrix
    from vcse_modes.ingest import ingest
    from vcse_modes.nlp import load_nlp
    from vcse_modes.segment import segment_with_spans

    model, card = load()
    documents = [ingest(ROOT / "examples" / name) for name in EXAMPLES]
    blank, nlp = spacy.blank("en"), load_nlp()
    for document in documents:  # warm every cache alike
        blank(document.text)
        score_document(document, model, card)
    spans = [[span for _, span in segment_with_spans(d)] for d in documents]
    rows = {
        "spaCy blank tokenizer": best_ms(lambda: [blank(d.text) for d in documents]),
        "our pipeline (tokenizer, lemmas, sentences)": best_ms(lambda: [nlp(d.text) for d in documents]),
        "segmentation, pipeline included": best_ms(lambda: [list(segment_with_spans(d)) for d in documents]),
        "cue features": best_ms(lambda: [cue_matrix(model._cue_matcher(), model._slots, s) for s in spans]),
        "all features and heads": best_ms(lambda: [model.predict_all(s) for s in spans]),
        "score_document (everything)": best_ms(lambda: [score_document(d, model, card) for d in documents]),
    }
    words = sum(len(d.text.split()) for d in documents)
    print(f"four examples, {words} words, {sum(map(len, spans))} passages; CPU ms, best of 60")
    for name, ms in rows.items():
        print(f"  {name:<45} {ms:7.1f}")


def startup() -> None:
    marks = [("start", time.process_time())]
    import spacy  # noqa: F401

    marks.append(("import spaCy", time.process_time()))
    from vcse_modes.nlp import load_nlp

    load_nlp()
    marks.append(("shared pipeline", time.process_time()))
    from vcse_modes.modelio import load_model

    model, _ = load_model(None)
    marks.append(("default model", time.process_time()))
    model._cue_matcher().find("warm")
    marks.append(("cue matcher", time.process_time()))
    for (_, before), (name, after) in zip(marks, marks[1:], strict=False):
        print(f"  {name:<20} {after - before:5.2f} s CPU")


def batch(folder: str, jobs: int, finalise_jobs: int | None) -> None:
    import resource

    from vcse_modes import batch as b

    clock = time.monotonic()
    marks: dict[str, float] = {}
    finalise = b._finalise

    def timed_finalise(*args, **kwargs):
        if finalise_jobs is not None:
            kwargs["jobs"] = finalise_jobs
        start = time.monotonic()
        result = finalise(*args, **kwargs)
        marks["finalising"] = time.monotonic() - start
        return result

    def progress(event) -> None:
        if event.done == 1 and "first result" not in marks:
            marks["first result"] = time.monotonic() - clock
        if event.status == "finalising":
            marks["all scored"] = time.monotonic() - clock

    b._finalise = timed_finalise
    out = Path(tempfile.mkdtemp(prefix="vcse-phases-"))
    try:
        b.run_batch(folder, out / "out", jobs=jobs, progress=progress)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    marks["end"] = time.monotonic() - clock
    print(f"--jobs {jobs}: " + ", ".join(f"{k} {v:.2f} s" for k, v in marks.items())
          + f"; parent peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["scoring", "startup", "batch"])
    parser.add_argument("folder", nargs="?", help="input folder (batch)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--finalise-jobs", type=int, default=None, help="threads for case records (batch)")
    args = parser.parse_args()
    if args.what == "scoring":
        scoring()
    elif args.what == "startup":
        startup()
    else:
        if not args.folder:
            parser.error("batch needs a folder (for instance one made by scripts/bench.py's make_corpus)")
        batch(args.folder, args.jobs, args.finalise_jobs)


if __name__ == "__main__":
    main()
