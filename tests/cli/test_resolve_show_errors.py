"""``plux resolve``, ``plux show``, and how every command reports errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

HELLO = """
    from plux import Plugin, PluginSpec

    class Hello(Plugin):
        namespace = "res.ns"
        name = "hello"

    def make():
        def create():
            return Hello()
        return create

    spec = PluginSpec("res.ns", "made", make())
"""


def test_resolve_prints_each_spec_and_where_it_lives(plux_main, site_builder, python) -> None:
    """Each plugin: its entry point, distribution, spec and source file."""
    site_builder.add_distribution(
        "res", "3.1", {"res.ns": {"hello": "res.mod:Hello"}}, {"res/mod.py": HELLO}
    )
    result = plux_main("resolve", "--namespace", "res.ns")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "res.ns (1 plugin)",
        "  load_all order: hello",
        "  hello = res.mod:Hello  (res 3.1)",
    ]
    assert lines[3].startswith("    spec: PluginSpec(res.ns.hello = <class 'res.mod.Hello'>")
    assert lines[4:] == [
        "    order: priority 0",
        f"    file: {site_builder.path / 'res' / 'mod.py'}",
    ]


ORDERED = """
    from plux import Plugin, plugin

    class Base(Plugin):
        namespace = "ord.ns"

    class Server(Base):
        name, after = "server", ("database", "not-installed")

    class Database(Base):
        name, priority = "database", 10

    @plugin(namespace="ord.ns", before=("server",))
    def config():
        pass

    class CycleA(Base):
        name, after = "cycle_a", ("cycle_b",)

    class CycleB(Base):
        name, after = "cycle_b", ("cycle_a",)
"""


def test_resolve_shows_each_priority_and_the_order_load_all_uses(
    plux_main, site_builder, python
) -> None:
    """Each plugin's priority and constraints, and the namespace's load_all order."""
    entry_points = {"server": "ord.mod:Server", "database": "ord.mod:Database"}
    entry_points["config"] = "ord.mod:config"
    site_builder.add_distribution("ord", "1.0", {"ord.ns": entry_points}, {"ord/mod.py": ORDERED})
    result = plux_main("resolve", "ord.ns")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "  load_all order: database, config, server"
    assert [line for line in lines if line.startswith("    order:")] == [
        "    order: priority 0; after database, not-installed",
        "    order: priority 10",
        "    order: priority 0; before server",
    ]
    document = plux_main("resolve", "ord.ns", "--json").json()
    assert document["orders"] == [
        {"namespace": "ord.ns", "names": ["database", "config", "server"], "error": None}
    ]
    assert [(p["name"], p["priority"], p["after"]) for p in document["plugins"]] == [
        ("server", 0, ["database", "not-installed"]),
        ("database", 10, []),
        ("config", 0, []),
    ]


def test_resolve_names_a_cycle_of_constraints(plux_main, site_builder, python) -> None:
    """A cycle is shown where the order would be, naming it."""
    site_builder.add_distribution(
        "cyc",
        "1.0",
        {"ord.ns": {"cycle_a": "ord.mod:CycleA", "cycle_b": "ord.mod:CycleB"}},
        {"ord/mod.py": ORDERED},
    )
    result = plux_main("resolve", "ord.ns")
    assert "load_all order: the plugins of namespace ord.ns cannot be ordered" in result.stdout
    assert "(cycle_a -> cycle_b -> cycle_a; each runs before the next)" in result.stdout


def test_resolve_json_has_the_documented_shape(plux_main, site_builder, python) -> None:
    """A spec made by a closure is found at the entry point's value; failures carry an error."""
    site_builder.add_distribution(
        "res",
        "3.1",
        {"res.ns": {"made": "res.mod:spec", "gone": "res.gone:X"}},
        {"res/mod.py": HELLO},
    )
    result = plux_main("resolve", "--namespace", "res.ns", "--json")
    assert result.returncode == 1
    made, gone = result.json()["plugins"]
    assert made == {
        "namespace": "res.ns",
        "name": "made",
        "entry_point": "made",
        "value": "res.mod:spec",
        "distribution": "res",
        "version": "3.1",
        "spec": {"namespace": "res.ns", "name": "made", "factory": "res.mod:spec"},
        "priority": 0,
        "after": [],
        "before": [],
        "file": str(site_builder.path / "res" / "mod.py"),
        "error": None,
    }
    assert gone["spec"] is None and gone["file"] is None
    assert gone["error"] == "ModuleNotFoundError: No module named 'res.gone'"


def test_resolve_of_an_empty_namespace_is_one_line_on_stderr(plux_main, python) -> None:
    """No plugins in the namespace: exit 2 (no such thing), one line, no traceback."""
    result = plux_main("resolve", "--namespace", "res.nothing")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "plux: error: no installed plugin namespace matches 'res.nothing'\n"


MANUAL_PROJECT = {
    "pyproject.toml": """
        [project]
        name = "shown"
        version = "1.0"

        [tool.plux]
        entrypoint_build_mode = "manual"
        exclude = ["shown.tests*"]
    """,
    "plux.ini": "[show.ns]\nhello = shown.mod:Hello\n",
    "shown/__init__.py": "",
}


