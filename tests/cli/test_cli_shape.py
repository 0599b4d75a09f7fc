"""One consistent command line: ``--json`` everywhere (errors included), ``--version``, namespace
patterns, the project found from any subfolder, and exit codes that mean the same everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from integration_support import write  # loaded by conftest.py

from plux import __version__

PLUGINS = """
    from plux import Plugin

    class Hello(Plugin):
        namespace = "shape.ns"
        name = "hello"

    class Bye(Plugin):
        namespace = "shape.ns"
        name = "bye"
"""


@pytest.fixture
def manual_project(tmp_path: Path) -> Path:
    """A manual-mode project with two plugins in one module and a subfolder ``shape/deep``."""
    return write(
        tmp_path / "shape",
        {
            "pyproject.toml": '[build-system]\nrequires = ["plux>=2.0.0.dev0"]\n\n'
            '[project]\nname = "shape"\nversion = "1.0"\n\n'
            '[tool.plux]\nentrypoint_build_mode = "manual"\n',
            "shape/__init__.py": "",
            "shape/mod.py": PLUGINS,
            "shape/deep/__init__.py": "",
        },
    )


@pytest.fixture
def installed(site_builder, python) -> None:
    """Two plugins of one module installed in namespace ``shape.ns``."""
    site_builder.add_distribution(
        "shape",
        "1.0",
        {"shape.ns": {"hello": "shape_site.mod:Hello", "bye": "shape_site.mod:Bye"}},
        {"shape_site/mod.py": PLUGINS},
    )


def test_version_prints_plux_version(plux_main, python) -> None:
    """``plux --version`` prints ``plux VERSION`` and exits 0."""
    with pytest.raises(SystemExit) as exit:
        plux_main("--version")
    assert exit.value.code == 0


def test_version_of_the_console_command(plux_cli, python) -> None:
    """``python -m plux --version`` prints plux's version."""
    result = plux_cli("--version")
    assert (result.returncode, result.stdout) == (0, f"plux {__version__}\n")


def test_a_usage_error_with_json_is_a_json_error_document(plux_main, python) -> None:
    """An unknown option with ``--json``: exit 2, stdout one error document, stderr one line."""
    result = plux_main("list", "--bogus", "--json")
    assert result.returncode == 2
    error = result.json()["error"]
    assert (error["kind"], error["status"]) == ("usage", 2)
    assert error["message"] == "unrecognized arguments: --bogus"
    assert result.stderr.startswith("plux: error: unrecognized arguments: --bogus\nusage: plux")


def test_a_usage_error_without_json_prints_nothing_on_stdout(plux_main, python) -> None:
    """The same error without ``--json``: exit 2, the line and the usage on stderr only."""
    result = plux_main("list", "--bogus")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("plux: error: unrecognized arguments: --bogus\nusage: plux")


@pytest.mark.parametrize("command", ["show", "entrypoints", "entrypoints --check"])
def test_project_commands_fail_where_there_is_no_project(
    plux_main, python, tmp_path: Path, command: str
) -> None:
    """No pyproject.toml, setup.cfg or setup.py here or above: exit 2, one line saying so."""
    empty = tmp_path / "empty"
    empty.mkdir()
    result = plux_main(*command.split(), cwd=empty)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        f"plux: error: no project here: no pyproject.toml, setup.cfg or setup.py in {empty} "
        "or above\n"
    )
    document = plux_main(*command.split(), "--json", cwd=empty).json()
    assert document["error"]["kind"] == "no-project"
    assert document["error"]["status"] == 2


def test_entrypoints_finds_the_project_from_a_subfolder(
    plux_main, python, manual_project: Path
) -> None:
    """As git finds its repository: plux.ini is written in the project, named relative to here."""
    result = plux_main("entrypoints", cwd=manual_project / "shape" / "deep")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "../../plux.ini: 2 entry point(s) in 1 namespace(s)\n"
    assert (manual_project / "plux.ini").is_file()


