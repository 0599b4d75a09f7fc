"""Filters that disable plugins before they are created, and the process-wide default filter."""

from __future__ import annotations

# collections.abc would import the collections package; its implementation is already loaded.
from _collections_abc import Callable

from plux.core.plugin import PluginSpec

__all__ = [
    "PluginFilter",
    "MatchingPluginFilter",
    "global_plugin_filter",
]

PluginFilter = Callable[[PluginSpec], bool]
"""A filter returns True for a spec whose plugin must be disabled."""


class PluginSpecMatcher:
    """Matches specs by shell-style patterns over namespace, name and value (unset: any)."""

    def __init__(
        self, *, namespace: str | None = None, name: str | None = None, value: str | None = None
    ) -> None:
        self.namespace = namespace
        self.name = name
        self.value = value

    def matches(self, spec: PluginSpec) -> bool:
        """Whether every given pattern matches the spec (patterns combine with AND).

        Reads no factory when the spec knows its location, as a manager's specs of plugins not
        yet imported do: matching never imports a plugin's module.
        """
        # fnmatch pulls in re; only processes that configure exclusions pay for it.
        from fnmatch import fnmatchcase

        if self.namespace is not None and not fnmatchcase(spec.namespace, self.namespace):
            return False
        if self.name is not None and not fnmatchcase(spec.name, self.name):
            return False
        return self.value is None or fnmatchcase(spec.find_location() or "", self.value)

    def __repr__(self) -> str:
        return (
            f"PluginSpecMatcher(namespace={self.namespace!r}, name={self.name!r}, "
            f"value={self.value!r})"
        )


class MatchingPluginFilter:
    """Disables every plugin that matches one of its exclusions.

    >>> f = MatchingPluginFilter()
    >>> f.add_exclusion(namespace="localstack.*", name="s3*")
    >>> f(PluginSpec("localstack.services", "s3", object))
    True
    >>> f(PluginSpec("localstack.services", "sqs", object))
    False
    """

    def __init__(self) -> None:
        self.exclusions: list[PluginSpecMatcher] = []

    def add_exclusion(
        self, *, namespace: str | None = None, name: str | None = None, value: str | None = None
    ) -> None:
        """Disable plugins whose namespace, name and ``module:attr`` value match these patterns.

        :raises ValueError: if no pattern is given (that would disable every plugin).
        """
        if namespace is None and name is None and value is None:
            raise ValueError("add_exclusion needs at least one of namespace, name or value")
        self.exclusions.append(PluginSpecMatcher(namespace=namespace, name=name, value=value))

    def __call__(self, spec: PluginSpec) -> bool:
        return any(matcher.matches(spec) for matcher in self.exclusions)


global_plugin_filter = MatchingPluginFilter()
"""The filter every ``PluginManager`` created without ``filters=`` consults."""
