"""``plux doctor``: every kind of finding, healthy environments, timings, and its JSON document."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

PLUGINS = (Path(__file__).parent / "doctor_plugins.py").read_text()


@pytest.fixture
def doctor_site(site_builder, python, tmp_path: Path):
    """A site whose plugins cover every finding doctor makes about a single plugin."""
    python.env["PLUX_TEST_LOADED"] = str(tmp_path / "loaded.txt")
    site_builder.add_distribution(
        "doc-plugins",
        "1.0",
        {
            "doc.ns": {
                "healthy": "doc_plugins.mod:Healthy",
                "disabled": "doc_plugins.mod:Disabled",
                "fails-init": "doc_plugins.mod:FailsInit",
                "fails-check": "doc_plugins.mod:FailsCheck",
                "wrong-namespace": "doc_plugins.mod:Elsewhere",
                "number": "doc_plugins.mod:not_a_plugin",
                "missing": "doc_plugins.gone:Missing",
                "bad-value": "not a module path!",
            }
        },
        modules={"doc_plugins/mod.py": PLUGINS},
    )
    return site_builder


def findings_by_name(document: dict) -> dict[str, str]:
    return {f["name"]: f["kind"] for f in document["findings"] if f["name"] is not None}


def test_doctor_reports_each_broken_plugin_with_its_kind(plux_cli, doctor_site) -> None:
    """Unimportable, malformed, non-plugin, mismatched, failing init and failing should_load."""
    result = plux_cli("doctor", "doc.ns", "--json")
    assert result.returncode == 1, result.stderr
    assert findings_by_name(result.json()) == {
        "fails-init": "init-error",
        "fails-check": "load-check-error",
        "wrong-namespace": "mismatch",
        "number": "not-a-plugin",
        "missing": "import-error",
        "bad-value": "malformed",
    }


def test_doctor_json_has_the_documented_shape(plux_main, doctor_site) -> None:
    """Findings carry plugin, origin, message; plugins carry status and timings in ms."""
    document = plux_main("doctor", "doc.ns", "--json").json()
    assert (document["ok"], document["problems"]) == (False, 6)
    missing = next(f for f in document["findings"] if f["name"] == "missing")
    assert missing == {
        "kind": "import-error",
        "namespace": "doc.ns",
        "name": "missing",
        "value": "doc_plugins.gone:Missing",
        "distribution": "doc-plugins",
        "version": "1.0",
        "message": "ModuleNotFoundError: No module named 'doc_plugins.gone'",
        "location": None,
    }
    statuses = {p["name"]: p["status"] for p in document["plugins"]}
    assert statuses["healthy"] == "ok"
    assert statuses["disabled"] == "disabled"
    assert statuses["fails-init"] == "init-error"
    healthy = next(p for p in document["plugins"] if p["name"] == "healthy")
    assert set(healthy) == {
        "namespace",
        "name",
        "value",
        "distribution",
        "version",
        "status",
        "import_ms",
        "init_ms",
        "module",
        "module_import_ms",
        "disabled_reason",
    }
    assert isinstance(healthy["import_ms"], float) and healthy["import_ms"] >= 0
    assert isinstance(healthy["init_ms"], float)
    bad_value = next(p for p in document["plugins"] if p["name"] == "bad-value")
    assert (bad_value["import_ms"], bad_value["init_ms"]) == (None, None)


def test_doctor_never_calls_load(plux_main, doctor_site, tmp_path: Path) -> None:
    """Plugins are created and asked should_load(), but load() is left alone."""
    plux_main("doctor", "doc.ns")
    assert not (tmp_path / "loaded.txt").exists()


def test_doctor_text_lists_timings_and_problems(plux_main, doctor_site) -> None:
    """Text output: one line per plugin with status and import time, then the problems."""
    result = plux_main("doctor", "doc.ns")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "doc.ns (8 plugins)"
    healthy = next(line for line in lines if line.split()[0] == "healthy")
    assert healthy.split()[1:3] == ["ok", "import"] and "ms" in healthy
    assert "6 problems:" in lines
    module = doctor_site.path / "doc_plugins" / "mod.py"
    line = module.read_text().splitlines().index('        raise RuntimeError("no config")') + 1
    assert (
        "  init-error: doc.ns:fails-init (doc-plugins 1.0): RuntimeError: no config "
        f"(at {module}:{line})"
    ) in lines


def test_doctor_passes_a_healthy_namespace(plux_main, site_builder, python) -> None:
    """No findings: exit status 0 and "no problems found"; a disabled plugin is no problem."""
    site_builder.add_distribution(
        "fine",
        "1.0",
        {"doc.fine": {"disabled": "fine.mod:Off"}},
        modules={
            "fine/mod.py": """
                from plux import Plugin

                class Off(Plugin):
                    namespace = "doc.fine"
                    name = "disabled"

                    def should_load(self):
                        return False
            """
        },
    )
    result = plux_main("doctor", "doc.fine")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "no problems found"
    assert plux_main("doctor", "doc.fine", "--json").json()["ok"] is True


def test_doctor_reports_name_conflicts_between_distributions(
    plux_main, site_builder, python
) -> None:
    """Two distributions of one folder registering one name: a conflict naming both; the one
    whose distribution name sorts first wins, whatever the folder's listing order."""
    source = """
        from plux import Plugin

        class Same(Plugin):
            namespace = "doc.clash"
            name = "same"
    """
    site_builder.add_distribution(
        "second", "2.0", {"doc.clash": {"same": "second.mod:Same"}}, {"second/mod.py": source}
    )
    site_builder.add_distribution(
        "first", "1.0", {"doc.clash": {"same": "first.mod:Same"}}, {"first/mod.py": source}
    )
    document = plux_main("doctor", "doc.clash", "--json").json()
    (finding,) = document["findings"]
    assert (finding["kind"], finding["name"], finding["distribution"]) == (
        "conflict",
        "same",
        "first",
    )
    assert finding["message"] == (
        "plugin name conflict in namespace doc.clash: same is registered by distribution "
        "first 1.0 (first.mod:Same) and by distribution second 2.0 (second.mod:Same); using "
        "distribution first 1.0 (the first on sys.path; in one folder, the first by "
        "distribution name)"
    )


