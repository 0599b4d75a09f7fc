"""A start-up hook: a function exposed as a plugin."""

from __future__ import annotations

from demo_app.api import HOOKS

from plux import plugin


@plugin(namespace=HOOKS)
def banner(app: object) -> None:
    app.banner.append("[demo-addon] banner hook ran at start-up")  # type: ignore[attr-defined]
