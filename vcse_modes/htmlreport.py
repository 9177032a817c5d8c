"""``report.html``: one self-contained page summarising a batch for researchers.

No network, no external assets, no JavaScript: inline CSS and inline SVG figures drawn
with matplotlib (``Figure`` objects rendered without pyplot, so nothing touches the
global backend; text is drawn as paths so the layout never depends on installed
fonts). Every piece of user text (case names, file names, passages, errors) is
escaped with :func:`html.escape`; matplotlib escapes the text it writes into SVG and
mathtext is off, so a ``$`` in a case name stays a dollar sign.

>>> from vcse_modes.htmlreport import render_report  # doctest: +SKIP
>>> html_text = render_report(case_rows, failures=[], meta={"documents": 12})  # doctest: +SKIP
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

from vcse_modes import MEDIA

POLE_COLOURS = {"commodified": "#C1440E", "collaborative": "#1F6FB2"}
MODE_COLOURS = {"commodified": "#C1440E", "collaborative": "#1F6FB2", "mixed": "#6B5B95",
                "neither": "#8C8C8C"}
SIDE_STYLES = {"commissioner": ("#B3478F", "s", "commissioner side"), "vcse": ("#00876C", "o", "VCSE side")}
MEDIA_LABELS = {
    "managerial_techniques": "managerial techniques",
    "negotiated_order": "negotiated order",
    "discursive_control": "discursive control",
    "resource_dependencies": "resource dependencies",
    "provider_competition": "provider competition",
    "juridical_control": "juridical control",
}
LABEL_CHARS = 34
SHARE_SCALE = 0.4
ROW_HEIGHT = 0.36
OPEN_EVIDENCE_UP_TO = 8

_RC = {
    # Text stays text: less drawing time and fewer bytes than glyph paths, and
    # searchable in the browser; laid out with DejaVu Sans metrics, with sans-serif fallbacks.
    "svg.fonttype": "none",
    "svg.hashsalt": "vcse-modes",
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.size": 10.5,
    "text.parse_math": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#9a9a9a",
    "axes.labelcolor": "#333333",
    "xtick.color": "#444444",
    "ytick.color": "#222222",
}


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    """Shorten a figure label at a word boundary when one is near (full names are in the table)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–(") + "…"


def _fmt(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "–"
    from vcse_modes.formats import signed as with_sign

    return (with_sign(value) if signed else f"{value:.2f}").replace("-", "−")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _when(stamp: Any) -> str:
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(stamp)).strftime("%d %B %Y, %H:%M %Z").strip()
    except ValueError:
        return str(stamp or "")


def _ordered(cases: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Most collaborative first; cases without a score last."""
    scored = sorted((c for c in cases if c.get("score") is not None), key=lambda c: (-c["score"], c["case"]))
    return scored + sorted((c for c in cases if c.get("score") is None), key=lambda c: c["case"])


# ---------------------------------------------------------------- figures


def warm_up() -> None:
    """Import matplotlib and draw a tiny figure, so a later report starts warm.

    A batch calls this in a thread while its workers score: the parent is idle then, and
    the ~1 s of imports and font loading leaves the serial end of the run. The thread lowers
    its own priority first (Linux schedules threads one by one), so it runs on an idle core
    and does not take CPU from workers that keep every core busy.
    """
    import contextlib
    import os
    import sys
    import threading

    if sys.platform.startswith("linux"):  # elsewhere a thread id is not a valid "process" target
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1))
    figure.add_subplot().set_title("warm ◀▶ −")
    figure.savefig(io.StringIO(), format="svg")


def _svg(figure: Any, prefix: str, label: str) -> str:
    """Inline SVG text of a figure, ids prefixed so several figures can share a page."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.08, metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)  # RDF boilerplate with links
    text = re.sub(r"<!--.*?-->\s*", "", text, flags=re.DOTALL)  # one comment per label: dead weight
    text = re.sub(r'(\bid="|href="#|url\(#)', lambda m: f"{m.group(1)}{prefix}-", text)
    return text.replace("<svg ", f'<svg role="img" aria-label="{_e(label)}" ', 1)


def _pole_axis(ax: Any) -> None:
    ax.set_xlim(-1.0, 1.0)
    ax.axvspan(-1, 0, color=POLE_COLOURS["commodified"], alpha=0.06, lw=0)
    ax.axvspan(0, 1, color=POLE_COLOURS["collaborative"], alpha=0.06, lw=0)
    ax.axvline(0, color="#555555", lw=0.9, zorder=1)
    for threshold in (-0.2, 0.2):
        ax.axvline(threshold, color="#9a9a9a", lw=0.7, ls=(0, (2, 3)), zorder=1)
    ax.set_xticks([-1, -0.5, 0, 0.5, 1], ["−1", "−0.5", "0", "+0.5", "+1"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="#e3e3e3", lw=0.6, zorder=0)
    ax.set_axisbelow(True)
    ax.text(0.0, 1.0, "◀ commodified", transform=ax.transAxes, ha="left", va="bottom",
            color=POLE_COLOURS["commodified"], fontweight="bold", fontsize=10.5)
    ax.text(1.0, 1.0, "collaborative ▶", transform=ax.transAxes, ha="right", va="bottom",
            color=POLE_COLOURS["collaborative"], fontweight="bold", fontsize=10.5)


def _right_labels(ax: Any, labels: list[str]) -> None:
    twin = ax.twinx()
    twin.set_ylim(ax.get_ylim())
    twin.set_yticks(range(len(labels)), labels, color="#555555", fontsize=9)
    twin.tick_params(axis="y", length=0)
    for spine in twin.spines.values():
        spine.set_visible(False)


def spectrum_svg(cases: Sequence[Mapping[str, Any]]) -> str | None:
    """Every scored case on the -1..+1 spectrum with its 95% interval."""
    import matplotlib
    from matplotlib.figure import Figure

    # matplotlib counts rows bottom-up: reversed, the most collaborative case is on top
    rows = [c for c in _ordered(cases) if c.get("score") is not None][::-1]
    if not rows:
        return None
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(9.6, 1.45 + ROW_HEIGHT * len(rows)))
        ax = figure.add_subplot()
        _pole_axis(ax)
        for y, case in enumerate(rows):
            colour = MODE_COLOURS.get(case.get("mode"), "#8C8C8C")
            ax.plot([case["ci_low"], case["ci_high"]], [y, y], color=colour, lw=2.4, alpha=0.55,
                    solid_capstyle="round", zorder=2)
            ax.plot(case["score"], y, "o", color=colour, ms=7.5, mec="white", mew=1.2, zorder=3)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_yticks(range(len(rows)), [_short(c["case"]) for c in rows])
        ax.set_xlabel("score, with 95% bootstrap interval")
        _right_labels(ax, [f"{_plural(c.get('ok', 0), 'doc')} · "
                           f"{_plural(c.get('passages_scored', 0), 'passage')}" for c in rows])
        return _svg(figure, "spectrum", "Spectrum of cases from commodified to collaborative")


def media_svg(cases: Sequence[Mapping[str, Any]]) -> str | None:
    """Heatmaps by case: each medium's share of the evidence and its lean."""
    import matplotlib
    import numpy as np
    from matplotlib.figure import Figure

    rows = [c for c in _ordered(cases) if c.get("media")]
    if not rows:
        return None
    share = np.array([[c["media"][m]["share"] for m in MEDIA] for c in rows])
    lean = np.array([[c["media"][m]["lean"] for m in MEDIA] for c in rows])
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(11.5, 1.7 + ROW_HEIGHT * 1.15 * len(rows)))
        left, right = figure.subplots(1, 2, sharey=True, gridspec_kw={"wspace": 0.06})
        top = max(SHARE_SCALE, float(share.max()))  # a fixed scale keeps reports comparable
        left.imshow(share, cmap="Greys", vmin=0, vmax=top * 1.15, aspect="auto")
        right.imshow(lean, cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
        for i in range(len(rows)):
            for j in range(len(MEDIA)):
                left.text(j, i, f"{share[i, j]:.0%}", ha="center", va="center", fontsize=9,
                          color="white" if share[i, j] > top * 0.6 else "#222222")
                right.text(j, i, _fmt(float(lean[i, j])), ha="center", va="center", fontsize=9,
                           color="white" if abs(lean[i, j]) > 0.6 else "#222222")
        for ax, title in ((left, "Share of the evidence"),
                          (right, "Lean   (− commodified · + collaborative)")):
            ax.set_xticks(range(len(MEDIA)), [MEDIA_LABELS.get(m, m) for m in MEDIA], fontsize=8.5,
                          rotation=35, ha="left", rotation_mode="anchor")
            ax.xaxis.tick_top()
            ax.tick_params(length=0, pad=3)
            ax.xaxis.set_label_position("bottom")
            ax.set_xlabel(title, fontsize=10.5, color="#222222", labelpad=8)
            for spine in ax.spines.values():
                spine.set_visible(False)
        left.set_yticks(range(len(rows)), [_short(c["case"]) for c in rows])
        return _svg(figure, "media", "Heatmaps of media of power by case")


def sides_svg(cases: Sequence[Mapping[str, Any]]) -> str | None:
    """Commissioner-side and VCSE-side scores per case, as paired points."""
    import matplotlib
    from matplotlib.figure import Figure

    def has(case: Mapping[str, Any], side: str) -> bool:
        return bool(case.get(side)) and case[side].get("score") is not None

    rows = [c for c in _ordered(cases) if has(c, "commissioner") or has(c, "vcse")][::-1]
    if not rows:
        return None
    with matplotlib.rc_context(_RC):
        figure = Figure(figsize=(9.6, 1.45 + ROW_HEIGHT * 1.2 * len(rows)))
        ax = figure.add_subplot()
        _pole_axis(ax)
        notes = []
        for y, case in enumerate(rows):
            if has(case, "commissioner") and has(case, "vcse"):
                ax.plot([case["commissioner"]["score"], case["vcse"]["score"]], [y, y], color="#b5b5b5",
                        lw=3.2, zorder=2, solid_capstyle="round")
                low, high = case.get("difference_ci_low"), case.get("difference_ci_high")
                interval = f" ({_fmt(low)} to {_fmt(high)})" if low is not None else ""
                notes.append(f"Δ {_fmt(case['difference'])}{interval}")
            else:
                notes.append("VCSE side only" if has(case, "vcse") else "commissioner side only")
            for offset, side in ((0.14, "commissioner"), (-0.14, "vcse")):
                if not has(case, side):
                    continue
                colour, marker, _ = SIDE_STYLES[side]
                data = case[side]
                ax.plot([data["ci_low"], data["ci_high"]], [y + offset] * 2, color=colour, lw=1.3, alpha=0.7,
                        zorder=3)
                ax.plot(data["score"], y + offset, marker, color=colour, ms=7.5, mec="white", mew=1.1,
                        zorder=4)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_yticks(range(len(rows)), [_short(c["case"]) for c in rows])
        ax.set_xlabel("score of each side's passages, with 95% interval")
        _right_labels(ax, notes)
        return _svg(figure, "sides", "Commissioner-side versus VCSE-side scores by case")


# ---------------------------------------------------------------- HTML pieces


def _highlight(text: str, cues: Sequence[str]) -> str:
    """Escaped passage text with cue terms wrapped in <mark>."""
    spans: list[tuple[int, int]] = []
    for cue in sorted({c for c in cues if c}, key=len, reverse=True):
        for match in re.finditer(re.escape(cue), text, flags=re.IGNORECASE):
            if all(match.end() <= s or match.start() >= e for s, e in spans):
                spans.append(match.span())
    out, position = [], 0
    for start, end in sorted(spans):
        out.append(_e(text[position:start]) + f"<mark>{_e(text[start:end])}</mark>")
        position = end
    return "".join(out) + _e(text[position:])


def _badge(mode: str | None) -> str:
    if not mode:
        return '<span class="badge none">no score</span>'
    return f'<span class="badge {_e(mode)}">{_e(mode)}</span>'


def _score_text(data: Mapping[str, Any] | None, stacked: bool = False) -> str:
    if not data or data.get("score") is None:
        return '<span class="muted">–</span>'
    return (f'<span class="num">{_fmt(data["score"])}</span>{"<br>" if stacked else " "}'
            f'<span class="ci">[{_fmt(data["ci_low"])}, {_fmt(data["ci_high"])}]</span>')


def _cases_table(cases: Sequence[Mapping[str, Any]]) -> str:
    head = ("<tr><th>case</th><th class='r'>documents<br>scored</th><th class='r'>passages</th>"
            "<th>score<br><span class='sub'>95% interval</span></th><th>mode</th>"
            "<th>commissioner<br>side</th><th>VCSE<br>side</th>"
            "<th class='r'>gap<br><span class='sub nowrap'>VCSE − comm.</span></th></tr>")
    body = []
    for case in cases:
        where = " · ".join(_e(v) for v in (case.get("site"), case.get("tracer")) if v)
        where = f"<br><span class='where'>{where}</span>" if where else ""
        documents = f"{case.get('ok', 0)}"
        if case.get("failed"):
            documents += (f" <span class='warn' title='{case['failed']} could not be scored'>"
                          f"of {case.get('documents', 0)}</span>")
        link = f"<a href='#case-{_slug(case['case'])}'>{_e(case['case'])}</a>"
        body.append(
            f"<tr><th scope='row' class='name'>{link}{where}</th>"
            f"<td class='r nowrap'>{documents}</td>"
            f"<td class='r'>{case.get('passages_scored', 0)}</td>"
            f"<td class='nowrap'>{_score_text(case, True)}</td><td>{_badge(case.get('mode'))}</td>"
            f"<td class='nowrap'>{_score_text(case.get('commissioner'), True)}</td>"
            f"<td class='nowrap'>{_score_text(case.get('vcse'), True)}</td>"
            f"<td class='r nowrap'>{_e(_fmt(case.get('difference')))}</td></tr>")
    table = f"<table class='cases'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"
    return f"<div class='scroll'>{table}</div>"


def _slug(text: str) -> str:
    import hashlib

    simple = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40]
    return f"{simple}-{hashlib.sha1(text.encode('utf-8', 'backslashreplace')).hexdigest()[:6]}"


def _evidence_section(case: Mapping[str, Any], open_: bool) -> str:
    items = []
    for pole in ("commodified", "collaborative"):
        rows = [r for r in case.get("evidence") or [] if r.get("pole") == pole]
        items.append(f"<h3 class='pole {_e(pole)}'>Towards {_e(pole)}</h3>")
        if not rows:
            items.append(f"<p class='muted'>No passage leans clearly {_e(pole)} (p ≥ 0.5).</p>")
            continue
        for row in rows:
            where = [_e(row.get("file"))]
            if row.get("page"):
                where.append(f"page {_e(row['page'])}")
            if row.get("speaker"):
                where.append(f"{_e(row['speaker'])} ({_e(row.get('role'))})")
            elif row.get("role") and row.get("role") != "unknown":
                where.append(_e(row["role"]))
            text = _highlight(str(row.get("text", "")), row.get("cues") or [])
            items.append(
                f"<blockquote class='{_e(pole)}'><p>{text}</p>"
                f"<footer><span class='pole {_e(pole)}'>{_e(pole)}</span> p = {float(row.get('p', 0)):.2f}"
                f" · {' · '.join(where)}</footer></blockquote>")
    facts = [f"{case.get('ok', 0)} of {case.get('documents', 0)} documents scored",
             f"{case.get('passages_scored', 0)} passages"]
    if case.get("duplicates"):
        n = case["duplicates"]
        facts.append(f"{n} duplicate{'s' if n > 1 else ''} of another file (scored once; "
                     "counted once per case)")
    where = " · ".join(_e(v) for v in (case.get("site"), case.get("tracer")) if v)
    summary = (f"<summary><span class='case-name'>{_e(case['case'])}</span> {_badge(case.get('mode'))} "
               f"{_score_text(case)}{f' <span class=muted>· {where}</span>' if where else ''}</summary>")
    return (f"<details id='case-{_slug(case['case'])}' class='case'{' open' if open_ else ''}>{summary}"
            f"<p class='facts'>{' · '.join(_e(f) for f in facts)}</p>{''.join(items)}</details>")


def _failures_section(failures: Sequence[Mapping[str, Any]], total_failed: int) -> str:
    if not failures:
        return ""
    rows = "".join(f"<tr><td><span class='status'>{_e(f.get('status'))}</span></td>"
                   f"<td>{_e(f.get('file'))}</td><td>{_e(f.get('case'))}</td>"
                   f"<td class='err'>{_e(f.get('error'))}</td></tr>" for f in failures)
    more = (f"<p class='muted'>Showing {len(failures)} of {total_failed}; documents.csv lists them all.</p>"
            if total_failed > len(failures) else "")
    return (f"<section id='failures'><h2>Files not scored ({total_failed})</h2>"
            "<p>These files count in their case's document total but contribute no passages. "
            "<em>needs_ocr</em>: scanned PDF without a text layer; <em>timeout</em>/<em>crashed</em>: "
            "rerun with <code>--resume</code> (and a larger <code>--timeout</code>) to retry them.</p>"
            "<div class='scroll'><table class='failures'><thead><tr><th>status</th><th>file</th>"
            f"<th>case</th><th>message</th></tr></thead><tbody>{rows}</tbody></table></div>{more}</section>")


HOW_TO_READ = """
<section id="how" class="note"><h2>How to read this</h2>
<ul>
<li><strong>The score</strong> places a case between <span class="pole commodified">−1, commodified</span>
commissioning (tenders, specifications, contract monitoring, KPIs, price competition) and
<span class="pole collaborative">+1, collaborative</span> commissioning (networks, co-production, trust,
grants). It pools every passage of every scored document in the case; 0 means balanced evidence or little
evidence (scores shrink towards 0 when few passages take a side).</li>
<li><strong>The bar</strong> is a 95% bootstrap interval over passages: it shows how much the score depends on
which passages happen to be in the documents. A case is called <em>commodified</em> or <em>collaborative</em>
only when its score is beyond ±0.2 (dotted lines) and its interval does not cross 0; otherwise it is
<em>mixed</em>.</li>
<li><strong>Media of power</strong>: <em>share</em> is how much of the case's relevant text concerns each
medium; <em>lean</em> says which pole that medium's passages favour (red commodified, blue collaborative).
A lean on a small share rests on few passages.</li>
<li><strong>Commissioner and VCSE sides</strong> score only the passages attributed to each side (speaker
roles in transcripts, or the <code>role</code> column of a manifest). A positive gap means VCSE-side passages
sit further towards the collaborative pole than commissioner-side ones. Interviewer turns never count.</li>
<li>These are model estimates, not verdicts: read the evidence passages for each case before relying on a
score, and check them against the codebook.</li>
</ul></section>
"""

CSS = """
:root { --ink:#1f2328; --muted:#5f6670; --line:#d9dde3; --bg:#f6f7f9; --card:#ffffff;
  --com:#C1440E; --col:#1F6FB2; --mix:#6B5B95; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 28px 28px 60px; }
h1 { font-size: 28px; line-height: 1.25; margin: 0 0 6px; }
h2 { font-size: 21px; margin: 0 0 10px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px;
  margin: 18px 0; }
.lede { color: var(--muted); margin: 0; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0 0; padding: 0; list-style: none; }
.stats li { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; }
.stats strong { display: block; font-size: 22px; line-height: 1.2; }
.stats span { color: var(--muted); font-size: 13px; }
nav { margin-top: 14px; font-size: 14px; }
nav a { margin-right: 14px; }
a { color: #1a5fa0; }
.figure { margin: 10px 0 4px; overflow-x: auto; }
.figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.caption { color: var(--muted); font-size: 14px; margin: 6px 0 0; }
.legend { text-align: center; font-size: 14px; margin: 4px 0 6px; }
.legend .key { font-size: 17px; margin: 0 3px 0 12px; }
.sub { text-transform: none; letter-spacing: 0; font-weight: 400; }
.nowrap { white-space: nowrap; }
th.name { min-width: 10em; font-weight: 600; }
.where { color: var(--muted); font-weight: 400; font-size: 13px; }
h3.pole { font-size: 14px; text-transform: uppercase; letter-spacing: .04em; margin: 14px 0 4px; }
.note ul { margin: 0; padding-left: 20px; }
.note li { margin: 6px 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 12.5px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted);
  border-bottom: 2px solid var(--line); }
tbody tr:nth-child(even) { background: #fafbfc; }
.r { text-align: right; }
.num { font-variant-numeric: tabular-nums; font-weight: 600; }
.ci { color: var(--muted); font-variant-numeric: tabular-nums; font-size: 13px; }
.muted { color: var(--muted); }
.warn { color: #a15c00; font-size: 13px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 600;
  color: #fff; background: #8C8C8C; vertical-align: 1px; }
.badge.commodified { background: var(--com); } .badge.collaborative { background: var(--col); }
.badge.mixed { background: var(--mix); } .badge.none { background: #b9bec6; }
.pole { font-weight: 600; }
.pole.commodified { color: var(--com); } .pole.collaborative { color: var(--col); }
details.case { border-top: 1px solid var(--line); padding: 12px 0; }
details.case:first-of-type { border-top: 0; }
summary { cursor: pointer; font-size: 17px; }
.case-name { font-weight: 650; margin-right: 6px; }
.facts { color: var(--muted); font-size: 14px; margin: 6px 0 10px; }
blockquote { margin: 10px 0; padding: 8px 14px; border-left: 4px solid var(--line); background: #fbfbfc;
  border-radius: 0 6px 6px 0; }
blockquote.commodified { border-left-color: var(--com); }
blockquote.collaborative { border-left-color: var(--col); }
blockquote p { margin: 0 0 4px; }
blockquote footer { color: var(--muted); font-size: 13px; }
mark { background: #fff1a8; padding: 0 1px; border-radius: 2px; }
.status { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.err { color: var(--muted); word-break: break-word; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em;
  background: #eef0f3; padding: 0 4px; border-radius: 4px; }
.page-footer { color: var(--muted); font-size: 13px; margin-top: 24px; }
@media print { body { background: #fff; } section { border: 0; padding: 0; }
  details.case { break-inside: avoid; } }
"""


def render_report(cases: Sequence[Mapping[str, Any]], *, failures: Sequence[Mapping[str, Any]] = (),
                  meta: Mapping[str, Any] | None = None) -> str:
    """The whole report as one HTML string (``cases``: rows of the ``cases`` schema)."""
    meta = dict(meta or {})
    ordered = _ordered(cases)
    model = meta.get("model") or {}
    documents = meta.get("documents", sum(int(c.get("documents", 0)) for c in cases))
    ok = meta.get("ok", sum(int(c.get("ok", 0)) for c in cases))
    failed = meta.get("failed", sum(int(c.get("failed", 0)) for c in cases))
    stats = [(len(cases), "cases"), (documents, "documents"), (ok, "scored"), (failed, "not scored")]
    if meta.get("duplicates"):
        stats.append((meta["duplicates"], "duplicates"))
    stats_html = "".join(f"<li><strong>{_e(n)}</strong><span>{_e(label)}</span></li>" for n, label in stats)
    model_text = f"model {_e(model.get('name', 'unknown'))} {_e(model.get('version', ''))}".strip()
    if model.get("sha256"):
        model_text += f" ({_e(str(model['sha256'])[:12])})"

    def figure(svg: str | None, empty: str) -> str:
        return f"<div class='figure'>{svg}</div>" if svg else f"<p class='muted'>{empty}</p>"

    spectrum = figure(spectrum_svg(cases), "No case has scored passages yet.")
    media = figure(media_svg(cases), "No media profile: no case has scored passages.")
    sides = figure(sides_svg(cases), (
        "No passages were attributed to commissioner or VCSE speakers. Label transcript speakers "
        "(e.g. “Participant role: vcse”) or give documents a <code>role</code> in a manifest CSV."))
    evidence = "".join(_evidence_section(c, len(ordered) <= OPEN_EVIDENCE_UP_TO) for c in ordered)
    when = _e(_when(meta.get("finished") or meta.get("started")))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vcse-modes batch report</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header>
<h1>Commissioning modes by case</h1>
<p class="lede">Where each case sits between commodified and collaborative commissioning of VCSE
organisations · {model_text}{f' · {when}' if when else ''}</p>
<ul class="stats">{stats_html}</ul>
<nav><a href="#how">How to read this</a><a href="#spectrum">Spectrum</a><a href="#table">Table</a>
<a href="#media">Media of power</a><a href="#sides">Commissioner vs VCSE</a><a href="#evidence">Evidence</a>
{'<a href="#failures">Files not scored</a>' if failures else ''}</nav>
</header>
{HOW_TO_READ}
<section id="spectrum"><h2>Where each case sits</h2>{spectrum}
<p class="legend"><span class="key" style="color:{MODE_COLOURS['commodified']}">●</span> commodified
<span class="key" style="color:{MODE_COLOURS['mixed']}">●</span> mixed
<span class="key" style="color:{MODE_COLOURS['collaborative']}">●</span> collaborative
<span class="key" style="color:{MODE_COLOURS['neither']}">●</span> neither (too little evidence)</p>
<p class="caption">Dot: the case's score from all its passages. Bar: 95% bootstrap interval. Dotted lines:
±0.2, the threshold for calling a case commodified or collaborative. Right: documents scored and passages
used.</p>
</section>
<section id="table"><h2>All cases</h2>{_cases_table(ordered)}</section>
<section id="media"><h2>Media of power</h2>{media}
<p class="caption">Left: each medium's share of the case's relevant text. Right: which pole that medium's
passages lean towards (−1 commodified, red; +1 collaborative, blue).</p>
</section>
<section id="sides"><h2>Commissioner and VCSE voices</h2>{sides}
<p class="legend"><span class="key" style="color:{SIDE_STYLES['commissioner'][0]}">■</span> commissioner side
<span class="key" style="color:{SIDE_STYLES['vcse'][0]}">●</span> VCSE side
<span class="key" style="color:#b5b5b5">▬</span> gap between the sides</p>
<p class="caption">Square: commissioner-side passages. Circle: VCSE-side passages. Thin bars: 95% intervals.
Right: VCSE minus commissioner score, with its 95% bootstrap interval.</p>
</section>
<section id="evidence"><h2>Evidence by case</h2>
<p class="caption">The passages that weigh most towards each pole, with the file, page and speaker they come
from; highlighted words are the codebook cues the model found.</p>{evidence}</section>
{_failures_section(failures, int(failed or 0))}
<p class="page-footer">Generated by vcse-modes {_e(meta.get('version', ''))} · {model_text}.
Self-contained: no scripts, no network.</p>
</main>
</body>
</html>
"""


def write_report(path: Any, cases: Sequence[Mapping[str, Any]], *, failures: Sequence[Mapping[str, Any]] = (),
                 meta: Mapping[str, Any] | None = None) -> None:
    """Render the report and write it atomically to ``path``."""
    from pathlib import Path

    from vcse_modes.batch import _write_text

    _write_text(Path(path), render_report(cases, failures=failures, meta=meta))
