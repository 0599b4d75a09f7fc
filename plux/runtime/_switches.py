"""Switches without code: ``PLUX_ENABLE``/``PLUX_DISABLE`` and a manager's ``enable=``/``disable=``.

Each holds ``NAMESPACE[:NAME]`` shell-style patterns (case-sensitive, split at the first colon:
``AWS::SQS::Queue`` is a name). A disable pattern that matches a plugin disables it; an enable
list restricts only the namespaces its patterns name, and disable wins over enable. Imported
only by processes that set a switch.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

ENABLE = "PLUX_ENABLE"
DISABLE = "PLUX_DISABLE"


class Pattern:
    """One ``NAMESPACE[:NAME]`` pattern, and where it was given (``PLUX_DISABLE``, ``disable=``).

    >>> p = Pattern("aws.resources:AWS::SQS::*", "PLUX_DISABLE")
    >>> p.namespace, p.name
    ('aws.resources', 'AWS::SQS::*')
    >>> p.matches("aws.resources", "AWS::SQS::Queue"), p.matches("aws.resources", "AWS::S3::Bucket")
    (True, False)
    """

    __slots__ = ("text", "source", "namespace", "name")

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        namespace, colon, name = text.partition(":")
        self.namespace = namespace
        self.name: str | None = name if colon else None

    def covers(self, namespace: str) -> bool:
        """Whether the pattern is about ``namespace`` (its namespace part matches)."""
        return fnmatchcase(namespace, self.namespace)

    def matches(self, namespace: str, name: str) -> bool:
        """Whether the pattern matches the plugin ``namespace:name``."""
        return self.covers(namespace) and (self.name is None or fnmatchcase(name, self.name))

    def __repr__(self) -> str:
        return f"{self.source} pattern {self.text!r}"


def parse_patterns(given: str | Iterable[str] | None, source: str) -> list[Pattern]:
    """The patterns of a comma- or space-separated string (or of several strings).

    :raises ValueError: for a pattern without a namespace (``:NAME``), naming it and ``source``.

    >>> [p.text for p in parse_patterns("a.b:x, c.d  e:f::g", "PLUX_DISABLE")]
    ['a.b:x', 'c.d', 'e:f::g']
    >>> parse_patterns(" , ", "PLUX_DISABLE")
    []
    """
    if given is None:
        return []
    texts = [given] if isinstance(given, str) else list(given)
    patterns = []
    for text in texts:
        for item in _items(text):
            if item.startswith(":"):
                raise ValueError(
                    f"{source}: pattern {item!r} has no namespace; write NAMESPACE or "
                    "NAMESPACE:NAME (e.g. 'my.plugins:old*')"
                )
            patterns.append(Pattern(item, source))
    return patterns


def _items(text: str) -> list[str]:
    """The patterns of one string: separated by commas or white space."""
    return text.replace(",", " ").split()


class Switches:
    """The enable and disable patterns that apply to a manager's installed plugins."""

    def __init__(self, enable: list[list[Pattern]], disable: list[Pattern]) -> None:
        self.enable = [patterns for patterns in enable if patterns]
        """One list per source (the environment, the manager): each restricts on its own."""
        self.disable = disable

    def reason(self, namespace: str, name: str) -> str | None:
        """Why the plugin ``namespace:name`` is switched off, or None if it is not."""
        for pattern in self.disable:
            if pattern.matches(namespace, name):
                return f"disabled by {pattern.source} pattern {pattern.text!r}"
        for patterns in self.enable:
            about = [p for p in patterns if p.covers(namespace)]
            if about and not any(p.matches(namespace, name) for p in about):
                listed = ", ".join(repr(p.text) for p in about)
                return f"not enabled by {about[0].source} (its patterns for {namespace}: {listed})"
        return None


def environment_patterns() -> tuple[list[Pattern], list[Pattern]]:
    """The enable and disable patterns the environment sets (a bad pattern is warned about and
    left out: an operator's typo must not stop the application)."""
    found: list[list[Pattern]] = []
    for variable in (ENABLE, DISABLE):
        patterns = []
        for item in _items(os.environ.get(variable, "")):
            try:
                patterns += parse_patterns(item, variable)
            except ValueError as e:
                _warn_once(f"{e}; ignored")
        found.append(patterns)
    return found[0], found[1]


def switches(
    enable: list[Pattern] | None, disable: list[Pattern] | None, installed: bool = True
) -> Switches | None:
    """The switches of a manager given ``enable=``/``disable=`` patterns (None: not given) and
    the environment's; None when there are none. ``installed``: warn (once per process) about
    patterns that match no installed plugin."""
    env_enable, env_disable = environment_patterns()
    if not (enable or disable or env_enable or env_disable):
        return None
    if installed:
        warn_unmatched([*env_enable, *env_disable, *(enable or []), *(disable or [])])
    return Switches([env_enable, enable or []], [*env_disable, *(disable or [])])


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        from plux.runtime._log import logger

        logger().warning("%s", message)


def warn_unmatched(patterns: Iterable[Pattern]) -> None:
    """Warn once about each pattern that matches no installed plugin, naming close matches."""
    patterns = [p for p in patterns if repr(p) not in _warned]
    if not patterns:
        return
    from plux.runtime._suggest import NAMESPACE_CUTOFF, did_you_mean
    from plux.runtime.cache import EntryPointsCache

    cache = EntryPointsCache.instance()
    groups = cache.groups()
    for pattern in patterns:
        _warned.add(repr(pattern))
        covered = [g for g in groups if pattern.covers(g)]
        if not covered:
            hint = did_you_mean(pattern.namespace, groups, cutoff=NAMESPACE_CUTOFF)
            _warn_once(f"{pattern!r} matches no installed plugin namespace{hint}")
            continue
        if pattern.name is None:
            continue
        names = {
            row.declared_name or row.name: group
            for group in covered
            for row in cache.entry_points_of(group)
        }
        if not any(pattern.matches(group, name) for name, group in names.items()):
            hint = did_you_mean(pattern.name, names)
            _warn_once(f"{pattern!r} matches no installed plugin{hint}")
