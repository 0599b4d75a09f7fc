"""``plux resolve NAMESPACE ...``: resolve every plugin of namespaces, say where each lives."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from plux.core.plugin import PluginException, PluginSpec, declared_order
from plux.runtime.cache import IndexedEntryPoint

from .namespaces import (
    add_namespace_selection,
    checked_cache,
    entry_point_document,
    is_tool_group,
    namespace_patterns,
    nothing_installed,
    origin,
    selected_groups,
)
from .output import add_json_flag, plural, print_json
from .resolution import Resolved, plugin_output_to_stderr, resolve_entry_point
from .tool_checks import check_tools


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``resolve`` (see :mod:`plux._cli`)."""
    resolve = subparsers.add_parser(
        "resolve",
        parents=[common],
        help="import every plugin of namespaces and show its spec and where it lives",
        description="Import every plugin of the namespaces matching the NAMESPACE patterns and "
        "show its spec and source file; exit 1 if one does not resolve. Entry points of "
        "packaging and developer tools (with --all) are checked as importable callables.",
    )
    add_namespace_selection(resolve)
    add_json_flag(resolve)
    resolve.set_defaults(handler=run_resolve)


def factory_reference(spec: PluginSpec, entry_point: IndexedEntryPoint) -> str:
    """``module:attr`` of the spec's factory, or the entry point's value for a closure."""
    return spec.find_location() or entry_point.value.split("[", 1)[0].strip()


def source_file(reference: str) -> str | None:
    """The file of the (imported) module a ``module:attr`` reference lives in."""
    module = sys.modules.get(reference.partition(":")[0].strip())
    file = getattr(module, "__file__", None)
    return file if isinstance(file, str) else None


def run_resolve(args: argparse.Namespace) -> int:
    """``plux resolve [NAMESPACE ...]``: import every plugin of the matching namespaces (of every
    plugin namespace without patterns) and say what and where each is.

    Exits 1 when an entry point does not resolve to a plugin, 2 when a pattern matches no
    installed namespace.
    """
    cache = checked_cache()
    groups = selected_groups(cache.groups(), namespace_patterns(args), args.all)
    rows = [row for group in groups for row in cache.entry_points_of(group)]
    tool_rows = [row for row in rows if is_tool_group(row.group)]
    tools = dict(zip(map(id, tool_rows), check_tools(tool_rows), strict=True))
    with plugin_output_to_stderr():
        outcomes = [
            Resolved(row, failure=tools[id(row)][0])
            if id(row) in tools
            else resolve_entry_point(row)
            for row in rows
        ]
    documents = [_document(outcome) for outcome in outcomes]
    orders = {group: run_order(group, outcomes) for group in groups if not is_tool_group(group)}
    failed = sum(1 for outcome in outcomes if outcome.failure is not None)
    if args.json:
        print_json(
            {
                "namespace": groups[0] if len(groups) == 1 else None,
                "namespaces": groups,
                "plugins": documents,
                "orders": [
                    {"namespace": group, "names": names, "error": error}
                    for group, (names, error) in orders.items()
                ],
            }
        )
        return 1 if failed else 0
    if not groups:
        print(nothing_installed(args.all))
    for group in groups:
        shown = [
            (o, d) for o, d in zip(outcomes, documents, strict=True) if d["namespace"] == group
        ]
        print(f"{group} ({plural(len(shown), 'plugin')})")
        if group in orders:
            names, error = orders[group]
            print(f"  load_all order: {error or ', '.join(names) or '-'}")
        for outcome, document in shown:
            row = outcome.entry_point
            print(f"  {row.name} = {row.value}  ({origin(row)})")
            if outcome.spec is not None:
                print(f"    spec: {outcome.spec!r}")
                print(f"    order: {_order_text(document)}")
                print(f"    file: {document['file'] or '?'}")
            elif outcome.failure is None:
                print("    a tool's entry point: imports, callable")
            else:
                print(f"    error: {document['error']}")
    return 1 if failed else 0


def run_order(group: str, outcomes: list[Resolved]) -> tuple[list[str], str | None]:
    """The names of ``group``'s plugins in the order ``load_all`` loads them (the plugins the
    manager serves, by the orders their specs declare), or the error that order ends in."""
    from plux.runtime._order import arrange
    from plux.runtime.manager import PluginManager

    specs = {
        (o.entry_point.path, o.entry_point.name): o.spec for o in outcomes if o.spec is not None
    }
    manager: PluginManager[Any] = PluginManager(group)
    served = [
        spec
        for container in manager.list_containers()
        if container.entry_point is not None
        and (spec := specs.get((container.entry_point.path, container.entry_point.name)))
    ]
    try:
        positions = arrange(group, [s.name for s in served], [declared_order(s) for s in served])
    except PluginException as e:
        return [], str(e)
    return [served[i].name for i in positions], None


def _order_text(document: dict[str, Any]) -> str:
    words = [f"priority {document['priority']}"]
    words += [f"{key} {', '.join(document[key])}" for key in ("after", "before") if document[key]]
    return "; ".join(words)


def _document(outcome: Resolved) -> dict[str, Any]:
    spec = outcome.spec
    factory = factory_reference(spec, outcome.entry_point) if spec is not None else None
    priority, after, before = declared_order(spec) if spec is not None else (None, (), ())
    return {
        "namespace": outcome.entry_point.group,
        **entry_point_document(outcome.entry_point),
        "spec": None
        if spec is None
        else {"namespace": spec.namespace, "name": spec.name, "factory": factory},
        "priority": priority,
        "after": list(after),
        "before": list(before),
        "file": source_file(factory or outcome.entry_point.value),
        "error": None if outcome.failure is None else outcome.failure.message,
    }