def write(root: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(textwrap.dedent(text))
    return root


def test_show_reports_config_and_the_index_file(plux_main, python, tmp_path: Path) -> None:
    """Manual mode: the configuration and the entry points of plux.ini, as JSON and text."""
    project = write(tmp_path / "shown", MANUAL_PROJECT)
    document = plux_main("--workdir", str(project), "show", "--json").json()
    assert document == {
        "project": str(project),
        "backend": None,
        "config": {
            "path": ".",
            "include": [],
            "exclude": ["shown.tests*"],
            "entrypoint_build_mode": "manual",
            "entrypoint_static_file": "plux.ini",
        },
        "index": "plux.ini",
        "entry_points": {"show.ns": {"hello": "shown.mod:Hello"}},
        "warnings": [],
    }
    text = plux_main("show", cwd=project).stdout.splitlines()
    assert "mode: manual" in text
    assert "index: plux.ini, 1 entry point" in text
    assert text[-2:] == ["[show.ns]", "hello = shown.mod:Hello"]


def test_show_discovers_when_there_is_no_index_file(plux_main, python, tmp_path: Path) -> None:
    """Build-hook mode before any build: the entry points come from the source."""
    project = write(
        tmp_path / "fresh",
        {
            "pyproject.toml": '[build-system]\nbuild-backend = "hatchling.build"\n'
            '[project]\nname = "fresh"\nversion = "1"\n',
            "fresh/__init__.py": "",
            "fresh/mod.py": """
                from plux import Plugin

                class Hi(Plugin):
                    namespace = "show.fresh"
                    name = "hi"
            """,
        },
    )
    document = plux_main("show", "--json", cwd=project).json()
    assert (document["backend"], document["index"]) == ("hatchling", None)
    assert document["entry_points"] == {"show.fresh": {"hi": "fresh.mod:Hi"}}


def test_errors_are_one_line_without_traceback_unless_verbose(
    plux_cli, python, tmp_path: Path
) -> None:
    """A bad [tool.plux] is one line on stderr; with -v the traceback is shown."""
    project = write(
        tmp_path / "bad", {"pyproject.toml": "[tool.plux]\nentrypoint_build_mode = 3\n"}
    )
    result = plux_cli("show", cwd=project)
    assert result.returncode != 0
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("plux: error: [tool.plux] entrypoint_build_mode must be")
    verbose = plux_cli("-v", "show", cwd=project)
    assert verbose.returncode != 0 and "Traceback" in verbose.stderr


def test_a_missing_workdir_is_one_line(plux_main, python, tmp_path: Path) -> None:
    """--workdir naming no directory: one line naming it."""
    result = plux_main("--workdir", str(tmp_path / "nope"), "list")
    assert result.returncode == 2
    assert result.stderr == (
        f"plux: error: cannot use --workdir {tmp_path / 'nope'}: No such file or directory\n"
    )


def test_resolve_keeps_plugin_output_out_of_the_json(plux_cli, site_builder, python) -> None:
    """A plugin printing on import goes to stderr; stdout stays one JSON document."""
    chatty = """
        print("hi")
        from plux import plugin

        @plugin(namespace="res.chatty")
        def talk():
            pass
    """
    site_builder.add_distribution(
        "chatty", "1.0", {"res.chatty": {"talk": "chatty:talk"}}, {"chatty/__init__.py": chatty}
    )
    result = plux_cli("resolve", "--namespace", "res.chatty", "--json")
    assert result.json()["plugins"][0]["spec"]["name"] == "talk"
    assert result.stderr == "hi\n"


def test_show_reads_the_egg_info_index_in_build_hook_mode(
    plux_main, python, tmp_path: Path
) -> None:
    """A setuptools project after a build: the entry points of its egg-info's plux.json."""
    project = write(
        tmp_path / "built",
        {
            "pyproject.toml": '[build-system]\nbuild-backend = "setuptools.build_meta"\n'
            '[project]\nname = "built"\nversion = "1"\n',
            "built.egg-info/plux.json": '{"show.built": ["hi = built.mod:Hi"]}',
        },
    )
    document = plux_main("show", "--json", cwd=project).json()
    assert (document["backend"], document["index"]) == ("setuptools", "built.egg-info/plux.json")
    assert document["entry_points"] == {"show.built": {"hi": "built.mod:Hi"}}


def test_show_of_an_unreadable_index_file_is_one_line(plux_main, python, tmp_path: Path) -> None:
    """A plux.ini that is not an index: exit 1, one line naming the file."""
    project = write(tmp_path / "shown", {**MANUAL_PROJECT, "plux.ini": "no section\n"})
    result = plux_main("show", cwd=project)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("plux: error: cannot read plux.ini: ")
    assert "no section" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_bad_configuration_is_one_line_naming_the_key(plux_main, python, tmp_path: Path) -> None:
    """A [tool.plux] value of the wrong type: exit 1, one line, for show and entrypoints."""
    project = write(
        tmp_path / "bad", {"pyproject.toml": "[tool.plux]\nentrypoint_build_mode = 3\n"}
    )
    for command in ("show", "entrypoints", "discover"):
        result = plux_main(command, cwd=project)
        assert result.returncode == 1
        assert result.stderr.startswith("plux: error: [tool.plux] entrypoint_build_mode must be")
        assert len(result.stderr.splitlines()) == 1


def test_resolve_reports_an_entry_point_that_does_not_resolve(
    plux_main, site_builder, python
) -> None:
    """An unimportable plugin: its error instead of a spec, and exit 1; closures still resolve."""
    site_builder.add_distribution(
        "res",
        "3.1",
        {"res.ns": {"made": "res.mod:spec", "gone": "res.gone:Gone"}},
        {"res/mod.py": HELLO},
    )
    result = plux_main("resolve", "--namespace", "res.ns")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "res.ns (2 plugins)"
    assert "    error: ModuleNotFoundError: No module named 'res.gone'" in lines
    document = plux_main("resolve", "--namespace", "res.ns", "--json").json()
    made = next(p for p in document["plugins"] if p["name"] == "made")
    assert made["spec"] == {"namespace": "res.ns", "name": "made", "factory": "res.mod:spec"}
