"""``demo-app``: runs the start-up hooks, then the sub-command the plugins provide."""

from __future__ import annotations

import argparse
import sys

from plux import PluginManager

from .api import COMMANDS, HOOKS


class App:
    """What start-up hooks get to configure."""

    def __init__(self) -> None:
        self.banner: list[str] = []


def main(argv: list[str] | None = None) -> int:
    app = App()
    for hook in PluginManager(HOOKS).load_all():
        hook(app)

    parser = argparse.ArgumentParser(prog="demo-app")
    subparsers = parser.add_subparsers(title="commands", required=True)
    commands = PluginManager(COMMANDS, load_args=(subparsers,)).load_all()
    print(f"[demo-app] loaded {len(commands)} command plugins: {sorted(c.name for c in commands)}")

    args = parser.parse_args(argv)
    for line in app.banner:
        print(line)
    print(args.run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
