"""plux's setuptools hooks, run in-process on real setuptools Distributions and project folders."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

setuptools = pytest.importorskip("setuptools")

from plux.build.project import Project  # noqa: E402
from plux.build.setuptools import (  # noqa: E402
    PackagePathPluginFinder,
    find_plugins,
    load_entry_points,
    write_egg_info,
    write_plux_index,
)

from .conftest import ProjectFactory  # noqa: E402

PLUGINS = {
    "app/__init__.py": "",
    "app/plugins.py": """
        from plux import Plugin

        class Hello(Plugin):
            namespace = "demo"
            name = "hello"
    """,
}
PYPROJECT = """
    [build-system]
    requires = ["setuptools", "plux"]

    [project]
    name = "app"
    version = "1.0"
"""
HELLO = "hello = app.plugins:Hello"


@pytest.fixture
def project(make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A setuptools project using plux, as the working folder (where setuptools runs)."""
    root = make_project({**PLUGINS, "pyproject.toml": PYPROJECT})
    monkeypatch.chdir(root)
    return root


def egg_info(root: Path, **attrs: Any) -> Any:
    """A finalized ``egg_info`` command of a real Distribution of the project in ``root``."""
    dist = setuptools.Distribution({"name": "app", "version": "1.0", "packages": ["app"], **attrs})
    cmd = dist.get_command_obj("egg_info")
    cmd.egg_base = str(root)
    cmd.ensure_finalized()
    Path(cmd.egg_info).mkdir(exist_ok=True)
    return cmd


def run_writer(cmd: Any) -> Path:
    """Call the ``egg_info.writers`` hook as setuptools does; return the index file's path."""
    target = Path(cmd.egg_info, "plux.json")
    write_plux_index(cmd, "plux.json", str(target))
    return target


def test_build_hook_writes_the_index_and_the_entry_points(project: Path) -> None:
    """In build-hook mode the writer discovers, writes plux.json and entry_points.txt."""
    cmd = egg_info(project)
    index = run_writer(cmd)
    assert json.loads(index.read_text()) == {"demo": [HELLO]}
    assert cmd.distribution.entry_points == {"demo": [HELLO]}
    assert Path(cmd.egg_info, "entry_points.txt").read_text() == f"[demo]\n{HELLO}\n"


def test_declared_entry_points_are_kept_and_blank_lines_dropped(project: Path) -> None:
    """Declared entries keep their order; blank lines (list items or text) make no entry."""
    declared = {"console_scripts": ["app = app:main", "", "  "], "demo": "\nzz = app.z:Z\n\n"}
    cmd = egg_info(project, entry_points=declared)
    run_writer(cmd)
    assert cmd.distribution.entry_points == {
        "console_scripts": ["app = app:main"],
        "demo": ["zz = app.z:Z", HELLO],
    }


def test_declared_text_entry_points_are_merged(project: Path) -> None:
    """Entry points given as ``entry_points.txt`` text are read as setuptools reads them."""
    cmd = egg_info(project, entry_points="[console_scripts]\napp = app:main\n")
    run_writer(cmd)
    assert cmd.distribution.entry_points == {"console_scripts": ["app = app:main"], "demo": [HELLO]}


def test_a_name_declared_with_another_value_than_discovered_fails_naming_both(
    project: Path,
) -> None:
    """Declared ``hello = elsewhere:X`` against discovered ``app.plugins:Hello`` fails the build."""
    cmd = egg_info(project, entry_points={"demo": ["hello = elsewhere:X"]})
    with pytest.raises(setuptools.errors.SetupError) as info:
        run_writer(cmd)
    assert "'hello'" in str(info.value)
    assert "elsewhere:X" in str(info.value) and "app.plugins:Hello" in str(info.value)


def test_a_name_declared_as_discovered_is_one_entry(project: Path) -> None:
    """An entry point both declared and discovered, alike, is written once."""
    cmd = egg_info(project, entry_points={"demo": [HELLO]})
    run_writer(cmd)
    assert cmd.distribution.entry_points == {"demo": [HELLO]}
    assert Path(cmd.egg_info, "entry_points.txt").read_text().count("hello") == 1


