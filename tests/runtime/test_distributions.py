"""Distributions read from the file system: zip files on the path, other meta-path finders,
bad bytes, and the 1.16 API that hands out importlib.metadata objects (all in this process)."""

from __future__ import annotations

import logging
import sys
import zipfile
from importlib.metadata import PathDistribution
from pathlib import Path

import pytest

from plux import Plugin, PluginSpec
from plux.runtime._distributions import (
    DistributionInfo,
    read_distribution_entry_points,
)
from plux.runtime.cache import EntryPointsCache
from plux.runtime.metadata import packages_distributions, resolve_distribution_information

GROUP = "dist.plugins"


def write_zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


class OneDistributionFinder:
    """A meta-path finder that provides one distribution from a folder off the path."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find_distributions(self, context: object) -> list[PathDistribution]:
        return [PathDistribution(self.folder)]

    def __repr__(self) -> str:
        return "OneDistributionFinder()"


class BrokenFinder:
    """A meta-path finder whose find_distributions raises."""

    def find_distributions(self, context: object) -> list[PathDistribution]:
        raise RuntimeError("broken")

    def __repr__(self) -> str:
        return "BrokenFinder()"


def test_zip_file_on_the_path_is_read_as_importlib_reads_it(tmp_path, cache_dir):
    """A zip file's distributions give their entry points, bound to a distribution in the zip."""
    archive = write_zip(
        tmp_path / "plugins.zip",
        {
            "zipped-2.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: Zipped\nVersion: 2.0\n",
            "zipped-2.0.dist-info/entry_points.txt": f"[{GROUP}]\nz = zipped:Z\n",
            "zipped.py": "",
        },
    )
    cache = EntryPointsCache(path=[str(archive)], cache_dir=str(cache_dir))
    [ep] = cache.entry_points_of(GROUP)
    assert (ep.name, ep.value, ep.distribution, ep.version) == ("z", "zipped:Z", "Zipped", "2.0")
    [bound] = cache.get_entry_points()[GROUP]
    assert bound.dist is not None and bound.dist.version == "2.0"


def test_file_that_is_no_zip_on_the_path_gives_nothing(tmp_path, cache_dir):
    """A path entry that is a file but no zip file holds no distributions (as for importlib)."""
    not_zip = tmp_path / "junk.zip"
    not_zip.write_bytes(b"not a zip")
    assert EntryPointsCache(path=[str(not_zip)], cache_dir=str(cache_dir)).groups() == []


def test_entry_points_file_that_is_not_utf8_is_read_with_an_error(site_builder):
    """Bytes that are not UTF-8 are read with replacements, and the file is named in an error."""
    folder = site_builder.add_distribution("bad", entry_points={GROUP: {"a": "bad:A"}})
    (folder / "entry_points.txt").write_bytes(f"[{GROUP}]\na = bad:A\xff\n".encode("latin-1"))
    entry_points, errors = read_distribution_entry_points(str(folder))
    assert entry_points == [(GROUP, "a", "bad:A\ufffd")]
    assert errors and errors[0].startswith(f"{folder / 'entry_points.txt'}: not valid UTF-8")


def test_distribution_info_compares_by_name_version_and_path():
    """Two infos of one folder are equal and hash alike; the repr shows all three fields."""
    info = DistributionInfo("a", "1.0", "/site/a-1.0.dist-info")
    assert info == DistributionInfo("a", "1.0", "/site/a-1.0.dist-info")
    assert info != DistributionInfo("a", "2.0", "/site/a-2.0.dist-info")
    assert info != "a"
    assert len({info, DistributionInfo("a", "1.0", "/site/a-1.0.dist-info")}) == 1
    assert repr(info) == "DistributionInfo('a', '1.0', '/site/a-1.0.dist-info')"


