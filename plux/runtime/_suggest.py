"""Close-match suggestions for mistyped plugin names and namespaces ("did you mean ...?")."""

from __future__ import annotations

# difflib pulls in heapq and more: the manager imports this module only when there is a mistake.
from difflib import get_close_matches

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

NAME_CUTOFF = 0.6
"""How close a plugin name must be to be suggested (difflib's default)."""
NAMESPACE_CUTOFF = 0.9
"""How close a namespace must be: a character or two off in a dotted name. Stricter than for
names, so a namespace that is empty on purpose (``hooks.on_start`` beside ``hooks.on_stop``)
gets no warning."""


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = NAME_CUTOFF) -> str:
    """``"; did you mean A or B?"`` naming the candidates close to ``word`` (ignoring case),
    closest first, or ``""`` if none is.

    >>> did_you_mean("Helo", ["Hello", "Goodbye"])
    '; did you mean Hello?'
    >>> did_you_mean("zzz", ["Hello"])
    ''
    """
    matches = close_matches(word, candidates, cutoff)
    if not matches:
        return ""
    return f"; did you mean {' or '.join(matches)}?"


def close_matches(word: str, candidates: Iterable[str], cutoff: float = NAME_CUTOFF) -> list[str]:
    """The candidates close to ``word`` (ignoring case), closest first."""
    by_folded: dict[str, list[str]] = {}
    for candidate in dict.fromkeys(candidates):
        by_folded.setdefault(candidate.casefold(), []).append(candidate)
    folded = get_close_matches(word.casefold(), by_folded, cutoff=cutoff)
    return [candidate for f in folded for candidate in by_folded[f]]


def warn_if_mistyped(namespace: str) -> None:
    """Warn that ``namespace``, in which nothing is installed, looks like a mistyped one."""
    from plux.runtime._log import logger
    from plux.runtime.cache import EntryPointsCache

    groups = EntryPointsCache.instance().groups()
    suggestion = did_you_mean(namespace, groups, cutoff=NAMESPACE_CUTOFF)
    if suggestion:
        logger().warning("no plugins in namespace %s%s", namespace, suggestion)


def installed_nearby(namespace: str, name: str) -> str:
    """Where plugin ``name`` is installed instead, in a namespace one small edit away from
    ``namespace`` (a namespace mistyped by the application or by the plugin), as a hint."""
    from plux.runtime.cache import EntryPointsCache

    cache = EntryPointsCache.instance()
    holding = [
        group
        for group in close_matches(namespace, cache.groups(), NAMESPACE_CUTOFF)
        if group != namespace
        and any(name in (e.name, e.declared_name) for e in cache.entry_points_of(group))
    ]
    if not holding:
        return ""
    return f"; a plugin {name} is installed in namespace {' and '.join(holding)}: is one mistyped?"
