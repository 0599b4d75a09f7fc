"""Plugins that tests/cli/test_doctor.py installs into a site folder as ``doc_plugins.mod``: one
for each finding doctor makes about a single plugin (kept here so that they are linted)."""

import os
import pathlib

from plux import Plugin


class Healthy(Plugin):
    namespace = "doc.ns"
    name = "healthy"

    def load(self, *args, **kwargs):
        # doctor must never get here
        pathlib.Path(os.environ["PLUX_TEST_LOADED"]).write_text("loaded")


class Disabled(Plugin):
    namespace = "doc.ns"
    name = "disabled"

    def should_load(self):
        return False


class FailsInit(Plugin):
    namespace = "doc.ns"
    name = "fails-init"

    def __init__(self):
        raise RuntimeError("no config")


class FailsCheck(Plugin):
    namespace = "doc.ns"
    name = "fails-check"

    def should_load(self):
        raise KeyError("flag")


class Elsewhere(Plugin):
    namespace = "doc.other"
    name = "elsewhere"


not_a_plugin = 42
