"""Writes a marker file when imported: static discovery must never import this module."""

import os
import pathlib

from plux import Plugin

marker = os.environ.get("CORPUS_MARKER")
if marker:
    pathlib.Path(marker).write_text("imported")


class Quiet(Plugin):
    namespace = "corpus.quiet"
    name = "quiet"
