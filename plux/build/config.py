"""The ``[tool.plux]`` table of ``pyproject.toml``: reading, defaults and validation."""

from __future__ import annotations

import dataclasses
import enum
import importlib
import importlib.util
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "read_plux_config",
    "PluxConfiguration",
    "EntrypointBuildMode",
    "ConfigError",
    "BuildBackend",
    "read_plux_config_from_workdir",
    "load_pyproject_toml",
    "parse_pyproject_toml",
    "determine_build_backend_from_pyproject_config",
    "determine_build_backend_from_config",
]

PYPROJECT = "pyproject.toml"

E = TypeVar("E", bound=enum.Enum)


class ConfigError(ValueError):
    """A value in ``[tool.plux]`` (or given on the command line) is not usable."""


class EntrypointBuildMode(str, enum.Enum):
    """How entry points get into the project's metadata.

    ``build-hook``: plux discovers plugins while the build backend writes metadata.
    ``manual``: ``python -m plux entrypoints`` writes a static file that the project hands to its
    build backend.
    """

    BUILD_HOOK = "build-hook"
    MANUAL = "manual"


class BuildBackend(str, enum.Enum):
    """The build backend a project uses (``[tool.plux] build_backend``); ``auto`` tells it from
    ``[build-system] build-backend``."""

    AUTO = "auto"
    SETUPTOOLS = "setuptools"
    HATCHLING = "hatchling"


@dataclasses.dataclass(frozen=True)
class PluxConfiguration:
    """Settings for build-time discovery; every field has the default a missing key gets."""

    path: str = "."
    """Directory (relative to the project) that holds the packages to scan, e.g. ``src``."""
    include: tuple[str, ...] = ()
    """Patterns selecting the packages to scan; empty means all."""
    exclude: tuple[str, ...] = ()
    """Patterns of packages or modules not to scan."""
    entrypoint_build_mode: EntrypointBuildMode = EntrypointBuildMode.BUILD_HOOK
    entrypoint_static_file: str = "plux.ini"
    """File written by ``python -m plux entrypoints`` in manual mode, relative to the project."""
    path_configured: bool = False
    """Whether ``path`` was set explicitly (it then wins over the build backend's layout)."""
    build_backend: BuildBackend = BuildBackend.AUTO
    """The backend whose layout the command line follows; ``auto`` reads ``build-system``."""

    def merge(
        self,
        path: str | None = None,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        entrypoint_build_mode: EntrypointBuildMode | str | None = None,
        entrypoint_static_file: str | None = None,
        build_backend: BuildBackend | str | None = None,
    ) -> PluxConfiguration:
        """Return a copy with command-line values applied: scalars replace, patterns add up."""
        changes: dict[str, Any] = {}
        if path is not None:
            changes["path"] = _check_str("path", path)
            changes["path_configured"] = True
        if include:
            changes["include"] = _unique(self.include + _check_patterns("include", include))
        if exclude:
            changes["exclude"] = _unique(self.exclude + _check_patterns("exclude", exclude))
        if entrypoint_build_mode is not None:
            changes["entrypoint_build_mode"] = _check_choice(
                "entrypoint_build_mode", EntrypointBuildMode, entrypoint_build_mode
            )
        if entrypoint_static_file is not None:
            changes["entrypoint_static_file"] = _check_static_file(entrypoint_static_file)
        if build_backend is not None:
            changes["build_backend"] = _check_choice("build_backend", BuildBackend, build_backend)
        return dataclasses.replace(self, **changes)


_KEYS = (
    "path",
    "include",
    "exclude",
    "entrypoint_build_mode",
    "entrypoint_static_file",
    "build_backend",
)


def parse_plux_table(table: Any, source: str = "[tool.plux]") -> PluxConfiguration:
    """Validate a ``[tool.plux]`` table and return the configuration it describes.

    :raises ConfigError: naming the key, if a key is unknown or a value has the wrong type or form.
    """
    if not isinstance(table, dict):
        raise ConfigError(f"{source} must be a table, got {type(table).__name__}")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise ConfigError(
            f"{source}: unknown key {unknown[0]!r}; known keys are {', '.join(_KEYS)}"
        )
    config = PluxConfiguration()
    if "path" in table:
        config = dataclasses.replace(
            config, path=_check_str("path", table["path"]), path_configured=True
        )
    return config.merge(
        include=_check_patterns("include", table.get("include", ())),
        exclude=_check_patterns("exclude", table.get("exclude", ())),
        entrypoint_build_mode=(
            _check_choice(
                "entrypoint_build_mode", EntrypointBuildMode, table["entrypoint_build_mode"]
            )
            if "entrypoint_build_mode" in table
            else None
        ),
        entrypoint_static_file=table.get("entrypoint_static_file"),
        build_backend=table.get("build_backend"),
    )


def check_configured_path(root: Path, config: PluxConfiguration) -> None:
    """:raises ConfigError: if ``path`` was set and names no folder of the project."""
    if config.path_configured and not (root / config.path).is_dir():
        raise ConfigError(
            f"[tool.plux] path = {config.path!r}: there is no folder {root / config.path}; "
            "set path to the folder that holds the packages"
        )


def read_plux_config(workdir: str | os.PathLike[str] = ".") -> PluxConfiguration:
    """Read ``[tool.plux]`` from ``workdir/pyproject.toml``; defaults if there is no file or table.

    :raises ConfigError: if the file is not valid TOML or the table has a bad value.
    """
    return plux_config_of(read_pyproject(workdir), Path(workdir) / PYPROJECT)


