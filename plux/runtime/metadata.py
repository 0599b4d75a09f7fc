"""Installed distributions and their entry points, read from the file system without importlib.

The index (:mod:`plux.runtime.index`) uses the scanning and parsing here on its cold path;
``importlib.metadata`` is imported only by the functions that hand out its objects.
"""

from __future__ import annotations

import os
from _frozen_importlib_external import PathFinder as _PathFinder
from functools import lru_cache

from plux.core.entry_points_text import (
    log_malformed,
    parse_entry_points_text,
    read_entry_points_text,
    serialize_entry_points_text,
)

# Neither typing nor plux.core.entrypoint (which needs typing) is imported at run time here: this
# module is on the warm path, and typing alone costs more than the rest of it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from importlib.metadata import Distribution, EntryPoint
    from zipfile import ZipFile

    from plux.core.entry_points_text import NamedEntryPoint as _NamedEntryPoint
    from plux.core.entrypoint import EntryPoint as _EntryPoint
    from plux.core.plugin import PluginSpec
    from plux.runtime.index import IndexedEntryPoint


__all__ = [
    "Distribution",
    "DistributionInfo",
    "EntryPointsResolver",
    "MetadataEntryPointsResolver",
    "build_entry_point_index",
    "distribution_at",
    "iter_distributions",
    "log_malformed",
    "normalize_name",
    "packages_distributions",
    "parse_entry_points_text",
    "read_entry_points_text",
    "resolve_distribution_information",
    "serialize_entry_points_text",
]

METADATA_SUFFIXES = (".dist-info", ".egg-info")
ENTRY_POINTS_FILE = "entry_points.txt"
EDITABLE_LINK_FILE = "entry_points_editable.txt"
"""Written by plux 1.x into an editable install's dist-info: the path of the real entry points."""


def __getattr__(name: str) -> object:
    # Distribution is importlib.metadata's; importing it only on use keeps this module light.
    if name == "Distribution":
        from importlib.metadata import Distribution

        return Distribution
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- distributions on the path -------------------------------------------------------------------


def normalize_name(name: str) -> str:
    """The PEP 503 form of a distribution name, used to decide which copy shadows which.

    >>> normalize_name("Foo.Bar__baz")
    'foo-bar-baz'
    """
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def metadata_headers(text: str) -> dict[str, str]:
    """Name and Version from the text of a METADATA/PKG-INFO file (its header block)."""
    headers: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        if key in ("Name", "Version"):
            headers.setdefault(key, value.strip())
    return headers


def _metadata_headers(path: str) -> dict[str, str]:
    """Name and Version from a distribution's METADATA/PKG-INFO (read only when the folder
    name does not tell them); an ``*.egg-info`` that is a file is itself the PKG-INFO."""
    files = ("METADATA", "PKG-INFO") if os.path.isdir(path) else ("",)
    for file in files:
        try:
            with open(os.path.join(path, file), encoding="utf-8", errors="replace") as fh:
                return metadata_headers(fh.read(1 << 16))
        except OSError:
            continue
    return {}


class DistributionInfo:
    """An installed distribution's metadata folder, as found on a path entry."""

    __slots__ = ("name", "version", "path")

    def __init__(self, name: str, version: str, path: str) -> None:
        self.name = name
        """The name as the folder spells it (``foo_bar`` for ``foo_bar-1.0.dist-info``), or as
        its metadata does when read with ``exact_name``."""
        self.version = version
        self.path = path
        """The ``*.dist-info``/``*.egg-info`` folder."""

    def __repr__(self) -> str:
        return f"DistributionInfo({self.name!r}, {self.version!r}, {self.path!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DistributionInfo):
            return NotImplemented
        return (self.name, self.version, self.path) == (other.name, other.version, other.path)

    def __hash__(self) -> int:
        return hash((self.name, self.version, self.path))


