"""Calling every loaded plugin of a namespace (and tearing them down): one result per plugin, and
what a failure does under each error policy."""

from __future__ import annotations

import sys

from plux.core._typing import Generic
from plux.runtime._lifecycle import P
from plux.runtime._log import logger

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Literal

    ErrorPolicy = Literal["log", "raise", "group"]
    """``log``: log each failure, naming the plugin, and go on; ``raise``: raise the first
    failure; ``group``: run every plugin, then raise the failures together as
    :class:`PluginErrors`."""

POLICIES = ("log", "raise", "group")

if sys.version_info >= (3, 11):

    class PluginErrors(ExceptionGroup[Exception]):  # noqa: F821  # a builtin since 3.11
        """The failures of several plugins, raised together (an ``ExceptionGroup``, so
        ``except*`` takes it apart); each failure carries a note naming its plugin."""

else:

    class PluginErrors(Exception):
        """The failures of several plugins, raised together: ``message`` and ``exceptions`` as
        an ``ExceptionGroup`` has them (which Python 3.10 lacks)."""

        def __init__(self, message: str, exceptions: Sequence[Exception]) -> None:
            super().__init__(message, tuple(exceptions))
            self.message = message
            self.exceptions = tuple(exceptions)

        def __str__(self) -> str:
            count = len(self.exceptions)
            return f"{self.message} ({count} sub-exception{'s' if count > 1 else ''})"


class CallResult(Generic[P]):
    """What calling one plugin gave: the plugin's ``name``, the ``plugin`` object, and the
    ``value`` it returned or the ``error`` it raised."""

    __slots__ = ("name", "plugin", "value", "error")

    def __init__(
        self, name: str, plugin: P, value: object = None, error: Exception | None = None
    ) -> None:
        self.name = name
        self.plugin = plugin
        self.value = value
        self.error = error

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CallResult):
            return NotImplemented
        return (self.name, self.plugin, self.value, self.error) == (
            other.name,
            other.plugin,
            other.value,
            other.error,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable fields, compared by value

    def __repr__(self) -> str:
        outcome = f"error={self.error!r}" if self.error is not None else f"value={self.value!r}"
        return f"CallResult({self.name!r}, {outcome})"


class CallRun(Generic[P]):
    """The results of one run over a namespace's plugins, under one error policy.

    ``what`` names the call in messages (``"call_all('start')"``). With ``stop_early`` (calls),
    ``raise`` stops at the first failure; without it (teardowns, which all run), ``raise``
    raises the first failure once every plugin had its turn, and logs the others.
    """

    def __init__(self, namespace: str, what: str, errors: str, stop_early: bool) -> None:
        if errors not in POLICIES:
            raise ValueError(f"errors must be one of {', '.join(POLICIES)}, not {errors!r}")
        self.namespace = namespace
        self.what = what
        self.errors = errors
        self.stop_early = stop_early
        self.results: list[CallResult[P]] = []
        self._failures: list[Exception] = []

    def called(
        self, name: str, plugin: P, value: object = None, error: Exception | None = None
    ) -> CallResult[P]:
        """Keep what calling plugin ``name`` gave (as :meth:`add`) and return it."""
        result = CallResult(name, plugin, value, error)
        self.add(result)
        return result

    def add(self, result: CallResult[P]) -> None:
        """Keep ``result``; a failure is logged or raised as the policy says."""
        self.results.append(result)
        error = result.error
        if error is None:
            return
        if hasattr(error, "add_note"):  # Python 3.11+: tracebacks name the plugin
            error.add_note(f"in {self.what} of plugin {self.namespace}:{result.name}")
        self._failures.append(error)
        if self.errors == "raise" and self.stop_early:
            raise error
        if self.errors == "log" or (self.errors == "raise" and len(self._failures) > 1):
            logger().error(
                "%s failed for plugin %s:%s: %s",
                self.what,
                self.namespace,
                result.name,
                error,
                exc_info=error,
            )

    def finish(self) -> list[CallResult[P]]:
        """The results, in order; raises the failures the policy keeps for the end."""
        if self._failures and self.errors == "raise":
            raise self._failures[0]
        if self._failures and self.errors == "group":
            raise PluginErrors(
                f"{self.what} failed for {len(self._failures)} of {len(self.results)} plugins "
                f"of namespace {self.namespace}",
                self._failures,
            )
        return self.results
