"""``plux entrypoints --check``: exits non-zero naming every difference, and changes nothing."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

PLUGINS = """
    from plux import Plugin, plugin

    class Hello(Plugin):
        namespace = "chk.ns"
        name = "Hello"

    @plugin(namespace="chk.ns")
    def greet():
        pass
"""

FRESH_INI = "[chk.ns]\nHello = chk.mod:Hello\ngreet = chk.mod:greet\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A manual-mode project with two plugins and no plux.ini yet."""
    root = tmp_path / "chk"
    (root / "chk").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["plux>=2.0.0.dev0"]\n\n'
        '[project]\nname = "chk"\nversion = "1"\n\n[tool.plux]\nentrypoint_build_mode = "manual"\n'
    )
    (root / "chk" / "__init__.py").write_text("")
    (root / "chk" / "mod.py").write_text(textwrap.dedent(PLUGINS))
    return root


def test_check_passes_on_a_fresh_plux_ini(plux_main, python, project: Path) -> None:
    """The file written by ``entrypoints`` passes its own check."""
    assert plux_main("entrypoints", cwd=project).returncode == 0
    assert (project / "plux.ini").read_text() == FRESH_INI
    result = plux_main("entrypoints", "--check", cwd=project)
    assert (result.returncode, result.stdout) == (0, "plux.ini is up to date (2 entry points)\n")


def test_check_names_missing_extra_and_different_entries(plux_main, python, project: Path) -> None:
    """A stale plux.ini fails, naming each difference, and is left as it was."""
    stale = "[chk.ns]\nHello = chk.old:Hello\nhello = chk.mod:Hello\nremoved = chk.mod:Gone\n"
    (project / "plux.ini").write_text(stale)
    result = plux_main("entrypoints", "--check", cwd=project)
    assert result.returncode == 1
    assert result.stderr == ""  # the report goes where "up to date" goes
    assert result.stdout.splitlines() == [
        "plux.ini does not match the code (4 differences); "
        "run 'python -m plux entrypoints' and commit it:",
        "  missing    [chk.ns] greet = chk.mod:greet",
        "  extra      [chk.ns] hello = chk.mod:Hello",
        "  extra      [chk.ns] removed = chk.mod:Gone",
        "  different  [chk.ns] Hello = chk.mod:Hello (the file says chk.old:Hello)",
    ]
    assert (project / "plux.ini").read_text() == stale


def test_check_json_has_the_documented_shape(plux_main, python, project: Path) -> None:
    """``--json``: ok, the file, and the missing/extra/different entries."""
    (project / "plux.ini").write_text("[chk.ns]\nHello = chk.old:Hello\nold = chk.mod:Old\n")
    result = plux_main("entrypoints", "--check", "--json", cwd=project)
    assert result.returncode == 1
    assert result.json() == {
        "ok": False,
        "index": "plux.ini",
        "missing": [{"group": "chk.ns", "name": "greet", "value": "chk.mod:greet"}],
        "extra": [{"group": "chk.ns", "name": "old", "value": "chk.mod:Old"}],
        "different": [
            {
                "group": "chk.ns",
                "name": "Hello",
                "value": "chk.mod:Hello",
                "recorded": "chk.old:Hello",
            }
        ],
    }


def test_check_fails_when_the_file_is_missing(plux_cli, python, project: Path) -> None:
    """No plux.ini while the code has plugins: every entry point is missing."""
    result = plux_cli("entrypoints", "--check", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith("plux.ini does not exist (2 differences)")
    assert not (project / "plux.ini").exists()


def test_check_compares_the_build_index_in_build_hook_mode(
    plux_main, python, project: Path
) -> None:
    """Build-hook mode: the egg-info's plux.json is what is compared."""
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"manual"', '"build-hook"'))
    (project / "chk.egg-info").mkdir()
    (project / "chk.egg-info" / "plux.json").write_text('{"chk.ns": ["Hello = chk.mod:Hello"]}')
    result = plux_main("entrypoints", "--check", "--json", cwd=project)
    assert result.returncode == 1
    document = result.json()
    assert document["index"] == "chk.egg-info/plux.json"
    assert [e["name"] for e in document["missing"]] == ["greet"]


def test_check_of_an_unreadable_index_file_is_one_line(plux_main, python, project: Path) -> None:
    """A plux.ini that is not an index: exit 1, one line naming the file."""
    (project / "plux.ini").write_text("not an ini file\n")
    result = plux_main("entrypoints", "--check", cwd=project)
    assert result.returncode == 1
    assert result.stderr.startswith("plux: error: plux.ini cannot be read: ")
    assert len(result.stderr.splitlines()) == 1


def test_entrypoints_updates_an_editable_install_of_the_project(
    plux_main, site_builder, python, project: Path
) -> None:
    """An editable install of the project on the path gets the discovered entry points."""
    folder = site_builder.add_distribution("chk", "1", {"chk.ns": {"Hello": "chk.mod:Hello"}})
    direct_url = {"url": project.as_uri(), "dir_info": {"editable": True}}
    (folder / "direct_url.json").write_text(json.dumps(direct_url))
    result = plux_main("entrypoints", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "plux.ini: 2 entry point(s) in 1 namespace(s)",
        f"updated editable install {folder}",
    ]
    text = (folder / "entry_points.txt").read_text()
    assert "greet = chk.mod:greet" in text


def test_entrypoints_of_a_hatchling_build_hook_project_writes_no_file(
    plux_main, python, project: Path
) -> None:
    """hatchling discovers during every build: there is no index file to write or to check."""
    (project / "pyproject.toml").write_text(
        '[build-system]\nbuild-backend = "hatchling.build"\n'
        '[project]\nname = "chk"\nversion = "1"\n'
    )
    for args in (["entrypoints"], ["entrypoints", "--check"]):
        result = plux_main(*args, cwd=project)
        assert (result.returncode, result.stdout) == (
            0,
            "hatchling discovers the plugins during every build: no index file to write or check\n",
        )
    assert sorted(p.name for p in project.iterdir()) == ["chk", "pyproject.toml"]
