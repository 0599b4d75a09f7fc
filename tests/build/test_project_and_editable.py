"""Project layout and plux usage, merging into setuptools' entry points, editable updates."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest

from plux.build._editable import editable_installs, update_editable_install
from plux.build.project import Project
from plux.runtime.cache import EntryPointsCache

from .conftest import ProjectFactory


@pytest.mark.parametrize(
    ("pyproject", "uses"),
    [
        ('[build-system]\nrequires = ["setuptools", "plux>=1.0"]\n', True),
        ('[build-system]\nrequires = ["Plux"]\n', True),
        ('[build-system]\nrequires = ["pluxx", "setuptools"]\n', False),
        ("[tool.plux]\n", True),
        ('[project]\nname = "x"\n', False),
    ],
    ids=["requires", "requires-case", "other-name", "tool-table", "neither"],
)
def test_uses_plux(tmp_path: Path, pyproject: str, uses: bool) -> None:
    """plux acts on a project with plux in build-system.requires or a [tool.plux] table."""
    (tmp_path / "pyproject.toml").write_text(pyproject)
    assert Project(tmp_path).uses_plux() is uses


SETUPTOOLS = 'build-backend = "setuptools.build_meta"\n'


@pytest.mark.parametrize(
    ("pyproject", "says"),
    [
        (f'[build-system]\nrequires = ["setuptools"]\n{SETUPTOOLS}[tool.plux]\n', "not list"),
        ("[tool.plux]\n", "not list"),
        (f'[build-system]\nrequires = ["setuptools", "plux"]\n{SETUPTOOLS}[tool.plux]\n', "1.16"),
        (f'[build-system]\nrequires = ["plux>=2.0.0.dev0"]\n{SETUPTOOLS}[tool.plux]\n', None),
        ('[build-system]\nrequires = ["hatchling"]\n[tool.hatch.metadata.hooks.plux]\n', "list"),
        ('[build-system]\nrequires = ["setuptools"]\n', None),
    ],
    ids=["plux-missing", "no-build-system", "plux-unversioned", "plux-2", "hatch-hook", "no-plux"],
)
def test_missing_build_requirement_says_what_to_add(
    tmp_path: Path, pyproject: str, says: str | None
) -> None:
    """A project with ``[tool.plux]`` whose builds would run without plux 2 is told what to add
    to ``[build-system] requires``; one that requires plux 2, or does not use plux, is not."""
    (tmp_path / "pyproject.toml").write_text(pyproject)
    message = Project(tmp_path).missing_build_requirement()
    if says is None:
        assert message is None
    else:
        assert message is not None and says in message
        assert '"plux>=2.0.0.dev0"' in message
        assert str(tmp_path / "pyproject.toml") in message


def test_existing_index_file_means_plux_is_used(tmp_path: Path) -> None:
    """An existing plux.json also counts."""
    index = tmp_path / "x.egg-info" / "plux.json"
    assert not Project(tmp_path).uses_plux(index)
    index.parent.mkdir()
    index.write_text("{}")
    assert Project(tmp_path).uses_plux(index)


def test_src_layout_and_configured_find(make_project: ProjectFactory) -> None:
    """A src layout is found; [tool.setuptools.packages.find] is followed."""
    root = make_project({"src/app/__init__.py": "", "src/app/sub/__init__.py": ""})
    assert Project(root).package_finder().find_packages() == ["app", "app.sub"]
    (root / "pyproject.toml").write_text(
        '[tool.setuptools.packages.find]\nwhere = ["src"]\nexclude = ["app.sub"]\n'
    )
    assert Project(root).package_finder().find_packages() == ["app"]


def write_dist_info(site: Path, project: Path, entry_points: str) -> Path:
    dist_info = site / "app-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "direct_url.json").write_text(
        json.dumps({"url": project.resolve().as_uri(), "dir_info": {"editable": True}})
    )
    (dist_info / "entry_points.txt").write_text(entry_points)
    (dist_info / "plux.json").write_text(json.dumps({"demo": ["old = app:Old"]}))
    (dist_info / "RECORD").write_text(
        "app-1.0.dist-info/entry_points.txt,sha256=x,1\napp-1.0.dist-info/RECORD,,\n"
    )
    return dist_info


def test_editable_update_replaces_only_plux_entries(tmp_path: Path) -> None:
    """Entries plux wrote before are replaced; declared entries stay; RECORD gets the hash."""
    project = tmp_path / "project"
    project.mkdir()
    site = tmp_path / "site"
    dist_info = write_dist_info(
        site, project, "[console_scripts]\napp = app:main\n\n[demo]\nold = app:Old\n"
    )
    (site / "other-1.0.dist-info").mkdir()
    assert editable_installs(project, [str(site)]) == [dist_info]
    assert update_editable_install(dist_info, {"demo": {"new": "app:New"}})
    text = (dist_info / "entry_points.txt").read_text()
    assert text == "[console_scripts]\napp = app:main\n\n[demo]\nnew = app:New\n"
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
    record = (dist_info / "RECORD").read_text()
    assert f"app-1.0.dist-info/entry_points.txt,sha256={digest.decode()},{len(text)}" in record
    assert "app-1.0.dist-info/plux.json,sha256=" in record
    assert not update_editable_install(dist_info, {"demo": {"new": "app:New"}})


def test_editable_update_adding_a_namespace_is_seen_by_the_next_process(
    tmp_path: Path, cache_dir: Path
) -> None:
    """A namespace new to an editable install (it had entry points of others only) is seen by
    the next process, whose warm check stamps every distribution's entry_points.txt: the update
    marks nothing else (the site folder keeps its stamp)."""
    project = tmp_path / "project"
    project.mkdir()
    site = tmp_path / "site"
    dist_info = write_dist_info(site, project, "[console_scripts]\napp = app:main\n")

    def names_in_a_new_process() -> list[str]:
        cache = EntryPointsCache(path=[str(site)], cache_dir=str(cache_dir))
        return [ep.name for ep in cache.entry_points_of("demo")]

    assert names_in_a_new_process() == []
    site_stamp = site.stat().st_mtime_ns
    assert update_editable_install(dist_info, {"demo": {"new": "app:New"}})
    assert site.stat().st_mtime_ns == site_stamp
    assert names_in_a_new_process() == ["new"]


def test_editable_update_tolerates_lines_the_run_time_skips(tmp_path: Path) -> None:
    """A line the run time skips (no ``=``, before any group) does not stop the update."""
    project = tmp_path / "project"
    project.mkdir()
    dist_info = write_dist_info(
        tmp_path / "site", project, "stray = x:y\n[console_scripts]\napp = app:main\noops\n"
    )
    assert update_editable_install(dist_info, {"demo": {"new": "app:New"}})
    text = (dist_info / "entry_points.txt").read_text()
    assert text == "[console_scripts]\napp = app:main\n\n[demo]\nnew = app:New\n"


def test_editable_update_keeps_the_distributions_own_entries_as_they_were(tmp_path: Path) -> None:
    """Entries plux did not write keep their order (``load_all`` order) and text."""
    project = tmp_path / "project"
    project.mkdir()
    own = "[demo]\nzeta = app.z:Z\nalpha = app.a:A [extra]\nold = app:Old\n"
    dist_info = write_dist_info(tmp_path / "site", project, own)
    assert update_editable_install(dist_info, {"demo": {"new": "app:New"}})
    text = (dist_info / "entry_points.txt").read_text()
    assert text == "[demo]\nzeta = app.z:Z\nalpha = app.a:A [extra]\nnew = app:New\n"
