from plux import Plugin

from .consts import CLI_NAMESPACE


class CliPlugin(Plugin):
    """Abstract: namespace from a module constant, no name."""

    namespace = CLI_NAMESPACE

    def load(self, *args, **kwargs):
        return self.name
