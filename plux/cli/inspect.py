"""``plux list`` and ``plux resolve``: what the installed distributions provide, per namespace.

Which entry point groups are plugin namespaces? Entry point metadata does not say, so ``list``
and ``doctor`` take every group except the well-known groups of packaging and developer tools
(:data:`TOOL_GROUPS`: ``console_scripts``, ``setuptools.*``, ``pytest11``...). ``--all`` takes
every group; NAMESPACE arguments (shell-style patterns, e.g. ``'localstack.*'``) select groups
explicitly, tool groups included.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from plux.core.plugin import PluginSpec, PluginSpecResolver
from plux.runtime.cache import EntryPointsCache, IndexedEntryPoint

from .output import CommandError, plural, print_json, table

TOOL_GROUPS = (
    "console_scripts",
    "gui_scripts",
    "distutils.*",
    "setuptools.*",
    "egg_info.*",
    "hatch",
    "pytest11",
    "pipx.*",
    "flake8.*",
    "pygments.*",
    "sphinx.*",
    "babel.*",
    "paste.*",
    "mypy.*",
    "pylint.*",
    "jupyter*",
)
"""Groups of packaging and developer tools: not listed unless asked for by name or ``--all``."""


def add_commands(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``list`` and ``resolve`` (see :mod:`plux.cli`)."""
    listing = subparsers.add_parser(
        "list",
        parents=[common],
        help="list the installed plugins by namespace (imports nothing)",
        description="List the installed plugins by namespace, with the distribution and "
        "version each comes from, read from metadata alone: no plugin module is imported.",
    )
    add_namespace_selection(listing)
    add_json_flag(listing)
    listing.set_defaults(handler=run_list)

    resolve = subparsers.add_parser(
        "resolve",
        parents=[common],
        help="import every plugin of a namespace and show its spec and where it lives",
        description="Import every plugin of a namespace and show its spec and source file; "
        "exit 1 if one does not resolve.",
    )
    resolve.add_argument("--namespace", required=True, help="the plugin namespace")
    add_json_flag(resolve)
    resolve.set_defaults(handler=run_resolve)


def add_namespace_selection(parser: argparse.ArgumentParser) -> None:
    """The NAMESPACE patterns and ``--all`` that ``list`` and ``doctor`` share."""
    parser.add_argument(
        "namespace",
        nargs="*",
        metavar="NAMESPACE",
        help="entry point groups to look at (shell-style patterns); default: every group "
        "except those of packaging and developer tools",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="include the groups of packaging and developer tools (console_scripts, ...)",
    )


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print one JSON document (shape: plux.cli.output)"
    )


def select_groups(groups: Iterable[str], patterns: Sequence[str], everything: bool) -> list[str]:
    """The groups to report, sorted: those matching ``patterns``, else all but tool groups.

    >>> select_groups(["console_scripts", "demo.cli"], [], False)
    ['demo.cli']
    >>> select_groups(["console_scripts", "demo.cli"], ["console_*"], False)
    ['console_scripts']
    """
    if patterns:
        return sorted(g for g in groups if any(fnmatchcase(g, p) for p in patterns))
    if everything:
        return sorted(groups)
    return sorted(g for g in groups if not any(fnmatchcase(g, p) for p in TOOL_GROUPS))


def plugin_name(entry_point: IndexedEntryPoint) -> str:
    """The name the manager knows a plugin by: the declared one for lower-cased entry points."""
    return entry_point.declared_name or entry_point.name


def active_flags(entry_points: Sequence[IndexedEntryPoint]) -> list[bool]:
    """Which entry points of one namespace win: the first of each plugin name, as the manager
    chooses (earlier on ``sys.path`` first)."""
    seen: set[str] = set()
    flags = []
    for entry_point in entry_points:
        name = plugin_name(entry_point)
        flags.append(name not in seen)
        seen.add(name)
    return flags


def entry_point_document(entry_point: IndexedEntryPoint) -> dict[str, Any]:
    """The fields every JSON document gives for an installed entry point."""
    return {
        "name": plugin_name(entry_point),
        "entry_point": entry_point.name,
        "value": entry_point.value,
        "distribution": entry_point.distribution or None,
        "version": entry_point.version or None,
    }


def origin(entry_point: IndexedEntryPoint) -> str:
    """``demo-addon 1.0``: the distribution an entry point comes from, for text output."""
    return f"{entry_point.distribution or '?'} {entry_point.version or '?'}"