def plux_config_of(pyproject: dict[str, Any], where: Path) -> PluxConfiguration:
    """The configuration in the ``[tool.plux]`` table of a parsed ``pyproject.toml``.

    :raises ConfigError: if ``tool``/``tool.plux`` is not a table or the table has a bad value.
    """
    table: Any = pyproject
    for key in ("tool", "plux"):
        table = table.get(key, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: 'tool{'.plux' if key == 'plux' else ''}' must be a table")
    return parse_plux_table(table, f"[tool.plux] in {where}")


def read_pyproject(workdir: str | os.PathLike[str] = ".") -> dict[str, Any]:
    """Return the parsed ``pyproject.toml`` of ``workdir``, or ``{}`` if there is none.

    :raises ConfigError: if the file is not valid TOML.
    """
    try:
        return _load_toml(Path(workdir) / PYPROJECT)
    except FileNotFoundError:
        return {}


def _load_toml(path: Path) -> dict[str, Any]:
    data = path.read_bytes()
    toml = _toml_module()
    try:
        result: dict[str, Any] = toml.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(f"{path} is not valid TOML: {e}") from e
    return result


def determine_build_backend_from_pyproject_config(
    pyproject_config: Mapping[str, Any],
) -> BuildBackend | None:
    """The backend ``[build-system] build-backend`` names (``setuptools.*``, ``hatchling.*``), or
    None for another or none."""
    declared = pyproject_config.get("build-system", {}).get("build-backend")
    for backend in (BuildBackend.SETUPTOOLS, BuildBackend.HATCHLING):
        if isinstance(declared, str) and declared.startswith(backend.value + "."):
            return backend
    return None


# plux 1.16's names for reading the configuration, kept for code that calls them.


def load_pyproject_toml(
    pyproject_file_or_workdir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """The parsed ``pyproject.toml`` (a file, or the one in a folder; default: the working folder).

    :raises FileNotFoundError: if there is no such file.
    :raises ConfigError: if the file is not valid TOML.
    """
    path = Path(pyproject_file_or_workdir or os.getcwd())
    return _load_toml(path if path.is_file() else path / PYPROJECT)


def parse_pyproject_toml(path: str | os.PathLike[str]) -> PluxConfiguration:
    """The ``[tool.plux]`` configuration of a ``pyproject.toml`` (a file, or the one in a folder).

    :raises FileNotFoundError: if there is no such file.
    :raises ConfigError: if the file or the table is not valid.
    """
    return plux_config_of(load_pyproject_toml(path), Path(path))


def read_plux_config_from_workdir(
    workdir: str | os.PathLike[str] | None = None,
) -> PluxConfiguration:
    """The ``[tool.plux]`` configuration of ``workdir`` (default: the working folder); defaults
    without a ``pyproject.toml``."""
    return read_plux_config(workdir or os.getcwd())


def determine_build_backend_from_config(workdir: str | os.PathLike[str]) -> BuildBackend:
    """The project's build backend: ``[tool.plux] build_backend``, else ``[build-system]
    build-backend``, else the first of setuptools and hatchling that is installed.

    :raises ValueError: if none of these tells (neither backend is installed).
    """
    pyproject = read_pyproject(workdir)
    configured = plux_config_of(pyproject, Path(workdir) / PYPROJECT).build_backend
    if configured is not BuildBackend.AUTO:
        return configured
    declared = determine_build_backend_from_pyproject_config(pyproject)
    if declared is not None:
        return declared
    for backend in (BuildBackend.SETUPTOOLS, BuildBackend.HATCHLING):
        if importlib.util.find_spec(backend.value) is not None:
            return backend
    raise ValueError("no supported build backend found: plux needs setuptools or hatchling")


def _toml_module() -> Any:
    """The TOML parser: ``tomllib`` on 3.11+; on 3.10 ``tomli`` if installed, else a vendored copy.

    pip and setuptools both vendor tomli, and one of them is present wherever a project is built,
    so plux needs no dependency of its own for 3.10 (and the run time never reads TOML at all).
    """
    vendored = ("pip._vendor.tomli", "setuptools._vendor.tomli", "setuptools.extern.tomli")
    for name in ("tomllib", "tomli", *vendored):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise ConfigError("reading pyproject.toml on Python 3.10 needs tomli: pip install tomli")


def _check_str(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"[tool.plux] {key} must be a non-empty string, got {value!r}")
    return value


def _check_static_file(value: Any) -> str:
    text = _check_str("entrypoint_static_file", value)
    if Path(text).is_absolute():
        raise ConfigError(
            f"[tool.plux] entrypoint_static_file must be relative to the project, got {text!r}"
        )
    return text


def _check_patterns(key: str, value: Any) -> tuple[str, ...]:
    # A single string is taken as one pattern, as a convenience for `exclude = "tests*"`.
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(item, str) and item.strip() for item in value
    ):
        raise ConfigError(
            f"[tool.plux] {key} must be a list of non-empty pattern strings, got {value!r}"
        )
    return tuple(value)


def _check_choice(key: str, kind: type[E], value: Any) -> E:
    try:
        return kind(value)
    except ValueError:
        choices = " or ".join(repr(choice.value) for choice in kind)
        raise ConfigError(f"[tool.plux] {key} must be {choices}, got {value!r}") from None


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
