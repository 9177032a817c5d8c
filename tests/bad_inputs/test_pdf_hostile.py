"""The nested FlateDecode bomb: a 10 KB PDF whose page-2 content stream inflates to 4 GiB.

It is never read in the test process. Read alone with no limit it costs about 5 GB of memory
and 20 s (pdfium inflates the whole stream before parsing it); here it is read in a child
process under a 1500 MB address-space cap, the same cap the batch test gives its workers
(``test_batch_bad_inputs.py`` checks the batch row: ``error``, and the batch goes on).
The circular and deep PDFs are in ``test_documents.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from . import builders as b

REPO = Path(__file__).resolve().parents[2]
CAP_MB = 1500
CHILD = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({CAP_MB} << 20, resource.RLIM_INFINITY))
from vcse_modes.errors import VcseModesError
from vcse_modes.ingest import ingest
try:
    doc = ingest(sys.argv[1])
except VcseModesError as error:
    print("error", type(error).__name__, error, flush=True)
else:
    print("ok", list(doc.warnings), flush=True)
"""


def test_bomb_builder_is_honest():
    """The closed-form Adler-32 is right (zlib checks it) and the PDF stream is what we say."""
    assert zlib.decompress(b.zlib_of_repeated(3 * b.MIB)) == b" " * (3 * b.MIB)
    assert zlib.decompress(b.zlib_of_repeated(b.MIB, b"x")) == b"x" * b.MIB
    data = b.flate_bomb_pdf()
    assert len(data) < 20_000
    start = data.index(b"stream\n", data.index(b"/FlateDecode /FlateDecode")) + len(b"stream\n")
    inner = zlib.decompress(data[start : data.index(b"\nendstream", start)])
    assert len(inner) < 5 * b.MIB  # the first layer is small ...
    assert zlib.decompressobj().decompress(inner, 8 * b.MIB) == b" " * (8 * b.MIB)  # ... the second is not


@pytest.fixture(scope="module")
def capped_read(bad_files):
    """Read the bomb with ``ingest`` in a child process capped at 1500 MB of address space."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(bad_files.bad["flate-bomb.pdf"])],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, time.monotonic() - start


def test_flate_bomb_under_a_memory_cap_ends_quickly_and_never_hangs(capped_read):
    """The stream guard inflates in bounded chunks, so even under the cap the read ends cleanly."""
    result, elapsed = capped_read
    assert elapsed < 60, f"{elapsed:.0f} s"
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])


def test_flate_bomb_is_refused_by_ingest_itself(capped_read):
    result, _ = capped_read
    assert result.returncode == 0, f"child died: returncode {result.returncode}"
    outcome = result.stdout.strip()
    assert outcome.startswith("error UnsafeInputError"), outcome
    assert "flate-bomb.pdf" in outcome and "decompression bomb" in outcome
