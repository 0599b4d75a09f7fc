"""Run as ``python -S warm_path_probe.py NAMESPACE NAME BUDGET...``: print what plux imports.

Imports the BUDGET modules first, then plux; lists NAMESPACE, loads plugin NAME and then all of
them, and prints (as a Python literal: json would hide an import of json) the names listed and the
modules that plux imported beyond the budget. ``-S``: what ``site`` imports must not hide what
plux imports.
"""

import sys


def main(namespace: str, name: str, *budget: str) -> None:
    for module in budget:
        __import__(module)
    before = set(sys.modules)

    import plux

    manager = plux.PluginManager(namespace)
    names = manager.list_names()
    manager.load(name)
    manager.load_all()
    print(repr({"names": names, "imported": sorted(set(sys.modules) - before)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
