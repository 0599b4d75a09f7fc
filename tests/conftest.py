"""Fixtures that build real site directories and run code against them in fresh interpreters."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from plux.runtime.cache import EntryPointsCache

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TESTS = PROJECT_ROOT / "tests"


def load_support(name: str, folder: Path = TESTS) -> None:
    """Make ``FOLDER/NAME.py`` (default: ``tests/NAME.py``) importable as ``NAME``: the tests
    folder is not put on ``sys.path``, where its sub-folders would shadow real packages."""
    path = folder / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


load_support("integration_support")
load_support("prebuilt_support")
load_support("property_support")

METADATA_READS = str(TESTS / "metadata_reads.py")
"""``tests/metadata_reads.py``, for code run in a fresh interpreter to load with
``runpy.run_path``: it counts or refuses plux's metadata reads."""


@pytest.fixture(autouse=True)
def _keep_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the working directory back after each test: ``main(["--workdir", ...])`` run in the
    test process moves it, and a later test's ``plux doctor`` would take that folder for its
    project."""
    monkeypatch.chdir(os.getcwd())


@dataclass
class SiteBuilder:
    """Writes installed distributions (real ``*.dist-info``/``*.egg-info`` folders)."""

    path: Path
    distributions: list[Path] = field(default_factory=list)

    def add_module(self, relpath: str, source: str) -> Path:
        """Write ``source`` (dedented) to ``relpath`` below the site, with its packages."""
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        for parent in target.relative_to(self.path).parents:
            if parent != Path(".") and relpath.endswith(".py"):
                init = self.path / parent / "__init__.py"
                if not init.exists():
                    init.write_text("")
        target.write_text(textwrap.dedent(source))
        return target

    def add_distribution(
        self,
        name: str,
        version: str = "1.0",
        entry_points: Mapping[str, Mapping[str, str]] | str | None = None,
        modules: Mapping[str, str] | None = None,
        kind: str = "dist-info",
    ) -> Path:
        """Install a distribution: its modules, and its metadata with ``entry_points.txt``.

        ``entry_points`` is ``{group: {name: value}}``, or the raw text of ``entry_points.txt``.
        """
        for relpath, source in (modules or {}).items():
            self.add_module(relpath, source)
        folder = self.path / f"{name.replace('-', '_')}-{version}.{kind}"
        folder.mkdir(parents=True)
        metadata_file = "METADATA" if kind == "dist-info" else "PKG-INFO"
        (folder / metadata_file).write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        )
        if entry_points is not None:
            (folder / "entry_points.txt").write_text(render_entry_points(entry_points))
        if kind == "dist-info":
            records = [f"{folder.name}/{f.name},," for f in folder.iterdir()]
            records += [f"{relpath},," for relpath in (modules or {})]
            records.append(f"{folder.name}/RECORD,,")
            (folder / "RECORD").write_text("\n".join(records) + "\n")
        self.distributions.append(folder)
        return folder

    def settle(self) -> None:
        """Date every file and folder of the site ten seconds back, as an install a while ago
        leaves it: plux reads again what it read while it was changing (within the last
        moments), so a test that counts reads starts from a settled site."""
        settle_tree(self.path)

    def listing_order(self) -> list[str]:
        """The installed metadata folders in the order importlib.metadata meets them: the
        folder's listing order, which is the file system's, not alphabetical."""
        names = {folder.name for folder in self.distributions}
        return [name for name in os.listdir(self.path) if name in names]


def settle_tree(root: Path, seconds: int = 10) -> None:
    """Date back to ``seconds`` ago the mtime of whatever in ``root`` (itself included) changed
    since: what is older keeps its times, so that settling twice changes nothing more."""
    then = time.time_ns() - seconds * 10**9
    paths = [str(root)]
    for folder, dirs, files in os.walk(root):
        paths.extend(os.path.join(folder, name) for name in files + dirs)
    for path in paths:
        if os.lstat(path).st_mtime_ns > then:
            os.utime(path, ns=(then, then), follow_symlinks=False)


def render_entry_points(entry_points: Mapping[str, Mapping[str, str]] | str) -> str:
    """The text of an ``entry_points.txt`` for ``{group: {name: value}}`` (or the text itself)."""
    if isinstance(entry_points, str):
        return textwrap.dedent(entry_points)
    lines: list[str] = []
    for group, entries in entry_points.items():
        lines.append(f"[{group}]")
        lines.extend(f"{name} = {value}" for name, value in entries.items())
        lines.append("")
    return "\n".join(lines)


@pytest.fixture
def site_builder(tmp_path: Path) -> SiteBuilder:
    """A fresh, empty site directory to install distributions into."""
    site = tmp_path / "site-packages"
    site.mkdir()
    return SiteBuilder(site)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """A private directory for plux's on-disk entry point index."""
    path = tmp_path / "plux-cache"
    path.mkdir(mode=0o700)
    return path