def test_a_malformed_declared_entry_point_fails_naming_it(project: Path) -> None:
    """A declared line without ``=`` (set after setuptools' own check) fails the build, naming
    group, line and text."""
    cmd = egg_info(project)
    cmd.distribution.entry_points = {"demo": ["oops"]}
    with pytest.raises(setuptools.errors.SetupError, match=r"\[demo\]:1: .*'oops'"):
        run_writer(cmd)


def test_manual_mode_leaves_the_build_alone(project: Path) -> None:
    """In manual mode the project feeds plux.ini itself: the writer writes and merges nothing."""
    with (project / "pyproject.toml").open("a") as fh:
        fh.write('[tool.plux]\nentrypoint_build_mode = "manual"\n')
    (project / "plux.ini").write_text("[demo]\nhello = app.plugins:Hello\n")
    cmd = egg_info(project, entry_points={"console_scripts": ["app = app:main"]})
    index = run_writer(cmd)
    assert not index.exists()
    assert cmd.distribution.entry_points == {"console_scripts": ["app = app:main"]}


def test_manual_mode_without_the_static_file_fails_saying_what_to_run(project: Path) -> None:
    """Manual mode without ``plux.ini`` fails the build (setuptools alone would only warn, and
    ship no entry points), naming the file and the command that writes it."""
    with (project / "pyproject.toml").open("a") as fh:
        fh.write('[tool.plux]\nentrypoint_build_mode = "manual"\n')
    with pytest.raises(setuptools.errors.SetupError) as info:
        run_writer(egg_info(project))
    assert str(info.value) == (
        f"plux: {project / 'plux.ini'} does not exist; in manual mode run "
        f"'python -m plux entrypoints' in {project} and commit plux.ini"
    )


def test_a_bad_plux_key_fails_with_one_line_naming_it(project: Path) -> None:
    """An unknown ``[tool.plux]`` key fails the build with one ``plux:`` line naming the key."""
    with (project / "pyproject.toml").open("a") as fh:
        fh.write('[tool.plux]\nexlude = ["tests*"]\n')
    with pytest.raises(setuptools.errors.SetupError) as info:
        run_writer(egg_info(project))
    assert str(info.value).startswith("plux: [tool.plux] in ")
    assert "unknown key 'exlude'" in str(info.value) and "\n" not in str(info.value)


def test_a_plux_path_that_names_no_folder_fails_the_build(project: Path) -> None:
    """``[tool.plux] path = "srcc"`` (no such folder) fails, naming the key and the folder."""
    with (project / "pyproject.toml").open("a") as fh:
        fh.write('[tool.plux]\npath = "srcc"\n')
    with pytest.raises(setuptools.errors.SetupError) as info:
        run_writer(egg_info(project))
    assert str(info.value) == (
        f"plux: [tool.plux] path = 'srcc': there is no folder {project / 'srcc'}; "
        "set path to the folder that holds the packages"
    )


