"""Write docs/cli.md from the commands' --help (tests fail when it is out of date)."""

from pathlib import Path

from vcse_modes.cli._docs import cli_reference

target = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
target.write_text(cli_reference(), encoding="utf-8")
print(f"wrote {target}")