def test_distributions_of_other_meta_path_finders_count(site_builder, tmp_path, monkeypatch):
    """A finder on sys.meta_path adds its distributions after the path's (first copy wins)."""
    site_builder.add_distribution("own", entry_points={GROUP: {"o": "own:O"}})
    elsewhere = type(site_builder)(tmp_path / "elsewhere")
    elsewhere.path.mkdir()
    folder = elsewhere.add_distribution("found", "3.0", entry_points={GROUP: {"f": "found:F"}})
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, OneDistributionFinder(folder)])
    cache = EntryPointsCache(path=[str(site_builder.path)], use_disk=False)
    assert [(ep.name, ep.version) for ep in cache.entry_points_of(GROUP)] == [
        ("o", "1.0"),
        ("f", "3.0"),
    ]
    assert GROUP in cache.groups()
    assert cache.distribution(str(folder)).version == "3.0"


def test_meta_path_finder_that_raises_is_logged_and_left_out(site_builder, monkeypatch, caplog):
    """A finder that fails is logged as a warning and its distributions are left out."""
    site_builder.add_distribution("own", entry_points={GROUP: {"o": "own:O"}})
    monkeypatch.setattr(sys, "meta_path", [BrokenFinder(), *sys.meta_path])
    cache = EntryPointsCache(path=[str(site_builder.path)], use_disk=False)
    with caplog.at_level(logging.WARNING, logger="plux.runtime.metadata"):
        assert [ep.name for ep in cache.entry_points_of(GROUP)] == ["o"]
    assert "distribution finder BrokenFinder() failed" in caplog.text


def test_build_and_store_index_writes_entry_points_text(site_builder, tmp_path):
    """plux 1.16's _build_and_store_index writes the entry points as an entry_points.txt text."""
    site_builder.add_distribution("own", entry_points={GROUP: {"o": "own:O"}})
    cache = EntryPointsCache(path=[str(site_builder.path)], use_disk=False)
    index = cache._build_and_store_index(tmp_path)
    [written] = tmp_path.glob("*.entry_points.txt")
    assert [ep.name for ep in index[GROUP]] == ["o"]
    assert written.read_text() == f"[{GROUP}]\no = own:O\n"


@pytest.fixture
def on_sys_path(site_builder, cache_dir, monkeypatch):
    """The test's site first on sys.path, with a private cache folder, in this process."""
    monkeypatch.setenv("PLUX_CACHE_DIR", str(cache_dir))
    monkeypatch.setattr(sys, "path", [str(site_builder.path), *sys.path])
    packages_distributions.cache_clear()
    yield site_builder
    packages_distributions.cache_clear()


def spec_in_module(module: str) -> PluginSpec:
    """A spec whose factory claims to live in ``module`` (which is never imported)."""
    factory = type("Hello", (Plugin,), {"__module__": module})
    return PluginSpec("greet.plugins", "hello", factory)


def test_distribution_of_a_spec_is_the_one_whose_entry_points_name_its_module(on_sys_path):
    """resolve_distribution_information finds the distribution naming the module in the group."""
    on_sys_path.add_distribution(
        "hello-dist", "3.2", entry_points={"greet.plugins": {"hello": "hello_pkg.mod:Hello"}}
    )
    dist = resolve_distribution_information(spec_in_module("hello_pkg.mod"))
    assert dist is not None and (dist.metadata["Name"], dist.version) == ("hello-dist", "3.2")


def test_distribution_of_a_spec_is_found_by_its_package_when_no_entry_point_names_it(
    on_sys_path,
):
    """Without an entry point, the distribution that installed the module's file is found."""
    folder = on_sys_path.add_distribution("owner", "1.5", modules={"owned_pkg/mod.py": ""})
    # as setuptools writes it: Python 3.10's importlib reads packages from here only
    (folder / "top_level.txt").write_text("owned_pkg\n")
    assert packages_distributions()["owned_pkg"] == ["owner"]
    dist = resolve_distribution_information(spec_in_module("owned_pkg.mod"))
    assert dist is not None and dist.version == "1.5"


def test_distribution_of_a_spec_from_no_distribution_is_none(on_sys_path):
    """A module that no installed distribution holds has no distribution."""
    assert resolve_distribution_information(spec_in_module("nowhere_pkg.mod")) is None