def distribution_info(path: str, exact_name: bool = False) -> DistributionInfo:
    """Name and version of the distribution whose metadata folder is ``path``.

    Both come from the folder name (``name-version.dist-info``, ``name-version-py3.X.egg-info``);
    the metadata file is read when the name lacks one of them (``name.egg-info``), or with
    ``exact_name`` for the name as the project spells it (folder names escape ``-`` as ``_``).
    """
    name, version = _folder_name_and_version(path)
    if exact_name or not name or not version:
        headers = _metadata_headers(path)
        name = headers.get("Name") or name
        version = version or headers.get("Version", "")
    return DistributionInfo(name, version, path)


def _folder_name_and_version(path: str) -> tuple[str, str]:
    stem = os.path.basename(path).rpartition(".")[0]
    name, _, rest = stem.partition("-")
    return name, rest.partition("-")[0]


def iter_distributions(path: Iterable[str]) -> Iterable[DistributionInfo]:
    """The distributions visible on ``path`` (e.g. ``sys.path``), in the order
    ``importlib.metadata`` finds them; a shadowed copy (a later one of the same name) is left
    out."""
    from plux.runtime.index import build_index, scan_stamps

    path = list(path)
    records, visible = build_index(path, scan_stamps(path)).dists()
    for dist_path in visible:
        yield DistributionInfo(records[dist_path][2], records[dist_path][4], dist_path)


def entry_points_file(path: str) -> str:
    """The file that holds the entry points of the distribution whose metadata folder is ``path``.

    That is its ``entry_points.txt``, unless plux 1.x left an ``entry_points_editable.txt`` link
    (an editable install) pointing at an existing file.
    """
    try:
        with open(os.path.join(path, EDITABLE_LINK_FILE), encoding="utf-8") as fh:
            target = fh.read().strip()
    except (OSError, ValueError):
        target = ""
    if target and os.path.isfile(target):
        return target
    return os.path.join(path, ENTRY_POINTS_FILE)


