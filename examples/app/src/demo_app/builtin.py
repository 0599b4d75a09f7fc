"""The sub-command the application ships itself."""

from __future__ import annotations

import argparse

from plux import PluginManager

from .api import COMMANDS, HOOKS, CommandPlugin


class PluginsCommand(CommandPlugin):
    """Lists every plugin of the application and where it comes from, without loading any."""

    name = "plugins"
    help = "list the installed plugins"

    def run(self, args: argparse.Namespace) -> str:
        lines = []
        for namespace in (COMMANDS, HOOKS):
            for container in PluginManager(namespace).list_containers():
                dist = container.distribution
                origin = f"{dist.metadata['Name']} {dist.version}" if dist else "?"
                value = container.entry_point.value if container.entry_point else "?"
                lines.append(f"{namespace:18} {container.name:10} {value:36} from {origin}")
        return "\n".join(lines)
