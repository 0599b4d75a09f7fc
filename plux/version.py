"""plux's version, where plux 1.16 kept it (``from plux.version import __version__``)."""

from plux import __version__

__all__ = ["__version__"]