def read_distribution_entry_points(path: str) -> tuple[list[_EntryPoint], list[str]]:
    """The entry points of the distribution whose metadata folder is ``path``, and the errors
    found in its file (each naming the file and line). A distribution without one has none."""
    file = entry_points_file(path)
    try:
        with open(file, "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, NotADirectoryError):
        return [], []  # none, or an egg-info file or dangling link (as importlib.metadata reads it)
    except OSError as e:
        return [], [f"{file}: cannot be read: {e}"]
    return entry_points_from_bytes(data, file)


def entry_points_from_bytes(data: bytes, file: str) -> tuple[list[_EntryPoint], list[str]]:
    """The entry points in the bytes of an ``entry_points.txt`` (named ``file`` in errors)."""
    try:
        text = data.decode("utf-8")
        errors: list[str] = []
    except UnicodeDecodeError as e:
        text = data.decode("utf-8", errors="replace")
        errors = [f"{file}: not valid UTF-8 ({e.reason} at byte {e.start}), read with replacements"]
    entry_points, line_errors = read_entry_points_text(text, file)
    return entry_points, errors + line_errors


class ZipEntry:
    """A zip file on the path, read as ``importlib.metadata`` reads it: its top-level names in
    archive order are the candidates, ``NAME/entry_points.txt`` and ``NAME/METADATA`` (or
    ``PKG-INFO``) their files. Use as a context manager."""

    def __init__(self, archive: str, zip_file: ZipFile) -> None:
        self.archive = archive
        self._zip = zip_file
        self.children = list(dict.fromkeys(n.split("/", 1)[0] for n in zip_file.namelist()))

    @classmethod
    def open(cls, archive: str) -> ZipEntry | None:
        """The zip file ``archive``, or None when it is none (as importlib.metadata, which then
        finds nothing there)."""
        import zipfile

        try:
            return cls(archive, zipfile.ZipFile(archive))
        except (OSError, ValueError, zipfile.BadZipFile):
            return None

    def __enter__(self) -> ZipEntry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._zip.close()

    def _read(self, child: str, file: str) -> bytes | None:
        try:
            return self._zip.read(f"{child}/{file}")
        except (KeyError, OSError, ValueError, RuntimeError):
            return None  # RuntimeError: an encrypted member

    def entry_points(self, child: str) -> tuple[list[_EntryPoint], list[str]]:
        """The entry points of the distribution ``child`` and the errors in their file."""
        data = self._read(child, ENTRY_POINTS_FILE)
        source = os.path.join(self.archive, child, ENTRY_POINTS_FILE)
        return entry_points_from_bytes(data, source) if data is not None else ([], [])

    def info(self, child: str) -> DistributionInfo:
        """Name and version of the distribution ``child`` (its folder name, then its metadata)."""
        name, version = _folder_name_and_version(child)
        for file in ("METADATA", "PKG-INFO"):
            data = self._read(child, file)
            if data is not None:
                headers = metadata_headers(data.decode("utf-8", errors="replace"))
                name = headers.get("Name") or name
                version = version or headers.get("Version", "")
                break
        return DistributionInfo(name, version, os.path.join(self.archive, child))


# --- importlib.metadata objects ------------------------------------------------------------------


def build_entry_point_index(
    entry_points: Iterable[_NamedEntryPoint] | None = None,
) -> dict[str, list[EntryPoint]]:
    """Group entry points by group: ``{group: [importlib.metadata.EntryPoint, ...]}``.

    With no argument, the entry points of every distribution visible on ``sys.path`` (shadowed
    copies excluded), each bound to its distribution (``ep.dist``). Order is kept; a name may occur
    more than once in a group when several distributions register it: the first one wins.
    """
    from importlib.metadata import EntryPoint

    index: dict[str, list[EntryPoint]] = {}
    if entry_points is not None:
        for ep in entry_points:
            index.setdefault(ep.group, []).append(EntryPoint(ep.name, ep.value, ep.group))
        return index

    from plux.runtime.cache import EntryPointsCache

    return EntryPointsCache(use_disk=False).get_entry_points()


def distribution_at(path: str) -> Distribution:
    """``importlib.metadata``'s distribution for the metadata folder ``path`` (which may be in a
    zip file on the path)."""
    from importlib.metadata import Distribution, PathDistribution

    archive, child = os.path.split(path)
    if os.path.isfile(archive):
        import zipfile

        return PathDistribution(zipfile.Path(archive).joinpath(child))
    return Distribution.at(path)


@lru_cache
def packages_distributions() -> Mapping[str, list[str]]:
    """The names of the distributions that hold each top-level package, each name once
    (``importlib.metadata.packages_distributions``, which may repeat a name for an editable
    install). Cached; ``packages_distributions.cache_clear()`` forgets it, as after installing or
    removing distributions (LocalStack does so, as with plux 1.16)."""
    from importlib.metadata import packages_distributions as read

    return {package: list(dict.fromkeys(names)) for package, names in read().items()}


def bind_entry_point(ep: _NamedEntryPoint, dist: Distribution | None) -> EntryPoint:
    """An ``importlib.metadata.EntryPoint`` for ``ep`` whose ``dist`` is ``dist``."""
    from importlib.metadata import EntryPoint

    result = EntryPoint(ep.name, ep.value, ep.group)
    # _for is how importlib.metadata itself binds the distribution (3.10 to 3.13).
    bind = getattr(result, "_for", None)
    if dist is not None and bind is not None:
        result = bind(dist)
    return result


# --- distributions of other finders on sys.meta_path -----------------------------------------

PATH_FINDER: object = _PathFinder
"""The standard path finder, whose distributions the index holds."""
PATH_ONLY = (PATH_FINDER,)


def distribution_finders() -> tuple[object, ...]:
    """The finders on ``sys.meta_path`` that provide distributions, in order (usually only
    :data:`PATH_FINDER`)."""
    import sys

    return tuple(f for f in sys.meta_path if getattr(f, "find_distributions", None) is not None)


class FoundDistribution:
    """A distribution that a finder other than the path finder provides (not indexed)."""

    __slots__ = ("finder", "distribution", "key", "path", "_rows")

    def __init__(self, finder: object, distribution: Distribution) -> None:
        from plux.runtime.index import IndexedEntryPoint

        self.finder = finder
        self.distribution = distribution
        name = distribution.metadata["Name"] or ""
        # importlib.metadata tells copies apart by this key (the normalised name, or for a path
        # distribution the one in its folder name).
        self.key = normalize_name(getattr(distribution, "_normalized_name", None) or name)
        self.path = str(getattr(distribution, "_path", ""))
        version = distribution.metadata["Version"] or ""
        self._rows: dict[str, list[IndexedEntryPoint]] = {}
        entry_points: Iterable[EntryPoint] = distribution.entry_points
        for ep in entry_points:
            row = IndexedEntryPoint(ep.name, ep.value, ep.group, name, version, self.path, None)
            self._rows.setdefault(ep.group, []).append(row)

    def rows(self, group: str) -> list[IndexedEntryPoint]:
        """This distribution's entry points in ``group``."""
        return self._rows.get(group, [])

    def groups(self) -> list[str]:
        return list(self._rows)


def find_distributions(finders: Sequence[object], path: Sequence[str]) -> list[FoundDistribution]:
    """The distributions that ``finders`` other than the path finder provide for ``path``, in
    order. A finder that fails is logged and skipped (``importlib.metadata`` would raise)."""
    import logging
    from importlib.metadata import DistributionFinder

    found: list[FoundDistribution] = []
    for finder in finders:
        if finder is PATH_FINDER:
            continue
        try:
            context = DistributionFinder.Context(path=list(path))
            # all or nothing: a finder that fails half way gives none of its distributions
            dists = list(finder.find_distributions(context))  # type: ignore[attr-defined]
            found.extend(FoundDistribution(finder, d) for d in dists)
        except Exception:
            logging.getLogger(__name__).warning(
                "distribution finder %r failed; its distributions are left out",
                finder,
                exc_info=True,
            )
    return found


class EntryPointsResolver:
    """Something that knows the entry points of an environment."""

    def get_entry_points(self) -> dict[str, list[EntryPoint]]:
        """Return ``{group: [importlib.metadata.EntryPoint, ...]}``."""
        raise NotImplementedError


class MetadataEntryPointsResolver(EntryPointsResolver):
    """Reads the entry points from the installed distributions each time it is asked (no index)."""

    def get_entry_points(self) -> dict[str, list[EntryPoint]]:
        return build_entry_point_index()


def _module_of(spec: PluginSpec) -> str | None:
    location = getattr(spec, "location", None)
    if location:
        return str(location).partition(":")[0]
    module = getattr(spec.factory, "__module__", None)
    return module if isinstance(module, str) else None


def resolve_distribution_information(plugin_spec: PluginSpec) -> Distribution | None:
    """The installed distribution that holds the module of ``plugin_spec``'s factory, or None.

    First the distribution whose entry points name that module in the spec's namespace (exact even
    for editable installs and namespace packages), then the distributions that own the module's
    top-level package (``importlib.metadata.packages_distributions``), preferring the one whose
    recorded files contain the module.
    """
    module = _module_of(plugin_spec)
    if not module:
        return None
    from plux.runtime.cache import EntryPointsCache

    cache = EntryPointsCache.instance()
    for ep in cache.entry_points_of(plugin_spec.namespace):
        if ep.value.partition(":")[0].strip() == module:
            return cache.distribution(ep.path)

    from importlib.metadata import PackageNotFoundError, distribution

    names = packages_distributions().get(module.partition(".")[0], [])
    relpath = module.replace(".", "/")
    candidates: list[Distribution] = []
    for name in names:
        try:
            candidates.append(distribution(name))
        except PackageNotFoundError:
            continue
    for dist in candidates:
        files = {str(f).replace(os.sep, "/") for f in dist.files or ()}
        if f"{relpath}.py" in files or f"{relpath}/__init__.py" in files:
            return dist
    return candidates[0] if len(candidates) == 1 else None
