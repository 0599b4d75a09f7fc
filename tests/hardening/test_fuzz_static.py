"""Fuzzing AST discovery on generated modules: no crash, no import, agreement with import."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from property_support import examples

from plux.build._static import StaticPluginFinder
from plux.build.discovery import DiscoveryError, PluginFromPackageFinder, SimplePackageFinder
from plux.build.index import PluginIndexBuilder

from .strategies import PluginModule, garbled_sources, plugin_modules, render_module

_numbers = itertools.count()
FUZZ = examples(100, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder for the projects of every example; their packages are forgotten afterwards."""
    yield tmp_path_factory.mktemp("fuzz-static")
    for name in [m for m in sys.modules if m.startswith("fuzzpkg")]:
        del sys.modules[name]


def write_project(scratch: Path, source: str) -> tuple[Path, str]:
    """A project with one package (a fresh name each time) whose module ``mod`` is ``source``."""
    package = f"fuzzpkg{next(_numbers)}"
    root = scratch / package
    (root / package).mkdir(parents=True)
    (root / package / "__init__.py").write_text("")
    (root / package / "mod.py").write_text(source, encoding="utf-8")
    return root, package


def static_index(root: Path) -> dict[str, list[str]]:
    finder = StaticPluginFinder(SimplePackageFinder(str(root)), fallback=False, search_path=[])
    return sorted_index(PluginIndexBuilder(finder).find_entry_points())


def sorted_index(index: dict[str, list[str]]) -> dict[str, list[str]]:
    return {namespace: sorted(lines) for namespace, lines in index.items()}


@FUZZ
@given(module=plugin_modules())
def test_static_discovery_finds_every_plugin_and_imports_nothing(
    scratch: Path, module: PluginModule
) -> None:
    """A module that would write a marker file and exit when imported is read from source alone:
    every plugin found, the marker never written, the module never imported."""
    marker = scratch / f"imported-{next(_numbers)}"
    root, package = write_project(scratch, render_module(module, side_effects=str(marker)))
    assert static_index(root) == module.expected(f"{package}.mod")
    assert not marker.exists()
    assert f"{package}.mod" not in sys.modules


@FUZZ
@given(module=plugin_modules())
def test_static_and_import_discovery_agree_on_generated_modules(
    scratch: Path, module: PluginModule
) -> None:
    """On a module both can read, AST and import discovery give the same entry points."""
    root, package = write_project(scratch, render_module(module))
    imported = PluginIndexBuilder(PluginFromPackageFinder(SimplePackageFinder(str(root))))
    assert static_index(root) == sorted_index(imported.find_entry_points())
    assert static_index(root) == module.expected(f"{package}.mod")


@FUZZ
@given(source=garbled_sources())
def test_garbled_source_never_crashes_static_discovery(scratch: Path, source: str) -> None:
    """A truncated, spliced or random module gives a verdict (plugins, or the file and why it
    needs importing), never an exception, and is not imported."""
    root, package = write_project(scratch, source)
    finder = StaticPluginFinder(SimplePackageFinder(str(root)), fallback=False, search_path=[])
    verdicts = {v.module.name: v for v in finder.analyze()}
    verdict = verdicts[f"{package}.mod"]
    assert all(reason.startswith(f"{package}/mod.py") for reason in verdict.import_reasons)
    try:
        finder.find_plugins()
    except DiscoveryError as e:
        assert f"{package}/mod.py" in str(e)
    assert f"{package}.mod" not in sys.modules
