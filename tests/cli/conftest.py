"""Runs the ``plux`` command line against a throwaway site: in this process, or in a fresh one."""

from __future__ import annotations

import importlib
import json
import os
import site
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from plux.__main__ import main

from ..conftest import outside_any_project

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


PluxCli = Callable[..., CliResult]


@pytest.fixture
def plux_cli(python: Any, tmp_path: Path) -> PluxCli:
    """``plux_cli("list", "--json", cwd=...)`` runs ``python -m plux`` with the test's site.

    ``-S`` keeps the test run's own site-packages (and the distributions installed there) out.
    Without ``cwd``, it runs in an empty folder: outside any project (not in this checkout, which
    doctor and show would scan as the project here).
    """
    outside = outside_any_project(tmp_path)
    vendor: list[str] = []
    if sys.version_info < (3, 11):
        # Without site-packages, 3.10 has no TOML parser: lend it plux's dependency, tomli.
        import tomli

        (tmp_path / "vendor").mkdir()
        (tmp_path / "vendor" / "tomli").symlink_to(Path(tomli.__file__).parent)
        vendor.append(str(tmp_path / "vendor"))

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        # The environment is read at each call: tests add sites and variables as they go.
        env = python.environ()
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], *vendor])
        proc = subprocess.run(
            [sys.executable, "-S", "-m", "plux", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=outside if cwd is None else cwd,
            timeout=120,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def plux_main(
    python: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> Iterator[PluxCli]:
    """``plux_main("list", "--json", cwd=...)`` runs ``plux.__main__.main`` in this process, as
    ``plux_cli`` runs it in a fresh one: the test's sites and plux on ``sys.path`` and no
    site-packages, ``python.env`` in the environment, a private ``PLUX_CACHE_DIR``, an empty
    working directory unless ``cwd`` is given.

    Modules imported from below ``tmp_path`` are forgotten afterwards, so that a later test's
    plugin module of the same name is imported afresh.
    """
    if sys.version_info < (3, 11):
        importlib.import_module("tomli")  # plux's TOML parser on 3.10, before site-packages go
    site_packages = set(site.getsitepackages() + [site.getusersitepackages()])
    stdlib = [entry for entry in sys.path if entry and entry not in site_packages]
    modules_before = set(sys.modules)
    outside = outside_any_project(tmp_path)

    def run(*args: str, cwd: Path | None = None) -> CliResult:
        # The environment is read at each call, as plux_cli does.
        environ = python.environ()
        for name in os.environ:
            if name.startswith("PLUX_") and name not in environ:
                monkeypatch.delenv(name)
        for name, value in environ.items():
            if name.startswith("PLUX_") or name in python.env:
                monkeypatch.setenv(name, value)
        sites = [str(s) for s in python.sites]
        monkeypatch.setattr(sys, "path", [*sites, str(PROJECT_ROOT), *stdlib])
        importlib.invalidate_caches()
        monkeypatch.chdir(outside if cwd is None else cwd)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    yield run
    root = str(tmp_path)
    for name in set(sys.modules) - modules_before:
        module = sys.modules[name]
        locations = [getattr(module, "__file__", None), *getattr(module, "__path__", [])]
        if any(isinstance(place, str) and place.startswith(root) for place in locations):
            del sys.modules[name]
