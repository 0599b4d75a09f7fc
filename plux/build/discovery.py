"""Finding a project's plugins by importing its modules; re-exports the package finders."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import traceback
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from plux.core.plugin import PluginFinder, PluginSpec, PluginSpecResolver

from ._packages import DiscoveryError, PackageFinder, SimplePackageFinder
from ._sources import BindingKind, ModuleSource, ModuleTable, NameBinding, relative_path

__all__ = [
    "PackageFinder",
    "SimplePackageFinder",
    "PluginFromPackageFinder",
    "ModuleScanningPluginFinder",
    "DiscoveryError",
]

LOG = logging.getLogger(__name__)


class DiscoveredSpec(PluginSpec):
    """A spec found in a project, with where it lives (``location``) and where it is written.

    ``source`` is ``file:line`` (or the file alone) relative to the project, for error messages.
    """

    def __init__(
        self,
        namespace: str,
        name: str,
        factory: Any,
        location: str,
        source: str | None = None,
    ) -> None:
        super().__init__(namespace, name, factory)
        self.location = location
        self.source = source

    def describe(self) -> str:
        """``module:attr`` plus, when known, the file and line, for messages."""
        return f"{self.location} ({self.source})" if self.source else str(self.location)


class ModuleScanningPluginFinder(PluginFinder):
    """Imports modules and finds the plugins among their module-level names.

    A plugin reachable by several names yields one spec, at its home:

    - a class or function lives at ``__module__:__qualname__``; it is reported only if that module
      is in ``scope`` (the project's modules), so names imported from elsewhere are not plugins
      of this project;
    - any other object (a ``PluginSpec``, or a class made at run time) lives at the name that
      created it: module-level bindings are ranked ``def``/``class``/assignment from an
      expression, then assignment from another name, and ``import`` bindings never count; ties
      go to the smallest module name, then to the first name in the module.

    A module that fails to import is logged and skipped, as in plux 1.16; with ``strict=True``
    (what builds use, so that no plugin is dropped silently) it raises :class:`DiscoveryError`.
    """

    def __init__(
        self,
        modules: Iterable[str | ModuleType],
        resolver: PluginSpecResolver | None = None,
        scope: Iterable[str] | None = None,
        sources: Iterable[ModuleSource] = (),
        root: str | Path = ".",
        strict: bool = False,
    ) -> None:
        self.modules = list(modules)
        self.resolver = resolver or PluginSpecResolver()
        self.scope = None if scope is None else set(scope)
        self.sources = {s.name: s for s in sources}
        self.root = Path(root)
        self.strict = strict
        self._tables: dict[str, ModuleTable | None] = {}

    def find_plugins(self) -> list[PluginSpec]:
        imported = [m for m in map(self._import_or_skip, self.modules) if m is not None]
        scope = self.scope if self.scope is not None else {m.__name__ for m in imported}
        seen: dict[int, tuple[Any, PluginSpec, list[tuple[str, str]]]] = {}
        for module in imported:
            for attr, value in list(vars(module).items()):
                if isinstance(value, ModuleType) or attr.startswith("__"):
                    continue
                key = id(value)
                if key not in seen:
                    spec = self._resolve(value)
                    if spec is None:
                        continue
                    seen[key] = (value, spec, [])
                seen[key][2].append((module.__name__, attr))
        result: list[PluginSpec] = []
        for value, spec, names in seen.values():
            home = self._home(value, names, scope)
            if home is not None:
                module_name, attr = home
                result.append(
                    DiscoveredSpec(
                        spec.namespace,
                        spec.name,
                        spec.factory,
                        f"{module_name}:{attr}",
                        self._source_of(module_name, attr),
                    )
                )
        return result

    def _import_or_skip(self, module: str | ModuleType) -> ModuleType | None:
        try:
            return self._import(module)
        except DiscoveryError as e:
            if self.strict:
                raise
            LOG.error("%s; its plugins are skipped", e)
            return None

    def _import(self, module: str | ModuleType) -> ModuleType:
        if isinstance(module, ModuleType):
            return module
        try:
            return importlib.import_module(module)
        except Exception as e:
            where = self._raised_at(e)
            error = DiscoveryError(
                f"cannot import module {module} to find its plugins: {type(e).__name__}: {e}"
                + (f" (raised at {where})" if where else "")
            )
            error.module = module
            raise error from e

    def _raised_at(self, error: BaseException) -> str | None:
        """``file:line`` of the innermost traceback frame inside ``root``, if any.

        Frames in the import machinery or in installed libraries say nothing the user can fix,
        so those of the running environment are skipped even when it lives in the project.
        """
        root = os.path.abspath(self.root)
        environment = {sys.prefix, sys.base_prefix}
        where = None
        for frame in traceback.extract_tb(error.__traceback__):
            path = Path(frame.filename)
            if not (path.is_absolute() and frame.lineno and _is_below(path, root)):
                continue
            if not any(_is_below(path, prefix) for prefix in environment):
                where = f"{relative_path(path, self.root)}:{frame.lineno}"
        return where

    def _resolve(self, value: Any) -> PluginSpec | None:
        try:
            return self.resolver.resolve(value)
        except Exception:  # not a plugin; odd objects (proxies) may raise anything here
            return None

    def _home(
        self, value: Any, names: Sequence[tuple[str, str]], scope: set[str]
    ) -> tuple[str, str] | None:
        if not isinstance(value, PluginSpec):
            module_name = getattr(value, "__module__", None)
            qualname = getattr(value, "__qualname__", None)
            module = sys.modules.get(module_name) if isinstance(module_name, str) else None
            if module is not None and isinstance(qualname, str):
                if getattr(module, qualname, None) is value:
                    return (module_name, qualname) if module_name in scope else None
        ranked: list[tuple[int, str, int, str]] = []
        for order, (module_name, attr) in enumerate(names):
            binding = self._binding(module_name, attr)
            kind = binding.home_rank if binding else BindingKind.CREATE
            if kind is not BindingKind.IMPORT:
                ranked.append((kind, module_name, order, attr))
        if not ranked:
            return None
        _, module_name, _, attr = min(ranked)
        return module_name, attr

    def _binding(self, module_name: str, name: str) -> NameBinding | None:
        """The binding of the module-level ``name`` that runs last, as the source shows it."""
        if module_name not in self._tables:
            source = self._module_source(module_name)
            try:
                self._tables[module_name] = ModuleTable(source) if source else None
            except (OSError, SyntaxError, ValueError):
                self._tables[module_name] = None
        table = self._tables[module_name]
        return table.last(name) if table else None

    def _module_source(self, module_name: str) -> ModuleSource | None:
        if module_name in self.sources:
            return self.sources[module_name]
        file = getattr(sys.modules.get(module_name), "__file__", None)
        if not file or not file.endswith(".py"):
            return None
        path = Path(file)
        return ModuleSource(module_name, path, is_package=path.name == "__init__.py")

    def _source_of(self, module_name: str, attr: str) -> str | None:
        """``file:line`` where ``attr`` is bound in the module (file relative to ``root``)."""
        source = self._module_source(module_name)
        if source is None:
            return None
        path = relative_path(source.path, self.root)
        binding = self._binding(module_name, attr.partition(".")[0])
        return f"{path}:{binding.lineno}" if binding else path


def _is_below(path: Path, root: str) -> bool:
    """Whether ``path`` lies in the folder ``root``, as spelled or with links resolved."""
    for folder in (root, os.path.realpath(root)):
        if os.path.abspath(path).startswith(folder.rstrip(os.sep) + os.sep):
            return True
    return False


class PluginFromPackageFinder(PluginFinder):
    """Imports the modules of a :class:`PackageFinder`'s packages and scans each for plugins.

    A module that fails to import is logged and skipped unless ``strict`` (see
    :class:`ModuleScanningPluginFinder`).
    """

    def __init__(
        self,
        finder: PackageFinder,
        resolver: PluginSpecResolver | None = None,
        strict: bool = False,
    ) -> None:
        self.finder = finder
        """The package finder whose packages are scanned (``finder``, as in plux 1.16)."""
        self.resolver = resolver
        self.strict = strict

    def find_plugins(self) -> list[PluginSpec]:
        modules = self.finder.find_modules()
        with on_sys_path(self.finder.path):
            finder = ModuleScanningPluginFinder(
                [m.name for m in modules],
                self.resolver,
                scope=[m.name for m in modules],
                sources=modules,
                strict=self.strict,
            )
            return finder.find_plugins()


class on_sys_path:
    """Puts a directory first on ``sys.path`` for the duration of a ``with`` block."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(Path(path).resolve())

    def __enter__(self) -> None:
        sys.path.insert(0, self.path)

    def __exit__(self, *exc: object) -> None:
        try:
            sys.path.remove(self.path)
        except ValueError:
            pass
