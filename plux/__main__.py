"""``python -m plux``: the command line entry point."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from plux._cli import COMMAND_MODULES
from plux._cli.output import CommandError, describe_error

__all__ = [
    "main",
]


def build_parser() -> argparse.ArgumentParser:
    """The ``plux`` parser with the sub-commands of every command group."""
    # Options valid before and after the sub-command; SUPPRESS keeps a sub-parser from
    # resetting a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--workdir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="run as if started in DIR (the project directory)",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="say more (-vv: debug output)",
    )
    parser = argparse.ArgumentParser(
        prog="plux", description="plux: plugins declared in code, as entry points"
    )
    parser.add_argument("--workdir", metavar="DIR", default=None, help=argparse.SUPPRESS)
    parser.add_argument("-v", "--verbose", action="count", default=0, help=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_command(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``plux`` with ``argv`` (default: the process arguments); return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    verbosity = args.verbose or 0
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
    try:
        if args.workdir:
            _enter(args.workdir)
        code: int = args.handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`plux list | head`): not an error of ours.
        sys.stderr.close()
        return 1
    except Exception as e:
        # One line the user can act on; the traceback only when asked for with -v.
        if verbosity:
            raise
        status = e.status if isinstance(e, CommandError) else 1
        message = str(e) if isinstance(e, (CommandError, OSError)) else describe_error(e)
        print(f"plux: error: {message}", file=sys.stderr)
        return status
    return code


def _enter(workdir: str) -> None:
    try:
        os.chdir(workdir)
    except OSError as e:
        raise CommandError(f"cannot use --workdir {workdir}: {e.strerror or e}") from e


if __name__ == "__main__":
    sys.exit(main())
