"""The command line's modules: one per command, named after it, none named like the stdlib."""

from __future__ import annotations

import argparse
import builtins
import pkgutil
import sys

import plux._cli
from plux.__main__ import build_parser
from plux._cli import COMMAND_MODULES


def test_each_command_lives_in_a_module_named_after_it() -> None:
    """``plux X`` is defined in ``plux._cli.X_command``, and every such module defines one."""
    parser = build_parser()
    (subparsers,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands = [f"plux._cli.{name}_command" for name in subparsers.choices]
    assert commands == list(COMMAND_MODULES)
    modules = {f"plux._cli.{m.name}" for m in pkgutil.iter_modules(plux._cli.__path__)}
    assert {m for m in modules if m.endswith("_command")} == set(COMMAND_MODULES)


def test_no_cli_module_is_named_like_a_standard_module_or_builtin() -> None:
    """A module named ``inspect`` or ``list`` reads as the standard one wherever it is imported."""
    names = {m.name for m in pkgutil.iter_modules(plux._cli.__path__)}
    assert not names & (set(sys.stdlib_module_names) | set(dir(builtins)))
