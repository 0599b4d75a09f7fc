"""plux's version, where plux 1.16 kept it (``from plux.version import __version__``)."""

from plux import __version__

version = __version__
version_tuple = tuple(int(part) if part.isdigit() else part for part in version.split("."))
commit_id: str | None = None  # plux 1.16 was versioned from git; this release is not

__all__ = ["__version__", "version", "version_tuple", "commit_id"]
