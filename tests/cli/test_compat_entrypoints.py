"""``plux entrypoints`` and ``plux discover`` on the project layouts plux 1.16's CLI served."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from plux.__main__ import main

SOURCES = {
    "mysrc/__init__.py": "",
    "mysrc/plugins.py": """
        from plux import Plugin

        class MyPlugin(Plugin):
            namespace = "compat.cli"
            name = "myplugin"
    """,
    "mysrc/subpkg/__init__.py": "",
    "mysrc/subpkg/plugins.py": """
        from plux import Plugin

        class MyNestedPlugin(Plugin):
            namespace = "compat.cli"
            name = "mynestedplugin"
    """,
}

SETUP_CFG = {
    "setup.py": "from setuptools import setup\nsetup()\n",
    "setup.cfg": """
        [metadata]
        name = compat-project
        version = 0.1.0

        [options]
        packages = find:

        [options.packages.find]
        exclude = tests*
    """,
}

PYPROJECT = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools", "plux"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "compat-project"
        version = "0.1.0"

        [tool.setuptools.packages.find]
        include = ["mysrc*"]
    """,
}

ALL_LINES = [
    "[compat.cli]",
    "mynestedplugin = mysrc.subpkg.plugins:MyNestedPlugin",
    "myplugin = mysrc.plugins:MyPlugin",
]

Project = Callable[[Mapping[str, str]], Path]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """Writes a project; ``main`` changes into it and the working folder is restored after."""
    monkeypatch.chdir(tmp_path)

    def make(files: Mapping[str, str]) -> Path:
        root = tmp_path / "project"
        for relpath, text in {**SOURCES, **files}.items():
            (root / relpath).parent.mkdir(parents=True, exist_ok=True)
            (root / relpath).write_text(textwrap.dedent(text))
        return root

    return make


def lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


LAYOUTS = pytest.mark.parametrize("layout", [SETUP_CFG, PYPROJECT], ids=["setupcfg", "pyproject"])


@LAYOUTS
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], ALL_LINES),
        (["--exclude", "*/subpkg*"], [ALL_LINES[0], ALL_LINES[2]]),
        (["--include", "*/subpkg*"], ALL_LINES[:2]),
    ],
    ids=["all", "exclude", "include"],
)
def test_entrypoints_writes_the_egg_info_entry_points_as_a_build_does(
    project: Project, layout: Mapping[str, str], options: list[str], expected: list[str]
) -> None:
    """Build-hook mode: ``<name>.egg-info/entry_points.txt`` holds the plugins, with -e/-i."""
    root = project(layout)
    # a fresh interpreter, as users run it: under Python 3.10 an earlier test of this process
    # can leave the standard library's distutils where setuptools' egg_info needs its own
    command = [sys.executable, "-m", "plux", "--workdir", str(root), "entrypoints", *options]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    egg_info = root / "compat_project.egg-info"
    assert lines(egg_info / "entry_points.txt") == expected
    assert "mysrc/plugins.py" in lines(egg_info / "SOURCES.txt")
    assert not any(line.startswith("/") for line in lines(egg_info / "SOURCES.txt"))


@LAYOUTS
def test_discover_include_narrows_what_setuptools_ships(
    project: Project, layout: Mapping[str, str], tmp_path: Path
) -> None:
    """``--include`` selects among the packages setuptools ships (its own include still holds)."""
    root = project(layout)
    out = tmp_path / "out.ini"
    command = ["--workdir", str(root), "discover", "-f", "ini", "-o", str(out)]
    assert main([*command, "--include", "*/subpkg*"]) == 0
    assert lines(out) == ALL_LINES[:2]


@pytest.mark.parametrize("namespace", [False, True], ids=["package", "namespace-package"])
def test_hatchling_manual_mode_follows_the_wheel_packages(
    project: Project, namespace: bool
) -> None:
    """A hatchling project's ``packages`` (a namespace package too) give plux.ini's plugins."""
    root = project(
        {
            "pyproject.toml": """
                [build-system]
                requires = ["hatchling"]
                build-backend = "hatchling.build"

                [project]
                name = "compat-project"
                version = "0.1.0"
                dynamic = ["entry-points"]

                [tool.hatch.build.targets.wheel]
                packages = ["mysrc"]

                [tool.hatch.metadata.hooks.plux]

                [tool.plux]
                entrypoint_build_mode = "manual"
            """
        }
    )
    if namespace:
        (root / "mysrc" / "__init__.py").unlink()
    assert main(["--workdir", str(root), "entrypoints"]) == 0
    assert lines(root / "plux.ini") == ALL_LINES
    assert not list(root.glob("*.egg-info"))


def plugin_module(name: str) -> str:
    """A module with one Plugin subclass named ``name`` in namespace compat.cli."""
    return f"""
        from plux import Plugin

        class {name.title()}Plugin(Plugin):
            namespace = "compat.cli"
            name = "{name}"
    """


def test_exclude_and_include_may_be_repeated(project: Project, tmp_path: Path) -> None:
    """Every -e and every -i given counts (1.16 kept only the last of each)."""
    packages = {"one": "one", "one/skip": "oneskip", "two": "two", "two/skip": "twoskip"}
    files = {**PYPROJECT}
    for folder, name in packages.items():
        files[f"mysrc/{folder}/__init__.py"] = ""
        files[f"mysrc/{folder}/plugins.py"] = plugin_module(name)
    root = project(files)
    out = tmp_path / "out.ini"
    command = ["--workdir", str(root), "discover", "-f", "ini", "-o", str(out)]
    patterns = ["-e", "*/one/skip*", "-e", "*/two/skip*", "-i", "*/one*", "-i", "*/two*"]
    assert main([*command, *patterns]) == 0
    assert lines(out) == [
        "[compat.cli]",
        "one = mysrc.one.plugins:OnePlugin",
        "two = mysrc.two.plugins:TwoPlugin",
    ]
