"""Scaling benchmark: how start-up grows with the number of installed distributions (issue 14).

Builds (once, under ``bench/.work/scaling/``) a synthetic site per size (100, 1,000 and 5,000
distributions by default, every one with an ``entry_points.txt``, 50 of them carrying one plugin
each in the namespace ``bench.plugins``) with the site builder of ``bench/run.py``, and reuses its
two venvs: "ours" (this tree through a ``.pth`` line) and plux 1.16.0. The prebuilt index lives in
a venv's prefix, so each size also gets a small venv of its own (``venv-N``, made as "ours" is),
into which ``python -m plux index build`` writes the index before measuring. Then it times
``list_names`` of that namespace in fresh processes, all columns and sizes interleaved within each
round, and prints the medians as a table:

- floor: ``python -c pass`` in the same environment;
- warm ours: this plux with its index written;
- cold ours: this plux with no index file (removed before each run);
- prebuilt ours: this plux with the index prebuilt into its venv and an empty user cache (removed
  before each run), as in a fresh container's first process;
- ``importlib.metadata.entry_points(group=...)``: reading the metadata directly, no plux;
- warm plux 1.16: the published plux 1.16.0 with its cache written.

- after a change (issue 20), this plux in the process right after: a file written in the working
  directory (``''`` on ``sys.path``, a folder without distributions; each size has a working
  directory of its own, so that the other columns stay warm), one distribution installed
  without or with an ``entry_points.txt``, and a cold process (each undone, and the index made warm
  again, unmeasured, after the run).

The targets are printed with met/MISSED but never fail the run. Issue 14: warm at the largest
size at most 1.5 x warm at the smallest, cold at most 0.8 x importlib.metadata at every size, and
prebuilt at most 1.1 x warm at every size. Issue 20, at the largest size: warm at most 15 ms above
warm at the smallest; after a file in the working directory at most 1.3 x warm, after an install
at most 2 x warm, after a cold one at most 1.1 x warm.

Usage: ``python bench/scaling.py [--rounds N] [--sizes 100,1000,5000]`` (``make bench``).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from run import (
    NAMESPACE,
    RUN_DIR,
    SITE_VERSION,
    WORK,
    Side,
    build_site,
    ours_python,
    theirs_python,
)

SCALING = WORK / "scaling"
SIZES = (100, 1000, 5000)
PLUGINS = 50
SCALING_VERSION = f"{SITE_VERSION}.1"  # bump when the scaling sites change, so they are rebuilt

LIST_NAMES = (
    f"from plux import PluginManager\nprint(len(PluginManager({NAMESPACE!r}).list_names()))"
)
IMPORTLIB = (
    f"from importlib.metadata import entry_points\nprint(len(entry_points(group={NAMESPACE!r})))"
)

Change = Callable[[Path, int], Callable[[], None]]
"""Changes the environment (the site, the working directory) before a measured run, given the
site and the round; returns what undoes the change."""


def working_directory(site: Path) -> Path:
    """The working directory of the processes in ``site``: one per size, so that a file written
    in one size's does not change what the other sizes' indexes hold (``''`` on ``sys.path``)."""
    return RUN_DIR / site.name


def file_in_working_directory(site: Path, round_: int) -> Callable[[], None]:
    """A file written in the working directory (``''`` on ``sys.path``), which holds no
    distribution: a log beside a script."""
    file = working_directory(site) / f"written-{round_}.log"
    file.write_text("a line\n")
    return file.unlink


def install(entry_points: bool) -> Change:
    """One more distribution in the site, with or without an ``entry_points.txt`` (in another
    namespace: the answer stays the same)."""

    def change(site: Path, round_: int) -> Callable[[], None]:
        folder = site / f"installed_now-1.{round_}.dist-info"
        folder.mkdir()
        (folder / "METADATA").write_text(f"Name: installed-now\nVersion: 1.{round_}\n")
        if entry_points:
            (folder / "entry_points.txt").write_text("[bench.other]\nx = installed_now:X\n")
        return lambda: shutil.rmtree(folder)

    return change


def no_change(site: Path, round_: int) -> Callable[[], None]:
    return lambda: None


# column -> (side key, code, user index removed before the run, change made before it); in the
# order of the table. A change is undone after the run, and the index made warm again unmeasured.
COLUMNS: dict[str, tuple[str, str, bool, Change | None]] = {
    "floor `python -c pass`": ("ours", "pass", False, None),
    "warm ours": ("ours", LIST_NAMES, False, None),
    "cold ours": ("ours", LIST_NAMES, True, None),
    "prebuilt ours": ("prebuilt", LIST_NAMES, True, None),
    "`importlib.metadata.entry_points(group=…)`": ("ours", IMPORTLIB, False, None),
    "warm plux 1.16": ("theirs", LIST_NAMES, False, None),
    "after a file in the working directory": ("ours", LIST_NAMES, False, file_in_working_directory),
    "after an install without entry points": ("ours", LIST_NAMES, False, install(False)),
    "after an install with entry points": ("ours", LIST_NAMES, False, install(True)),
    "after a cold one": ("ours", LIST_NAMES, True, no_change),
}
WARM, COLD, PREBUILT, IMPORTLIB_COLUMN = (
    "warm ours",
    "cold ours",
    "prebuilt ours",
    "`importlib.metadata.entry_points(group=…)`",
)
WARM_GROWTH_TARGET = 1.5  # warm at the largest size / warm at the smallest
COLD_TARGET = 0.8  # cold ours / importlib.metadata, at every size
PREBUILT_TARGET = 1.1  # prebuilt ours / warm ours, at every size
WARM_GROWTH_MS_TARGET = 15.0  # warm at the largest size - warm at the smallest (issue 20)
CHANGE_TARGETS = {  # after a change / warm, at the largest size (issue 20)
    "after a file in the working directory": 1.3,
    "after an install without entry points": 2.0,
    "after an install with entry points": 2.0,
    "after a cold one": 1.1,
}

Times = dict[int, dict[str, list[float]]]


def site_for(size: int) -> Path:
    """The synthetic site with ``size`` distributions (built unless it is already there)."""
    site = SCALING / f"site-{size}"
    build_site(site, size, PLUGINS, f"{SCALING_VERSION}:{size}:{PLUGINS}")
    return site


def prebuilt_python(size: int) -> Path:
    """The venv of ``size``'s prebuilt index: like "ours" (this tree through a ``.pth`` line),
    but one per size, since the index lives in the venv's prefix."""
    return ours_python(SCALING / f"venv-{size}")


