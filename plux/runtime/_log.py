"""The plugin manager's log, which imports logging only when there is something to say."""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from typing import Any


def logger() -> logging.Logger:
    """The logger the manager writes to (named as in plux 1.16)."""
    # logging costs more to import than the rest of a warm start; only problems need it.
    import logging

    return logging.getLogger("plux.runtime.manager")


def log_error(message: str, *args: Any) -> None:
    """Log an error, with the traceback of the exception being handled when DEBUG is on."""
    log = logger()
    log.error(message, *args, exc_info=log.isEnabledFor(10))


def debug(message: str, *args: Any) -> None:
    """Log at DEBUG level, if the application has imported logging at all."""
    # An application that has not imported logging has configured no handler to show this.
    if "logging" in sys.modules:
        logger().debug(message, *args)
