"""Finding a module's source file without importing it, by the path finder's rules."""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["find_module_source"]


def _listing(directory: str, cache: dict[str, frozenset[str] | None]) -> frozenset[str] | None:
    try:
        return cache[directory]
    except KeyError:
        pass
    try:
        names: frozenset[str] | None = frozenset(os.listdir(directory or "."))
    except OSError:
        names = None
    cache[directory] = names
    return names


def find_module_source(
    module: str, path: Sequence[str], listings: dict[str, frozenset[str] | None] | None = None
) -> str | None:
    """The ``.py`` file that importing ``module`` from ``path`` would run, found without importing.

    Follows the path finder's rules: the first directory with a regular package or a module wins
    (a regular package before a module, an extension module before a source file); directories
    without ``__init__.py`` add to a namespace package. None when the module is not a
    plain source file on ``path`` (an extension module, bytecode only, a custom importer).
    """
    from importlib.machinery import EXTENSION_SUFFIXES

    cache = listings if listings is not None else {}
    directories = list(path)
    parts = module.split(".")
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        portions: list[str] = []
        found: str | None = None
        for directory in directories:
            names = _listing(directory, cache)
            if not names:
                continue
            base = os.path.join(directory or ".", part)
            if part in names:
                package_names = _listing(base, cache)
                if package_names is not None and "__init__.py" in package_names:
                    found = os.path.join(base, "__init__.py")
                    break
            # the path finder tries extension modules before source files in one folder
            if any(part + suffix in names for suffix in EXTENSION_SUFFIXES):
                return None
            if part + ".py" in names:
                found = base + ".py"
                break
            if part in names and _listing(base, cache) is not None:
                portions.append(base)
        if last:
            return found
        if found is not None:
            if not found.endswith("__init__.py"):
                return None  # a module is not a package: it has no submodules
            directories = [os.path.dirname(found)]
        elif portions:
            directories = portions
        else:
            return None
    return None
