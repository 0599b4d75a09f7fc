"""Real builds of projects with a mistake: each fails with one line saying what to fix, instead of
shipping a distribution without entry points (the build faults of docs/faults.md).

Builds run in the session's venv without build isolation (plux is installed there), through pip
or ``python -m build``; the tests read what the user reads: the build's output.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from integration_support import PLUX_REQUIREMENT, Result, Venv, write  # loaded by conftest.py

pytestmark = pytest.mark.integration

SETUPTOOLS = f"""
    [build-system]
    requires = ["setuptools>=77", "{PLUX_REQUIREMENT}"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "{{name}}"
    version = "1.0"
"""

HATCHLING = f"""
    [build-system]
    requires = ["hatchling", "{PLUX_REQUIREMENT}"]
    build-backend = "hatchling.build"

    [project]
    name = "{{name}}"
    version = "1.0"

    [tool.hatch.metadata.hooks.plux]
"""

HATCHLING_DYNAMIC = HATCHLING.replace(
    'version = "1.0"', 'version = "1.0"\n    dynamic = ["entry-points"]'
)

GOOD = """
    from plux import Plugin

    class Hello(Plugin):
        namespace = "loud.plugins"
        name = "hello"
"""


def project(tmp_path: Path, name: str, pyproject: str, extra: str = "", **modules: str) -> Path:
    """Project ``name`` with package ``name`` holding ``good.py`` and ``modules``."""
    files = {f"{name}/{module}.py": source for module, source in modules.items()}
    return write(
        tmp_path / name,
        {
            "pyproject.toml": pyproject.format(name=name) + textwrap.dedent(extra),
            f"{name}/__init__.py": "",
            f"{name}/good.py": GOOD,
            **files,
        },
    )


def failed_install(venv: Venv, root: Path) -> str:
    """Install ``root`` with pip; assert it failed, without a traceback; return its output."""
    result = venv.pip("install", "--no-build-isolation", "--no-deps", str(root), check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output
    return output


def test_setuptools_manual_mode_without_plux_ini_fails_saying_what_to_run(
    venv: Venv, tmp_path: Path
) -> None:
    """Manual mode without ``plux.ini``: the build fails naming the file and the command (setuptools
    alone would warn only under ``-v`` and ship no entry points)."""
    extra = """
        dynamic = ["entry-points"]

        [tool.setuptools.dynamic]
        entry-points = {file = ["plux.ini"]}

        [tool.plux]
        entrypoint_build_mode = "manual"
    """
    root = project(tmp_path, "loud_manual", SETUPTOOLS, extra)
    output = failed_install(venv, root)
    assert (
        f"plux: {root / 'plux.ini'} does not exist; in manual mode run "
        f"'python -m plux entrypoints' in {root} and commit plux.ini"
    ) in output


def test_setuptools_manual_mode_without_dynamic_entry_points_fails_naming_the_settings(
    venv: Venv, tmp_path: Path
) -> None:
    """Manual mode with a ``plux.ini`` that setuptools is never told to read: the build fails
    naming both settings to add (setuptools alone would ship no entry points, silently)."""
    extra = """
        [tool.plux]
        entrypoint_build_mode = "manual"
    """
    root = project(tmp_path, "unwired_manual", SETUPTOOLS, extra)
    (root / "plux.ini").write_text("[loud.plugins]\nhello = unwired_manual.good:Hello\n")
    output = failed_install(venv, root)
    assert (
        f"plux: {root / 'pyproject.toml'} is in manual mode but does not hand plux.ini to "
        'setuptools, so its builds install no entry points: add "entry-points" in [project] '
        'dynamic and entry-points = {file = ["plux.ini"]} in [tool.setuptools.dynamic]'
    ) in output


def test_hatchling_without_a_dynamic_key_fails_naming_it(venv: Venv, tmp_path: Path) -> None:
    """``[tool.hatch.metadata.hooks.plux]`` without ``[project] dynamic``: fails naming the key."""
    root = project(tmp_path, "loud_hatch", HATCHLING)
    result = venv.pip("install", "--no-build-isolation", "--no-deps", str(root), check=False)
    assert result.returncode != 0
    assert 'plux: add "entry-points" to [project] dynamic in pyproject.toml' in result.stderr


@pytest.mark.parametrize(
    "pyproject", [SETUPTOOLS, HATCHLING_DYNAMIC], ids=["setuptools", "hatchling"]
)
def test_plux_path_naming_no_folder_fails_the_build(
    venv: Venv, tmp_path: Path, pyproject: str
) -> None:
    """``[tool.plux] path = "srcc"`` (a typo): fails naming the key and the missing folder."""
    root = project(tmp_path, "loud_path", pyproject, '\n[tool.plux]\npath = "srcc"\n')
    result = venv.pip("install", "--no-build-isolation", "--no-deps", str(root), check=False)
    assert result.returncode != 0
    assert f"[tool.plux] path = 'srcc': there is no folder {root / 'srcc'}" in result.stderr


def test_bad_plux_key_in_a_setuptools_build_is_one_line(venv: Venv, tmp_path: Path) -> None:
    """An unknown ``[tool.plux]`` key: one ``plux:`` line naming it, no traceback."""
    root = project(tmp_path, "loud_key", SETUPTOOLS, '\n[tool.plux]\nexlude = ["tests*"]\n')
    output = failed_install(venv, root)
    assert "unknown key 'exlude'; known keys are path, include, exclude" in output


def test_syntax_error_says_to_fix_the_module(venv: Venv, tmp_path: Path) -> None:
    """A module that does not parse: its file:line and the syntax error, and to fix it."""
    root = project(tmp_path, "loud_syntax", SETUPTOOLS, broken="def oops(:\n    pass\n")
    output = failed_install(venv, root)
    assert "plux: loud_syntax/broken.py:1: syntax error: " in output
    assert "fix the module" in output and "install the project's dependencies" not in output


def test_bare_plugin_decorator_fails_the_build_with_file_and_line(
    venv: Venv, tmp_path: Path
) -> None:
    """``@plugin`` without parentheses: the build fails at its line, saying what to write."""
    bare = "from plux import plugin\n\n@plugin\ndef hi():\n    pass\n"
    root = project(tmp_path, "loud_bare", SETUPTOOLS, bare=bare)
    output = failed_install(venv, root)
    assert (
        "plux: loud_bare/bare.py:3: @plugin applied directly to hi: write @plugin(namespace=...)"
    ) in output


def test_misspelt_plugin_name_fails_the_build_naming_the_typo(venv: Venv, tmp_path: Path) -> None:
    """A plugin class with ``nmae`` for ``name``: the build fails naming file:line and the typo."""
    typo = GOOD.replace("name = ", "nmae = ")
    root = project(tmp_path, "loud_typo", SETUPTOOLS, typo=typo)
    output = failed_install(venv, root)
    assert "loud_typo/typo.py:4: plugin class Hello sets a namespace and 'nmae' but no 'name'" in (
        output
    )


def test_incomplete_plugins_get_a_warning_on_stderr(venv: Venv, tmp_path: Path) -> None:
    """A class with a namespace and no name, one with a name and no namespace (nothing derives
    from either), a PluginSpec kept in a list: the build goes on, and prints a warning naming
    file:line for each."""
    nameless = GOOD.replace('name = "hello"', 'description = "forgot my name"')
    namespaceless = GOOD.replace('namespace = "loud.plugins"', 'description = "no namespace"')
    listed = "from plux import PluginSpec\n\nSPECS = [PluginSpec('loud.plugins', 'x', object)]\n"
    root = project(
        tmp_path,
        "loud_nameless",
        SETUPTOOLS,
        nameless=nameless,
        namespaceless=namespaceless,
        listed=listed,
    )
    result: Result = venv.run(
        "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(root)
    )
    assert (
        "plux: loud_nameless/nameless.py:4: plugin class Hello sets a namespace but no name"
    ) in result.stderr
    assert (
        "plux: loud_nameless/namespaceless.py:4: plugin class Hello sets a name but no namespace"
    ) in result.stderr
    assert "plux: loud_nameless/listed.py:3: a PluginSpec kept in a list is not discovered" in (
        result.stderr
    )
    assert list((tmp_path / "dist").glob("loud_nameless-1.0-*.whl"))
