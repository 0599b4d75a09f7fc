"""``plux doctor`` tells the truth: plugins made as the manager makes them, import errors with
their file and line, tool entry points checked for what they are, close namespaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SUBJECTS = (Path(__file__).parent / "doctor_subjects.py").read_text()

BROKEN = """\
import os

raise RuntimeError("broken at import")
"""


def findings(result) -> list[dict]:  # type: ignore[no-untyped-def]
    return result.json()["findings"]


def test_a_spec_whose_factory_is_a_plugin_function_is_made_as_the_manager_makes_it(
    plux_main, site_builder, python
) -> None:
    """``PluginSpec(ns, name, an_at_plugin_function)``: doctor makes and checks the function's
    plugin (no false load-check-error), as the manager loads it."""
    site_builder.add_distribution(
        "fn",
        entry_points={"doc.fn": {"greet": "doctor_subjects:greet_spec"}},
        modules={"doctor_subjects.py": SUBJECTS},
    )
    result = plux_main("doctor", "doc.fn", "--json")
    assert findings(result) == [] and result.returncode == 0
    assert [p["status"] for p in result.json()["plugins"]] == ["ok"]
    loaded = python.json(
        """
        import json
        from plux import PluginManager
        print(json.dumps(PluginManager("doc.fn").load("greet")()))
        """
    )
    assert loaded == "hello"


@pytest.fixture
def broken_site(site_builder):  # type: ignore[no-untyped-def]
    """A plugin whose module raises on line 3, and one whose module has a syntax error."""
    site_builder.add_distribution(
        "broken",
        entry_points={"doc.broken": {"raises": "broken_mod:P", "syntax": "broken_syntax:P"}},
        modules={"broken_mod.py": BROKEN, "broken_syntax.py": "x = 1\ndef (:\n"},
    )
    return site_builder


def test_an_import_error_names_the_file_and_line_in_the_plugins_module(
    plux_main, broken_site
) -> None:
    """doctor's finding says where the import failed: ``location`` in JSON, in the message."""
    by_name = {f["name"]: f for f in findings(plux_main("doctor", "doc.broken", "--json"))}
    raises, syntax = broken_site.path / "broken_mod.py", broken_site.path / "broken_syntax.py"
    assert by_name["raises"]["location"] == f"{raises}:3"
    assert by_name["raises"]["message"] == f"RuntimeError: broken at import (at {raises}:3)"
    assert by_name["syntax"]["location"] == f"{syntax}:2"


def test_doctor_verbose_prints_the_traceback(plux_main, broken_site) -> None:
    """``-v`` adds each failure's traceback below its finding; without it there is none."""
    verbose = plux_main("doctor", "doc.broken", "-v").stdout
    assert "    Traceback (most recent call last):" in verbose
    assert '    raise RuntimeError("broken at import")' in verbose
    assert "Traceback" not in plux_main("doctor", "doc.broken").stdout


def test_plugin_exception_names_the_file_and_line(python, broken_site) -> None:
    """The manager's PluginException for a plugin that cannot be imported names the line."""
    message = python.json(
        """
        import json
        from plux import PluginException, PluginManager
        try:
            PluginManager("doc.broken").load("raises")
        except PluginException as e:
            print(json.dumps(str(e)))
        """
    )
    assert isinstance(message, str)
    assert message.endswith(
        f"RuntimeError: broken at import (at {broken_site.path}/broken_mod.py:3)"
    )


@pytest.fixture
def tool_site(site_builder):  # type: ignore[no-untyped-def]
    """Tool entry points (console script, setuptools command, pytest plugin module), one of them
    broken, and two tools that cannot be imported into one process (as pip and setuptools)."""
    site_builder.add_distribution(
        "tool-a",
        entry_points={
            "console_scripts": {"a": "doctor_subjects:main", "a-bad": "doctor_subjects:VERSION"},
            "distutils.commands": {"cmd": "doctor_subjects:Command"},
            "pytest11": {"tool_a": "doctor_subjects"},
        },
        modules={"doctor_subjects.py": SUBJECTS},
    )
    # as setuptools asserts that distutils is its own, this tool refuses to follow tool-a
    site_builder.add_distribution(
        "tool-b",
        entry_points={"console_scripts": {"b": "tool_b:main"}},
        modules={
            "tool_b.py": """
                import sys
                assert "doctor_subjects" not in sys.modules, "imported after doctor_subjects"

                def main():
                    return 0
            """
        },
    )
    return site_builder