def test_a_project_not_using_plux_is_untouched(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without plux in build requires, ``[tool.plux]`` or an index file, nothing happens."""
    root = make_project({**PLUGINS, "pyproject.toml": '[project]\nname = "app"\n'})
    monkeypatch.chdir(root)
    cmd = egg_info(root)
    assert not run_writer(cmd).exists()
    assert cmd.distribution.entry_points is None


def test_an_unpacked_sdist_uses_the_index_it_carries(project: Path) -> None:
    """With PKG-INFO and an egg-info plux.json, the carried index is used, not discovery."""
    (project / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: app\nVersion: 1.0\n")
    cmd = egg_info(project)
    Path(cmd.egg_info, "plux.json").write_text(json.dumps({"demo": ["shipped = app.gone:G"]}))
    run_writer(cmd)
    assert cmd.distribution.entry_points == {"demo": ["shipped = app.gone:G"]}


def test_a_discovery_error_fails_the_build(project: Path) -> None:
    """Two plugins with one name fail the build with a SetupError naming both places."""
    (project / "app" / "more.py").write_text(
        "from plux import Plugin\n\nclass Other(Plugin):\n    namespace, name = 'demo', 'hello'\n"
    )
    with pytest.raises(setuptools.errors.SetupError, match="plux: plugin 'hello'.*more"):
        run_writer(egg_info(project))


def test_plugins_command_writes_the_index_and_updates_editable_installs(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``setup.py plugins`` writes plux.json to the egg-info and updates editable installs."""
    dist_info = tmp_path / "site" / "app-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "direct_url.json").write_text(
        json.dumps({"url": project.resolve().as_uri(), "dir_info": {"editable": True}})
    )
    (dist_info / "entry_points.txt").write_text("[console_scripts]\napp = app:main\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "site"), *sys.path])
    dist = setuptools.Distribution({"name": "app", "version": "1.0", "packages": ["app"]})
    dist.script_name = "setup.py"
    dist.parse_command_line = lambda: None
    cmd = dist.get_command_obj("plugins")
    cmd.exclude = "app.other"
    dist.run_command("plugins")
    assert json.loads((project / "app.egg-info" / "plux.json").read_text()) == {"demo": [HELLO]}
    assert (dist_info / "entry_points.txt").read_text() == (
        f"[console_scripts]\napp = app:main\n\n[demo]\n{HELLO}\n"
    )


def test_write_egg_info_writes_entry_points_from_the_given_index(project: Path) -> None:
    """``write_egg_info`` runs egg_info with the given plugins, no discovery of its own."""
    write_egg_info(Project(project), {"demo": {"given": "app.g:G"}})
    egg = project / "app.egg-info"
    assert (egg / "entry_points.txt").read_text() == "[demo]\ngiven = app.g:G\n"
    assert "setup.py" not in (egg / "SOURCES.txt").read_text()


def test_write_egg_info_needs_a_config_file(
    make_project: ProjectFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project with only setup.py (code) gets no egg-info from ``write_egg_info``."""
    root = make_project({**PLUGINS, "setup.py": "raise SystemExit('not run')\n"})
    monkeypatch.chdir(root)
    write_egg_info(Project(root), {"demo": {"x": "app:X"}})
    assert not list(root.glob("*.egg-info"))


def test_load_entry_points_adds_merge_without_overriding_discovered(project: Path) -> None:
    """``merge`` adds entries; a name discovered already keeps the discovered value."""
    merged = load_entry_points(
        merge={"demo": ["hello = other:H", "extra = app:E"], "console_scripts": ["a = app:m"]}
    )
    assert merged == {"demo": [HELLO, "extra = app:E"], "console_scripts": ["a = app:m"]}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("plux.json", json.dumps({"demo": ["carried = app.c:C"]})),
        ("entry_points.txt", "[demo]\ncarried = app.c:C\n"),
    ],
)
def test_load_entry_points_in_an_sdist_uses_what_it_carries(
    project: Path, name: str, text: str
) -> None:
    """In an unpacked sdist, the egg-info's plux.json (else entry_points.txt) is used."""
    (project / "PKG-INFO").write_text("Name: app\n")
    (project / "app.egg-info").mkdir()
    (project / "app.egg-info" / name).write_text(text)
    assert load_entry_points() == {"demo": ["carried = app.c:C"]}


def test_find_plugins_and_the_package_path_finder_see_the_project(project: Path) -> None:
    """``find_plugins`` gives setuptools' strings; the finder gives specs."""
    assert find_plugins() == {"demo": [HELLO]}
    specs = PackagePathPluginFinder(".").find_plugins()
    assert [(s.namespace, s.name) for s in specs] == [("demo", "hello")]


def test_load_entry_points_refuses_a_malformed_merge_entry(project: Path) -> None:
    """An entry of ``merge`` without ``=`` is an error naming it, not an empty entry point."""
    with pytest.raises(ValueError, match=r"merge\[demo\]:1: .*'oops'"):
        load_entry_points(merge={"demo": ["oops"]})
