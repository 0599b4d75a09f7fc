"""Legacy import path of plux's setuptools helpers, as ``setup.py`` files use it."""

from plux.build.setuptools import PackagePathPluginFinder, find_plugins, load_entry_points, plugins

__all__ = ["PackagePathPluginFinder", "find_plugins", "load_entry_points", "plugins"]
