"""``plux discover`` and ``plux entrypoints`` run in-process through ``plux.__main__.main``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from plux.__main__ import main

from .conftest import ProjectFactory

PLUGINS = {
    "app/__init__.py": "",
    "app/cli.py": """
        from plux import Plugin

        class Hello(Plugin):
            namespace = "demo.cli"
            name = "Hello"
    """,
    "tests/__init__.py": "",
    "tests/test_app.py": """
        from plux import Plugin

        class TestOnly(Plugin):
            namespace = "demo.cli"
            name = "test-only"
    """,
}


@pytest.fixture
def in_project(make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = make_project(PLUGINS)
    monkeypatch.chdir(root)
    return root


def test_discover_prints_json(in_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``discover`` prints the index; the flat layout leaves ``tests`` out, as setuptools does."""
    assert main(["discover"]) == 0
    assert json.loads(capsys.readouterr().out) == {"demo.cli": ["Hello = app.cli:Hello"]}


def test_discover_ini_to_file_with_patterns(in_project: Path) -> None:
    """``-f ini -o FILE``, with ``--path`` and ``-e`` applied."""
    assert main(["discover", "-p", ".", "-e", "app.*", "-f", "ini", "-o", "out.ini"]) == 0
    assert (
        in_project / "out.ini"
    ).read_text() == "[demo.cli]\ntest-only = tests.test_app:TestOnly\n"


