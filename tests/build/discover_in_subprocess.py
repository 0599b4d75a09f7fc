"""Runs one discovery in a fresh interpreter and prints the index and the project modules imported.

Usage: python discover_in_subprocess.py static|import PATH [--include P]... [--exclude P]...
"""

from __future__ import annotations

import argparse
import json
import sys

from plux.build._static import StaticPluginFinder
from plux.build.discovery import PluginFromPackageFinder, SimplePackageFinder
from plux.build.index import PluginIndexBuilder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["static", "import"])
    parser.add_argument("path")
    parser.add_argument("--include", action="append", default=[])
    parser.add_argument("--exclude", action="append", default=[])
    args = parser.parse_args()
    packages = SimplePackageFinder(args.path, include=args.include, exclude=args.exclude)
    before = set(sys.modules)
    finder = (
        StaticPluginFinder(packages) if args.mode == "static" else PluginFromPackageFinder(packages)
    )
    index = PluginIndexBuilder(finder).find_entry_points()
    imported = sorted(m for m in set(sys.modules) - before if m.split(".")[0] in ("pkg", "extlib"))
    print(json.dumps({"index": index, "imported": imported}))


if __name__ == "__main__":
    main()
