"""plux 1.16's configuration functions and the build backend a project uses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plux.build.config import (
    BuildBackend,
    ConfigError,
    EntrypointBuildMode,
    PluxConfiguration,
    determine_build_backend_from_config,
    determine_build_backend_from_pyproject_config,
    load_pyproject_toml,
    parse_pyproject_toml,
    read_plux_config_from_workdir,
)
from plux.build.project import Project

HATCHLING_PROJECT = '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'


def test_read_plux_config_from_workdir_defaults_to_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without an argument the working folder's ``[tool.plux]`` is read."""
    (tmp_path / "pyproject.toml").write_text('[tool.plux]\nentrypoint_build_mode = "manual"\n')
    monkeypatch.chdir(tmp_path)
    config = read_plux_config_from_workdir()
    assert config.entrypoint_build_mode is EntrypointBuildMode.MANUAL
    assert read_plux_config_from_workdir(tmp_path / "elsewhere") == PluxConfiguration()


@pytest.mark.parametrize("backend", ["setuptools", "hatchling"])
def test_configured_build_backend_wins(tmp_path: Path, backend: str) -> None:
    """``[tool.plux] build_backend`` decides over ``[build-system]``."""
    (tmp_path / "pyproject.toml").write_text(
        HATCHLING_PROJECT + f'[tool.plux]\nbuild_backend = "{backend}"\n'
    )
    assert read_plux_config_from_workdir(tmp_path).build_backend is BuildBackend(backend)
    assert determine_build_backend_from_config(tmp_path) is BuildBackend(backend)
    assert Project(tmp_path).backend == backend


def test_build_backend_is_read_from_build_system(tmp_path: Path) -> None:
    """With ``auto``, ``[build-system] build-backend`` tells the backend (by its prefix)."""
    (tmp_path / "pyproject.toml").write_text(HATCHLING_PROJECT)
    assert read_plux_config_from_workdir(tmp_path).build_backend is BuildBackend.AUTO
    assert determine_build_backend_from_config(str(tmp_path)) is BuildBackend.HATCHLING
    legacy = {"build-system": {"build-backend": "setuptools.build_meta:__legacy__"}}
    assert determine_build_backend_from_pyproject_config(legacy) is BuildBackend.SETUPTOOLS
    assert determine_build_backend_from_pyproject_config({}) is None


def test_without_a_declared_backend_the_installed_one_is_used(tmp_path: Path) -> None:
    """No pyproject.toml: the first installed of setuptools and hatchling (setuptools here)."""
    assert determine_build_backend_from_config(tmp_path) is BuildBackend.SETUPTOOLS


def test_project_without_build_backend_uses_setuptools(tmp_path: Path) -> None:
    """PEP 517's default: a project that names no backend is built by setuptools."""
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = app\n")
    assert Project(tmp_path).backend == "setuptools"
    assert Project(tmp_path / "empty").backend is None


def test_unknown_build_backend_value_names_the_key(tmp_path: Path) -> None:
    """A ``build_backend`` other than auto/setuptools/hatchling is a ConfigError."""
    (tmp_path / "pyproject.toml").write_text('[tool.plux]\nbuild_backend = "poetry"\n')
    with pytest.raises(ConfigError, match="build_backend"):
        read_plux_config_from_workdir(tmp_path)


def test_load_and_parse_pyproject_take_a_file_or_a_folder(tmp_path: Path) -> None:
    """Both accept the file or its folder, and raise FileNotFoundError without one."""
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n[tool.plux]\npath = "src"\n')
    assert load_pyproject_toml(path) == load_pyproject_toml(tmp_path)
    assert load_pyproject_toml(tmp_path)["project"] == {"name": "x"}
    assert parse_pyproject_toml(path).path == parse_pyproject_toml(tmp_path).path == "src"
    with pytest.raises(FileNotFoundError):
        load_pyproject_toml(tmp_path / "absent")
    with pytest.raises(FileNotFoundError):
        parse_pyproject_toml(os.fspath(tmp_path / "absent"))