def plux_index(side: Side, action: str) -> subprocess.CompletedProcess[str]:
    """``python -m plux index ACTION`` in the side's venv, as an image build runs it."""
    return subprocess.run(
        [str(side.python), "-m", "plux", "index", action],
        env=side.env,
        cwd=side.cwd,
        capture_output=True,
        text=True,
    )


def build_prebuilt_index(side: Side) -> None:
    """Write the side's prebuilt index, and make sure a process there answers from it (else the
    column would measure something else)."""
    for action in ("build", "status"):
        proc = plux_index(side, action)
        if proc.returncode != 0:
            raise SystemExit(f"plux index {action} in {side.python}:\n{proc.stdout}{proc.stderr}")


def sides_for(size: int, ours: Path, theirs: Path) -> dict[str, Side]:
    """The plux sides in the site of ``size``, each with its own index location per size."""
    site = site_for(size)
    cwd = working_directory(site)
    cwd.mkdir(parents=True, exist_ok=True)
    cache = SCALING / f"cache-prebuilt-{size}"
    prebuilt = Side("prebuilt", prebuilt_python(size), site, cache, cwd)
    build_prebuilt_index(prebuilt)
    return {
        "ours": Side("ours", ours, site, SCALING / f"cache-ours-{size}", cwd),
        "prebuilt": prebuilt,
        "theirs": Side("theirs", theirs, site, SCALING / f"cache-theirs-{size}", cwd),
    }


