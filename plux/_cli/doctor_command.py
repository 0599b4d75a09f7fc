"""``plux doctor``: finds what would break or surprise an application loading installed plugins.

It imports each plugin's entry point, creates the plugin with its factory and asks
``should_load()``, timing the import and the factory; it never calls ``load``. Entry points of
packaging and developer tools (console scripts, setuptools hooks...), which are not plugins, are
checked for what they are, in fresh interpreters (:mod:`~plux._cli.tool_checks`). The import time
is what importing the entry point costs at that moment: a module already imported for an
earlier plugin costs the later ones nearly nothing. Plugins' output is sent to stderr so that
``--json`` stays parseable. Exits 1 when it finds a problem (any finding).
"""

from __future__ import annotations

import argparse
import textwrap
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from plux.core._entry_points_text import read_entry_points_text
from plux.core.plugin import PluginSpec, make_plugin
from plux.runtime.cache import EntryPointsCache, IndexedEntryPoint

from .namespaces import (
    add_namespace_selection,
    by_plugin_name,
    checked_cache,
    close_namespace_pairs,
    conflict_message,
    entry_point_document,
    is_tool_group,
    namespace_patterns,
    nothing_installed,
    origin,
    plugin_name,
    selected_groups,
    switched_off,
)
from .output import add_json_flag, milliseconds, plural, print_json, table
from .resolution import Failure, plugin_output_to_stderr, resolve_entry_point
from .tool_checks import check_tools

FINDING_KINDS = {
    "malformed": "an entry point line or value that is not 'name = module:attr'",
    "import-error": "importing the entry point's module or attribute raised",
    "not-a-plugin": "the entry point names something that is not a plugin or spec",
    "not-callable": "a tool's entry point (console script, setuptools hook...) names an "
    "attribute that cannot be called",
    "mismatch": "the plugin declares another namespace or name than its entry point",
    "conflict": "two entry points that are on share a plugin name in one namespace (one wins: "
    "the first on sys.path; in one folder, the first by distribution name)",
    "similar-namespaces": "two installed namespaces differ by a small edit (app.command beside "
    "app.commands): plugins meant for one are missing from the other",
    "stale-editable": "an editable install's entry points are older than its source",
    "init-error": "the plugin's factory raised",
    "load-check-error": "the plugin's should_load() raised",
    "build-requirement": "run in a project: its builds may run without plux 2 ([tool.plux] "
    "without plux>=2 in build-system.requires)",
    "unbuilt-plugins": "run in a project: its installed distribution lacks plugins its source "
    "declares (built without plux 2)",
    "not-installed": "run in a project: the project's distribution is not installed here, so "
    "none of its plugins can be checked",
}
"""Every kind of finding, with what it means; each one is a problem (exit status 1)."""


@dataclass
class Finding:
    """One problem: which plugin (when it is about one), what, and where to look."""

    kind: str
    message: str
    entry_point: IndexedEntryPoint | None = None
    namespace: str | None = None
    location: str | None = None
    distribution: str | None = None
    """For a finding about a distribution rather than one plugin (``stale-editable``)."""
    version: str | None = None
    traceback: str | None = None
    """The traceback of the error, printed with ``-v``."""

    @classmethod
    def of(cls, failure: Failure, row: IndexedEntryPoint) -> Finding:
        """The finding of a failed step for the entry point ``row``."""
        return cls(
            failure.kind,
            failure.message,
            row,
            location=failure.location,
            traceback=failure.traceback,
        )

    def document(self) -> dict[str, Any]:
        row = self.entry_point
        return {
            "kind": self.kind,
            "namespace": row.group if row is not None else self.namespace,
            "name": plugin_name(row) if row is not None else None,
            "value": row.value if row is not None else None,
            "distribution": (row.distribution or None) if row is not None else self.distribution,
            "version": (row.version or None) if row is not None else self.version,
            "message": self.message,
            "location": self.location,
        }

    def line(self) -> str:
        row = self.entry_point
        if row is not None:
            where = f"{row.group}:{plugin_name(row)} ({origin(row)})"
            return f"{self.kind}: {where}: {self.message}"
        if self.distribution is not None:
            return f"{self.kind}: {self.distribution} {self.version or '?'}: {self.message}"
        return f"{self.kind}: {self.message}"


