"""``plux discover``: print (or write) the entry points discovered in the project's source."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .output import CommandError, add_json_flag, print_json
from .project_discovery import add_pattern_options, discover_project


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``discover`` (see :mod:`plux._cli`)."""
    discover = subparsers.add_parser(
        "discover",
        parents=[common],
        help="print the plugins discovered in the project",
        description="Discover plugins and print them as an entry point index.",
    )
    add_pattern_options(discover)
    discover.add_argument(
        "-f",
        "--format",
        choices=["json", "ini"],
        help="how to print (or write) the index: json (plux.json's format, the default) or ini "
        "(plux.ini's, entry_points.txt's); with --json, the format of the -o FILE",
    )
    discover.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")
    add_json_flag(discover)
    discover.set_defaults(handler=run_discover)


def run_discover(args: argparse.Namespace) -> int:
    """Print (or write) the discovered index; with ``--json``, one document saying what."""
    if args.json and args.format and not args.output:
        raise CommandError(
            f"-f {args.format} has nothing to format: --json prints the index in its JSON "
            "document; give -o FILE to write it in that format too, or leave -f out"
        )
    from plux.build.index import render_index

    project, index = discover_project(args, args.path, bare=True)
    text = render_index(index, args.format or "json")
    if args.output:
        Path(args.output).write_text(text)
    if args.json:
        print_json(
            {
                "project": str(project.root),
                "output": args.output,
                "format": (args.format or "json") if args.output else None,
                "entry_points": index,
            }
        )
    elif not args.output:
        sys.stdout.write(text)
    return 0
