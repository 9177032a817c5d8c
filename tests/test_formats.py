"""Machine formats (exact output) and atomic file writes."""

from __future__ import annotations

import io
import os

import pytest

from vcse_modes import formats
from vcse_modes.formats import atomic_write_bytes, atomic_write_text, flatten, render, write_csv

RECORD = {
    "source": "a, b.txt",
    "score": -0.25,
    "mode": "commodified",
    "intensity": {"commodified": 0.5, "collaborative": 0.1},
    "media": {"provider_competition": {"share": 1.0, "lean": -0.5}},
    "cues": ["tender", "café"],
    "page": None,
    "ok": True,
}


def test_render_json_exact():
    assert render([RECORD], "json") == (
        "[\n"
        "  {\n"
        '    "source": "a, b.txt",\n'
        '    "score": -0.25,\n'
        '    "mode": "commodified",\n'
        '    "intensity": {\n'
        '      "commodified": 0.5,\n'
        '      "collaborative": 0.1\n'
        "    },\n"
        '    "media": {\n'
        '      "provider_competition": {\n'
        '        "share": 1.0,\n'
        '        "lean": -0.5\n'
        "      }\n"
        "    },\n"
        '    "cues": [\n'
        '      "tender",\n'
        '      "café"\n'
        "    ],\n"
        '    "page": null,\n'
        '    "ok": true\n'
        "  }\n"
        "]\n"
    )


def test_render_jsonl_exact():
    assert render([RECORD, {"id": 2}], "jsonl") == (
        '{"source":"a, b.txt","score":-0.25,"mode":"commodified",'
        '"intensity":{"commodified":0.5,"collaborative":0.1},'
        '"media":{"provider_competition":{"share":1.0,"lean":-0.5}},'
        '"cues":["tender","café"],"page":null,"ok":true}\n'
        '{"id":2}\n'
    )


def test_render_csv_exact():
    assert render([RECORD], "csv") == (
        "source,score,mode,intensity.commodified,intensity.collaborative,"
        "media.provider_competition.share,media.provider_competition.lean,cues,page,ok\n"
        '"a, b.txt",-0.25,commodified,0.5,0.1,1.0,-0.5,"[""tender"", ""café""]",,True\n'
    )


def test_csv_columns_are_the_union_in_first_seen_order():
    text = render([{"a": 1, "n": {"x": 2}}, {"b": 3, "a": 4, "n": {"y": 5}}], "csv")
    assert text == "a,n.x,b,n.y\n1,2,,\n4,,3,5\n"


def test_csv_fixed_columns_drop_extras():
    stream = io.StringIO()
    write_csv([{"a": 1, "b": 2, "c": {"d": 3}}], stream, columns=["c.d", "a"])
    assert stream.getvalue() == "c.d,a\n3,1\n"


def test_flatten_nested_mappings_and_lists():
    assert flatten({"a": {"b": {"c": 1}}, "l": [1, {"x": "é"}], "t": ("p",), "e": {}}) == {
        "a.b.c": 1,
        "l": '[1, {"x": "é"}]',
        "t": '["p"]',
    }


def test_render_empty_and_unknown():
    assert render([], "json") == "[]\n"
    assert render([], "jsonl") == ""
    with pytest.raises(ValueError, match="unknown machine format"):
        render([RECORD], "xml")


# ------------------------------------------------------------------ atomic writes


def test_atomic_write_creates_folders_and_replaces(tmp_path):
    target = tmp_path / "deep" / "er" / "out.txt"
    atomic_write_text(target, "first ünïcode\n")
    assert target.read_bytes() == "first ünïcode\n".encode()
    atomic_write_bytes(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.txt"]


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_failed_write_leaves_old_target_and_no_temp_file(tmp_path, monkeypatch, failing):
    target = tmp_path / "card.json"
    target.write_bytes(b"old complete content")
    real_fdopen = os.fdopen

    class HalfWriter:
        """Writes half the data to the temp file, then fails like a full disk."""

        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise OSError(28, "No space left on device")

    if failing == "write":
        monkeypatch.setattr(formats.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    elif failing == "fsync":
        monkeypatch.setattr(formats.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(5, "I/O error")))
    else:
        monkeypatch.setattr(formats.os, "replace", lambda a, b: (_ for _ in ()).throw(OSError(1, "denied")))

    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new content that never fully arrives" * 100)
    monkeypatch.undo()
    assert target.read_bytes() == b"old complete content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["card.json"]


def test_interrupt_mid_write_leaves_no_target_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "new.jsonl"

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(formats.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "x" * 10_000)
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("value", "text"), [(-0.0029, "+0.00"), (-0.0, "+0.00"), (0.004, "+0.00"),
                                             (-0.005001, "-0.01"), (0.5, "+0.50"), (-0.25, "-0.25")])
def test_signed_never_prints_negative_zero(value, text):
    assert formats.signed(value) == text
