"""Which installed distribution a plugin comes from (``PluginContainer.distribution``).

For a plugin listed from the index, the distribution of its entry point (a folder or a zip file
on the path); for one a custom finder gave, the distribution that holds its factory's module.
"""

from __future__ import annotations

import os
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from importlib.metadata import Distribution

    from plux.core.plugin import PluginSpec
    from plux.runtime._index import IndexedEntryPoint

__all__ = [
    "distribution_of",
    "metadata_packages_distributions",
    "packages_distributions",
    "resolve_distribution_information",
]


def distribution_of(
    entry_point: IndexedEntryPoint | None, spec: PluginSpec | None
) -> Distribution | None:
    """The installed distribution of a plugin listed from ``entry_point`` (an indexed one), else
    of the one that ``spec`` resolved to; None when neither tells."""
    from plux.runtime.cache import EntryPointsCache

    if entry_point is not None:
        return EntryPointsCache.instance().distribution(entry_point.path)
    return resolve_distribution_information(spec) if spec is not None else None


def metadata_packages_distributions() -> Mapping[str, list[str]]:
    """``importlib.metadata.packages_distributions()`` as it is, read anew at each call (plux
    1.16's name)."""
    from importlib.metadata import packages_distributions as read

    return read()


@lru_cache
def packages_distributions() -> Mapping[str, list[str]]:
    """The names of the distributions that hold each top-level package, each name once
    (``importlib.metadata.packages_distributions``, which may repeat a name for an editable
    install). Cached; ``packages_distributions.cache_clear()`` forgets it, as after installing or
    removing distributions (LocalStack does so, as with plux 1.16)."""
    return {
        package: list(dict.fromkeys(names))
        for package, names in metadata_packages_distributions().items()
    }


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
