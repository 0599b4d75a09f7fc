"""The README's first screen run as a new user runs it: real pip, default build isolation."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from docs_pages import README, normalise, read_page
from integration_support import fresh_venv, run

pytestmark = pytest.mark.integration


def quick_start() -> tuple[dict[str, str], str, str]:
    """The README's files, up to its first python block that shows output, that block and it."""
    files: dict[str, str] = {}
    for block in read_page(README):
        target = block.marker("file")
        if target:
            files[target] = block.body
        elif block.info == "python" and block.output is not None:
            return files, block.body, block.output.body
    raise AssertionError("README.md shows no python block with its output")


@pytest.fixture(scope="session")
def published_plux(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the newest plux on the package index, 1.16.0, as pip would find it."""
    folder = tmp_path_factory.getbasetemp() / "published-plux"
    if not any(folder.glob("plux-1.16.0-*.whl")):
        pip = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:"]
        run([*pip, "-d", str(folder), "plux==1.16.0"])
    return folder


def test_readme_quick_start_builds_with_isolation_and_prints_what_it_shows(
    tmp_path: Path, wheelhouse: Path, published_plux: Path
) -> None:
    """`pip install ./greetings` with build isolation picks plux 2 from a wheel folder, even with
    plux 1.16.0 offered next to it, and the README's script prints the README's output."""
    files, script, shown = quick_start()
    work = tmp_path / "work"
    for name, body in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(body)
    venv = fresh_venv(tmp_path / "venv", wheelhouse)
    env = venv.env(PIP_FIND_LINKS=f"{wheelhouse} {published_plux}")
    pip = [sys.executable, "-m", "pip", "--python", venv.python, "-q"]
    run([*pip, "install", "./greetings"], cwd=work, env=env)
    result = run([venv.python, "-c", script], cwd=work, env=venv.env())
    assert normalise(result.stdout) == normalise(shown)
