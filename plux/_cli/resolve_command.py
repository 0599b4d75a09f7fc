"""``plux resolve --namespace NS``: resolve every plugin of a namespace and say where it lives."""

from __future__ import annotations

import argparse
import sys

from plux.core.plugin import PluginSpec
from plux.runtime.cache import EntryPointsCache, IndexedEntryPoint

from .namespaces import entry_point_document, origin
from .output import CommandError, add_json_flag, describe_error, plural, print_json
from .resolution import plugin_output_to_stderr, resolve_entry_point


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``resolve`` (see :mod:`plux._cli`)."""
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
