"""Entry point text (``entry_points.txt``, ``plux.ini``, setuptools' ``"name = value"`` strings)
and plux's own model of entry points, ``{group: {name: value}}``: the one parser and the writer."""

from __future__ import annotations

from sys import intern

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from importlib.metadata import EntryPoint
    from typing import Protocol

    from plux.core.entrypoint import EntryPoint as _EntryPoint, EntryPointDict

    EntryPointsLike = Mapping[str, Mapping[str, str] | Iterable[str] | str]
    """Entry points as callers hand them in: a table, or setuptools' lists or text per group."""

    class NamedEntryPoint(Protocol):
        """What serialisation needs of an entry point (ours and importlib.metadata's)."""

        @property
        def name(self) -> str: ...

        @property
        def value(self) -> str: ...

        @property
        def group(self) -> str: ...


EntryPointTable = dict[str, dict[str, str]]
"""plux's model of entry points: ``{group: {name: value}}``, in the order they were given."""


def log_malformed(errors: Iterable[str]) -> None:
    """Log each malformed line as a warning (logger ``plux.runtime.metadata``)."""
    for error in errors:
        # logging is imported only when there is something to say (a rebuild has nothing)
        import logging

        logging.getLogger("plux.runtime.metadata").warning("malformed entry point line: %s", error)


def read_entry_points_text(
    text: str, source: str | None = None, group: str | None = None
) -> tuple[list[_EntryPoint], list[str]]:
    """Parse the text of an ``entry_points.txt`` into entry points and a list of errors
    (:func:`read_entry_point_lines`, as :class:`~plux.core.entrypoint.EntryPoint` values).

    >>> read_entry_points_text("[demo]\\nhello = pkg.mod:Hello\\noops\\n", "ep.txt")
    ([EntryPoint(name='hello', value='pkg.mod:Hello', group='demo')], ["ep.txt:3: expected 'name = value': 'oops'"])
    """  # noqa: E501
    from plux.core.entrypoint import EntryPoint as _EntryPoint

    lines, errors = read_entry_point_lines(text, source, group)
    return [_EntryPoint(name, value, group) for group, name, value in lines], errors


