"""plux 1.16's hatchling helpers: wheel packages, reading plux.ini, the hook called directly."""

from __future__ import annotations

import configparser
import os
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("hatchling.builders.wheel")

from hatchling.builders.wheel import WheelBuilder  # noqa: E402

from plux.build.hatchling import (  # noqa: E402
    HatchlingPackageFinder,
    PluxHookError,
    PluxMetadataHook,
    _merge_entry_points,
    _parse_plux_ini,
)

MANUAL = '[tool.plux]\nentrypoint_build_mode = "manual"\n'


def hatch_project(root: Path, wheel: str, files: list[str]) -> Path:
    (root / "pyproject.toml").write_text(
        '[project]\nname = "lsx"\nversion = "1"\n[tool.hatch.build.targets.wheel]\n' + wheel
    )
    for relpath in files:
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text("")
    return root


class TestHatchlingPackageFinder:
    def test_packages_in_a_subfolder_are_found_below_it(self, tmp_path: Path) -> None:
        """``packages = ["localstack-core/localstack"]``: the folder holding them is the path."""
        root = hatch_project(
            tmp_path,
            'packages = ["localstack-core/localstack"]\n',
            [
                "localstack-core/localstack/__init__.py",
                "localstack-core/localstack/aws/__init__.py",
            ],
        )
        finder = HatchlingPackageFinder(WheelBuilder(str(root)).config)
        assert finder.path == os.path.join(str(root), "localstack-core")
        assert finder.find_packages() == ["localstack", "localstack.aws"]

    def test_packages_in_the_root_and_patterns(self, tmp_path: Path) -> None:
        """Packages in the project root: the root is the path; exclude patterns apply."""
        root = hatch_project(
            tmp_path, 'packages = ["lsx"]\n', ["lsx/__init__.py", "lsx/tests/__init__.py"]
        )
        finder = HatchlingPackageFinder(WheelBuilder(str(root)).config, exclude=["*.tests"])
        assert finder.path == str(root)
        assert finder.find_packages() == ["lsx"]


class TestParsePluxIni:
    def test_reads_groups_and_names_with_colons(self, tmp_path: Path) -> None:
        """Entries become ``{group: {name: value}}``; names may hold colons."""
        path = tmp_path / "plux.ini"
        path.write_text("[a.b]\naws:s3 = pkg.s3:S3\n\n[console_scripts]\ncli = pkg:main\n")
        assert _parse_plux_ini(str(path)) == {
            "a.b": {"aws:s3": "pkg.s3:S3"},
            "console_scripts": {"cli": "pkg:main"},
        }

    def test_missing_file_and_bad_lines_raise(self, tmp_path: Path) -> None:
        """A missing file is FileNotFoundError, a line without ``=`` a configparser.Error."""
        with pytest.raises(FileNotFoundError):
            _parse_plux_ini(str(tmp_path / "absent.ini"))
        (tmp_path / "bad.ini").write_text("[a.b]\nno equals sign\n")
        with pytest.raises(configparser.Error, match=r"bad\.ini:2: expected"):
            _parse_plux_ini(str(tmp_path / "bad.ini"))


def test_parse_plux_ini_leaves_out_empty_groups(tmp_path: Path) -> None:
    """A ``[group]`` without entries is left out (1.16 gave it as an empty ``{}``)."""
    path = tmp_path / "plux.ini"
    path.write_text("[empty.group]\n\n[a.b]\nfull = pkg:Full\n\n[also.empty]\n")
    assert _parse_plux_ini(str(path)) == {"a.b": {"full": "pkg:Full"}}


def test_merge_entry_points_adds_and_refuses_conflicts() -> None:
    """New groups and names are added in place; a name with another value is an error."""
    target = {"console_scripts": {"app": "m:main"}, "p": {"a": "pkg:A"}}
    _merge_entry_points(target, {"p": {"a": "pkg:A", "b": "pkg:B"}, "q": {"c": "pkg:C"}})
    assert target == {
        "console_scripts": {"app": "m:main"},
        "p": {"a": "pkg:A", "b": "pkg:B"},
        "q": {"c": "pkg:C"},
    }
    with pytest.raises(PluxHookError, match="'a'"):
        _merge_entry_points(target, {"p": {"a": "elsewhere:A"}})


class TestHookCalledDirectly:
    def test_manual_mode_fills_metadata_without_a_dynamic_list(self, tmp_path: Path) -> None:
        """Called as plux 1.16's tests call it (no ``dynamic``), the hook merges plux.ini."""
        (tmp_path / "pyproject.toml").write_text(MANUAL)
        (tmp_path / "plux.ini").write_text(
            textwrap.indent("[p.q]\nmyplugin = mysrc.plugins:MyPlugin\n", "    ")
        )
        metadata: dict[str, object] = {"entry-points": {"console_scripts": {"app": "m:main"}}}
        PluxMetadataHook(str(tmp_path), {}).update(metadata)
        assert metadata["entry-points"] == {
            "console_scripts": {"app": "m:main"},
            "p.q": {"myplugin": "mysrc.plugins:MyPlugin"},
        }

    def test_unreadable_static_file_names_it(self, tmp_path: Path) -> None:
        """A plux.ini that is not an index fails the build: "Failed to parse plux.ini"."""
        (tmp_path / "pyproject.toml").write_text(MANUAL)
        (tmp_path / "plux.ini").write_text("[p.q]\nno equals sign\n")
        with pytest.raises(ValueError, match="Failed to parse plux.ini"):
            PluxMetadataHook(str(tmp_path), {}).update({})
