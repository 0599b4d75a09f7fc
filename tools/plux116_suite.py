"""Runs plux 1.16.0's own test suite against this project: the compatibility contract, executed.

The sdist of ``plux==1.16.0`` is fetched from the package index once and kept in
``.cache/plux116/``; each run extracts only its ``tests/`` folder into a fresh temporary folder
below that cache (its CLI tests write into their project folders) and runs pytest there with this
interpreter, which sees this project's ``plux`` and ``plugin`` packages. Tests of 1.16's private
helpers (names that start with ``_``) and of behaviour SPEC.md deliberately changes (each in
docs/migrating.md) are deselected below, each with its reason; every other test must pass.

Usage: ``python tools/plux116_suite.py [PYTEST ARGS...]`` (``make compat``; part of ``make test``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
CACHE = PROJECT / ".cache" / "plux116"
VERSION = "1.16.0"
SDIST = CACHE / f"plux-{VERSION}.tar.gz"

# node id -> why it is not run against this project
DESELECTED: dict[str, str] = {
    "tests/test_metadata.py::test_resolve_distribution_information": (
        "fails against plux 1.16.0 itself on this machine: it expects the License field of the "
        "installed pytest (MIT), which pytest >= 8.4 no longer writes (it uses License-Expression)"
    ),
    "tests/build/test_hatchling.py::TestMergeEntryPoints::test_merge_overwrites_duplicate_names": (
        "private helper _merge_entry_points: a name already in the entry points with another "
        "value fails the build naming both (SPEC 8, loud), where 1.16 overwrote it silently; see "
        "tests/build/test_compat_hatchling.py::test_merge_entry_points_adds_and_refuses_conflicts"
    ),
    "tests/build/test_hatchling.py::TestMergeEntryPoints::test_merge_preserves_other_entries": (
        "private helper _merge_entry_points: the test overwrites p1 with another value, which "
        "fails the build naming both (SPEC 8, loud); keeping the other entries is shown in "
        "tests/build/test_compat_hatchling.py::test_merge_entry_points_adds_and_refuses_conflicts"
    ),
    "tests/build/test_hatchling.py::TestPluxMetadataHook::test_hook_raises_in_build_hook_mode": (
        "deliberate difference (docs/migrating.md): in build-hook mode the hatchling hook "
        "discovers the plugins from source, where 1.16 raised RuntimeError; see tests/hatchling/"
        "test_metadata_hook.py::test_build_hook_mode_discovers_hatchlings_default_packages"
    ),
    (
        "tests/build/test_hatchling.py::TestPluxMetadataHook::"
        "test_hook_handles_missing_plux_ini_gracefully"
    ): (
        "deliberate difference (SPEC 8, docs/migrating.md): manual mode without plux.ini fails the "
        "build naming the command to run, where 1.16 built a distribution without entry points; "
        "see tests/hatchling/test_metadata_hook.py::"
        "test_manual_mode_without_the_file_fails_saying_what_to_run"
    ),
}


def fetch_sdist() -> Path:
    """The cached sdist, downloaded from the package index on first use."""
    if not SDIST.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary",
             ":all:", "--dest", str(CACHE), f"plux=={VERSION}"],
            check=True,
        )  # fmt: skip
    return SDIST


def extract_tests(sdist: Path, into: Path) -> Path:
    """Extract the sdist's ``tests/`` folder, and nothing else, into ``into``."""
    prefix = f"plux-{VERSION}/"
    with tarfile.open(sdist) as archive:
        members = []
        for member in archive.getmembers():
            if member.name.startswith(prefix + "tests/"):
                member.name = member.name[len(prefix) :]
                members.append(member)
        archive.extractall(into, members=members, filter="data")
    return into / "tests"


def main(argv: list[str]) -> int:
    sdist = fetch_sdist()
    # below this project: 1.16's hatchling CLI tests install "the plux source root", the first
    # folder above them with a pyproject.toml
    with tempfile.TemporaryDirectory(prefix="run-", dir=CACHE) as work:
        tests = extract_tests(sdist, Path(work))
        deselect = [arg for node in DESELECTED for arg in ("--deselect", node)]
        print(f"plux {VERSION}'s own suite against {PROJECT} ({len(DESELECTED)} deselected):")
        for node, reason in DESELECTED.items():
            print(f"  deselected {node}: {reason}")
        sys.stdout.flush()
        # pytest's default norecursedirs skips "build": 1.16 keeps tests in tests/build
        # "-c /dev/null": none of this project's pytest settings apply to 1.16's tests
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   "-c", os.devnull, "-o", "norecursedirs=projects .*", "--rootdir", work,
                   *deselect, *argv, str(tests)]  # fmt: skip
        return subprocess.run(command, cwd=work).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
