"""How a recorded entry point index differs from the code, as ``plux entrypoints --check`` says.

It compares the index file (``plux.ini`` in manual mode, the egg-info's ``plux.json`` in
build-hook mode) with what discovery finds now, writes nothing, and names every entry point that
is missing from the file, extra in it, or different (same group and name, another value).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from plux.core._entry_points_text import EntryPointTable
from plux.core.entrypoint import EntryPoint

from .output import plural, print_json


@dataclass
class IndexDiff:
    """How a recorded index differs from the discovered one."""

    missing: list[EntryPoint] = field(default_factory=list)
    """In the code, not in the file."""
    extra: list[EntryPoint] = field(default_factory=list)
    """In the file, no longer in the code."""
    different: list[tuple[EntryPoint, str]] = field(default_factory=list)
    """In both under one group and name: the value in the code and the value in the file."""

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.different)


def entry_points_of(index: EntryPointTable) -> dict[tuple[str, str], str]:
    """``{(group, name): value}`` of an index."""
    return {
        (group, name): value for group, entries in index.items() for name, value in entries.items()
    }


def compare_index(recorded: EntryPointTable, discovered: EntryPointTable) -> IndexDiff:
    """The entry points that are missing, extra or different in ``recorded``, sorted.

    Names are compared exactly: an entry point whose name differs only in case (as plux 1.16
    wrote them) is both missing and extra.

    >>> diff = compare_index({"g": {"a": "m:A", "b": "m:B"}}, {"g": {"a": "m:A2", "c": "m:C"}})
    >>> [ep.name for ep in diff.missing], [ep.name for ep in diff.extra], diff.different
    (['c'], ['b'], [(EntryPoint(name='a', value='m:A2', group='g'), 'm:A')])
    """
    old, new = entry_points_of(recorded), entry_points_of(discovered)
    diff = IndexDiff()
    for group, name in sorted(old.keys() | new.keys()):
        key = (group, name)
        if key not in old:
            diff.missing.append(EntryPoint(name, new[key], group))
        elif key not in new:
            diff.extra.append(EntryPoint(name, old[key], group))
        elif old[key] != new[key]:
            diff.different.append((EntryPoint(name, new[key], group), old[key]))
    return diff


def _entry(ep: EntryPoint) -> dict[str, str]:
    return {"group": ep.group, "name": ep.name, "value": ep.value}


def diff_document(shown: str | None, diff: IndexDiff) -> dict[str, Any]:
    """The ``--json`` document of a check (shape in :mod:`plux._cli.output`)."""
    return {
        "ok": diff.ok,
        "index": shown,
        "missing": [_entry(ep) for ep in diff.missing],
        "extra": [_entry(ep) for ep in diff.extra],
        "different": [{**_entry(ep), "recorded": recorded} for ep, recorded in diff.different],
    }


def diff_lines(diff: IndexDiff) -> Iterable[str]:
    """One line per difference, for people."""
    for ep in diff.missing:
        yield f"  missing    [{ep.group}] {ep.name} = {ep.value}"
    for ep in diff.extra:
        yield f"  extra      [{ep.group}] {ep.name} = {ep.value}"
    for ep, recorded in diff.different:
        yield f"  different  [{ep.group}] {ep.name} = {ep.value} (the file says {recorded})"


def report_check(
    shown: str,
    recorded: EntryPointTable | None,
    discovered: EntryPointTable,
    as_json: bool,
    advice: str,
) -> int:
    """Print the outcome of a check of the index file ``shown`` and return the exit code: 0 when
    it matches, 1 when it differs (``advice`` follows "run 'python -m plux entrypoints'"). A
    missing file (``recorded`` None) counts as an empty one, so it fails exactly when the code
    has plugins.
    """
    diff = compare_index(recorded or {}, discovered)
    if as_json:
        print_json(diff_document(shown, diff))
        return 0 if diff.ok else 1
    if diff.ok:
        count = len(entry_points_of(discovered))
        print(f"{shown} is up to date ({plural(count, 'entry point')})")
        return 0
    problems = len(diff.missing) + len(diff.extra) + len(diff.different)
    state = "does not exist" if recorded is None else "does not match the code"
    # the report goes where "up to date" goes: stdout (the exit status says which it is)
    print(
        f"{shown} {state} ({plural(problems, 'difference')}); "
        f"run 'python -m plux entrypoints' {advice}:"
    )
    for line in diff_lines(diff):
        print(line)
    return 1
