"""``plux doctor`` run in a project: installed distributions of it that lack declared plugins."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

SOURCE = """
    from plux import Plugin, plugin

    class Hello(Plugin):
        namespace = "unbuilt.ns"
        name = "hello"

    @plugin(namespace="unbuilt.ns")
    def wave():
        pass
"""


ENTRY_POINTS = {"hello": "unbuilt.plugins:Hello", "wave": "unbuilt.plugins:wave"}
"""The entry points of a complete install of the project."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project ``unbuilt`` whose source declares plugins ``hello`` and ``wave``."""
    root = tmp_path / "unbuilt"
    (root / "unbuilt" / "sub").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools", "plux>=2.0.0.dev0"]\n'
        'build-backend = "setuptools.build_meta"\n\n[project]\nname = "unbuilt"\nversion = "1.0"\n'
    )
    (root / "unbuilt" / "__init__.py").write_text("")
    (root / "unbuilt" / "plugins.py").write_text(textwrap.dedent(SOURCE))
    return root


def test_doctor_in_a_project_finds_an_install_without_its_plugins(
    plux_main, site_builder, python, project: Path
) -> None:
    """Installed without the entry points its source declares: a finding naming the likely cause."""
    site_builder.add_distribution(
        "unbuilt", "1.0", {"unbuilt.ns": {"hello": "unbuilt.plugins:Hello"}}
    )
    result = plux_main("doctor", "--json", cwd=project / "unbuilt" / "sub")
    assert result.returncode == 1
    (finding,) = [f for f in result.json()["findings"] if f["kind"] == "unbuilt-plugins"]
    assert (finding["distribution"], finding["version"], finding["name"]) == (
        "unbuilt",
        "1.0",
        None,
    )
    assert "[unbuilt.ns] wave = unbuilt.plugins:wave" in finding["message"]
    assert "hello" not in finding["message"]
    assert (
        "built without plux 2 (is plux>=2.0.0.dev0 in build-system.requires?)"
        in (finding["message"])
    )
    text = plux_main("doctor", cwd=project)
    assert any(
        line.startswith("  unbuilt-plugins: unbuilt 1.0: the installed unbuilt 1.0 lacks 1 plugin")
        for line in text.stdout.splitlines()
    ), text.stdout


def test_doctor_in_a_project_finds_an_install_with_no_entry_points_at_all(
    plux_main, site_builder, python, project: Path
) -> None:
    """The README's failure: a distribution that installs fine and holds no entry points."""
    site_builder.add_distribution("unbuilt", "1.0")
    result = plux_main("doctor", cwd=project)
    assert result.returncode == 1
    assert "lacks 2 plugin(s) its source in" in result.stdout


def test_doctor_in_a_project_accepts_a_complete_install(
    plux_main, site_builder, python, project: Path
) -> None:
    """Every declared plugin has its entry point: nothing to report."""
    site_builder.add_distribution("unbuilt", "1.0", {"unbuilt.ns": ENTRY_POINTS})
    python.sites.append(project)  # the plugins import from the project, as if installed
    result = plux_main("doctor", "--json", cwd=project)
    assert result.json()["findings"] == [], result.stdout


def test_doctor_in_a_project_that_is_not_installed_says_so(
    plux_main, python, project: Path
) -> None:
    """A project without an installed distribution: a not-installed finding naming the project
    and what to do, never "no problems found"."""
    result = plux_main("doctor", "--json", cwd=project)
    assert result.returncode == 1
    (finding,) = result.json()["findings"]
    assert (finding["kind"], finding["distribution"], finding["location"]) == (
        "not-installed",
        "unbuilt",
        str(project),
    )
    assert "pip install -e ." in finding["message"]
    text = plux_main("doctor", cwd=project).stdout
    assert "no problems found" not in text
    assert "  not-installed: unbuilt ?: the project unbuilt in " in text


def test_doctor_in_a_project_reports_tool_plux_without_plux_in_requires(
    plux_main, site_builder, python, project: Path
) -> None:
    """A project whose builds would run without plux 2: a build-requirement finding, exit 1."""
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(', "plux>=2.0.0.dev0"', "") + "[tool.plux]\n"
    )
    site_builder.add_distribution("unbuilt", "1.0", {"unbuilt.ns": ENTRY_POINTS})
    python.sites.append(project)
    result = plux_main("doctor", "--json", cwd=project)
    assert result.returncode == 1
    (finding,) = result.json()["findings"]
    assert (finding["kind"], finding["location"]) == ("build-requirement", str(pyproject))
    assert "does not list plux" in finding["message"]