def test_tool_entry_points_are_checked_as_importable_callables(plux_main, tool_site) -> None:
    """With ``--all``: console scripts and hooks are fine when they import and can be called
    (never "not-a-plugin"); one naming a string is not-callable; tools that clash in one process
    are each checked in a fresh one, so neither is reported."""
    result = plux_main("doctor", "--all", "--json")
    ours = [f for f in findings(result) if f["distribution"] in ("tool-a", "tool-b")]
    assert [(f["kind"], f["name"]) for f in ours] == [("not-callable", "a-bad")]
    assert ours[0]["message"] == "doctor_subjects:VERSION is a str, not callable"
    statuses = {
        (p["namespace"], p["name"]): p["status"]
        for p in result.json()["plugins"]
        if p["distribution"] in ("tool-a", "tool-b")
    }
    assert statuses == {
        ("console_scripts", "a"): "ok",
        ("console_scripts", "a-bad"): "not-callable",
        ("console_scripts", "b"): "ok",
        ("distutils.commands", "cmd"): "ok",
        ("pytest11", "tool_a"): "ok",
    }


def test_a_tool_group_named_on_the_command_line_is_checked_as_tools(plux_main, tool_site) -> None:
    """``plux doctor console_scripts`` checks console scripts as tools, too."""
    result = plux_main("doctor", "console_scripts", "--json")
    assert [(f["kind"], f["name"]) for f in findings(result)] == [("not-callable", "a-bad")]


def test_doctor_flags_namespaces_a_small_edit_apart(plux_main, site_builder) -> None:
    """``app.command`` beside ``app.commands``: one finding naming both namespaces and the
    distributions that provide each, whichever of the two is checked."""
    site_builder.add_distribution("cmds-one", "1.0", {"app.command": {"x": "one:X"}})
    site_builder.add_distribution("cmds-two", "2.0", {"app.commands": {"y": "two:Y"}})
    site_builder.add_distribution("other", "1.0", {"app.hooks": {"z": "other:Z"}})
    for selected in ("app.commands", "app.command"):
        (similar,) = [
            f
            for f in findings(plux_main("doctor", selected, "--json"))
            if f["kind"] == "similar-namespaces"
        ]
        assert "app.command (from cmds-one 1.0)" in similar["message"]
        assert "app.commands (from cmds-two 2.0)" in similar["message"]
    kinds = [f["kind"] for f in findings(plux_main("doctor", "app.hooks", "--json"))]
    assert "similar-namespaces" not in kinds


@pytest.mark.integration
def test_doctor_all_in_a_bare_virtual_environment_finds_no_problem(tmp_path, wheelhouse) -> None:
    """A new venv (its own pip, and setuptools where the interpreter bundles it) with plux:
    ``doctor --all`` finds nothing wrong (importing pip and setuptools in one process would
    make every setuptools hook an import-error)."""
    import integration_support

    path = tmp_path / "bare"
    integration_support.run([integration_support.sys.executable, "-m", "venv", str(path)])
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    venv = integration_support.Venv(path, wheelhouse, cache)
    venv.pip("install", "--no-deps", integration_support.PLUX_REQUIREMENT)
    result = venv.plux("doctor", "--all", "--json", cwd=tmp_path)
    # The one true finding: plux's hatch hook imports hatchling, which is not installed here.
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["kind"], finding["namespace"], finding["name"]) == (
        "import-error",
        "hatch",
        "plux",
    ), result.stdout
    assert "No module named 'hatchling'" in finding["message"]