def read_entry_point_lines(
    text: str, source: str | None = None, group: str | None = None
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Parse the text of an ``entry_points.txt`` into ``(group, name, value)`` and a list of
    errors (the one parser; plain tuples, so that the index's cold start imports nothing).

    Reads what ``importlib.metadata`` reads, as it reads it: ``[group]`` headers (the group is
    what lies between the outer brackets, inner spaces kept), ``name = value`` lines split at the
    first ``=`` and stripped (extras such as ``mod:attr [a,b]`` stay in the value), ``#``
    comments and blank lines. Where it fails (a line without ``=`` makes
    ``importlib.metadata.entry_points()`` raise), plux goes on: a ``;`` line is an ini comment,
    skipped; any other such line, and one that importlib ignores (before any header), becomes an
    error ``"SOURCE:LINE: what is wrong: 'the line'"`` and parsing goes on. Lines before any header
    belong to ``group`` if given (the lines of one group, as setuptools takes them).

    >>> read_entry_point_lines("[demo]\\nhello = pkg.mod:Hello\\n")
    ([('demo', 'hello', 'pkg.mod:Hello')], [])
    """
    where = source or "<entry points>"
    lines: list[tuple[str, str, str]] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] == "#":
            continue
        if line[0] == "[" and line[-1] == "]":
            # interned: an index of thousands of distributions then stores each group name once
            group = intern(line.strip("[]"))
            continue
        name, equals, value = line.partition("=")
        if not equals and line[0] == ";":
            continue  # an ini comment (importlib.metadata would fail on it; configparser skips it)
        if group is None:
            errors.append(f"{where}:{number}: entry point outside a [group] section: {line!r}")
        elif not equals:
            errors.append(f"{where}:{number}: expected 'name = value': {line!r}")
        else:
            lines.append((group, name.strip(), value.strip()))
    return lines, errors


def parse_entry_points_text(text: str, source: str | None = None) -> list[EntryPoint]:
    """Parse the text of an ``entry_points.txt`` into ``importlib.metadata.EntryPoint`` objects.

    Malformed lines are skipped and each is logged as a warning (logger ``plux.runtime.metadata``)
    naming ``source`` and the line number; :func:`read_entry_points_text` returns them instead.
    """
    from importlib.metadata import EntryPoint

    entry_points, errors = read_entry_points_text(text, source)
    log_malformed(errors)
    return [EntryPoint(ep.name, ep.value, ep.group) for ep in entry_points]


def entry_point_table(entry_points: Iterable[NamedEntryPoint]) -> EntryPointTable:
    """Entry points as a table, groups and names in the order given; of two entry points with one
    name in one group the first counts, as in ``importlib.metadata``."""
    table: EntryPointTable = {}
    for ep in entry_points:
        table.setdefault(ep.group, {}).setdefault(ep.name, ep.value)
    return table


def read_entry_point_table(
    entry_points: EntryPointsLike | str, source: str | None = None
) -> tuple[EntryPointTable, list[str]]:
    """Entry points in any form setuptools takes (``entry_points.txt`` text, or per group a list
    of ``"name = value"`` strings, their text, or a ``{name: value}`` table) as a table, with the
    malformed lines (as :func:`read_entry_points_text` reports them).

    >>> read_entry_point_table({"demo": ["a = m:A", "", "b"]}, "setup")
    ({'demo': {'a': 'm:A'}}, ["setup[demo]:3: expected 'name = value': 'b'"])
    """
    from collections.abc import Mapping  # only here: this module is on the warm path

    if isinstance(entry_points, str):
        parsed, errors = read_entry_points_text(entry_points, source)
        return entry_point_table(parsed), errors
    found: list[_EntryPoint] = []
    errors = []
    for group, entries in entry_points.items():
        if isinstance(entries, Mapping):
            lines = [f"{name} = {value}" for name, value in entries.items()]
        else:
            lines = entries.splitlines() if isinstance(entries, str) else list(entries)
        more, bad = read_entry_points_text("\n".join(lines), f"{source}[{group}]", group)
        found.extend(more)
        errors.extend(bad)
    return entry_point_table(found), errors


def entry_point_strings(table: Mapping[str, Mapping[str, str]]) -> EntryPointDict:
    """A table as setuptools (and plux 1.16's ``EntryPointDict``) write entry points:
    ``{group: ["name = value", ...]}``."""
    return {group: [f"{n} = {v}" for n, v in entries.items()] for group, entries in table.items()}


def serialize_entry_point_table(table: Mapping[str, Mapping[str, str]]) -> str:
    """Write a table as the text of an ``entry_points.txt``, in the table's order.

    :raises ValueError: as :func:`serialize_entry_points_text`.
    """
    return _write((group, entries.items()) for group, entries in table.items())


def serialize_entry_points_text(index: Mapping[str, Sequence[NamedEntryPoint]]) -> str:
    """Write ``{group: [entry point, ...]}`` as the text of an ``entry_points.txt``.

    Groups are sorted, entries keep their order, so
    ``build_entry_point_index(parse_entry_points_text(serialize_entry_points_text(x))) == x``.

    >>> from plux.core.entrypoint import EntryPoint
    >>> print(serialize_entry_points_text({"demo": [EntryPoint("hello", "pkg:Hello", "demo")]}))
    [demo]
    hello = pkg:Hello
    <BLANKLINE>

    :raises ValueError: for an entry point that the text format cannot represent (a name with
        ``=`` or a line break, surrounding whitespace, an empty value).
    """
    return _write((group, ((ep.name, ep.value) for ep in index[group])) for group in sorted(index))


def _write(groups: Iterable[tuple[str, Iterable[tuple[str, str]]]]) -> str:
    lines: list[str] = []
    for group, entries in groups:
        if not _representable_group(group):
            raise ValueError(f"group {group!r} cannot be written to entry_points.txt")
        lines.append(f"[{group}]")
        for name, value in entries:
            if not _representable_entry(name, value):
                raise ValueError(f"entry point {name!r} = {value!r} cannot be written")
            lines.append(f"{name} = {value}")
        lines.append("")
    return "\n".join(lines)


def _one_line(text: str) -> bool:
    return bool(text) and text == text.strip() and len(text.splitlines()) == 1


def _representable_group(group: str) -> bool:
    # "[#x]" is a header (not a comment): only brackets at either end would change the group.
    return _one_line(group) and group[0] != "[" and group[-1] != "]"


def _representable_entry(name: str, value: str) -> bool:
    return (
        _one_line(name)
        and _one_line(value)
        and "=" not in name
        and name[0] not in "#;"
        and not (name[0] == "[" and value[-1] == "]")
    )
