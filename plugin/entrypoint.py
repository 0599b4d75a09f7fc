"""Legacy import path of entry point helpers, as plux 1.x had it."""

from plux.build.setuptools import find_plugins
from plux.core.entrypoint import (
    EntryPoint,
    EntryPointDict,
    spec_to_entry_point,
    to_entry_point_dict,
)

__all__ = [
    "EntryPoint",
    "EntryPointDict",
    "find_plugins",
    "spec_to_entry_point",
    "to_entry_point_dict",
]