@dataclass
class Checkup:
    """What doctor learnt about one plugin."""

    entry_point: IndexedEntryPoint
    status: str = "ok"
    import_seconds: float | None = None
    init_seconds: float | None = None
    module_plugins: int = 1
    """How many plugins of the report live in this plugin's module."""
    module_import_seconds: float | None = None
    """What importing the module cost: measured on its first plugin, shared by all of them."""
    imports_module: bool = True
    """Whether this is the module's first plugin, the one whose import imported the module."""
    disabled_reason: str | None = None
    """Why PLUX_ENABLE/PLUX_DISABLE switch the plugin off (then it is not imported)."""

    @property
    def module(self) -> str:
        return self.entry_point.value.partition(":")[0].strip()

    def document(self) -> dict[str, Any]:
        row = self.entry_point
        return {
            "namespace": row.group,
            **{k: v for k, v in entry_point_document(row).items() if k != "entry_point"},
            "status": self.status,
            "import_ms": milliseconds(self.import_seconds),
            "init_ms": milliseconds(self.init_seconds),
            "module": self.module,
            "module_import_ms": milliseconds(self.module_import_seconds),
            "disabled_reason": self.disabled_reason,
        }

    def import_cell(self) -> str:
        """The import column of the text report: a module's import is shown once, on its first
        plugin; the others of that module cost next to nothing."""
        if not self.imports_module:
            return "import shared"
        ms = milliseconds(self.import_seconds)
        if ms is None:
            return "import -"
        shared = f" (module import, shared by {self.module_plugins} plugins)"
        return f"import {ms:.1f} ms" + (shared if self.module_plugins > 1 else "")


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    checkups: list[Checkup] = field(default_factory=list)


def examine(cache: EntryPointsCache, groups: Sequence[str], whole: bool) -> Report:
    """Check ``groups`` of the environment; ``whole`` adds problems that belong to no group."""
    from .stale_editables import stale_editables  # the build side: when doctor runs

    report = Report()
    report.findings.extend(malformed_lines(cache.errors(), groups, whole))
    report.findings.extend(similar_namespaces(cache, groups))
    rows_by_group = {group: cache.entry_points_of(group) for group in groups}
    tool_rows = [row for g, rows in rows_by_group.items() if is_tool_group(g) for row in rows]
    tool_outcomes = dict(zip(map(id, tool_rows), check_tools(tool_rows), strict=True))
    reason = switched_off()
    for group, rows in rows_by_group.items():
        if is_tool_group(group):
            for row in rows:
                failure, seconds = tool_outcomes[id(row)]
                status = "ok" if failure is None else failure.kind
                report.checkups.append(Checkup(row, status, import_seconds=seconds))
                if failure is not None:
                    report.findings.append(Finding.of(failure, row))
            continue
        report.findings.extend(conflicts([row for row in rows if not reason(row)]))
        for row in rows:
            if reason(row):
                # switched off by the operator: the application never imports it either
                report.checkups.append(Checkup(row, "disabled", disabled_reason=reason(row)))
                continue
            checkup, findings = check_plugin(row)
            report.checkups.append(checkup)
            report.findings.extend(findings)
    all_rows = [row for rows in rows_by_group.values() for row in rows]
    for row, message, location in stale_editables(all_rows):
        distribution, version = row.distribution or None, row.version or None
        finding = Finding("stale-editable", message, None, None, location, distribution, version)
        report.findings.append(finding)
    share_module_imports(report.checkups)
    return report


