"""``plux index build`` and ``plux index status``: the index prebuilt into the environment, run
as a Dockerfile runs them (``python -m plux ...`` with the environment's own interpreter)."""

from __future__ import annotations

import json

import prebuilt_support as support  # loaded by conftest.py
import pytest

from ..conftest import settle_tree

environment = support.environment
GROUP = support.GROUP

WHAT_IMPORTLIB_SEES = """
import json, sys
from importlib.metadata import distributions
found = list(distributions())
print(json.dumps([sys.path[1:], len(found), sum(len(d.entry_points) for d in found)]))
"""
"""The path a script sees, and the distributions and entry points importlib.metadata finds."""


@pytest.fixture
def installed(environment, site_builder):
    """Two distributions with three entry points between them, installed a while ago (a build
    need not wait for them to settle)."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A", "b": "one:B"}})
    site_builder.add_distribution("two", entry_points={"other.group": {"c": "two:C"}})
    site_builder.settle()
    settle_tree(environment.prefix)
    return environment


def test_build_says_what_it_wrote(installed):
    """``plux index build`` prints one line: the file written, and how many distributions,
    entry points and path entries it indexed, the ones every script of the environment sees."""
    path, distributions, entry_points = installed.json(WHAT_IMPORTLIB_SEES)
    proc = installed.plux("index", "build")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == (
        f"wrote {installed.index_file}: {distributions} distributions, "
        f"{entry_points} entry points from {len(path)} path entries\n"
    )


def test_build_json_document(installed):
    """``plux index build --json``: the file, the counts, and the path entries indexed."""
    path, distributions, entry_points = installed.json(WHAT_IMPORTLIB_SEES)
    proc = installed.plux("index", "build", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {
        "index": str(installed.index_file),
        "distributions": distributions,
        "entry_points": entry_points,
        "path": path,
    }
    assert str(installed.site.path) in path


def test_status_in_use(installed):
    """``plux index status`` after a build: one line naming the file, exit 0."""
    installed.build()
    proc = installed.plux("index", "status")
    assert (proc.returncode, proc.stdout) == (0, f"in use: {installed.index_file}\n")


def test_status_not_in_use_without_a_build(installed):
    """``plux index status`` with no prebuilt index says so in one line, and how to write one;
    exit 1."""
    proc = installed.plux("index", "status")
    assert proc.returncode == 1
    (line,) = proc.stdout.splitlines()
    assert line.startswith(f"not in use: no prebuilt index at {installed.index_file}")
    assert "plux index build" in line


def test_status_not_in_use_after_an_install(installed, site_builder):
    """After an install the status names what changed, in text and in ``--json``; exit 1."""
    installed.build()
    site_builder.add_distribution("three", entry_points={GROUP: {"d": "three:D"}})
    proc = installed.plux("index", "status")
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"not in use: changed since {installed.index_file} was built: ")
    status = installed.status()
    assert status == {
        "in_use": False,
        "index": str(installed.index_file),
        "reason": proc.stdout.splitlines()[0].removeprefix("not in use: "),
        "exit": 1,
    }
    assert str(site_builder.path) in status["reason"]


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_build_that_cannot_write_fails_naming_the_file(installed, as_json):
    """Where the index cannot be written (here a file stands where its folder must go, which
    stops root too), ``plux index build`` fails with exit 1 and one line naming the file and
    what to do; with ``--json`` also an ``index-file`` error document."""
    share = installed.prefix / "share"
    share.mkdir()
    (share / "plux").write_text("in the way\n")
    proc = installed.plux("index", "build", *(["--json"] if as_json else []))
    assert proc.returncode == 1
    (line,) = proc.stderr.splitlines()
    assert line.startswith("plux: error: ")
    assert str(installed.index_file) in line
    if as_json:
        error = json.loads(proc.stdout)["error"]
        assert (error["kind"], error["status"]) == ("index-file", 1)
        assert error["message"] == line.removeprefix("plux: error: ")
    else:
        assert proc.stdout == ""
    assert (share / "plux").read_text() == "in the way\n"


def test_index_needs_an_action(installed):
    """``plux index`` alone is a usage error (exit 2) that names the actions and what each does."""
    proc = installed.plux("index")
    assert proc.returncode == 2
    assert proc.stderr == (
        "plux: error: plux index needs an action: 'plux index build' writes the index into this "
        "environment (after its last install), 'plux index status' says whether it is in use\n"
    )
