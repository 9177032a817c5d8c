"""report.html: self-contained, escaped, deterministic, and drawn correctly by a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vcse_modes.cases import case_record
from vcse_modes.htmlreport import _short, render_report, write_report
from vcse_modes.scoring import ScoredPassage

HOSTILE = "<script>alert('x')</script> & \"$x$\" case"
LONG = "Riverside community mental health services for adults with long-term conditions"


def _passages(source: str, lean: float, role: str, n: int = 12) -> list[ScoredPassage]:
    """``n`` synthetic passages leaning towards collaborative (lean > 0) or commodified (< 0)."""
    out = []
    for i in range(n):
        wobble = ((i * 7) % 5 - 2) / 20
        col = min(0.9, max(0.02, 0.45 + lean / 2 + wobble))
        com = min(0.9, max(0.02, 0.45 - lean / 2 - wobble))
        mix = max(0.0, 1 - com - col) / 2
        media = tuple(((i + j) % 3) / 3 + 0.1 for j in range(6))
        out.append(ScoredPassage(
            text=f"Passage {i} of {source}: we tender and co-produce.", start=i * 60, end=i * 60 + 50,
            page=1 + i // 5, speaker="R1" if role != "unknown" else None, role=role,
            mode_proba=(com, col, mix, 1 - com - col - mix), media_proba=media, source=source, index=i))
    return out


def _evidence(file: str, pole: str, p: float) -> dict:
    return {"pole": pole, "text": f"We were asked to <bid> against national firms & {pole} cues here.",
            "start": 0, "end": 60, "page": 2, "speaker": "R1", "role": "vcse", "mode": pole, "p": p,
            "media": [], "cues": ["bid", "national firms"], "file": file}


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    north = _passages("n/a.txt", 0.7, "commissioner") + _passages("n/b.txt", 0.5, "vcse")
    east = _passages("e/a.txt", -0.6, "commissioner") + _passages("e/b.txt", -0.7, "vcse")
    odd = _passages("x/a.txt", 0.1, "vcse") + _passages("x/b.txt", -0.1, "unknown")
    long_ = _passages("r/a.pdf", -0.2, "unknown", 30)
    counts = {"documents": 2, "ok": 2, "failed": 0, "duplicates": 0}
    return [
        case_record("Northfield social prescribing", north, site="Northfield", tracer="link workers",
                    counts=counts, evidence=[_evidence("n/b.txt", "collaborative", 0.97)]),
        case_record("Eastvale learning disability", east, counts=counts,
                    evidence=[_evidence("e/a.txt", "commodified", 0.99)]),
        case_record(HOSTILE, odd, counts={**counts, "failed": 1, "documents": 3}),
        case_record(LONG, long_, counts={**counts, "duplicates": 1}),
        case_record("Only failures", [], counts={"documents": 1, "ok": 0, "failed": 1, "duplicates": 0}),
    ]


FAILURES = [{"file": "x/<b>scan</b>.pdf", "case": HOSTILE, "status": "needs_ocr",
             "error": "x/<b>scan</b>.pdf: no text layer"}]
META = {"model": {"name": "tiny", "version": "test", "sha256": "ab" * 32},
        "finished": "2025-01-02T03:04:05+00:00", "documents": 10, "ok": 8, "failed": 2, "duplicates": 1,
        "version": "0.1.0"}


def test_report_is_self_contained_and_escaped(cases):
    text = render_report(cases, failures=FAILURES, meta=META)
    assert text.count("<svg") == 3
    for needle in ("<script", "<link", "<img", "<iframe", "src=", "@import", "url(http"):
        assert needle not in text.lower(), needle
    # the only URLs are XML namespace names, which browsers never fetch
    assert all(m.group(1) for m in re.finditer(r'(xmlns(?::\w+)?=")?https?://', text))
    assert html_escaped(HOSTILE) in text and "&lt;b&gt;scan&lt;/b&gt;.pdf" in text
    assert "&lt;<mark>bid</mark>&gt;" in text and "<mark>national firms</mark> &amp; " in text
    ids = re.findall(r'\bid="([^"]+)"', text)
    assert len(ids) == len(set(ids)), "element ids must be unique across the inline figures"
    assert "How to read this" in text and "2 January 2025" in text and "Files not scored (2)" in text
    # figure labels are SVG text: searchable, and escaped like the rest of the page
    figures = "".join(re.findall(r"<svg.*?</svg>", text, flags=re.DOTALL))
    assert "VCSE side only" in figures and "<text" in figures
    assert "<script" not in figures and "&lt;script&gt;" in figures  # the hostile case's label


def html_escaped(value: str) -> str:
    import html

    return html.escape(value, quote=True)


def test_report_is_deterministic_and_written_atomically(cases, tmp_path):
    first = render_report(cases, failures=FAILURES, meta=META)
    assert render_report(cases, failures=FAILURES, meta=META) == first
    write_report(tmp_path / "report.html", cases, failures=FAILURES, meta=META)
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == first
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_report_without_scores_or_sides_explains_itself():
    empty = render_report([], meta={})
    assert "<svg" not in empty and "No case has scored passages yet." in empty
    one_sided = [case_record("Docs only", _passages("d.txt", 0.3, "unknown"),
                             counts={"documents": 1, "ok": 1, "failed": 0, "duplicates": 0})]
    text = render_report(one_sided)
    assert text.count("<svg") == 2 and "No passages were attributed to commissioner or VCSE" in text


def test_figure_labels_are_shortened_at_word_boundaries():
    assert _short("Short name") == "Short name"
    shortened = _short(LONG)
    assert len(shortened) <= 34 and shortened.endswith("…") and LONG.startswith(shortened[:-1])
    assert shortened[:-1] == shortened[:-1].rstrip()


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def test_report_renders_in_headless_chromium(cases, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    report = tmp_path / "report.html"
    write_report(report, cases, failures=FAILURES, meta=META)
    shot = tmp_path / "report.png"
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
              f"--user-data-dir={tmp_path / 'profile'}"]
    result = subprocess.run([*common, "--enable-logging=stderr", "--v=0", f"--screenshot={shot}",
                             "--window-size=1280,2000", report.as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == [], console
    assert "Failed to load resource" not in result.stderr
    assert shot.exists() and shot.stat().st_size > 40_000

    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1280, 2000)
        colours = image.convert("RGB").resize((160, 250)).getcolors(maxcolors=100_000)
        assert len(colours) > 200, "the screenshot is nearly blank"

    dom = subprocess.run([*common, "--dump-dom", report.as_uri()], capture_output=True, text=True,
                         timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 3 and dom.stdout.count("<path") > 20 and dom.stdout.count("<text") > 50
    assert "<script" not in dom.stdout and "alert('x')" in dom.stdout  # shown as text, never run


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priorities are a Linux feature")
def test_warm_up_lowers_only_its_own_threads_priority():
    import os
    import threading

    from vcse_modes.htmlreport import warm_up

    seen: dict[str, int] = {}

    def run() -> None:
        warm_up()
        seen["thread"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = os.getpriority(os.PRIO_PROCESS, 0)
    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert seen["thread"] == 19
    assert os.getpriority(os.PRIO_PROCESS, 0) == before  # the process (its main thread) is untouched
