"""Sub-commands: one plugin class, and two plugins made by one factory."""

from __future__ import annotations

import argparse

from demo_app.api import COMMANDS, CommandPlugin

from plux import PluginFactory, PluginSpec


class HelloCommand(CommandPlugin):
    """A plugin class: discovered because it has a namespace (inherited) and a name."""

    name = "hello"
    help = "greet someone"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("who", nargs="?", default="world")

    def run(self, args: argparse.Namespace) -> str:
        return f"hello, {args.who}!"


class EchoCommand(CommandPlugin):
    """One class, many plugins: each instance is made by a factory with its own settings."""

    def __init__(self, name: str, transform: str) -> None:
        self.name = name
        self.help = f"echo the words, {transform}"
        self.transform = transform

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("words", nargs="+")

    def run(self, args: argparse.Namespace) -> str:
        text = " ".join(args.words)
        return text.upper() + "!" if self.transform == "loudly" else f"({text.lower()})"


def echo_command(name: str, transform: str) -> PluginFactory:
    def create() -> EchoCommand:
        return EchoCommand(name, transform)

    return create


shout = PluginSpec(COMMANDS, "shout", echo_command("shout", "loudly"))
whisper = PluginSpec(COMMANDS, "whisper", echo_command("whisper", "quietly"))
