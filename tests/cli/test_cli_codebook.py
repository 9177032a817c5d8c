"""``vcse-modes codebook`` in JSON, Markdown and REFI-QDA (qdc) form."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from vcse_modes import MEDIA, MODES

QDA = "{urn:QDA-XML:codebook:1.0}"


def test_codebook_json(cli):
    result = cli("codebook", "--format", "json")
    assert result.exit_code == 0, result.output
    book = json.loads(result.stdout)
    assert [m["id"] for m in book["modes"]] == list(MODES)
    assert [m["id"] for m in book["media"]] == list(MEDIA)
    assert all(m["cues"]["commodified"] and m["cues"]["collaborative"] for m in book["media"])


def test_codebook_markdown(cli, tmp_path):
    result = cli("codebook", "--format", "md")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# ")
    for mode in MODES:
        assert f"`{mode}`" in result.stdout
    for medium in MEDIA:
        assert medium in result.stdout
    out = tmp_path / "codebook.md"
    written = cli("codebook", "--format", "md", "--out", out)
    assert written.exit_code == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8").rstrip("\n") == result.stdout.rstrip("\n")


def test_codebook_qdc_file(cli, tmp_path):
    out = tmp_path / "f.qdc"
    result = cli("codebook", "--format", "qdc", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert str(out) in result.stderr
    root = ET.fromstring(out.read_bytes())
    assert root.tag == f"{QDA}CodeBook"
    names = [code.get("name") for code in root.iter(f"{QDA}Code")]
    assert set(MODES) <= set(names) and set(MEDIA) <= set(names)
    guids = [code.get("guid") for code in root.iter(f"{QDA}Code")]
    assert len(set(guids)) == len(guids)
    again = tmp_path / "g.qdc"
    cli("codebook", "--format", "qdc", "--out", again)
    assert again.read_bytes() == out.read_bytes(), "stable GUIDs: the same codebook gives the same file"
