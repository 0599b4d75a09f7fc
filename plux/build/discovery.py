"""Finding a project's packages and modules, and its plugins by importing those modules."""

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

from .patterns import PackageSelection
from .sources import Binding, BindingKind, ModuleSource, module_bindings, relative_path

LOG = logging.getLogger(__name__)


class DiscoveryError(Exception):
    """Discovery could not tell a project's plugins (a module failed to import, a duplicate...)."""

    module: str | None = None
    """The module that failed to import, if that was the cause."""


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


class PackageFinder:
    """Lists the packages of a project (dotted names) below the directory :attr:`path`."""

    selection: PackageSelection = PackageSelection()
    root: str | None = None
    """The project folder, if known: path patterns are read relative to it."""

    @property
    def path(self) -> str:
        """The directory the packages live in (``.``, ``src``, ...)."""
        raise NotImplementedError

    def find_packages(self) -> Iterable[str]:
        """Return the dotted names of the packages to scan."""
        raise NotImplementedError

    def find_modules(self) -> list[ModuleSource]:
        """Every module of the packages to scan (each package's ``__init__`` and its ``.py`` files).

        Modules matching an exclude pattern are left out; the result is sorted by name.

        :raises DiscoveryError: if a package folder cannot be listed (its plugins would be lost).
        """
        root = Path(self.path)
        found: dict[str, ModuleSource] = {}
        for package in self.find_packages():
            directory = root.joinpath(*package.split("."))
            init = directory / "__init__.py"
            # os.scandir, not Path.glob: glob swallows EACCES and would drop the plugins silently
            try:
                with os.scandir(directory) as entries:
                    names = sorted(e.name for e in entries if e.name.endswith(".py"))
                is_package = "__init__.py" in names and init.is_file()
            except (FileNotFoundError, NotADirectoryError):
                continue  # a listed package that is not there has no modules to scan
            except OSError as e:
                raise self.unreadable_folder(directory, e) from e
            if is_package:
                found[package] = ModuleSource(package, init, is_package=True)
            for file in (directory / name for name in names):
                stem = file.stem
                if stem == "__init__" or not stem.isidentifier():
                    continue
                name = f"{package}.{stem}"
                if self.selection.module(name):
                    found[name] = ModuleSource(name, file)
        return [found[name] for name in sorted(found)]

    def unreadable_folder(self, folder: Path, error: OSError) -> DiscoveryError:
        """The error for a folder that cannot be listed or entered, named relative to the
        project when :attr:`root` is known."""
        name = folder.as_posix() if self.root is None else relative_path(folder, Path(self.root))
        return DiscoveryError(
            f"cannot read the package folder {name}: {error.strerror or error}; "
            "plux cannot tell the plugins it holds"
        )


class SimplePackageFinder(PackageFinder):
    """Finds packages by walking ``path``: every directory with an ``__init__.py`` is a package.

    With ``namespace=True`` directories without ``__init__.py`` below ``path`` count too (implicit
    namespace packages), except hidden ones, ``__pycache__`` and names that are not identifiers.
    """

    def __init__(
        self,
        path: str = ".",
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        namespace: bool = False,
        root: str | None = None,
    ) -> None:
        self._path = path
        self.namespace = namespace
        self.root = root
        self.selection = PackageSelection(include, exclude, root=_pattern_root(path, root))

    @property
    def path(self) -> str:
        return self._path

    def find_packages(self) -> list[str]:
        """Return the dotted names of the packages to scan.

        A folder reached again through a symbolic link (a link to itself or to a package seen
        already) is scanned once, under its real name: links are followed only after every
        real folder, so a link loop ends and no plugin is found twice.
        """
        packages: list[str] = []
        visited = {os.path.realpath(self._path)}
        links: list[tuple[Path, tuple[str, ...]]] = []
        self._walk(Path(self._path), (), packages, visited, links)
        while links:
            link, parents = links.pop(0)
            self._enter(link, parents, packages, visited, links)
        return sorted(p for p in packages if self.selection.package(p))

    def _walk(
        self,
        directory: Path,
        parents: tuple[str, ...],
        out: list[str],
        visited: set[str],
        links: list[tuple[Path, tuple[str, ...]]],
    ) -> None:
        try:
            children = sorted(p for p in directory.iterdir() if p.is_dir())
        except OSError as e:
            if not parents and isinstance(e, (FileNotFoundError, NotADirectoryError)):
                return  # no source folder: no packages
            if parents and self._excluded_tree(".".join(parents)):
                return
            # a folder that cannot be read might hold plugins: never skip it silently
            raise self.unreadable_folder(directory, e) from e
        for child in children:
            if not child.name.isidentifier() or child.name == "__pycache__":
                continue
            if child.is_symlink():
                links.append((child, parents))
            else:
                self._enter(child, parents, out, visited, links)

    def _enter(
        self,
        child: Path,
        parents: tuple[str, ...],
        out: list[str],
        visited: set[str],
        links: list[tuple[Path, tuple[str, ...]]],
    ) -> None:
        name = ".".join((*parents, child.name))
        try:
            is_package = (child / "__init__.py").is_file()
        except OSError as e:  # EACCES: a folder that can be listed but not entered
            if self._excluded_tree(name):
                return
            raise self.unreadable_folder(child, e) from e
        if not is_package and not (self.namespace and _holds_python(child)):
            return
        real = os.path.realpath(child)
        if real in visited:
            return
        visited.add(real)
        out.append(name)
        self._walk(child, (*parents, child.name), out, visited, links)

    def _excluded_tree(self, name: str) -> bool:
        """Whether the package ``name`` and all below it are excluded (so need not be read).

        A pattern that matches the literal text ``name.*`` (``name.*``, ``*``) matches every
        sub-package.
        """
        return self.selection.exclude(name) and self.selection.exclude(f"{name}.*")


