"""A plugin's lifecycle state: the phase it is in, and the step and error that ended it."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Literal

    from plux.core.plugin import Plugin, PluginSpec

    Phase = Literal["listed", "resolved", "initialised", "loaded", "disabled", "failed"]
    """``listed``: known from entry point metadata only; ``resolved``: its spec is made;
    ``initialised``: the factory returned; ``loaded``: ``load`` returned; ``disabled`` and
    ``failed`` end the lifecycle at the state's ``step``."""

    Step = Literal["resolve", "filter", "init", "should_load", "load"]
    """The steps of a load, in order. A listener that raises a PluginException fails or
    disables the plugin at the step its hook belongs to (``on_init_after``: init)."""


class PluginState:
    """Where one plugin is in its lifecycle. Never changed: each step makes a new state.

    ``spec`` once resolved, ``plugin`` once the factory returned (kept when a later step fails),
    ``load_value`` while loaded; ``step`` with ``error`` (failed) or ``reason`` (disabled).
    """

    __slots__ = ("phase", "spec", "plugin", "load_value", "step", "error", "reason")

    def __init__(
        self,
        phase: Phase,
        spec: PluginSpec | None = None,
        plugin: Plugin | None = None,
        load_value: Any = None,
        step: Step | None = None,
        error: Exception | None = None,
        reason: str | None = None,
    ) -> None:
        self.phase: Phase = phase
        self.spec = spec
        self.plugin = plugin
        self.load_value = load_value
        self.step: Step | None = step
        self.error = error
        self.reason = reason

    @classmethod
    def start(cls, spec: PluginSpec | None) -> PluginState:
        """The state of a plugin known by its spec (resolved), or by metadata alone (listed)."""
        return cls("listed") if spec is None else cls("resolved", spec)

    def resolved(self, spec: PluginSpec) -> PluginState:
        return PluginState("resolved", spec)

    def initialised(self, plugin: Plugin) -> PluginState:
        return PluginState("initialised", self.spec, plugin)

    def loaded(self, load_value: Any) -> PluginState:
        return PluginState("loaded", self.spec, self.plugin, load_value)

    def unloaded(self) -> PluginState:
        """The state after teardown: resolved again, so that a load makes a new plugin."""
        return PluginState("resolved", self.spec)

    def disabled(self, step: Step, reason: str | None) -> PluginState:
        return PluginState("disabled", self.spec, self.plugin, step=step, reason=reason)

    def failed(self, step: Step, error: Exception) -> PluginState:
        return PluginState("failed", self.spec, self.plugin, step=step, error=error)

    @property
    def is_final(self) -> bool:
        """Whether a load must not run again: disabled, or failed at any step but ``filter``.

        Filters are the application's configuration, which it may fix (e.g.
        ``global_plugin_filter.exclusions.clear()``): the next load consults them again.
        """
        return self.phase == "disabled" or (self.phase == "failed" and self.step != "filter")

    def error_of(self, *steps: Step) -> Exception | None:
        """The error the plugin failed with, if it failed at one of ``steps``."""
        return self.error if self.phase == "failed" and self.step in steps else None

    def __repr__(self) -> str:
        ended = f" at {self.step}: {self.error or self.reason}" if self.step else ""
        return f"<{self.phase}{ended}>"
