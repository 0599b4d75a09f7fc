"""plux 1.16's ``plux.cli.cli``: ``main(argv=None)`` runs the command line."""

from plux.__main__ import main

__all__ = ["main"]
