"""``plux index``: the entry point index prebuilt into the environment (``build``, ``status``).

``plux index build`` writes the index of this environment into its prefix
(``<sys.prefix>/share/plux/``), for every process of every user to start warm; run it after the
last install of an image or venv. ``plux index status`` says whether a process of this
environment answers from that index, and if not why; it exits 1 when it does not.

Its ``--json`` documents are described in :mod:`plux._cli.output`.
"""

from __future__ import annotations

import argparse

from plux.runtime._prebuilt import (
    PrebuiltIndexError,
    build_prebuilt_index,
    prebuilt_index_file,
    prebuilt_status,
)

from .output import PROBLEM, CommandError, add_json_flag, plural, print_json


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``index`` with its sub-commands ``build`` and ``status`` (see :mod:`plux._cli`)."""
    index = subparsers.add_parser(
        "index",
        parents=[common],
        help="prebuild the entry point index into the environment, or check it",
        description="The entry point index prebuilt into the environment's prefix: every "
        "process of every user starts warm from it while nothing installed has changed.",
    )
    actions = index.add_subparsers(dest="action", metavar="ACTION")
    index.set_defaults(handler=run_without_action)
    build = actions.add_parser(
        "build",
        parents=[common],
        help="write the index into the environment (after the last install)",
        description="Write the entry point index of this environment into "
        "<prefix>/share/plux/, readable by all, for image and venv builds: run it after the "
        "last install. Any later change to what is installed bypasses it until it is rebuilt.",
    )
    add_json_flag(build)
    build.set_defaults(handler=run_build)
    status = actions.add_parser(
        "status",
        parents=[common],
        help="say whether the prebuilt index is in use; exit 1 when not",
        description="Say whether a process of this environment answers from the prebuilt "
        "index, and if not why (exit status 1).",
    )
    add_json_flag(status)
    status.set_defaults(handler=run_status)


def run_without_action(args: argparse.Namespace) -> int:
    """``plux index`` alone: say which actions there are."""
    raise CommandError(
        "plux index needs an action: 'plux index build' writes the index into this "
        "environment (after its last install), 'plux index status' says whether it is in use"
    )


def run_build(args: argparse.Namespace) -> int:
    """``plux index build``: write the prebuilt index and say what it holds."""
    try:
        built = build_prebuilt_index()
    except PrebuiltIndexError as e:
        raise CommandError(str(e), PROBLEM, "index-file") from e
    if args.json:
        print_json(
            {
                "index": built.file,
                "distributions": built.distributions,
                "entry_points": built.entry_points,
                "path": list(built.path),
            }
        )
        return 0
    print(
        f"wrote {built.file}: {plural(built.distributions, 'distribution')}, "
        f"{plural(built.entry_points, 'entry point')} "
        f"from {len(built.path)} path {'entry' if len(built.path) == 1 else 'entries'}"
    )
    return 0


def run_status(args: argparse.Namespace) -> int:
    """``plux index status``: 0 when this environment's processes answer from the prebuilt
    index, 1 (naming why) when they do not."""
    file = prebuilt_index_file()
    reason = prebuilt_status()
    if args.json:
        print_json({"in_use": reason is None, "index": file, "reason": reason})
    elif reason is None:
        print(f"in use: {file}")
    else:
        print(f"not in use: {reason}")
    return 0 if reason is None else 1
