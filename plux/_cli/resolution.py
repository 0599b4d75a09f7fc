"""Resolving an installed entry point as the plugin manager does, to report on it.

The steps are the run time's own (:func:`plux.core.plugin.import_entry_point_value`,
:class:`~plux.core.plugin.PluginSpecResolver`, and for ``doctor``
:func:`plux.core.plugin.make_plugin`); this module times them and keeps each failure as a value.
``plux resolve`` and ``plux doctor`` let no error of a plugin's escape, and keep what plugins
print off stdout.
"""

from __future__ import annotations

import contextlib
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass

from plux.core.plugin import (
    PluginSpec,
    PluginSpecResolver,
    entry_point_reference,
    import_entry_point_value,
)
from plux.runtime.cache import IndexedEntryPoint
from plux.runtime.resolve import describe_failure, failure_location


@contextlib.contextmanager
def plugin_output_to_stderr() -> Iterator[None]:
    """Send what plugins print (on import, in factories) to stderr: ``--json`` output on stdout
    must stay one parseable document."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


@dataclass
class Failure:
    """Why a step failed: ``Type: message (at FILE:LINE)``, the place, and the traceback."""

    kind: str
    """``malformed`` (the value is not ``module:attr``), ``import-error``, ``not-a-plugin``,
    ``not-callable``, ``init-error``, ``load-check-error``."""
    message: str
    location: str | None = None
    traceback: str | None = None

    @classmethod
    def of(cls, kind: str, error: BaseException, value: str) -> Failure:
        """The failure that ``error``, raised for the entry point ``value``, stands for."""
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        location = failure_location(error, value)
        return cls(kind, describe_failure(error, value), location, "".join(lines))


@dataclass
class Resolved:
    """The outcome of importing one entry point and making its spec."""

    entry_point: IndexedEntryPoint
    spec: PluginSpec | None = None
    failure: Failure | None = None
    import_seconds: float | None = None


def resolve_entry_point(entry_point: IndexedEntryPoint) -> Resolved:
    """Import what ``entry_point`` names (timed) and make its spec; never raises for the plugin's
    faults (``SystemExit`` raised on import included), only for ``KeyboardInterrupt``."""
    result = Resolved(entry_point)
    value = entry_point.value
    try:
        entry_point_reference(value)
    except ValueError as e:
        result.failure = Failure("malformed", str(e))
        return result
    started = time.perf_counter()
    try:
        obj = import_entry_point_value(value)
    except (Exception, SystemExit) as e:
        result.import_seconds = time.perf_counter() - started
        result.failure = Failure.of("import-error", e, value)
        return result
    result.import_seconds = time.perf_counter() - started
    try:
        result.spec = PluginSpecResolver().resolve(obj)
    except Exception as e:
        result.failure = Failure("not-a-plugin", describe_failure(e, value))
    return result
