"""The ``plux`` console script on a real installed environment, from a project's first
``plux entrypoints`` to ``doctor`` on its editable install.

Projects are installed into the session's venv (``tests/integration_support.py``) under names
of their own, and every command looks only at the test's own namespaces.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from integration_support import Venv, write  # loaded by conftest.py

pytestmark = pytest.mark.integration

SETUPTOOLS_MANUAL = """
    [build-system]
    requires = ["setuptools>=77"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "{name}"
    version = "2.0"
    dynamic = ["entry-points"]

    [tool.setuptools.dynamic]
    entry-points = {{file = ["plux.ini"]}}

    [tool.plux]
    entrypoint_build_mode = "manual"
"""

PLUGINS = """
    from plux import Plugin, plugin

    class Hello(Plugin):
        namespace = "{ns}"
        name = "Hello"

    @plugin(namespace="{ns}")
    def greet():
        pass
"""

NEW_PLUGIN = """

class Added(Plugin):
    namespace = "{ns}"
    name = "added"
"""


def manual_project(tmp_path: Path, name: str) -> tuple[Path, str]:
    package, ns = name.replace("-", "_"), f"{name}.plugins"
    root = write(
        tmp_path / name,
        {
            "pyproject.toml": SETUPTOOLS_MANUAL.format(name=name),
            f"{package}/__init__.py": "",
            f"{package}/plugins.py": PLUGINS.format(ns=ns),
        },
    )
    return root, ns


def test_setuptools_manual_mode_check_install_list_doctor_resolve(
    venv: Venv, tmp_path: Path
) -> None:
    """plux.ini from ``entrypoints`` is checked, installed by setuptools, and the installed
    plugins are listed, examined and resolved through the console script."""
    root, ns = manual_project(tmp_path, "cs-manual")
    assert venv.plux("entrypoints", cwd=root).returncode == 0
    check = venv.plux("entrypoints", "--check", cwd=root)
    assert (check.returncode, check.stdout) == (0, "plux.ini is up to date (2 entry points)\n")

    venv.pip("install", "--no-build-isolation", "--no-deps", str(root))
    assert venv.entry_points("cs-manual") == {
        ns: {"Hello": "cs_manual.plugins:Hello", "greet": "cs_manual.plugins:greet"}
    }

    listing = venv.plux("list", ns, "--json").json()
    assert listing["namespaces"][0]["plugins"][0] == {
        "name": "Hello",
        "entry_point": "Hello",
        "value": "cs_manual.plugins:Hello",
        "distribution": "cs-manual",
        "version": "2.0",
        "active": True,
        "disabled": None,
        "conflict": None,
    }
    doctor = venv.plux("doctor", ns, "--json")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert [p["status"] for p in doctor.json()["plugins"]] == ["ok", "ok"]
    resolve = venv.plux("resolve", "--namespace", ns, "--json").json()
    assert [p["spec"]["name"] for p in resolve["plugins"]] == ["Hello", "greet"]
    assert all(p["file"].endswith("site-packages/cs_manual/plugins.py") for p in resolve["plugins"])


def test_check_fails_on_a_stale_plux_ini_until_it_is_regenerated(
    venv: Venv, tmp_path: Path
) -> None:
    """A plugin added to the code makes ``--check`` fail naming it; ``entrypoints`` fixes it."""
    root, ns = manual_project(tmp_path, "cs-stale")
    assert venv.plux("entrypoints", cwd=root).returncode == 0
    with open(root / "cs_stale" / "plugins.py", "a") as fh:
        fh.write(NEW_PLUGIN.format(ns=ns))
    stale = venv.plux("entrypoints", "--check", cwd=root)
    assert stale.returncode == 1
    assert f"  missing    [{ns}] added = cs_stale.plugins:Added" in stale.stdout.splitlines()
    assert venv.plux("entrypoints", cwd=root).returncode == 0
    assert venv.plux("entrypoints", "--check", cwd=root).returncode == 0


EDITABLE = """
    [build-system]
    requires = ["setuptools>=77", "plux>=2.0.0.dev0"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "cs-editable"
    version = "0.1"

    [tool.plux]
"""


def test_doctor_finds_a_stale_editable_install_until_discovery_runs_again(
    venv: Venv, tmp_path: Path
) -> None:
    """After ``pip install -e .`` a new plugin makes the install stale; ``plux entrypoints``
    brings it up to date without reinstalling."""
    ns = "cs-editable.plugins"
    root = write(
        tmp_path / "cs-editable",
        {
            "pyproject.toml": EDITABLE,
            "cs_editable/__init__.py": "",
            "cs_editable/plugins.py": PLUGINS.format(ns=ns),
        },
    )
    venv.pip("install", "--no-build-isolation", "--no-deps", "-e", str(root))
    assert venv.plux("doctor", ns, "--json").json()["ok"] is True

    plugins = root / "cs_editable" / "plugins.py"
    with open(plugins, "a") as fh:
        fh.write(NEW_PLUGIN.format(ns=ns))
    later = time.time() + 5  # newer than the install, whatever the file system's resolution
    os.utime(plugins, (later, later))
    doctor = venv.plux("doctor", ns, "--json")
    assert doctor.returncode == 1
    (finding,) = doctor.json()["findings"]
    assert finding["kind"] == "stale-editable"
    assert f"'added' in '{ns}' is missing" in finding["message"]

    assert venv.plux("entrypoints", cwd=root).returncode == 0
    healed = venv.plux("doctor", ns, "--json")
    assert healed.returncode == 0, healed.stdout
    assert [p["name"] for p in healed.json()["plugins"]] == ["Hello", "added", "greet"]