def run_list(args: argparse.Namespace) -> int:
    """``plux list``: installed plugins by namespace, read from metadata only (nothing imported)."""
    cache = EntryPointsCache.instance()
    patterns: list[str] = list(args.namespace or [])
    groups = select_groups(cache.groups(), patterns, args.all)
    listed: list[tuple[str, list[IndexedEntryPoint], list[dict[str, Any]]]] = []
    for group in groups:
        found = cache.entry_points_of(group)
        # by name, so that the listing does not follow the file system's order of a folder;
        # a stable sort keeps the entry point in use first among those of one name
        pairs = sorted(
            zip(found, active_flags(found), strict=True), key=lambda pair: plugin_name(pair[0])
        )
        rows = [row for row, _ in pairs]
        plugins = [{**entry_point_document(row), "active": active} for row, active in pairs]
        listed.append((group, rows, plugins))
    if args.json:
        shown = [{"namespace": group, "plugins": plugins} for group, _, plugins in listed]
        print_json({"namespaces": shown})
        return 0
    if not listed:
        where = f" matching {' '.join(patterns)}" if patterns else ""
        print(f"no plugins installed{where}")
        return 0
    for group, rows, plugins in listed:
        print(f"{group} ({plural(len(rows), 'plugin')})")
        cells = []
        for row, plugin in zip(rows, plugins, strict=True):
            notes = []
            if row.declared_name and row.declared_name != row.name:
                notes.append(f"entry point {row.name!r}")
            if not plugin["active"]:
                notes.append("shadowed: an earlier distribution has this name")
            note = f"  ({'; '.join(notes)})" if notes else ""
            cells.append([plugin["name"], origin(row), row.value + note])
        for line in table(cells):
            print(line)
    return 0


@contextlib.contextmanager
def plugin_output_to_stderr() -> Iterator[None]:
    """Send what plugins print (on import, in factories) to stderr: ``--json`` output on stdout
    must stay one parseable document."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


@dataclass
class Resolved:
    """The outcome of importing one entry point and making its spec."""

    entry_point: IndexedEntryPoint
    spec: PluginSpec | None = None
    error: BaseException | None = None
    error_kind: str | None = None
    """``malformed`` (the value is not ``module:attr``), ``import-error``, ``not-a-plugin``."""
    import_seconds: float | None = None


def resolve_entry_point(entry_point: IndexedEntryPoint) -> Resolved:
    """Import what ``entry_point`` names (timed) and make its spec; never raises for the plugin's
    faults (``SystemExit`` raised on import included), only for ``KeyboardInterrupt``."""
    from plux.runtime.resolve import import_entry_point_value

    result = Resolved(entry_point)
    started = time.perf_counter()
    try:
        obj = import_entry_point_value(entry_point.value)
    except ValueError as e:
        result.error, result.error_kind = e, "malformed"
        return result
    except (Exception, SystemExit) as e:
        result.import_seconds = time.perf_counter() - started
        result.error, result.error_kind = e, "import-error"
        return result
    result.import_seconds = time.perf_counter() - started
    try:
        result.spec = PluginSpecResolver().resolve(obj)
    except Exception as e:
        result.error, result.error_kind = e, "not-a-plugin"
    return result


def describe_error(error: BaseException) -> str:
    """``Type: message`` on one line."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def factory_reference(spec: PluginSpec, entry_point: IndexedEntryPoint) -> str:
    """``module:attr`` of the spec's factory, or the entry point's value for a closure."""
    return spec.find_location() or entry_point.value.split("[", 1)[0].strip()


def source_file(reference: str) -> str | None:
    """The file of the (imported) module a ``module:attr`` reference lives in."""
    module = sys.modules.get(reference.partition(":")[0].strip())
    file = getattr(module, "__file__", None)
    return file if isinstance(file, str) else None


def run_resolve(args: argparse.Namespace) -> int:
    """``plux resolve --namespace NS``: import every plugin of NS and say what and where it is.

    Exits 1 when an entry point does not resolve to a plugin.
    """
    namespace: str = args.namespace
    rows = EntryPointsCache.instance().entry_points_of(namespace)
    if not rows:
        raise CommandError(f"no plugins installed in namespace {namespace!r}", status=1)
    with plugin_output_to_stderr():
        outcomes = [resolve_entry_point(row) for row in rows]
    documents = []
    for outcome in outcomes:
        spec = outcome.spec
        factory = factory_reference(spec, outcome.entry_point) if spec is not None else None
        documents.append(
            {
                **entry_point_document(outcome.entry_point),
                "spec": None
                if spec is None
                else {"namespace": spec.namespace, "name": spec.name, "factory": factory},
                "file": source_file(factory or outcome.entry_point.value),
                "error": None if outcome.error is None else describe_error(outcome.error),
            }
        )
    failed = sum(1 for outcome in outcomes if outcome.error is not None)
    if args.json:
        print_json({"namespace": namespace, "plugins": documents})
    else:
        print(f"{namespace} ({plural(len(outcomes), 'plugin')})")
        for outcome, document in zip(outcomes, documents, strict=True):
            row = outcome.entry_point
            print(f"  {row.name} = {row.value}  ({origin(row)})")
            if outcome.spec is not None:
                print(f"    spec: {outcome.spec!r}")
                print(f"    file: {document['file'] or '?'}")
            else:
                print(f"    error: {document['error']}")
    return 1 if failed else 0