def test_show_and_discover_find_the_project_from_a_subfolder(
    plux_main, python, manual_project: Path
) -> None:
    """``show`` and ``discover`` in a subfolder report the whole project."""
    deep = manual_project / "shape" / "deep"
    shown = plux_main("show", "--json", cwd=deep).json()
    assert shown["project"] == str(manual_project)
    assert shown["entry_points"] == {
        "shape.ns": {"bye": "shape.mod:Bye", "hello": "shape.mod:Hello"}
    }
    discovered = plux_main("discover", "--json", cwd=deep).json()
    assert discovered == {
        "project": str(manual_project),
        "output": None,
        "format": None,
        "entry_points": {"shape.ns": {"bye": "shape.mod:Bye", "hello": "shape.mod:Hello"}},
    }


def test_discover_json_with_output_writes_the_file_and_says_so(
    plux_main, python, manual_project: Path
) -> None:
    """``discover -f ini -o FILE --json``: the file is written, the document names it."""
    result = plux_main("discover", "-f", "ini", "-o", "out.ini", "--json", cwd=manual_project)
    assert (result.json()["output"], result.json()["format"]) == ("out.ini", "ini")
    assert (manual_project / "out.ini").read_text().startswith("[shape.ns]\n")


def test_entrypoints_json_says_what_was_written(plux_main, python, manual_project: Path) -> None:
    """``entrypoints --json`` without ``--check``: the file, whether it changed, its entries."""
    first = plux_main("entrypoints", "--json", cwd=manual_project)
    assert first.returncode == 0
    assert first.json() == {
        "index": "plux.ini",
        "written": True,
        "entry_points": {"shape.ns": {"bye": "shape.mod:Bye", "hello": "shape.mod:Hello"}},
        "editable_installs": [],
        "notes": [],
    }
    assert plux_main("entrypoints", "--json", cwd=manual_project).json()["written"] is False


def test_entrypoints_check_in_build_hook_mode_without_an_index_says_what_is_true(
    plux_main, python, manual_project: Path
) -> None:
    """Build-hook mode, no egg-info plux.json: nothing to commit; the build discovers; exit 0."""
    pyproject = manual_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"manual"', '"build-hook"'))
    result = plux_main("entrypoints", "--check", cwd=manual_project)
    assert result.returncode == 0
    assert "the build discovers the plugins itself" in result.stdout
    assert "plux discover" in result.stdout and "commit" not in result.stdout.replace(
        "not committed", ""
    )
    document = plux_main("entrypoints", "--check", "--json", cwd=manual_project).json()
    assert (document["ok"], document["index"]) == (True, None)


def test_entrypoints_check_in_build_hook_mode_says_to_update_not_to_commit(
    plux_main, python, manual_project: Path
) -> None:
    """A stale egg-info plux.json: exit 1, advice to run ``plux entrypoints``, not to commit."""
    pyproject = manual_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"manual"', '"build-hook"'))
    write(manual_project, {"shape.egg-info/plux.json": '{"shape.ns": []}'})
    result = plux_main("entrypoints", "--check", cwd=manual_project)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "shape.egg-info/plux.json does not match the code (2 differences); "
        "run 'python -m plux entrypoints' to update it:"
    )


def test_resolve_takes_namespace_patterns_and_the_old_option(plux_main, installed, python) -> None:
    """``resolve shape.*`` and ``resolve --namespace shape.ns`` resolve the same plugins."""
    by_pattern = plux_main("resolve", "shape.*", "--json")
    by_option = plux_main("resolve", "--namespace", "shape.ns", "--json")
    assert by_pattern.returncode == by_option.returncode == 0
    assert by_pattern.json() == by_option.json()
    document = by_pattern.json()
    assert (document["namespace"], document["namespaces"]) == ("shape.ns", ["shape.ns"])
    assert sorted(p["name"] for p in document["plugins"]) == ["bye", "hello"]