def measure(sides: dict[int, dict[str, Side]], rounds: int) -> Times:
    """Times per size and column; within each round every size and column runs once in turn."""
    for by_key in sides.values():
        for side in by_key.values():
            side.run(LIST_NAMES)  # warm: the index is written, bytecode compiled
    times: Times = {}
    for round_ in range(rounds):
        for size, by_key in sides.items():
            for column, (key, code, cold, change) in COLUMNS.items():
                side = by_key[key]
                if cold:
                    side.clear_index()
                if change is not None:
                    if cold:
                        side.run(LIST_NAMES)  # the cold one, unmeasured
                    undo = change(site_for(size), round_)
                elapsed, out = side.run(code)
                if code != "pass" and out != str(PLUGINS):
                    raise SystemExit(f"{column} at {size} found {out} plugins, not {PLUGINS}")
                times.setdefault(size, {}).setdefault(column, []).append(elapsed)
                if change is not None:
                    undo()
                if cold or change is not None:
                    side.run(LIST_NAMES)  # warm again, unmeasured
            # the installs changed the site: the next round's prebuilt column needs its index
            build_prebuilt_index(by_key["prebuilt"])
    return times


def report(times: Times, rounds: int) -> None:
    medians = {n: {c: statistics.median(v) for c, v in by.items()} for n, by in times.items()}
    print(f"\n`list_names` of a {PLUGINS}-plugin namespace, medians of {rounds} fresh processes\n")
    print("| installed distributions | " + " | ".join(COLUMNS) + " |")
    print("| --- " * (len(COLUMNS) + 1) + "|")
    for size, by in medians.items():
        cells = " | ".join(f"{by[column]:.1f} ms" for column in COLUMNS)
        print(f"| {size:,} | {cells} |")
    print("\ntargets (issue 14), as ratios from this run:")
    smallest, largest = min(medians), max(medians)
    growth = medians[largest][WARM] / medians[smallest][WARM]
    verdict = "met" if growth <= WARM_GROWTH_TARGET else "MISSED"
    print(
        f"  warm at {largest:,} / warm at {smallest:,}: {growth:.2f}"
        f"  (<= {WARM_GROWTH_TARGET})  {verdict}"
    )
    for size, by in medians.items():
        ratio = by[COLD] / by[IMPORTLIB_COLUMN]
        verdict = "met" if ratio <= COLD_TARGET else "MISSED"
        print(
            f"  cold / importlib.metadata at {size:,}: {ratio:.2f}  (<= {COLD_TARGET})  {verdict}"
        )
    for size, by in medians.items():
        ratio = by[PREBUILT] / by[WARM]
        verdict = "met" if ratio <= PREBUILT_TARGET else "MISSED"
        print(f"  prebuilt / warm at {size:,}: {ratio:.2f}  (<= {PREBUILT_TARGET})  {verdict}")
    print("targets (issue 20):")
    growth = medians[largest][WARM] - medians[smallest][WARM]
    verdict = "met" if growth <= WARM_GROWTH_MS_TARGET else "MISSED"
    print(
        f"  warm at {largest:,} - warm at {smallest:,}: {growth:.1f} ms"
        f"  (<= {WARM_GROWTH_MS_TARGET} ms)  {verdict}"
    )
    for column, target in CHANGE_TARGETS.items():
        ratio = medians[largest][column] / medians[largest][WARM]
        verdict = "met" if ratio <= target else "MISSED"
        print(f"  {column} / warm at {largest:,}: {ratio:.2f}  (<= {target})  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds (default 5)")
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="installed distributions per site, comma-separated (default 100,1000,5000)",
    )
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if min(sizes) < PLUGINS:
        parser.error(f"every size needs at least {PLUGINS} distributions")
    start = time.perf_counter()
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    ours, theirs = ours_python(), theirs_python()
    sides = {size: sides_for(size, ours, theirs) for size in sizes}
    for side in sides[sizes[0]].values():
        print(side.describe())
    print(f"sites: {SCALING}/site-N ({', '.join(f'{n:,}' for n in sizes)} distributions)")
    built = time.perf_counter()
    report(measure(sides, args.rounds), args.rounds)
    for size, by_key in sides.items():
        # this tree's own metadata (plux.egg-info) changes when a build runs in it meanwhile
        proc = plux_index(by_key["prebuilt"], "status")
        if proc.returncode != 0:
            print(f"  at {size:,} the prebuilt index fell out of use during the run, so its")
            print(f"  column measured something else: {proc.stdout.strip()}")
    end = time.perf_counter()
    print(f"\nset-up {built - start:.1f} s, measurement {end - built:.1f} s")


if __name__ == "__main__":
    main()