def _pattern_root(path: str, root: str | None) -> str:
    """The source folder as path patterns spell it: ``src`` for ``<project>/src``.

    Patterns are written relative to the project, so an absolute ``path`` would never match.
    """
    return path if root is None else relative_path(Path(path), Path(root))


def _holds_python(directory: Path) -> bool:
    return any(directory.rglob("*.py"))


class ListPackageFinder(PackageFinder):
    """A fixed list of packages below ``path`` (e.g. what the build backend says it ships)."""

    def __init__(
        self,
        packages: Iterable[str],
        path: str = ".",
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        root: str | None = None,
    ) -> None:
        self.packages = list(packages)
        self._path = path
        self.root = root
        self.selection = PackageSelection(include, exclude, root=_pattern_root(path, root))

    @property
    def path(self) -> str:
        return self._path

    def find_packages(self) -> list[str]:
        return sorted(p for p in self.packages if self.selection.package(p))


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
    """

    def __init__(
        self,
        modules: Iterable[str | ModuleType],
        resolver: PluginSpecResolver | None = None,
        scope: Iterable[str] | None = None,
        sources: Iterable[ModuleSource] = (),
        root: str | Path = ".",
    ) -> None:
        self.modules = list(modules)
        self.resolver = resolver or PluginSpecResolver()
        self.scope = None if scope is None else set(scope)
        self.sources = {s.name: s for s in sources}
        self.root = Path(root)
        self._bindings: dict[str, dict[str, Binding]] = {}

    def find_plugins(self) -> list[PluginSpec]:
        imported = [self._import(m) for m in self.modules]
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
            binding = self._binding_kinds(module_name).get(attr)
            kind = binding.kind if binding else BindingKind.CREATE
            if kind is not BindingKind.IMPORT:
                ranked.append((kind, module_name, order, attr))
        if not ranked:
            return None
        _, module_name, _, attr = min(ranked)
        return module_name, attr

    def _binding_kinds(self, module_name: str) -> dict[str, Binding]:
        if module_name not in self._bindings:
            source = self._module_source(module_name)
            try:
                kinds = module_bindings(source.tree) if source else {}
            except (OSError, SyntaxError, ValueError):
                kinds = {}
            self._bindings[module_name] = kinds
        return self._bindings[module_name]

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
        binding = self._binding_kinds(module_name).get(attr.partition(".")[0])
        return f"{path}:{binding.lineno}" if binding else path


def _is_below(path: Path, root: str) -> bool:
    """Whether ``path`` lies in the folder ``root``, as spelled or with links resolved."""
    for folder in (root, os.path.realpath(root)):
        if os.path.abspath(path).startswith(folder.rstrip(os.sep) + os.sep):
            return True
    return False


class PluginFromPackageFinder(PluginFinder):
    """Imports the modules of a :class:`PackageFinder`'s packages and scans each for plugins."""

    def __init__(
        self, package_finder: PackageFinder, resolver: PluginSpecResolver | None = None
    ) -> None:
        self.package_finder = package_finder
        self.resolver = resolver

    def find_plugins(self) -> list[PluginSpec]:
        modules = self.package_finder.find_modules()
        with on_sys_path(self.package_finder.path):
            finder = ModuleScanningPluginFinder(
                [m.name for m in modules],
                self.resolver,
                scope=[m.name for m in modules],
                sources=modules,
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