def test_doctor_reports_malformed_entry_point_lines(plux_main, site_builder, python) -> None:
    """A line of entry_points.txt that is not 'name = value' is found, with file and line."""
    folder = site_builder.add_distribution(
        "sloppy", "1.0", "[doc.sloppy]\nfine = sloppy:Fine\nthis line is wrong\n"
    )
    document = plux_main("doctor", "doc.sloppy", "--json").json()
    malformed = [f for f in document["findings"] if f["kind"] == "malformed"]
    assert [f["location"] for f in malformed] == [f"{folder / 'entry_points.txt'}:3"]
    assert malformed[0]["namespace"] == "doc.sloppy"


def test_doctor_files_a_malformed_line_under_the_group_the_run_time_reads(
    plux_main, site_builder, python
) -> None:
    """A group header with inner spaces or doubled brackets names the group the run time (and
    importlib.metadata) reads; a malformed line below it is reported in that group."""
    folder = site_builder.add_distribution(
        "spaced",
        "1.0",
        "[ doc.spaced ]\nfine = spaced:Fine\nwrong\n[[doc.twice]]\nalso wrong\nok = spaced:Ok\n",
    )
    document = plux_main("doctor", "*doc.*", "--json").json()
    findings = document["findings"]
    malformed = {f["location"]: f["namespace"] for f in findings if f["kind"] == "malformed"}
    assert malformed == {
        f"{folder / 'entry_points.txt'}:3": " doc.spaced ",
        f"{folder / 'entry_points.txt'}:5": "doc.twice",
    }


def test_doctor_keeps_plugin_output_out_of_the_json(plux_main, site_builder, python) -> None:
    """A plugin printing on import goes to stderr; stdout stays one JSON document."""
    site_builder.add_distribution(
        "chatty",
        "1.0",
        {"doc.chatty": {"talk": "chatty:Talk"}},
        {
            "chatty/__init__.py": """
                print("hello from chatty")
                from plux import Plugin

                class Talk(Plugin):
                    namespace = "doc.chatty"
                    name = "talk"
            """
        },
    )
    result = plux_main("doctor", "doc.chatty", "--json")
    assert result.json()["ok"] is True
    assert "hello from chatty" in result.stderr


EDITABLE_PYPROJECT = """
    [build-system]
    requires = ["setuptools>=64", "plux"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "edit-me"
    version = "0.1"
"""


def editable_install(site_builder, python, tmp_path: Path, source: str) -> tuple[Path, Path]:
    """An editable install of a project whose entry points were written before its source."""
    project = tmp_path / "edit-me"
    (project / "edit_me").mkdir(parents=True)
    (project / "pyproject.toml").write_text(textwrap.dedent(EDITABLE_PYPROJECT))
    (project / "edit_me" / "__init__.py").write_text("")
    (project / "edit_me" / "plugins.py").write_text(source)
    folder = site_builder.add_distribution(
        "edit-me", "0.1", {"doc.edit": {"a": "edit_me.plugins:A"}}
    )
    direct_url = {"url": project.as_uri(), "dir_info": {"editable": True}}
    (folder / "direct_url.json").write_text(json.dumps(direct_url))
    written = os.stat(project / "edit_me" / "plugins.py").st_mtime - 60
    os.utime(folder / "entry_points.txt", (written, written))
    python.sites.append(project)
    return project, folder


