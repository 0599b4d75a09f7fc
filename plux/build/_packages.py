"""Which packages and modules of a project to scan: the package finders."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ._patterns import PackageSelection
from ._sources import ModuleSource, relative_path


class DiscoveryError(Exception):
    """Discovery could not tell a project's plugins (a module failed to import, a duplicate...)."""

    module: str | None = None
    """The module that failed to import, if that was the cause."""


class PackageFinder:
    """Lists the packages of a project (dotted names) below the directory :attr:`path`."""

    selection: PackageSelection = PackageSelection()
    root: str | None = None
    """The project folder, if known: path patterns are read relative to it."""
    modules: tuple[str, ...] = ()
    """Modules shipped on their own, outside any package (setuptools' ``py_modules``)."""

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
        for name in self.modules:
            file = root.joinpath(*name.split(".")).with_suffix(".py")
            if self.selection.module(name) and file.is_file():
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


class _FolderPackageFinder(PackageFinder):
    """A finder of packages below a given folder, with include/exclude patterns."""

    def __init__(
        self,
        path: str = ".",
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        root: str | None = None,
    ) -> None:
        self._path = path
        self.root = root
        self.selection = PackageSelection(include, exclude, root=_pattern_root(path, root))

    @property
    def path(self) -> str:
        return self._path


class SimplePackageFinder(_FolderPackageFinder):
    """Finds packages by walking ``path``: every directory with an ``__init__.py`` is a package.

    With ``namespace=True`` directories without ``__init__.py`` below ``path`` count too (implicit
    namespace packages), except hidden ones, ``__pycache__`` and names that are not identifiers.

    A ``path`` that is itself a package (``src/mypkg``) yields that package and those below it,
    as plux 1.16 did; :attr:`path` is then the folder that holds it (``src``).
    """

    def __init__(
        self,
        path: str = ".",
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        namespace: bool = False,
        root: str | None = None,
    ) -> None:
        folder = os.path.abspath(path)
        self.top_package = os.path.basename(folder) if _is_package(Path(folder)) else None
        super().__init__(
            os.path.dirname(folder) if self.top_package else path, include, exclude, root
        )
        self.namespace = namespace

    def find_packages(self) -> list[str]:
        """Return the dotted names of the packages to scan.

        A folder reached again through a symbolic link (a link to itself or to a package seen
        already) is scanned once, under its real name: links are followed only after every
        real folder, so a link loop ends and no plugin is found twice.
        """
        packages: list[str] = []
        visited = {os.path.realpath(self._path)}
        links: list[tuple[Path, tuple[str, ...]]] = []
        if self.top_package:
            self._enter(Path(self._path, self.top_package), (), packages, visited, links)
        else:
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
            if not child.name.isidentifier() or is_tool_folder(child, top=not parents):
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


# What builds write below a project (setuptools' build/, build's and twine's dist/); a regular
# package of that name (one with __init__.py) is still a package.
_OUTPUT_FOLDERS = frozenset({"build", "dist"})


def is_tool_folder(folder: Path, top: bool = True) -> bool:
    """Whether ``folder`` holds what tools made rather than the project's packages: a build
    output (``build/``, ``dist/``; directly below the folder scanned), a virtual environment,
    or ``__pycache__``. Hidden folders (``.tox``, ``.nox``, ``.venv``) and ``*.egg-info`` are
    no package names, so no walk enters them either.
    """
    if folder.name == "__pycache__":
        return True
    try:
        if (folder / "pyvenv.cfg").is_file():
            return True
        return top and folder.name in _OUTPUT_FOLDERS and not (folder / "__init__.py").is_file()
    except OSError:
        return False  # the walk reports a folder it cannot read


def _pattern_root(path: str, root: str | None) -> str:
    """The source folder as path patterns spell it: ``src`` for ``<project>/src``.

    Patterns are written relative to the project, so an absolute ``path`` would never match.
    """
    return path if root is None else relative_path(Path(path), Path(root))


def _is_package(folder: Path) -> bool:
    try:
        return folder.name.isidentifier() and (folder / "__init__.py").is_file()
    except OSError:
        return False  # the walk reports a folder it cannot read


def _holds_python(directory: Path) -> bool:
    return any(directory.rglob("*.py"))


class ListPackageFinder(_FolderPackageFinder):
    """A fixed list of packages (and ``modules`` outside them) below ``path`` (e.g. what the
    build backend says it ships)."""

    def __init__(
        self,
        packages: Iterable[str],
        path: str = ".",
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        root: str | None = None,
        modules: Iterable[str] = (),
    ) -> None:
        super().__init__(path, include, exclude, root)
        self.packages = list(packages)
        self.modules = tuple(modules)

    def find_packages(self) -> list[str]:
        return sorted(p for p in self.packages if self.selection.package(p))
