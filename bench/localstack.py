"""plux inside a real application: LocalStack's CLI, with this plux against plux 1.16.0.

Installs (once, under ``bench/.work/``, from the package index) two venvs with the published
``localstack`` CLI and ``localstack-core`` (its runtime): one with ``plux==1.16.0``, one where
this tree replaces plux (a ``.pth`` line, as run.py's "ours"). Then, in fresh processes, sides
interleaved, it measures for each operation:
- plux's own import time: a run under ``-X importtime``, self times summed over ``plux.*`` and
  ``plugin.*``, and how many of those modules were imported;
- the whole command's wall time: a run of its own, without ``-X importtime`` (whose cost grows
  with the number of modules imported).

Operations: ``localstack --help`` (the CLI loads its plugins at every start), the listing of the
CLI's plugin namespaces (its commands and its host hooks) as its plugin manager lists them, and
LocalStack's listing of its service providers (``SERVICE_PLUGINS.list_available()``).

Usage: ``python bench/localstack.py [--rounds N]`` (``make bench-apps``; needs the network the
first time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from pathlib import Path

from run import PROJECT, RUN_DIR, WORK, site_packages, venv_python

LOCALSTACK = "localstack==2026.8.2"
PACKAGES = [
    LOCALSTACK,
    "localstack-core[base-runtime]==2026.3.0",
    "cbor2==5.6.5",  # localstack-core 2026.3.0 imports cbor2._decoder, which cbor2 6 dropped
]
VENVS = {"ours": WORK / "localstack-ours", "plux 1.16": WORK / "localstack-plux116"}
OPERATIONS = {
    "localstack --help": [
        "-c",
        "from localstack_cli.cli.main import main; main()",
        "--help",
    ],
    "plugin listing": [
        "-c",
        "from plux import PluginManager\n"
        "for ns in ('localstack_cli.plugins.cli', 'localstack_cli.hooks.prepare_host'):\n"
        "    print(ns, PluginManager(ns).list_names())",
    ],
    "service listing": [
        "-c",
        "from localstack.services.plugins import SERVICE_PLUGINS\n"
        "print(len(SERVICE_PLUGINS.list_available()))",
    ],
}


def prepared(label: str, tree: Path) -> Path:
    """The venv of one side, with LocalStack's CLI and its plux (installed on first use); "ours"
    runs the plux of ``tree``."""
    venv = VENVS[label]
    marker = venv / ".installed"
    python = venv_python(venv)
    wanted = "\n".join(PACKAGES) + "\n"
    if not marker.exists() or marker.read_text() != wanted:
        pip = [str(python), "-m", "pip", "install", "-q"]
        if label == "ours":
            # pip must not see this tree: it installs the published plux as a dependency, which
            # the tree then replaces
            (site_packages(python) / "plux-tree.pth").unlink(missing_ok=True)
            subprocess.run([*pip, *PACKAGES], check=True, cwd=RUN_DIR)
            subprocess.run(
                [str(python), "-m", "pip", "uninstall", "-q", "-y", "plux"], check=True, cwd=RUN_DIR
            )
        else:
            subprocess.run([*pip, *PACKAGES, "plux==1.16.0"], check=True, cwd=RUN_DIR)
        marker.write_text(wanted)
    if label == "ours":
        (site_packages(python) / "plux-tree.pth").write_text(f"{tree}\n")
    return python


def run(python: Path, arguments: list[str]) -> tuple[float, float, int]:
    """Two fresh processes: the wall ms of one, and plux's own import ms and how many plux
    modules it imported in the other (under ``-X importtime``)."""
    wall = timed(python, arguments)[0]
    own_us, modules = 0, 0
    proc = timed(python, ["-X", "importtime", *arguments])[1]
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        fields = line.removeprefix("import time:").split("|")
        if not fields[0].strip().isdigit():
            continue  # the header line
        name = fields[2].strip()
        if name.split(".")[0] in ("plux", "plugin"):
            own_us += int(fields[0])
            modules += 1
    return wall, own_us / 1000, modules


def timed(python: Path, arguments: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """One fresh process: its wall ms, and the process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PLUX_"))}
    start = time.perf_counter()
    proc = subprocess.run(
        [str(python), *arguments], env=env, cwd=RUN_DIR, capture_output=True, text=True
    )
    wall = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        raise SystemExit(f"{python} {arguments} failed:\n{proc.stderr[-2000:]}")
    return wall, proc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds (default 15)")
    parser.add_argument(
        "--tree",
        type=Path,
        default=PROJECT,
        help="the plux source tree that 'ours' runs (default: this checkout; another, say a git "
        "worktree of an earlier commit, gives before/after figures)",
    )
    args = parser.parse_args()
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    pythons = {label: prepared(label, args.tree.resolve()) for label in VENVS}
    results: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    for operation, arguments in OPERATIONS.items():
        for python in pythons.values():
            run(python, arguments)  # indexes written, bytecode compiled
        for _ in range(args.rounds):
            for label, python in pythons.items():
                results.setdefault((operation, label), []).append(run(python, arguments))
    print(f"\n{LOCALSTACK}; medians of {args.rounds} fresh processes, sides interleaved")
    header = f"{'operation':<20}{'side':<11}{'wall ms':>9}{'plux import ms':>16}{'modules':>9}"
    print(header)
    print("-" * len(header))
    for operation in OPERATIONS:
        walls = {}
        for label in VENVS:
            samples = results[(operation, label)]
            wall = statistics.median(s[0] for s in samples)
            own = statistics.median(s[1] for s in samples)
            walls[label] = wall
            print(f"{operation:<20}{label:<11}{wall:>9.1f}{own:>16.2f}{samples[0][2]:>9}")
        print(f"{'':<20}{'ratio':<11}{walls['ours'] / walls['plux 1.16']:>9.2f}")


if __name__ == "__main__":
    main()
