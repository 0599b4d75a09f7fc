"""Legacy import path of the import-based plugin finders, as plux 1.x had it."""

from plux.build.discovery import ModuleScanningPluginFinder
from plux.build.setuptools import PackagePathPluginFinder

__all__ = ["ModuleScanningPluginFinder", "PackagePathPluginFinder"]
