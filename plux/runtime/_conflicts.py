"""One plugin name registered by several distributions: which one serves it, and how to say so.

The rule, the same on every machine: the provider whose folder comes first on ``sys.path``
serves the name; within one folder, the one whose distribution name (normalised as pip does)
sorts first. Only the manager's choice follows it: ``importlib.metadata``-style answers keep
entry points in the order importlib gives them. Imported only when a namespace has a conflict,
or when code uses :class:`ConflictSide` (public as ``plux.core.plugin.ConflictSide``).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from plux.core.plugin import PluginSpec
    from plux.runtime._index import IndexedEntryPoint

RULE = "the first on sys.path; in one folder, the first by distribution name"
"""Which provider of a conflicting name serves it, as messages state it."""


class ConflictSide:
    """One of two registrations of a plugin name in a namespace, as ``on_conflict`` gets them.

    ``name`` and ``value`` (``module:attr``, None if unknown) of the entry point or spec; the
    ``distribution`` and ``version`` it is installed with (None for a spec from a custom finder).
    """

    __module__ = "plux.core.plugin"  # its public name
    __slots__ = ("name", "value", "distribution", "version")

    def __init__(
        self,
        name: str,
        value: str | None,
        distribution: str | None = None,
        version: str | None = None,
    ) -> None:
        self.name = name
        self.value = value
        self.distribution = distribution
        self.version = version

    def _key(self) -> tuple[str, str | None, str | None, str | None]:
        return (self.name, self.value, self.distribution, self.version)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ConflictSide):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "ConflictSide(name={!r}, value={!r}, distribution={!r}, version={!r})".format(
            *self._key()
        )

    def __str__(self) -> str:
        """Where this registration comes from, for messages: its distribution, else its value."""
        if self.distribution:
            return f"distribution {self.distribution} {self.version or ''}".rstrip()
        return self.value or self.name


def normalised(distribution: str) -> str:
    """A distribution's name as pip compares it.

    >>> normalised("Demo_Addon.extra")
    'demo-addon-extra'
    """
    name = distribution.lower()
    for separator in "_.":
        name = name.replace(separator, "-")
    while "--" in name:
        name = name.replace("--", "-")
    return name


def serving_order(
    providers: Sequence[IndexedEntryPoint], entry_points: Sequence[IndexedEntryPoint]
) -> list[IndexedEntryPoint]:
    """``providers`` of one name in the order that decides which serves it: folders in the
    order ``entry_points`` (the namespace's, in importlib's order) meets them, and within a
    folder by normalised distribution name, whatever order the file system lists them in."""
    rank: dict[str, int] = {}
    for entry_point in entry_points:
        rank.setdefault(os.path.dirname(entry_point.path), len(rank))
    return sorted(
        providers,
        key=lambda e: (rank.get(os.path.dirname(e.path), len(rank)), normalised(e.distribution)),
    )


def provider(entry_point: IndexedEntryPoint) -> ConflictSide:
    """The conflict side of an installed entry point."""
    return ConflictSide(
        entry_point.name, entry_point.value, entry_point.distribution, entry_point.version
    )


def spec_side(spec: PluginSpec) -> ConflictSide:
    """The conflict side of a spec (of a custom finder, or a test's override)."""
    return ConflictSide(spec.name, spec.find_location())


def describe_conflict(
    namespace: str, name: str, chosen: ConflictSide, ignored: Iterable[ConflictSide]
) -> str:
    """The words in which the manager's warning, ``plux list`` and ``plux doctor`` describe a
    conflict (a listener's ``on_conflict`` gets the same sides).

    >>> a = ConflictSide("hi", "a:Hi", "alpha", "1.0")
    >>> describe_conflict("app.cmds", "hi", a, [ConflictSide("hi", "b:Hi", "beta", "2.0")])
    'plugin name conflict in namespace app.cmds: hi is registered by distribution alpha 1.0 \
(a:Hi) and by distribution beta 2.0 (b:Hi); using distribution alpha 1.0 (the first on sys.path; \
in one folder, the first by distribution name)'
    """
    sides = " and by ".join(f"{side} ({side.value})" for side in [chosen, *ignored])
    return (
        f"plugin name conflict in namespace {namespace}: {name} is registered by {sides}; "
        f"using {chosen} ({RULE})"
    )
