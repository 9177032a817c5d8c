"""Fuzz the ingesters with mutated PDF, DOCX, ODT, HTML, RTF, TXT and VTT inputs.

Usage: python scripts/fuzz_ingest.py [--minutes 30] [--seed 1] [--out fuzz-findings/]

Each mutated input is ingested in a worker process with a time limit (10 s) and an address-
space cap (2 GiB). Anything other than a Document or a vcse-modes error (a crash, an
unexpected exception, a hang, a memory blow-up) is saved to --out with its traceback and
reported. The summary line gives inputs run, per-format counts, the slowest input and the
worker's peak RSS.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import random
import resource
import sys
import time
import traceback
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIME_LIMIT = 10.0
MEMORY_LIMIT = 2 << 30


def seeds() -> dict[str, bytes]:
    """Small valid inputs of every format, built in code."""
    from docx import Document as Docx
    from reportlab.pdfgen import canvas

    out: dict[str, bytes] = {}
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    for page in range(3):
        pdf.drawString(72, 800, "Northfield ICB commissioning strategy")
        pdf.drawString(72, 700, f"We will tender the service through a competitive pro- page {page}")
        pdf.drawString(72, 686, "cess and co-design outcomes with the VCSE alliance.")
        pdf.showPage()
    pdf.save()
    out["pdf"] = buffer.getvalue()
    document = Docx()
    document.add_paragraph("Interviewer: How is the service funded?")
    document.add_paragraph("R1: Through a grant, and we report quarterly.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "KPI", "Target"
    buffer = io.BytesIO()
    document.save(buffer)
    out["docx"] = buffer.getvalue()
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               '<text:h>Partnership agreement</text:h><text:p>The partners co-produce the service.</text:p>'
               '</office:text></office:body></office:document-content>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as odt:
        odt.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        odt.writestr("content.xml", content)
    out["odt"] = buffer.getvalue()
    out["html"] = (b"<html><head><title>Board</title><script>x()</script></head><body><nav>menu</nav>"
                   b"<main><h1>Minutes</h1><p>The board approved the tender.</p><div><div><p>Grants "
                   b"continue.</p></div></div></main></body></html>")
    out["rtf"] = (rb"{\rtf1\ansi{\fonttbl\f0 Arial;}\f0 The council will {\b commission} a lead provider."
                  rb"\par {\pict\pngblip 89504e47}\par Partners co-design.}")
    out["txt"] = ("Participant role: vcse\n\nInterviewer: [00:01:02] Tell me about the contract.\n"
                  "R1: It\u2019s a three-year contract with KPIs.\r\nR1: But trust matters.\r").encode("utf-8")
    out["vtt"] = (b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>How did the tender go?\n\n"
                  b"00:00:04.000 --> 00:00:09.000\n<v Sam>We lost it to a national provider.\n")
    return out


def mutate_zip_member(data: bytes, rng: random.Random) -> bytes:
    """Mutate one member of a ZIP container and re-zip it, so the XML parsers see the damage."""
    source = zipfile.ZipFile(io.BytesIO(data))
    names = source.namelist()
    target = rng.choice(names)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name in names:
            content = source.read(name)
            out.writestr(name, mutate(content, rng) if name == target else content)
    return buffer.getvalue()


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to eight random byte-level mutations (flip, insert, delete, duplicate, truncate, splice)."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not data:
            data.extend(rng.randbytes(rng.randint(1, 64)))
            continue
        choice = rng.random()
        position = rng.randrange(len(data))
        if choice < 0.3:
            data[position] = rng.randrange(256)
        elif choice < 0.5:
            data[position:position] = rng.randbytes(rng.randint(1, 32))
        elif choice < 0.65:
            del data[position : position + rng.randint(1, 64)]
        elif choice < 0.8:
            end = min(len(data), position + rng.randint(1, 256))
            data[position:position] = data[position:end] * rng.randint(1, 50)
        elif choice < 0.9:
            del data[position:]
        else:
            data[position:position] = rng.choice([b"<div>" * 500, b"{" * 300, b"\x00" * 64, b"\xff\xfe",
                                                  b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", b"\r\r\n\n"])
    return bytes(data)


def worker(connection, fmt_names: list[str]) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    from vcse_modes.errors import VcseModesError
    from vcse_modes.ingest import ingest_bytes

    while True:
        job = connection.recv()
        if job is None:
            return
        name, data = job
        started = time.perf_counter()
        try:
            ingest_bytes(data, name)
            outcome = "ok"
        except VcseModesError as error:
            outcome = f"handled:{type(error).__name__}"
        except MemoryError:
            outcome = "crash:MemoryError"
        except Exception:  # noqa: BLE001 - anything else is a finding
            outcome = "crash:" + traceback.format_exc(limit=6)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        connection.send((outcome, time.perf_counter() - started, rss))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT / "fuzz-findings"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    corpus = seeds()
    formats = sorted(corpus)
    out = Path(args.out)
    context = mp.get_context("spawn")

    def start():
        parent, child = context.Pipe()
        process = context.Process(target=worker, args=(child, formats), daemon=True)
        process.start()
        return process, parent

    process, pipe = start()
    deadline = time.monotonic() + args.minutes * 60
    counts: dict[str, int] = {}
    findings = 0
    runs = 0
    slowest = (0.0, "")
    peak_rss = 0
    while time.monotonic() < deadline:
        fmt = formats[runs % len(formats)]
        structured = fmt in ("docx", "odt") and rng.random() < 0.6
        data = mutate_zip_member(corpus[fmt], rng) if structured else mutate(corpus[fmt], rng)
        name = f"fuzz-{runs}.{rng.choice([fmt, fmt, 'txt', 'pdf', 'bin'])}"
        pipe.send((name, data))
        if pipe.poll(TIME_LIMIT):
            try:
                outcome, seconds, rss = pipe.recv()
            except EOFError:
                outcome, seconds, rss = "crash:worker died", 0.0, 0
        else:
            outcome, seconds, rss = f"hang:>{TIME_LIMIT:.0f}s", TIME_LIMIT, 0
        if outcome.startswith(("crash", "hang")):
            findings += 1
            out.mkdir(parents=True, exist_ok=True)
            (out / name).write_bytes(data)
            (out / f"{name}.txt").write_text(outcome, encoding="utf-8")
            print(f"finding {name}: {outcome.splitlines()[-1] if outcome else outcome}", flush=True)
            process.kill()
            process.join()
            process, pipe = start()
        key = f"{fmt}:{outcome.split(':')[0]}"
        counts[key] = counts.get(key, 0) + 1
        slowest = max(slowest, (seconds, name))
        peak_rss = max(peak_rss, rss)
        runs += 1
        if runs % 500 == 0:
            print(f"{runs} inputs, {findings} findings", flush=True)
    pipe.send(None)
    process.join(timeout=5)
    print(f"ran {runs} mutated inputs in {args.minutes:g} min: {findings} findings; "
          f"outcomes {dict(sorted(counts.items()))}; slowest {slowest[1]} {slowest[0]:.2f} s; "
          f"worker peak RSS {peak_rss / 1024:.0f} MiB")
    sys.exit(1 if findings else 0)


if __name__ == "__main__":
    main()
