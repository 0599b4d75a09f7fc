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

The targets of issue 14 are printed with met/MISSED but never fail the run: warm at the largest
size at most 1.5 x warm at the smallest, cold at most 0.8 x importlib.metadata at every size, and
prebuilt at most 1.1 x warm at every size.

Usage: ``python bench/scaling.py [--rounds N] [--sizes 100,1000,5000]`` (``make bench``).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
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

# column -> (side key, code, user index removed before the run); in the order of the table
COLUMNS: dict[str, tuple[str, str, bool]] = {
    "floor `python -c pass`": ("ours", "pass", False),
    "warm ours": ("ours", LIST_NAMES, False),
    "cold ours": ("ours", LIST_NAMES, True),
    "prebuilt ours": ("prebuilt", LIST_NAMES, True),
    "`importlib.metadata.entry_points(group=…)`": ("ours", IMPORTLIB, False),
    "warm plux 1.16": ("theirs", LIST_NAMES, False),
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
        cwd=RUN_DIR,
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
    prebuilt = Side("prebuilt", prebuilt_python(size), site, SCALING / f"cache-prebuilt-{size}")
    build_prebuilt_index(prebuilt)
    return {
        "ours": Side("ours", ours, site, SCALING / f"cache-ours-{size}"),
        "prebuilt": prebuilt,
        "theirs": Side("theirs", theirs, site, SCALING / f"cache-theirs-{size}"),
    }


def measure(sides: dict[int, dict[str, Side]], rounds: int) -> Times:
    """Times per size and column; within each round every size and column runs once in turn."""
    for by_key in sides.values():
        for side in by_key.values():
            side.run(LIST_NAMES)  # warm: the index is written, bytecode compiled
    times: Times = {}
    for _ in range(rounds):
        for size, by_key in sides.items():
            for column, (key, code, cold) in COLUMNS.items():
                side = by_key[key]
                if cold:
                    side.clear_index()
                elapsed, out = side.run(code)
                if code != "pass" and out != str(PLUGINS):
                    raise SystemExit(f"{column} at {size} found {out} plugins, not {PLUGINS}")
                times.setdefault(size, {}).setdefault(column, []).append(elapsed)
                if cold:
                    side.run(LIST_NAMES)  # warm again, unmeasured
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
