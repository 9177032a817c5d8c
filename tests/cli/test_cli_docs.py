from pathlib import Path

from vcse_modes.cli._docs import cli_reference

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current():
    """docs/cli.md is generated from --help; regenerate with `python scripts/gen_cli_docs.py`."""
    assert DOCS.read_text(encoding="utf-8") == cli_reference()


def test_cli_reference_covers_every_command():
    from vcse_modes.cli import COMMANDS

    text = cli_reference()
    for name in COMMANDS:
        assert f"## vcse-modes {name}" in text
