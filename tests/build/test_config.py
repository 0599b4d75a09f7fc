"""``[tool.plux]``: defaults, validation naming the key, command-line merging."""

from __future__ import annotations

from pathlib import Path

import pytest

from plux.build.config import (
    BuildBackend,
    ConfigError,
    EntrypointBuildMode,
    PluxConfiguration,
    parse_plux_table,
    read_plux_config,
)


def test_defaults_without_pyproject(tmp_path: Path) -> None:
    """A directory without pyproject.toml gets every default."""
    config = read_plux_config(tmp_path)
    assert config == PluxConfiguration()
    assert config.path == "."
    assert config.entrypoint_build_mode is EntrypointBuildMode.BUILD_HOOK
    assert config.entrypoint_static_file == "plux.ini"


def test_reads_every_key(tmp_path: Path) -> None:
    """Every documented key is read from [tool.plux]."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.plux]\n"
        'path = "src"\n'
        'include = ["app*"]\n'
        'exclude = ["app.tests", "app.tests.*"]\n'
        'entrypoint_build_mode = "manual"\n'
        'entrypoint_static_file = "meta/plux.ini"\n'
    )
    config = read_plux_config(tmp_path)
    assert config.path == "src" and config.path_configured
    assert config.include == ("app*",)
    assert config.exclude == ("app.tests", "app.tests.*")
    assert config.entrypoint_build_mode is EntrypointBuildMode.MANUAL
    assert config.entrypoint_static_file == "meta/plux.ini"


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"entrypoint_build_mode": "auto"}, "entrypoint_build_mode"),
        ({"exclude": [1]}, "exclude"),
        ({"include": {"a": 1}}, "include"),
        ({"path": ""}, "path"),
        ({"path": 3}, "path"),
        ({"entrypoint_static_file": "/abs/plux.ini"}, "entrypoint_static_file"),
        ({"excludes": ["x"]}, "excludes"),
    ],
    ids=["mode", "exclude-int", "include-table", "path-empty", "path-int", "abs-file", "typo"],
)
def test_bad_value_names_the_key(table: dict[str, object], key: str) -> None:
    """A bad value (or an unknown key) fails with an error naming the key."""
    with pytest.raises(ConfigError, match=key):
        parse_plux_table(table)


def test_build_backend_key_is_read_and_validated() -> None:
    """``build_backend`` (as in plux 1.16) is read, and validated."""
    config = parse_plux_table({"build_backend": "hatchling"})
    assert config.build_backend is BuildBackend.HATCHLING
    assert PluxConfiguration().build_backend is BuildBackend.AUTO
    with pytest.raises(ConfigError, match="build_backend"):
        parse_plux_table({"build_backend": "poetry"})


def test_single_pattern_string_is_one_pattern() -> None:
    """``exclude = "tests*"`` is shorthand for a list of one pattern."""
    assert parse_plux_table({"exclude": "tests*"}).exclude == ("tests*",)


def test_invalid_toml_is_reported(tmp_path: Path) -> None:
    """A broken pyproject.toml fails with the file named, not a parser traceback."""
    (tmp_path / "pyproject.toml").write_text("[tool.plux\n")
    with pytest.raises(ConfigError, match="pyproject.toml"):
        read_plux_config(tmp_path)


def test_merge_adds_patterns_and_replaces_scalars() -> None:
    """Command-line patterns add to the configured ones; scalars replace them."""
    config = parse_plux_table({"exclude": ["a"], "path": "src"})
    merged = config.merge(
        exclude=["b", "a"], include=["x"], entrypoint_build_mode="manual", build_backend="hatchling"
    )
    assert merged.build_backend is BuildBackend.HATCHLING
    assert merged.exclude == ("a", "b")
    assert merged.include == ("x",)
    assert merged.path == "src"
    assert merged.entrypoint_build_mode is EntrypointBuildMode.MANUAL
    with pytest.raises(ConfigError, match="entrypoint_build_mode"):
        config.merge(entrypoint_build_mode="sometimes")