def similar_namespaces(cache: EntryPointsCache, groups: Sequence[str]) -> list[Finding]:
    """One finding per pair of installed plugin namespaces, one of them in ``groups``, that are
    close enough for the run time to suggest one for the other (a character or two apart)."""
    plugin_groups = [g for g in cache.groups() if not is_tool_group(g)]
    findings = []
    for group, other in close_namespace_pairs(plugin_groups):
        if group not in groups and other not in groups:
            continue
        sides = [f"{g} (from {_providers(cache, g)})" for g in (group, other)]
        message = (
            f"namespaces {sides[0]} and {sides[1]} differ by a small edit: plugins registered "
            "in one are not seen by a manager of the other; rename the mistyped one"
        )
        findings.append(Finding("similar-namespaces", message, namespace=group))
    return findings


def _providers(cache: EntryPointsCache, group: str) -> str:
    """``demo-addon 1.0, other 2.0``: the distributions that register plugins in ``group``."""
    return ", ".join(dict.fromkeys(origin(row) for row in cache.entry_points_of(group)))


def share_module_imports(checkups: Sequence[Checkup]) -> None:
    """Charge each module's import to the module, once: its first plugin's import time."""
    by_module: dict[str, list[Checkup]] = {}
    for checkup in checkups:
        by_module.setdefault(checkup.module, []).append(checkup)
    for same in by_module.values():
        for i, checkup in enumerate(same):
            checkup.module_plugins = len(same)
            checkup.module_import_seconds = same[0].import_seconds
            checkup.imports_module = i == 0


def malformed_lines(errors: Iterable[str], groups: Sequence[str], whole: bool) -> list[Finding]:
    """Findings for the malformed lines of ``entry_points.txt`` files in ``groups`` (and, with
    ``whole``, those outside any group or in files that cannot be read)."""
    findings = []
    for error in errors:
        file, line = _error_location(error)
        group = _group_at(file, line) if file is not None and line is not None else None
        if (group in groups) if group is not None else whole:
            where = f"{file}:{line}" if file is not None and line is not None else file
            findings.append(Finding("malformed", error, namespace=group, location=where))
    return findings


def _error_location(error: str) -> tuple[str | None, int | None]:
    # Errors read "FILE:LINE: what: 'text'" (plux.core._entry_points_text) or "FILE: what".
    head, sep, _ = error.partition(": ")
    if not sep:
        return None, None
    file, colon, number = head.rpartition(":")
    if colon and number.isdigit():
        return file, int(number)
    return head, None


def _group_at(file: str, line: int) -> str | None:
    """The ``[group]`` that line ``line`` of an ``entry_points.txt`` belongs to: the group the
    run time's parser gives an entry point written there (None outside any group)."""
    try:
        with open(file, encoding="utf-8", errors="replace") as fh:
            above = fh.read().splitlines()[: line - 1]
    except OSError:
        return None
    entry_points, _ = read_entry_points_text("\n".join([*above, "probe = probe"]))
    return entry_points[-1].group if entry_points else None


def conflicts(rows: Sequence[IndexedEntryPoint]) -> list[Finding]:
    """One finding per plugin name that several entry points of a namespace register."""
    findings = []
    for same in by_plugin_name(rows).values():
        message = conflict_message(same)
        if message is not None:
            findings.append(Finding("conflict", message, entry_point=same[0]))
    return findings