def test_workdir_option(
    in_project: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--workdir`` runs as if started in the project, before or after the command."""
    import os

    os.chdir(tmp_path)
    assert main(["discover", "--workdir", str(in_project)]) == 0
    assert "app.cli:Hello" in capsys.readouterr().out


def test_entrypoints_manual_mode_writes_and_checks_plux_ini(
    in_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Manual mode writes plux.ini; ``--check`` passes, then fails naming a new plugin."""
    (in_project / "pyproject.toml").write_text(
        '[project]\nname = "app"\n[tool.plux]\nentrypoint_build_mode = "manual"\n'
    )
    assert main(["entrypoints"]) == 0
    assert (in_project / "plux.ini").read_text() == "[demo.cli]\nHello = app.cli:Hello\n"
    assert main(["entrypoints", "--check"]) == 0
    (in_project / "app" / "more.py").write_text(
        "from plux import Plugin\nclass More(Plugin):\n    namespace, name = 'demo.cli', 'more'\n"
    )
    capsys.readouterr()
    assert main(["entrypoints", "--check"]) == 1
    out = capsys.readouterr().out
    assert "missing" in out and "[demo.cli] more = app.more:More" in out


def test_entrypoints_build_hook_mode_writes_egg_info_index(in_project: Path) -> None:
    """Build-hook mode writes plux.json into the project's egg-info directory."""
    (in_project / "pyproject.toml").write_text('[project]\nname = "my-app"\n')
    assert main(["entrypoints"]) == 0
    index = json.loads((in_project / "my_app.egg-info" / "plux.json").read_text())
    assert index == {"demo.cli": ["Hello = app.cli:Hello"]}


def test_bad_config_is_an_error_naming_the_key(
    in_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad ``[tool.plux]`` value exits 1 with the key in the message."""
    (in_project / "pyproject.toml").write_text("[tool.plux]\nexclude = 3\n")
    assert main(["entrypoints"]) == 1
    assert "exclude" in capsys.readouterr().err


def test_entrypoints_writes_nothing_for_hatchling_build_hook_projects(
    make_project: ProjectFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """hatchling discovers during every build: ``entrypoints`` (and ``--check``) write no file."""
    pyproject = """
        [build-system]
        requires = ["hatchling", "plux"]
        build-backend = "hatchling.build"

        [project]
        name = "app"
        version = "1"
        dynamic = ["entry-points"]

        [tool.hatch.metadata.hooks.plux]
    """
    root = make_project({**PLUGINS, "pyproject.toml": pyproject})
    monkeypatch.chdir(root)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    assert main(["entrypoints"]) == 0
    assert main(["entrypoints", "--check"]) == 0
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert "no index file to write or check" in capsys.readouterr().out


def test_entrypoints_leaves_an_editable_installs_own_entries_as_they_were(
    in_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``plux entrypoints`` updates an editable install's plugins but keeps the entries it did
    not write in their order (``load_all`` order) and text."""
    (in_project / "pyproject.toml").write_text(
        '[project]\nname = "app"\n[tool.plux]\nentrypoint_build_mode = "manual"\n'
    )
    dist_info = tmp_path / "site" / "app-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "direct_url.json").write_text(
        json.dumps({"url": in_project.resolve().as_uri(), "dir_info": {"editable": True}})
    )
    own = "[demo.cli]\nzeta = app.z:Z\nalpha = app.a:A [extra]\n"
    (dist_info / "entry_points.txt").write_text(own)
    monkeypatch.setattr(sys, "path", [str(tmp_path / "site"), *sys.path])
    assert main(["entrypoints"]) == 0
    assert (dist_info / "entry_points.txt").read_text() == own + "Hello = app.cli:Hello\n"


MANUAL_WITHOUT_DYNAMIC = """
[build-system]
requires = ["setuptools>=77", "plux>=2.0.0.dev0"]
build-backend = "setuptools.build_meta"

[project]
name = "app"
version = "1.0"

[tool.plux]
entrypoint_build_mode = "manual"
"""
UNWIRED = "is in manual mode but does not hand plux.ini to setuptools"


@pytest.mark.parametrize(
    ("extra", "missing"),
    [
        ("", '"entry-points" in [project] dynamic and entry-points = {file = ["plux.ini"]}'),
        ('[tool.setuptools.dynamic]\nentry-points = {file = ["plux.ini"]}\n', '"entry-points" in'),
    ],
    ids=["no-settings", "no-dynamic"],
)
def test_manual_mode_that_setuptools_never_reads_is_no_up_to_date_index(
    in_project: Path, capsys: pytest.CaptureFixture[str], extra: str, missing: str
) -> None:
    """Manual mode without the settings that hand plux.ini to setuptools: ``entrypoints`` warns,
    ``--check`` fails and ``show`` warns, each naming what to add."""
    (in_project / "pyproject.toml").write_text(MANUAL_WITHOUT_DYNAMIC + extra)
    assert main(["entrypoints"]) == 0
    assert UNWIRED in capsys.readouterr().out

    assert main(["entrypoints", "--check"]) == 1
    assert f"builds install no entry points: add {missing}" in capsys.readouterr().err
    assert main(["entrypoints", "--check", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is False and UNWIRED in document["error"]

    assert main(["show"]) == 0
    assert UNWIRED in capsys.readouterr().err
    assert main(["show", "--json"]) == 0
    assert UNWIRED in json.loads(capsys.readouterr().out)["warnings"][0]


def test_manual_mode_handed_to_setuptools_is_checked_quietly(
    in_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With both settings, ``--check`` passes and ``show`` has no warning."""
    wired = MANUAL_WITHOUT_DYNAMIC.replace(
        'version = "1.0"', 'version = "1.0"\ndynamic = ["entry-points"]'
    )
    wired += '[tool.setuptools.dynamic]\nentry-points = {file = ["plux.ini"]}\n'
    (in_project / "pyproject.toml").write_text(wired)
    assert main(["entrypoints"]) == 0
    assert main(["entrypoints", "--check"]) == 0
    capsys.readouterr()
    assert main(["show", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["warnings"] == []


def test_discover_scans_a_bare_folder_of_several_packages(
    make_project: ProjectFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A folder without project files is scanned as it is (setuptools, which refuses a flat
    layout of several packages, builds nothing there and is not asked)."""
    other = {"other/__init__.py": "from app.cli import Hello as H\nclass O(H):\n    name = 'o'\n"}
    monkeypatch.chdir(make_project({**PLUGINS, **other}))
    assert main(["discover"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "demo.cli": ["Hello = app.cli:Hello", "o = other:O"]
    }
