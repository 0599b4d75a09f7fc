"""Installed distributions and their entry points, read from the file system without importlib.

The index (:mod:`plux.runtime.index`) uses the scanning and parsing here on its cold path;
``importlib.metadata`` is imported only by the functions that hand out its objects.
"""

from __future__ import annotations

import os

from plux.runtime.entry_points_text import (
    log_malformed,
    parse_entry_points_text,
    read_entry_points_text,
    serialize_entry_points_text,
)

# Neither typing nor plux.core.entrypoint (which needs typing) is imported at run time here: this
# module is on the warm path, and typing alone costs more than the rest of it.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from importlib.metadata import Distribution, EntryPoint

    from plux.core.entrypoint import EntryPoint as _EntryPoint
    from plux.core.plugin import PluginSpec
    from plux.runtime.entry_points_text import NamedEntryPoint as _NamedEntryPoint


__all__ = [
    "Distribution",
    "DistributionInfo",
    "EntryPointsResolver",
    "MetadataEntryPointsResolver",
    "build_entry_point_index",
    "iter_distributions",
    "log_malformed",
    "normalize_name",
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


def _metadata_headers(path: str) -> dict[str, str]:
    """Name and Version from a distribution's METADATA/PKG-INFO (read only when the folder
    name does not tell them)."""
    headers: dict[str, str] = {}
    for file in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(path, file), encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    if not line.strip():
                        break
                    key, _, value = line.partition(":")
                    if key in ("Name", "Version"):
                        headers.setdefault(key, value.strip())
        except OSError:
            continue
        return headers
    return headers


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
    stem = os.path.basename(path).rpartition(".")[0]
    name, _, rest = stem.partition("-")
    version = rest.partition("-")[0]
    if exact_name or not name or not version:
        headers = _metadata_headers(path)
        name = headers.get("Name") or name
        version = version or headers.get("Version", "")
    return DistributionInfo(name, version, path)


def metadata_dir_names(entry: str) -> list[str] | None:
    """The names of the distribution metadata folders in the path entry ``entry``, sorted.

    ``None`` when ``entry`` is not a readable directory (missing, a zip file: neither is searched).
    """
    try:
        with os.scandir(entry or ".") as it:
            return sorted(
                d.name for d in it if d.name.lower().endswith(METADATA_SUFFIXES) and d.is_dir()
            )
    except OSError:
        return None


def iter_distributions(path: Iterable[str]) -> Iterable[DistributionInfo]:
    """The distributions visible on ``path`` (e.g. ``sys.path``), in the order Python sees them.

    Only the first distribution of a (normalised) name counts, as in ``importlib.metadata``: a
    shadowed copy further down the path is not returned. Within one directory, folders are taken
    in sorted order, so that the choice between two copies in one place is deterministic.
    """
    seen: set[str] = set()
    for entry in path:
        for dirname in metadata_dir_names(entry) or ():
            info = distribution_info(os.path.join(entry or ".", dirname))
            key = normalize_name(info.name)
            if key not in seen:
                seen.add(key)
                yield info


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
    except FileNotFoundError:
        return [], []
    except OSError as e:
        return [], [f"{file}: cannot be read: {e}"]
    try:
        text = data.decode("utf-8")
        errors: list[str] = []
    except UnicodeDecodeError as e:
        text = data.decode("utf-8", errors="replace")
        errors = [f"{file}: not valid UTF-8 ({e.reason} at byte {e.start}), read with replacements"]
    entry_points, line_errors = read_entry_points_text(text, file)
    return entry_points, errors + line_errors


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

    import sys

    for info in iter_distributions(list(sys.path)):
        found, errors = read_distribution_entry_points(info.path)
        for error in errors:
            log_malformed([error])
        if found:
            dist = _distribution_at(info.path)
            for ep in found:
                index.setdefault(ep.group, []).append(bind_entry_point(ep, dist))
    return index


def _distribution_at(path: str) -> Distribution:
    from importlib.metadata import Distribution

    return Distribution.at(path)


def bind_entry_point(ep: _NamedEntryPoint, dist: Distribution | None) -> EntryPoint:
    """An ``importlib.metadata.EntryPoint`` for ``ep`` whose ``dist`` is ``dist``."""
    from importlib.metadata import EntryPoint

    result = EntryPoint(ep.name, ep.value, ep.group)
    # _for is how importlib.metadata itself binds the distribution (3.10 to 3.13).
    bind = getattr(result, "_for", None)
    if dist is not None and bind is not None:
        result = bind(dist)
    return result


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

    for ep in EntryPointsCache.instance().entry_points_of(plugin_spec.namespace):
        if ep.value.partition(":")[0].strip() == module:
            return _distribution_at(ep.path)

    from importlib.metadata import PackageNotFoundError, distribution, packages_distributions

    names = list(dict.fromkeys(packages_distributions().get(module.partition(".")[0], [])))
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
