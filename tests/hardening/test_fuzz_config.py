"""Fuzzing the [tool.plux] reader: any table or file gives a configuration or a ConfigError."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given
from property_support import examples

from plux.build.config import (
    ConfigError,
    EntrypointBuildMode,
    PluxConfiguration,
    parse_plux_table,
    read_plux_config,
)

from .strategies import (
    plux_tables,
    pyproject_documents,
    render_toml_table,
    toml_values,
    valid_plux_tables,
)

_numbers = itertools.count()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the projects of every example (each example takes a fresh sub-folder)."""
    return tmp_path_factory.mktemp("fuzz-config")


def project_with(scratch: Path, pyproject: bytes) -> Path:
    project = scratch / f"project{next(_numbers)}"
    project.mkdir()
    (project / "pyproject.toml").write_bytes(pyproject)
    return project


@examples(300)
@given(plux_tables | toml_values)
def test_any_table_gives_a_configuration_or_a_config_error(table: object) -> None:
    """Whatever [tool.plux] holds, reading it returns a configuration or raises ConfigError."""
    try:
        config = parse_plux_table(table)
    except ConfigError as e:
        assert "[tool.plux]" in str(e)
        return
    assert isinstance(config, PluxConfiguration)


@examples(200)
@given(valid_plux_tables)
def test_valid_table_is_read_as_written(table: dict[str, object]) -> None:
    """Every value of a valid table reaches the configuration (patterns in order, once each)."""
    config = parse_plux_table(table)
    exclude = table.get("exclude", [])
    exclude = [exclude] if isinstance(exclude, str) else exclude
    assert config.path == table.get("path", ".")
    assert config.path_configured == ("path" in table)
    assert config.include == tuple(dict.fromkeys(table.get("include", [])))  # type: ignore[arg-type]
    assert config.exclude == tuple(dict.fromkeys(exclude))  # type: ignore[arg-type]
    assert config.entrypoint_build_mode is EntrypointBuildMode(
        table.get("entrypoint_build_mode", "build-hook")
    )
    assert config.entrypoint_static_file == table.get("entrypoint_static_file", "plux.ini")


@examples(100)
@given(valid_plux_tables, valid_plux_tables)
def test_command_line_patterns_add_to_the_table(
    table: dict[str, object], command_line: dict[str, object]
) -> None:
    """merge() keeps the table's patterns first, adds the command line's, and drops repeats."""
    config = parse_plux_table(table)
    extra = parse_plux_table(command_line)
    merged = config.merge(include=extra.include, exclude=extra.exclude)
    assert merged.include == tuple(dict.fromkeys(config.include + extra.include))
    assert merged.exclude == tuple(dict.fromkeys(config.exclude + extra.exclude))


@examples(200)
@given(valid_plux_tables)
def test_valid_table_in_pyproject_is_read_as_parsed(
    scratch: Path, table: dict[str, object]
) -> None:
    """A valid [tool.plux] table in a real pyproject.toml reads as the table itself does."""
    project = project_with(scratch, render_toml_table("tool.plux", table).encode())
    assert read_plux_config(project) == parse_plux_table(table)


@examples(200)
@given(pyproject_documents)
def test_any_pyproject_gives_a_configuration_or_a_config_error(
    scratch: Path, document: bytes
) -> None:
    """Any pyproject.toml (broken TOML, bad encoding, wrong types) reads or raises ConfigError
    naming the file or the key."""
    project = project_with(scratch, document)
    try:
        read_plux_config(project)
    except ConfigError as e:
        assert "pyproject.toml" in str(e) or "[tool.plux]" in str(e)


@pytest.mark.parametrize("document", ["tool = 5\n", "tool = 'plux'\n", "tool = [1]\n"])
def test_tool_key_that_is_not_a_table_is_a_config_error(tmp_path: Path, document: str) -> None:
    """A pyproject.toml whose `tool` is not a table fails with ConfigError, not AttributeError."""
    (tmp_path / "pyproject.toml").write_text(document)
    with pytest.raises(ConfigError, match="tool"):
        read_plux_config(tmp_path)