@pytest.fixture
def make_cache(site_builder: SiteBuilder, cache_dir: Path) -> Callable[..., EntryPointsCache]:
    """Makes a fresh cache (as a new process would) over ``site_builder``'s site, or over the
    sites given, with ``cache_dir`` unless another ``cache_dir=`` is given."""

    def make(*sites: Path, **kwargs: Any) -> EntryPointsCache:
        path = [str(s) for s in (sites or (site_builder.path,))]
        kwargs.setdefault("cache_dir", str(cache_dir))
        return EntryPointsCache(path=path, **kwargs)

    return make


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The metadata folders whose entry points are read (from when the fixture is set up)."""
    from plux.runtime import _distributions as distributions

    read: list[str] = []
    original = distributions.read_distribution_entry_points
    monkeypatch.setattr(
        distributions,
        "read_distribution_entry_points",
        lambda path, *link: read.append(os.path.basename(path)) or original(path, *link),
    )
    return read


def outside_any_project(tmp_path: Path) -> Path:
    """An empty folder with no project above it, to run ``plux`` in (in this checkout, doctor and
    show would scan plux itself as the project here, and ``''`` on ``sys.path`` would be it)."""
    folder = tmp_path / "outside-any-project"
    folder.mkdir(exist_ok=True)
    return folder


@dataclass
class PythonRunner:
    """Runs code in a fresh interpreter that sees plux and the given site directories only:
    ``-S`` keeps the test run's own site-packages out (and the cost of its ``.pth`` files)."""

    sites: list[Path]
    cache_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUX_", "PYTHON"))}
        env["PYTHONPATH"] = os.pathsep.join([*(str(s) for s in self.sites), str(PROJECT_ROOT)])
        env["PLUX_CACHE_DIR"] = str(self.cache_dir)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env.update(self.env)
        return env

    def run(self, code: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``code`` (dedented); with ``check``, fail the test with its stderr if it fails."""
        proc = subprocess.run(
            [sys.executable, "-S", "-c", textwrap.dedent(code)],
            capture_output=True,
            text=True,
            env=self.environ(),
            cwd=self.cwd,
            timeout=120,
        )
        if check and proc.returncode != 0:
            pytest.fail(f"subprocess failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def json(self, code: str) -> object:
        """Run ``code``, which prints one JSON document as its last line, and return it parsed."""
        out = self.run(code).stdout.strip().splitlines()
        return json.loads(out[-1])


@pytest.fixture
def python(site_builder: SiteBuilder, cache_dir: Path, tmp_path: Path) -> Iterator[PythonRunner]:
    """Runs code in a fresh interpreter with ``site_builder``'s site on ``sys.path``, in an empty
    folder outside any project."""
    yield PythonRunner([site_builder.path], cache_dir, cwd=outside_any_project(tmp_path))


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plux wheel built from this checkout, and the build tools (offline installs)."""
    import integration_support

    house: Path = integration_support.wheelhouse(tmp_path_factory.getbasetemp())
    return house


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The session's venv with plux and the build tools (``tests/integration_support.py``);
    tests install their projects into it under names of their own."""
    import integration_support

    return integration_support.tool_venv(tmp_path_factory.getbasetemp())
