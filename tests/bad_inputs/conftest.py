"""Fixtures of the bad-input suite: every file built once per session, in code.

Layout of the session folder (``bad_files.root``)::

    private/secret.txt      the file the external-entity DOCX points at (never an input)
    inputs/bad/<name>       one file per catalogue entry (catalogue.py)
    inputs/good/<name>      good files copied from examples/

Model-dependent tests use the session's tiny model from ``tests/conftest.py``
(``tiny_model_dir``: ``fit_model`` on 40 project excerpts without character n-grams or
calibration, saved with ``save_model``), so the whole test run trains it once.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from . import builders
from .catalogue import GOOD_EXAMPLES, build_all

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory) -> SimpleNamespace:
    """The built files: ``.bad[name]`` (paths), ``.good`` (paths), ``.inputs``, ``.secret``."""
    root = tmp_path_factory.mktemp("bad_inputs")
    secret = root / "private" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(builders.SECRET + "\n", encoding="utf-8")
    inputs = root / "inputs"
    bad = build_all(inputs / "bad", secret)
    good = []
    for name in GOOD_EXAMPLES:
        target = inputs / "good" / Path(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(EXAMPLES / name, target)
        good.append(target)
    return SimpleNamespace(root=root, inputs=inputs, bad=bad, good=good, secret=secret)


@pytest.fixture(scope="session")
def model_dir(tiny_model_dir) -> str:
    """The session's tiny model folder (read only: copy it before changing anything)."""
    return str(tiny_model_dir)