def check_plugin(row: IndexedEntryPoint) -> tuple[Checkup, list[Finding]]:
    """Import, resolve, create and ask ``should_load()`` of one plugin (never ``load``)."""
    with plugin_output_to_stderr():
        resolved = resolve_entry_point(row)
        checkup = Checkup(row, import_seconds=resolved.import_seconds)
        if resolved.failure is not None:
            checkup.status = resolved.failure.kind
            return checkup, [Finding.of(resolved.failure, row)]
        spec = resolved.spec
        assert spec is not None  # resolved without a failure
        findings = _mismatches(spec, row)
        started = time.perf_counter()
        try:
            plugin = make_plugin(spec)
        except (Exception, SystemExit) as e:
            checkup.init_seconds = time.perf_counter() - started
            checkup.status = "init-error"
            return checkup, [*findings, Finding.of(Failure.of("init-error", e, row.value), row)]
        checkup.init_seconds = time.perf_counter() - started
        try:
            should_load = plugin.should_load()
        except (Exception, SystemExit) as e:
            checkup.status = "load-check-error"
            failure = Failure.of("load-check-error", e, row.value)
            return checkup, [*findings, Finding.of(failure, row)]
    if findings:
        checkup.status = findings[0].kind
    elif not should_load:
        checkup.status = "disabled"
    return checkup, findings


def _mismatches(spec: PluginSpec, row: IndexedEntryPoint) -> list[Finding]:
    if spec.namespace != row.group:
        message = f"the plugin declares namespace {spec.namespace!r}, its entry point {row.group!r}"
        return [Finding("mismatch", message, row)]
    if spec.name != plugin_name(row) and spec.name.lower() != row.name.lower():
        message = f"the plugin declares name {spec.name!r}, its entry point {row.name!r}"
        return [Finding("mismatch", message, row)]
    return []


def add_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add ``doctor`` (see :mod:`plux._cli`)."""
    doctor = subparsers.add_parser(
        "doctor",
        parents=[common],
        help="find broken, conflicting or stale plugins; exit 1 if there is a problem",
        description="Import, create and load-check (should_load) every installed plugin, timing "
        "each import; report malformed or unimportable entry points, name conflicts, stale "
        "editable installs and plugins that fail to init. Never calls load().",
    )
    add_namespace_selection(doctor)
    add_json_flag(doctor)
    doctor.set_defaults(handler=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    """``plux doctor [NAMESPACE ...]``: report problems; exit 1 if there is any."""
    # importlib.metadata and the build side: imported when doctor runs, not by every command
    from .project_installs import project_findings

    cache = checked_cache()
    patterns = namespace_patterns(args)
    groups = selected_groups(cache.groups(), patterns, args.all)
    report = examine(cache, groups, whole=not patterns)
    for problem in project_findings(patterns):
        kind, message, location, distribution, version = problem
        report.findings.append(Finding(kind, message, None, None, location, distribution, version))
    problems = len(report.findings)
    if args.json:
        print_json(
            {
                "ok": problems == 0,
                "problems": problems,
                "findings": [finding.document() for finding in report.findings],
                "plugins": [checkup.document() for checkup in report.checkups],
            }
        )
        return 1 if problems else 0
    _print_text(report, groups, args.all, verbose=bool(args.verbose))
    return 1 if problems else 0


def _print_text(report: Report, groups: Sequence[str], everything: bool, verbose: bool) -> None:
    for group in groups:
        checkups = [c for c in report.checkups if c.entry_point.group == group]
        print(f"{group} ({plural(len(checkups), 'plugin')})")
        cells = [
            [
                plugin_name(c.entry_point),
                f"disabled ({c.disabled_reason})" if c.disabled_reason else c.status,
                c.import_cell(),
                _timing("init", c.init_seconds),
                origin(c.entry_point),
            ]
            for c in checkups
        ]
        for line in table(cells):
            print(line)
    if not groups:
        print(nothing_installed(everything))
    if report.findings:
        print(f"{plural(len(report.findings), 'problem')}:")
        for finding in report.findings:
            print(f"  {finding.line()}")
            if verbose and finding.traceback:
                print(textwrap.indent(finding.traceback.rstrip(), "    "))
    else:
        print("no problems found")


def _timing(step: str, seconds: float | None) -> str:
    ms = milliseconds(seconds)
    return f"{step} -" if ms is None else f"{step} {ms:.1f} ms"
