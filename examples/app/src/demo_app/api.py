"""What plugins of the demo application implement."""

from __future__ import annotations

import argparse

from plux import Plugin

COMMANDS = "demo_app.commands"
HOOKS = "demo_app.hooks"


class CommandPlugin(Plugin):
    """A sub-command of ``demo-app``; abstract (no name), so not itself a plugin."""

    namespace = COMMANDS
    help = ""

    def load(self, subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
        parser = subparsers.add_parser(self.name, help=self.help)
        self.configure(parser)
        parser.set_defaults(run=self.run)

    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add the sub-command's arguments."""

    def run(self, args: argparse.Namespace) -> str:
        """Do the work and return what to print."""
        raise NotImplementedError