PLUGIN_A = textwrap.dedent(
    """
    from plux import Plugin

    class A(Plugin):
        namespace = "doc.edit"
        name = "a"
    """
)


def test_doctor_reports_a_stale_editable_install(
    plux_main, site_builder, python, tmp_path: Path
) -> None:
    """Source edited after the install, with a new plugin: stale-editable, saying what to run."""
    project, _ = editable_install(
        site_builder,
        python,
        tmp_path,
        PLUGIN_A + "\n\nclass B(Plugin):\n    namespace = 'doc.edit'\n    name = 'b'\n",
    )
    result = plux_main("doctor", "doc.edit", "--json")
    assert result.returncode == 1
    (finding,) = result.json()["findings"]
    assert finding["kind"] == "stale-editable"
    # about the distribution, not about one of its plugins
    assert (finding["namespace"], finding["name"], finding["value"]) == (None, None, None)
    assert (finding["distribution"], finding["version"]) == ("edit-me", "0.1")
    assert finding["location"] == str(project / "edit_me" / "plugins.py")
    assert "'b' in 'doc.edit' is missing" in finding["message"]
    assert f"run 'python -m plux entrypoints' in {project}" in finding["message"]


def test_doctor_accepts_an_editable_install_whose_plugins_did_not_change(
    plux_main, site_builder, python, tmp_path: Path
) -> None:
    """Source touched after the install but with the same plugins: not stale."""
    editable_install(site_builder, python, tmp_path, PLUGIN_A + "\n# an edit\n")
    result = plux_main("doctor", "doc.edit", "--json")
    assert result.json()["findings"] == [], result.stdout


def test_doctor_trusts_entry_points_newer_than_the_source(
    plux_main, site_builder, python, tmp_path: Path
) -> None:
    """Entry points written after the last source edit: not stale, even if discovery differs."""
    plugin_b = "\n\nclass B(Plugin):\n    namespace = 'doc.edit'\n    name = 'b'\n"
    _, folder = editable_install(site_builder, python, tmp_path, PLUGIN_A + plugin_b)
    os.utime(folder / "entry_points.txt")
    assert plux_main("doctor", "doc.edit", "--json").json()["findings"] == []


def test_doctor_says_when_discovery_in_an_editable_project_fails(
    plux_main, site_builder, python, tmp_path: Path
) -> None:
    """Source that no longer parses: the stale-editable finding says discovery fails."""
    editable_install(site_builder, python, tmp_path, PLUGIN_A + "\ndef broken(:\n")
    findings = plux_main("doctor", "doc.edit", "--json").json()["findings"]
    stale = next(f for f in findings if f["kind"] == "stale-editable")
    assert "discovering its plugins now fails (" in stale["message"]


def test_doctor_compares_with_the_index_plux_wrote_into_an_editable_install(
    plux_main, site_builder, python, tmp_path: Path
) -> None:
    """With plux.json kept in the install, a plugin that moved is named with its new place."""
    _, folder = editable_install(site_builder, python, tmp_path, PLUGIN_A)
    (folder / "plux.json").write_text('{"doc.edit": ["a = edit_me.old:A"]}')
    os.utime(folder / "entry_points.txt", (0, 0))
    findings = plux_main("doctor", "doc.edit", "--json").json()["findings"]
    stale = next(f for f in findings if f["kind"] == "stale-editable")
    assert "'a' in 'doc.edit' moved to edit_me.plugins:A" in stale["message"]


def test_doctor_finds_a_stale_setup_py_develop_checkout(
    plux_main, site_builder, python, tmp_path: Path
) -> None:
    """An ``.egg-info`` folder in a project checkout on the path is an editable install too."""
    project = tmp_path / "dev-me"
    (project / "edit_me").mkdir(parents=True)
    (project / "pyproject.toml").write_text(textwrap.dedent(EDITABLE_PYPROJECT))
    (project / "edit_me" / "__init__.py").write_text("")
    (project / "edit_me" / "plugins.py").write_text(PLUGIN_A)
    checkout = type(site_builder)(project)
    folder = checkout.add_distribution("edit-me", "0.1", {"doc.edit": {}}, kind="egg-info")
    (folder / "entry_points.txt").write_text("[doc.edit]\nold = edit_me.plugins:Old\n")
    os.utime(folder / "entry_points.txt", (0, 0))
    python.sites.append(project)
    findings = plux_main("doctor", "doc.edit", "--json").json()["findings"]
    stale = next(f for f in findings if f["kind"] == "stale-editable")
    assert "'a' in 'doc.edit' is missing" in stale["message"]
    assert stale["location"] == str(project / "edit_me" / "plugins.py")
