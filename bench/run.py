"""Start-up benchmark: this plux against the published plux 1.16.0 in 500 installed distributions.

Builds (once, under ``bench/.work/``) a site directory with 500 real ``*.dist-info`` folders, each
registering entry points in several groups, of which 200 carry one plugin each in the namespace
``bench.plugins`` (a module per plugin that does a little work on import), a venv with
``plux==1.16.0`` ("theirs") and a plain venv that sees this tree through a ``.pth`` line ("ours").
Then it runs each scenario in fresh processes, alternating the sides, and prints the medians and
the ratios ours/theirs. The project's ``.venv`` ("editable") is measured too: its editable install
imports a finder (pathlib, urllib, ...) at every start-up, which raises its floor by about 10 ms,
so the targets are judged on "ours", whose floor is the same as theirs.

Usage: ``python bench/run.py [--rounds N] [--no-cold]`` (``make bench``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
WORK = HERE / ".work"
SITE = WORK / "site"
RUN_DIR = WORK / "run"  # an empty working directory: '' on sys.path must not reveal either plux
THEIRS_VENV = WORK / "plux116"
OURS_VENV = WORK / "ours"
EDITABLE_PYTHON = PROJECT / ".venv" / "bin" / "python"

DISTRIBUTIONS = 500
PLUGINS = 200
NAMESPACE = "bench.plugins"
SITE_VERSION = "1"  # bump when the synthetic site changes, so that it is rebuilt

PLUGIN_MODULE = """\
from plux import Plugin

# a little work on import, as real plugin modules do
TABLE = {{f"key{{n}}": n * n for n in range(64)}}
WORDS = sorted(str(v) for v in TABLE.values())


class BenchPlugin{i:03d}(Plugin):
    namespace = "{namespace}"
    name = "p{i:03d}"

    def load(self, *args, **kwargs):
        return len(TABLE) + len(WORDS)
