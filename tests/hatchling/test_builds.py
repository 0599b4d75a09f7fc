"""Real hatchling builds with the ``plux`` hook: ``pip install .`` and ``python -m build``.

Each project is installed into the session's venv under a name of its own; its entry points are
then read with ``importlib.metadata`` there. Only the isolated build test uses build isolation
(from the offline wheelhouse): it shows discovery needs none of the project's dependencies.
"""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest
from integration_support import Venv, write  # loaded by conftest.py

pytestmark = pytest.mark.integration

PYPROJECT = """
    [build-system]
    requires = ["hatchling", "plux>=2.0.0.dev0"]
    build-backend = "hatchling.build"

    [project]
    name = "{name}"
    version = "1.0"
    dynamic = ["entry-points"]

    [project.scripts]
    {package}-cli = "{package}.plugins:main"

    [tool.hatch.metadata.hooks.plux]
    {extra}
"""

PLUGINS = """
    import not_installed_anywhere  # the project's dependency: absent from every build env
    from plux import Plugin, PluginSpec, plugin

    class Hello(Plugin):
        namespace = "{ns}.cli"
        name = "Hello"

    @plugin(namespace="{ns}.cli")
    def greet():
        pass

    s3 = PluginSpec("{ns}.services", "s3", Hello)

    def main():
        pass
"""


def project(tmp_path: Path, name: str, extra: str = "", files: dict[str, str] | None = None):
    """A src-layout hatchling project ``name`` whose plugins live in namespaces ``name.*``."""
    package = name.replace("-", "_")
    return write(
        tmp_path / name,
        {
            "pyproject.toml": PYPROJECT.format(name=name, package=package, extra=extra),
            f"src/{package}/__init__.py": "",
            f"src/{package}/plugins.py": PLUGINS.format(ns=name),
            **(files or {}),
        },
    )


def expected(name: str) -> dict[str, dict[str, str]]:
    package = name.replace("-", "_")
    return {
        "console_scripts": {f"{package}-cli": f"{package}.plugins:main"},
        f"{name}.cli": {"Hello": f"{package}.plugins:Hello", "greet": f"{package}.plugins:greet"},
        f"{name}.services": {"s3": f"{package}.plugins:s3"},
    }


def wheel_entry_points(wheel: Path) -> dict[str, dict[str, str]]:
    """The entry points a wheel file carries."""
    with zipfile.ZipFile(wheel) as archive:
        (member,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        text = archive.read(member).decode()
    result: dict[str, dict[str, str]] = {}
    group = ""
    for line in text.splitlines():
        if line.startswith("["):
            group = line.strip("[]")
        elif "=" in line:
            name, _, value = line.partition("=")
            result.setdefault(group, {})[name.strip()] = value.strip()
    return result


def test_pip_install_in_build_hook_mode(venv: Venv, tmp_path: Path) -> None:
    """``pip install .`` discovers the plugins during the build, from source."""
    root = project(tmp_path, "hb-pip")
    venv.pip("install", "--no-build-isolation", "--no-deps", str(root))
    assert venv.entry_points("hb-pip") == expected("hb-pip")


def test_isolated_python_m_build_in_build_hook_mode(venv: Venv, tmp_path: Path) -> None:
    """``python -m build`` (sdist, then a wheel from it, each in an isolated environment)
    writes the plugins' entry points into the wheel."""
    root = project(tmp_path, "hb-iso")
    venv.run("-m", "build", "--outdir", str(tmp_path / "dist"), str(root))
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    assert wheel_entry_points(wheel) == expected("hb-iso")
    venv.pip("install", "--no-deps", str(wheel))
    assert venv.entry_points("hb-iso") == expected("hb-iso")


MANUAL = '[tool.plux]\nentrypoint_build_mode = "manual"\n'


def test_pip_install_in_manual_mode(venv: Venv, tmp_path: Path) -> None:
    """Manual mode: ``plux entrypoints`` writes plux.ini, and ``pip install .`` ships it."""
    root = project(tmp_path, "hm-pip", extra=MANUAL)
    result = venv.plux("entrypoints", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "plux.ini").read_text() == (
        "[hm-pip.cli]\nHello = hm_pip.plugins:Hello\ngreet = hm_pip.plugins:greet\n\n"
        "[hm-pip.services]\ns3 = hm_pip.plugins:s3\n"
    )
    venv.pip("install", "--no-build-isolation", "--no-deps", str(root))
    assert venv.entry_points("hm-pip") == expected("hm-pip")


def test_python_m_build_in_manual_mode_reads_the_committed_file(venv: Venv, tmp_path: Path) -> None:
    """The sdist carries plux.ini and the wheel built from it has exactly its entry points."""
    ini = "[hm-build.cli]\nAWS::SQS::Queue = hm_build.plugins:Hello\n"
    root = project(tmp_path, "hm-build", extra=MANUAL, files={"plux.ini": ini})
    venv.run("-m", "build", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(root))
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    assert wheel_entry_points(wheel) == {
        "console_scripts": {"hm_build-cli": "hm_build.plugins:main"},
        "hm-build.cli": {"AWS::SQS::Queue": "hm_build.plugins:Hello"},
    }


def test_manual_mode_without_plux_ini_fails_the_build_clearly(venv: Venv, tmp_path: Path) -> None:
    """No plux.ini in manual mode: the build fails and says what to run."""
    root = project(tmp_path, "hm-missing", extra=MANUAL)
    result = venv.pip("install", "--no-build-isolation", "--no-deps", str(root), check=False)
    assert result.returncode != 0
    assert "run 'python -m plux entrypoints'" in result.stdout + result.stderr


def test_editable_install_is_healed_by_plux_entrypoints(venv: Venv, tmp_path: Path) -> None:
    """``pip install -e .`` with the hook; a plugin added later makes ``doctor`` report the
    install stale until ``plux entrypoints`` updates it, without reinstalling."""
    root = write(
        tmp_path / "hb-edit",
        {
            "pyproject.toml": PYPROJECT.format(name="hb-edit", package="hb_edit", extra=""),
            "src/hb_edit/__init__.py": "",
            "src/hb_edit/plugins.py": PLUGINS.format(ns="hb-edit").replace(
                "import not_installed_anywhere", ""
            ),
        },
    )
    venv.pip("install", "--no-build-isolation", "--no-deps", "-e", str(root))
    report = venv.plux("doctor", "hb-edit.*", "--json").json()
    assert report["ok"] is True, report["findings"]
    plugins = root / "src" / "hb_edit" / "plugins.py"
    with open(plugins, "a") as fh:
        fh.write('\n\nclass Bye(Plugin):\n    namespace = "hb-edit.cli"\n    name = "bye"\n')
    later = time.time() + 5  # newer than the install, whatever the file system's resolution
    os.utime(plugins, (later, later))
    (finding,) = venv.plux("doctor", "hb-edit.*", "--json").json()["findings"]
    assert finding["kind"] == "stale-editable"
    assert venv.plux("entrypoints", cwd=root).returncode == 0
    assert venv.plux("doctor", "hb-edit.*", "--json").json()["ok"] is True
    assert venv.entry_points("hb-edit")["hb-edit.cli"]["bye"] == "hb_edit.plugins:Bye"
