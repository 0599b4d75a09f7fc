"""``python -m plux``: the command line entry point."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from plux import __version__
from plux._cli import COMMAND_MODULES
from plux._cli.output import (
    PROBLEM,
    USAGE,
    CommandError,
    describe_error,
    error_document,
    print_json,
)

__all__ = [
    "main",
]


class _Parser(argparse.ArgumentParser):
    """Raises usage errors instead of exiting, so that ``--json`` reports them too."""

    def error(self, message: str) -> NoReturn:
        raise CommandError(f"{message}\n{self.format_usage().rstrip()}", USAGE, "usage")


def build_parser() -> argparse.ArgumentParser:
    """The ``plux`` parser with the sub-commands of every command group."""
    # Options valid before and after the sub-command; SUPPRESS keeps a sub-parser from
    # resetting a value given before it.
    common = _Parser(add_help=False)
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
    parser = _Parser(prog="plux", description="plux: plugins declared in code, as entry points")
    parser.add_argument("--version", action="version", version=f"plux {__version__}")
    parser.add_argument("--workdir", metavar="DIR", default=None, help=argparse.SUPPRESS)
    parser.add_argument("-v", "--verbose", action="count", default=0, help=argparse.SUPPRESS)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_command(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``plux`` with ``argv`` (default: the process arguments); return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in arguments  # known before parsing, so that usage errors honour it
    verbosity = 0
    try:
        args = build_parser().parse_args(arguments)
        verbosity = args.verbose or 0
        level = [logging.WARNING, logging.INFO][verbosity] if verbosity < 2 else logging.DEBUG
        logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)
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
        return _report(e, as_json)
    return code


def _report(error: Exception, as_json: bool) -> int:
    if isinstance(error, CommandError):
        kind, status, details = error.kind, error.status, error.details
        message = str(error)
    else:
        kind, status, details = "error", PROBLEM, {}
        message = str(error) if isinstance(error, OSError) else describe_error(error)
    print(f"plux: error: {message}", file=sys.stderr)
    if as_json:
        print_json(error_document(kind, message.partition("\n")[0], status, **details))
    return status


def _enter(workdir: str) -> None:
    try:
        os.chdir(workdir)
    except OSError as e:
        message = f"cannot use --workdir {workdir}: {e.strerror or e}"
        raise CommandError(message, kind="no-workdir") from e


if __name__ == "__main__":
    sys.exit(main())
