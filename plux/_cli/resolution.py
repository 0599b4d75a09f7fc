"""Resolving an installed entry point as the plugin manager does: import it, make its spec.

``plux resolve`` and ``plux doctor`` resolve plugins to report on them; neither lets an error of
the plugin's escape, and both keep what plugins print off stdout.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

from plux.core.plugin import PluginSpec, PluginSpecResolver
from plux.runtime.cache import IndexedEntryPoint
from plux.runtime.resolve import import_entry_point_value


@contextlib.contextmanager
def plugin_output_to_stderr() -> Iterator[None]:
    """Send what plugins print (on import, in factories) to stderr: ``--json`` output on stdout
    must stay one parseable document."""
    with contextlib.redirect_stdout(sys.stderr):
        yield


@dataclass
class Resolved:
    """The outcome of importing one entry point and making its spec."""

    entry_point: IndexedEntryPoint
    spec: PluginSpec | None = None
    error: BaseException | None = None
    error_kind: str | None = None
    """``malformed`` (the value is not ``module:attr``), ``import-error``, ``not-a-plugin``."""
    import_seconds: float | None = None


def resolve_entry_point(entry_point: IndexedEntryPoint) -> Resolved:
    """Import what ``entry_point`` names (timed) and make its spec; never raises for the plugin's
    faults (``SystemExit`` raised on import included), only for ``KeyboardInterrupt``."""
    result = Resolved(entry_point)
    started = time.perf_counter()
    try:
        obj = import_entry_point_value(entry_point.value)
    except ValueError as e:
        result.error, result.error_kind = e, "malformed"
        return result
    except (Exception, SystemExit) as e:
        result.import_seconds = time.perf_counter() - started
        result.error, result.error_kind = e, "import-error"
        return result
    result.import_seconds = time.perf_counter() - started
    try:
        result.spec = PluginSpecResolver().resolve(obj)
    except Exception as e:
        result.error, result.error_kind = e, "not-a-plugin"
    return result
