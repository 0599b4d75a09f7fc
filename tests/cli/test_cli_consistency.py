"""The commands agree with their help and with each other: what ``--help`` promises works,
options mean one thing everywhere, and nothing is silently ignored."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from integration_support import write  # loaded by conftest.py

from plux.__main__ import build_parser

PLUGINS = """
    from plux import Plugin

    class Hello(Plugin):
        namespace = "cons.ns"
        name = "hello"
"""


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """Every command's parser, ``index build``/``index status`` included, by name."""
    parsers: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    parsers[f"{prefix}{name}"] = sub
                    walk(sub, f"{prefix}{name} ")

    walk(build_parser(), "")
    return parsers


def option_help(parser: argparse.ArgumentParser, option: str) -> str | None:
    """The help of ``option`` (an option string, or a positional argument's name)."""
    for action in parser._actions:
        if option in action.option_strings or (not action.option_strings and option == action.dest):
            return action.help
    return None


ACTIONS = sorted(name for name, parser in subcommands().items() if name != "index")
"""Every command that does something itself (``index`` only groups ``build`` and ``status``)."""


@pytest.mark.parametrize("command", ACTIONS)
def test_every_json_flag_points_at_the_docs(command: str) -> None:
    """``--json`` help names where its shape is documented, never a private module."""
    text = option_help(subcommands()[command], "--json")
    assert text is not None, f"{command} has no --json"
    assert "docs/reference.md" in text and "plux._cli" not in text


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_every_option_has_help(command: str) -> None:
    """No option of any command is left without a help line (``discover -f`` was)."""
    parser = subcommands()[command]
    for action in parser._actions:
        if action.option_strings and action.help is None:
            pytest.fail(f"{command} {'/'.join(action.option_strings)} has no help")


@pytest.fixture
def installed(site_builder, python) -> None:
    site_builder.add_distribution(
        "cons",
        "1.0",
        {
            "cons.ns": {"hello": "cons_site.mod:Hello"},
            "console_scripts": {"c": "cons_site.mod:run"},
        },
        {"cons_site/mod.py": PLUGINS + "\n    def run():\n        return 0\n"},
    )


def test_resolve_without_a_namespace_resolves_what_its_help_says(
    plux_main, installed, tmp_path: Path
) -> None:
    """``resolve`` alone takes the default its help promises (every plugin namespace, as list
    and doctor); ``--all`` adds the tool groups, checked as tools."""
    assert "default: every group except" in str(option_help(subcommands()["resolve"], "patterns"))
    plain = plux_main("resolve", "--json", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert plain.json()["namespaces"] == ["cons.ns"]
    everything = plux_main("resolve", "--all", "--json", cwd=tmp_path).json()["plugins"]
    ours = [p for p in everything if p["distribution"] == "cons"]
    assert [(p["namespace"], p["spec"] is None, p["error"]) for p in ours] == [
        ("cons.ns", False, None),
        ("console_scripts", True, None),
    ]


def test_list_doctor_and_resolve_describe_an_empty_environment_alike(
    plux_main, python, tmp_path: Path
) -> None:
    """Nothing installed: the three commands say so in the same words."""
    first_lines = {
        command: plux_main(command, cwd=tmp_path).stdout.splitlines()[0]
        for command in ("list", "doctor", "resolve")
    }
    assert set(first_lines.values()) == {
        "no plugins installed (the entry points of packaging and developer tools are left out: "
        "--all shows them)"
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A manual-mode project whose package lives in ``lib/``, which nothing configures."""
    return write(
        tmp_path / "cons",
        {
            "pyproject.toml": '[project]\nname = "cons"\nversion = "1.0"\n\n'
            '[tool.plux]\nentrypoint_build_mode = "manual"\n',
            "lib/cons/__init__.py": "",
            "lib/cons/mod.py": PLUGINS,
        },
    )


def test_entrypoints_takes_path_as_discover_does(plux_main, python, project: Path) -> None:
    """``entrypoints -p lib`` scans ``lib/``, as ``discover -p lib`` does."""
    discovered = plux_main("discover", "-p", "lib", "--json", cwd=project).json()
    assert discovered["entry_points"] == {"cons.ns": {"hello": "cons.mod:Hello"}}
    assert plux_main("entrypoints", "-p", "lib", cwd=project).returncode == 0
    assert (project / "plux.ini").read_text() == "[cons.ns]\nhello = cons.mod:Hello\n"


def test_discover_refuses_a_format_that_json_would_ignore(plux_main, python, project: Path) -> None:
    """``discover --json -f ini`` without ``-o``: a usage error saying why, not a silent JSON."""
    result = plux_main("discover", "-p", "lib", "--json", "-f", "ini", cwd=project)
    assert result.returncode == 2
    assert result.json()["error"]["message"].startswith("-f ini has nothing to format: --json")
    text = plux_main("discover", "-p", "lib", "-f", "ini", cwd=project).stdout
    assert text == "[cons.ns]\nhello = cons.mod:Hello\n"
