"""Two hundred processes starting at once on a cold cache."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ..conftest import METADATA_READS, PythonRunner, SiteBuilder
from .conftest import GROUP, JsonRunner

PROCESSES = 200

STARTER = f"""
import json, os, sys
from plux import PluginManager
from plux.runtime.cache import EntryPointsCache

os.read(int(sys.argv[1]), 1)  # the barrier: returns once the parent has started every process
names = PluginManager("{GROUP}").list_names()
print(json.dumps([names, EntryPointsCache.instance().index_file]))
"""

WARM = f"""
import json, runpy
reads = runpy.run_path({METADATA_READS!r})
reads["refuse"]("the index was not current: distribution metadata was read")
from plux import PluginManager
print(json.dumps(PluginManager("{GROUP}").list_names()))
"""


@pytest.fixture
def crowded_site(site_builder: SiteBuilder) -> list[str]:
    """Thirty distributions with one plugin each, one of them with a plux 1.16 lower-cased name;
    returns the names a manager must list."""
    for n in range(30):
        site_builder.add_distribution(f"dist{n:02d}", entry_points={GROUP: {f"p{n}": f"m{n}:P"}})
    site_builder.add_distribution(
        "legacy",
        entry_points={GROUP: {"aws::queue": "legacy_mod:Queue"}},
        modules={"legacy_mod.py": 'class Queue:\n    name = "AWS::Queue"\n'},
    )
    return [f"p{n}" for n in range(30)] + ["AWS::Queue"]


def start_all(python: PythonRunner, cwd: Path) -> list[subprocess.Popen[str]]:
    """Start every process, each waiting at a barrier (a pipe) until all have started."""
    barrier, release = os.pipe()
    processes: list[subprocess.Popen[str]] = []
    try:
        for _ in range(PROCESSES):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-s", "-c", textwrap.dedent(STARTER), str(barrier)],
                    env=python.environ(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    pass_fds=(barrier,),
                    cwd=cwd,
                )
            )
    finally:
        os.close(barrier)
        os.close(release)  # end of file at the barrier: every process goes at once
    return processes


@pytest.mark.integration
def test_two_hundred_cold_processes_agree_and_leave_one_index(
    crowded_site: list[str], python: PythonRunner, run_json: JsonRunner, tmp_path: Path
) -> None:
    """Two hundred processes on a cold cache (its folder not even created) all list the right
    plugins, and leave exactly one valid, private index file and no temporary file."""
    python.cache_dir = tmp_path / "cold" / "plux"
    results = []
    for process in start_all(python, tmp_path):
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        results.append(json.loads(out.splitlines()[-1]))
    assert all(sorted(names) == sorted(crowded_site) for names, _ in results)
    files = {file for _, file in results}
    assert len(files) == 1 and None not in files
    assert os.listdir(python.cache_dir) == [os.path.basename(files.pop())]
    assert stat.S_IMODE(os.stat(python.cache_dir).st_mode) == 0o700
    assert sorted(run_json(WARM)) == sorted(crowded_site)  # type: ignore[arg-type]