@pytest.mark.parametrize("command", ["list", "doctor", "resolve"])
def test_a_namespace_nothing_matches_exits_2_with_close_matches(
    plux_main, installed, python, command: str
) -> None:
    """A typo in a namespace: exit 2 and the installed namespaces close to it, with --json too."""
    result = plux_main(command, "shape.nss")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "plux: error: no installed plugin namespace matches 'shape.nss'; did you mean shape.ns?\n"
    )
    document = plux_main(command, "shape.nss", "--json")
    assert document.returncode == 2
    assert document.json()["error"]["matches"] == ["shape.ns"]


def test_show_in_an_empty_folder_fails(plux_main, python, tmp_path: Path) -> None:
    """``show`` where there is no project is the no-project error (exit 2), not an empty report."""
    (tmp_path / "nothing").mkdir()
    assert plux_main("show", cwd=tmp_path / "nothing").returncode == 2


@pytest.mark.parametrize(
    ("args", "status"),
    [
        (["list", "shape.ns"], 0),
        (["doctor", "shape.ns"], 0),
        (["resolve", "shape.ns"], 0),
        (["list", "nosuch"], 2),
        (["doctor", "nosuch"], 2),
        (["resolve", "nosuch"], 2),
        (["resolve", "shape.gone"], 1),
        (["doctor", "shape.gone"], 1),
        (["list", "--no-such-flag"], 2),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else f"exit {value}",
)
def test_exit_status_means_the_same_for_every_command(
    plux_main, installed, site_builder, python, args: list[str], status: int
) -> None:
    """0 nothing wrong, 1 a problem found, 2 cannot do what was asked: with and without --json."""
    site_builder.add_distribution("gone", "1.0", {"shape.gone": {"x": "gone_module:X"}})
    assert plux_main(*args).returncode == status
    assert plux_main(*args, "--json").returncode == status


def test_doctor_charges_a_module_import_once(plux_main, installed, python) -> None:
    """Two plugins of one module: the first shows the module's import, shared; the other not."""
    text = plux_main("doctor", "shape.ns").stdout.splitlines()
    first, second = text[1], text[2]
    assert "(module import, shared by 2 plugins)" in first
    assert "import shared" in second
    plugins = plux_main("doctor", "shape.ns", "--json").json()["plugins"]
    assert [p["module"] for p in plugins] == ["shape_site.mod", "shape_site.mod"]
    assert plugins[0]["module_import_ms"] == plugins[1]["module_import_ms"]
    assert plugins[0]["module_import_ms"] == plugins[0]["import_ms"]


def test_list_says_why_a_plugin_of_the_same_folder_is_shadowed(
    plux_main, site_builder, python
) -> None:
    """Two distributions of one folder registering one name: the shadowed one points at the
    conflict, which names the winner (the first by distribution name) and the rule."""
    site_builder.add_distribution("two", "2.0", {"shape.clash": {"same": "two:Same"}})
    site_builder.add_distribution("one", "1.0", {"shape.clash": {"same": "one:Same"}})
    lines = plux_main("list", "shape.clash").stdout.splitlines()
    assert lines[2].endswith("(shadowed: see the conflict below)")
    assert lines[3].endswith(
        "using distribution one 1.0 (the first on sys.path; in one folder, the first by "
        "distribution name)"
    )


@pytest.mark.parametrize("command", ["entrypoints", "discover"])
def test_project_commands_warn_of_tool_plux_without_plux_in_requires(
    plux_main, python, manual_project: Path, command: str
) -> None:
    """[tool.plux] but plux missing from build-system.requires: a warning on stderr, still done."""
    (manual_project / "pyproject.toml").write_text(
        '[project]\nname = "shape"\nversion = "1.0"\n\n[tool.plux]\n'
    )
    result = plux_main(command, cwd=manual_project)
    assert result.returncode == 0
    assert result.stderr.startswith(f"plux: warning: {manual_project / 'pyproject.toml'} ")
    assert 'add "plux>=2.0.0.dev0" to requires' in result.stderr
