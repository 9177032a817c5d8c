"""The ``vcse-modes`` group: version, help listing every command, per-command help."""

from __future__ import annotations

import re

import pytest

from vcse_modes import __version__
from vcse_modes.cli import COMMANDS


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"vcse-modes, version {__version__}\n"


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_every_command(cli, flag):
    result = cli(flag)
    assert result.exit_code == 0
    commands_section = result.stdout.split("Commands:", 1)[1]
    listed = re.findall(r"^  (\S+)\s+(.+)$", commands_section, flags=re.MULTILINE)
    assert [name for name, _ in listed] == sorted(COMMANDS)
    for name, help_ in listed:
        assert COMMANDS[name][2].startswith(help_.strip())  # the table's one-line help (maybe wrapped)
    assert set(COMMANDS) >= {
        "score",
        "extract",
        "classify",
        "train",
        "evaluate",
        "models",
        "codebook",
        "corpus",
    }


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: ")
    assert f" {command} " in result.stdout.splitlines()[0]


def test_unknown_command_is_a_usage_error(cli):
    result = cli("scroe")
    assert result.exit_code == 2
    assert "No such command 'scroe'" in result.stderr