"""

SCENARIOS: dict[str, str] = {
    "floor": "pass",
    "import": "import plux",
    "list_names": (
        f"from plux import PluginManager\nprint(len(PluginManager({NAMESPACE!r}).list_names()))"
    ),
    "load_one": (
        f"from plux import PluginManager\nprint(PluginManager({NAMESPACE!r}).load('p100').load())"
    ),
    "load_all": (
        f"from plux import PluginManager\nprint(len(PluginManager({NAMESPACE!r}).load_all()))"
    ),
}
COLD_SCENARIOS = ("list_names", "load_all")
TARGETS = {"import": 0.3, "list_names": 0.25, "load_one": 0.25, "load_all": 0.9}


def build_site(
    site: Path = SITE,
    distributions: int = DISTRIBUTIONS,
    plugins: int = PLUGINS,
    version: str = SITE_VERSION,
) -> None:
    """Write the synthetic site (by default 500 distributions, 200 plugins) unless it is already
    there: ``site/.complete`` holds ``version``; every distribution has an ``entry_points.txt``
    and the first ``plugins`` carry one plugin each in ``NAMESPACE``."""
    marker = site / ".complete"
    if marker.exists() and marker.read_text() == version:
        return
    shutil.rmtree(site, ignore_errors=True)
    site.mkdir(parents=True)
    for i in range(distributions):
        name = f"bench-dist-{i:03d}"
        folder = site / f"bench_dist_{i:03d}-1.{i}.0.dist-info"
        folder.mkdir()
        (folder / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.{i}.0\nSummary: bench\n"
        )
        (folder / "WHEEL").write_text(
            "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\n"
        )
        groups = {
            "console_scripts": {f"bench-tool-{i:03d}": f"bench_tools_{i:03d}.cli:main"},
            f"bench.hooks.{i % 25}": {
                f"hook{i:03d}a": f"bench_tools_{i:03d}.hooks:a",
                f"hook{i:03d}b": f"bench_tools_{i:03d}.hooks:b",
            },
            "bench.extensions": {f"ext{i:03d}": f"bench_tools_{i:03d}.ext:Extension [extra]"},
        }
        records = [f"{folder.name}/{f},," for f in ("METADATA", "WHEEL", "entry_points.txt")]
        if i < plugins:
            module = f"bench_plugin_{i:03d}"
            (site / f"{module}.py").write_text(PLUGIN_MODULE.format(i=i, namespace=NAMESPACE))
            groups[NAMESPACE] = {f"p{i:03d}": f"{module}:BenchPlugin{i:03d}"}
            records.append(f"{module}.py,,")
        text = "".join(
            f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items()) + "\n"
            for group, entries in groups.items()
        )
        (folder / "entry_points.txt").write_text(text)
        (folder / "RECORD").write_text("\n".join([*records, f"{folder.name}/RECORD,,"]) + "\n")
    marker.write_text(version)


def venv_python(venv: Path) -> Path:
    """Create ``venv`` (same base interpreter as this one) unless it exists; return its python."""
    python = venv / "bin" / "python"
    if not python.exists():
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--clear", str(venv)], check=True)
    return python


def site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=RUN_DIR,
    )
    return Path(out.stdout.strip())


def theirs_python() -> Path:
    """The venv with the published plux 1.16.0 (created on first use)."""
    marker = THEIRS_VENV / ".installed"
    if not marker.exists():
        shutil.rmtree(THEIRS_VENV, ignore_errors=True)
        python = venv_python(THEIRS_VENV)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "plux==1.16.0"], check=True, cwd=RUN_DIR
        )
        marker.write_text("plux==1.16.0\n")
    return venv_python(THEIRS_VENV)


def ours_python(venv: Path = OURS_VENV) -> Path:
    """A plain venv whose only addition is a ``.pth`` line naming this tree: plux as installed,
    always the current source, and no editable-finder import at start-up."""
    python = venv_python(venv)
    (site_packages(python) / "plux-tree.pth").write_text(f"{PROJECT}\n")
    return python


class Side:
    """One plux under test: its interpreter, environment and index location."""

    def __init__(
        self,
        label: str,
        python: Path,
        site: Path = SITE,
        cache_home: Path | None = None,
        cwd: Path = RUN_DIR,
    ) -> None:
        self.label = label
        self.python = python
        self.cwd = cwd
        self.cache_home = cache_home or WORK / f"cache-{label}"
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PLUX_", "XDG_"))
        }
        self.env["PYTHONPATH"] = str(site)
        # ours reads $PLUX_CACHE_DIR; plux 1.16 keeps its index in $XDG_CACHE_HOME/plux
        self.env["PLUX_CACHE_DIR"] = str(self.cache_home / "plux")
        self.env["XDG_CACHE_HOME"] = str(self.cache_home)

    def clear_index(self) -> None:
        shutil.rmtree(self.cache_home, ignore_errors=True)

    def run(self, code: str) -> tuple[float, str]:
        """Run ``code`` in a fresh interpreter; return its wall time in ms and its output."""
        start = time.perf_counter()
        proc = subprocess.run(
            [str(self.python), "-c", code],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
        )
        elapsed = (time.perf_counter() - start) * 1000
        if proc.returncode != 0:
            raise SystemExit(f"{self.label} failed running {code!r}:\n{proc.stderr}")
        return elapsed, proc.stdout.strip()

    def describe(self) -> str:
        _, out = self.run("import json, plux; print(json.dumps([plux.__version__, plux.__file__]))")
        version, file = json.loads(out)
        return f"{self.label}: plux {version} from {file}"


def measure(sides: list[Side], rounds: int, cold: bool) -> dict[str, dict[str, list[float]]]:
    """Times per scenario and side; sides alternate within each round."""
    times: dict[str, dict[str, list[float]]] = {}
    for side in sides:
        for code in SCENARIOS.values():
            side.run(code)  # warm: the index is written, bytecode compiled
    outputs: dict[str, set[str]] = {}
    for _ in range(rounds):
        for scenario, code in SCENARIOS.items():
            for side in sides:
                elapsed, out = side.run(code)
                times.setdefault(scenario, {}).setdefault(side.label, []).append(elapsed)
                outputs.setdefault(scenario, set()).add(out)
        if cold:
            for scenario in COLD_SCENARIOS:
                for side in sides:
                    side.clear_index()
                    elapsed, out = side.run(SCENARIOS[scenario])
                    times.setdefault(f"{scenario} (cold)", {}).setdefault(side.label, []).append(
                        elapsed
                    )
            for side in sides:
                side.run(SCENARIOS["list_names"])  # warm again for the next round
    for scenario, seen in outputs.items():
        if len(seen) > 1:
            raise SystemExit(f"the two sides disagree on {scenario}: {sorted(seen)}")
    return times


def report(times: dict[str, dict[str, list[float]]], rounds: int) -> None:
    medians = {s: {k: statistics.median(v) for k, v in by.items()} for s, by in times.items()}
    floor = medians["floor"]
    editable = "editable" in floor
    print(f"\nmedians of {rounds} fresh processes, ms (ours = this tree, theirs = plux 1.16.0)")
    header = f"{'scenario':<20}{'ours':>8}{'theirs':>8}{'ratio':>7}{'above floor':>13}  target"
    header += f"{'':<12}{'editable':>9}{'ratio':>7}" if editable else ""
    print(header)
    print("-" * len(header))
    for scenario, by in medians.items():
        ours, theirs = by["ours"], by["theirs"]
        ratio = ours / theirs
        above_ours, above_theirs = ours - floor["ours"], theirs - floor["theirs"]
        above = above_ours / above_theirs if above_theirs > 0 else None
        key = scenario.removesuffix(" (cold)")
        if scenario == "floor":
            verdict = ""
        elif scenario.endswith("(cold)"):
            verdict = f"<= 1    {'met' if ratio <= 1 else 'MISSED'}"
        else:
            measured = above if key == "import" and above is not None else ratio
            verdict = f"<= {TARGETS[key]:<5}{'met' if measured <= TARGETS[key] else 'MISSED'}"
        shown = "" if above is None else f"{above:.2f}"  # the floor has nothing above itself
        line = f"{scenario:<20}{ours:>8.1f}{theirs:>8.1f}{ratio:>7.2f}{shown:>13}  {verdict:<18}"
        if editable:
            line += f"{by['editable']:>9.1f}{by['editable'] / theirs:>7.2f}"
        print(line)
    print(
        "\nimport is judged above the floor, every other scenario on the whole process time;"
        "\ncold: no index (ours) and no plux 1.16 cache file (theirs) before each run."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds (default 15)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold runs")
    parser.add_argument(
        "--no-editable", action="store_true", help="skip the project's .venv (editable install)"
    )
    args = parser.parse_args()
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    build_site()
    sides = [Side("ours", ours_python()), Side("theirs", theirs_python())]
    if not args.no_editable:
        sides.append(Side("editable", EDITABLE_PYTHON))
    for side in sides:
        print(side.describe())
    print(f"site: {SITE} ({DISTRIBUTIONS} distributions, {PLUGINS} plugins in {NAMESPACE})")
    report(measure(sides, args.rounds, not args.no_cold), args.rounds)


if __name__ == "__main__":
    main()
