"""plux's public surface is what docs/reference.md documents: no more, no less.

A public module is one whose dotted path has no part starting with ``_`` (sub-packages such as
``plux.runtime`` only group modules and hold no names; one that holds names, such as
``plux.testing``, declares ``__all__``). Each has a section
``### `module` `` in the reference whose list items name its public names (``- `name`...: ...``;
for ``plux``, the headings of its section), and its ``__all__`` is exactly those names. Every other
module is internal, and marked so by its name.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = (ROOT / "docs" / "reference.md").read_text()
NAME = re.compile(r"`([A-Za-z_]\w*)")


def sections(level: str) -> dict[str, str]:
    """The reference's sections of one heading level, by the heading's text."""
    parts = re.split(rf"^{level} (.+)$", REFERENCE, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def documented_names(module: str) -> set[str]:
    """The names the reference documents for ``module``."""
    if module in ("plux", "plugin"):
        body = sections("##")["Python API: `plux`"]
        return {
            name
            for heading in re.findall(r"^### (.+)$", body, re.M)
            for name in NAME.findall(heading)
        }
    body = sections("###")[f"`{module}`"].split("\n## ")[0]
    names: set[str] = set()
    for item in re.findall(r"^- (.+(?:\n  .+)*)", body, re.M):
        names.update(NAME.findall(item.split("`:")[0]))
    return names


def public_modules() -> list[str]:
    """Every module of plux and plugin whose path marks it public."""
    found = []
    for package in ("plux", "plugin"):
        for file in sorted((ROOT / package).rglob("*.py")):
            parts = file.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                if len(parts) > 2 and "__all__" not in file.read_text():
                    continue  # a sub-package's __init__ holds no names, unless it says so
                parts = parts[:-1]
            if not any(part.startswith("_") and part != "__main__" for part in parts):
                found.append(".".join(parts))
    return found


def documented_modules() -> set[str]:
    return {"plux", "plugin"} | {
        m.strip("`") for m in sections("###") if m.startswith("`plux.") or m.startswith("`plugin.")
    }


@pytest.mark.parametrize("module", public_modules())
def test_public_module_is_documented_and_exports_what_is_documented(module: str) -> None:
    """A public module has a reference section, and its ``__all__`` is the names listed there."""
    assert module in documented_modules(), f"{module} is public but not in docs/reference.md"
    exported = set(importlib.import_module(module).__all__)
    assert exported == documented_names(module)


def test_every_documented_module_exists() -> None:
    """No section of the reference describes a module that is not there."""
    for module in documented_modules():
        importlib.import_module(module)
