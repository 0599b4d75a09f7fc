"""Orchestration benchmark: ``call_all`` over 200 plugins against the loop applications write by
hand over ``load_all()`` (each call in its own try/except), on run.py's synthetic site.

Two measures, ours/hand-loop and ours/plux 1.16's hand loop:
- whole process: fresh interpreters, sides interleaved, medians;
- the calls alone: in one process, after the plugins are loaded, the median time of one pass over
  the namespace (the overhead ``call_all`` adds to what the application would run anyway).

Usage: ``python bench/orchestration.py [--rounds N]`` (``make bench``).
"""

from __future__ import annotations

import argparse
import statistics

from run import NAMESPACE, PLUGINS, RUN_DIR, Side, build_site, ours_python, theirs_python

HAND_LOOP = f"""
from plux import PluginManager
manager = PluginManager({NAMESPACE!r})
def run():
    results = []
    for plugin in manager.load_all():
        try:
            results.append(plugin.load())
        except Exception:
            import logging  # as plux does: only a failure pays for logging
            logging.getLogger("app").exception("plugin %s failed", plugin.name)
    return results
"""
CALL_ALL = f"""
from plux import PluginManager
manager = PluginManager({NAMESPACE!r})
def run():
    return [result.value for result in manager.call_all("load")]
"""
ONCE = "\nprint(sum(run()))"
PASSES = 200
TIMED = f"""
import time
run()
times = []
for _ in range({PASSES}):
    start = time.perf_counter()
    run()
    times.append(time.perf_counter() - start)
times.sort()
print(times[len(times) // 2] * 1e6)
"""
TARGET = 1.10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="measured rounds (default 15)")
    args = parser.parse_args()
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    build_site()
    ours, theirs = Side("ours", ours_python()), Side("theirs", theirs_python())
    cases = {
        "call_all (ours)": (ours, CALL_ALL),
        "hand loop (ours)": (ours, HAND_LOOP),
        "hand loop (plux 1.16)": (theirs, HAND_LOOP),
    }
    whole: dict[str, list[float]] = {case: [] for case in cases}
    alone: dict[str, list[float]] = {case: [] for case in cases}
    for side, code in cases.values():
        side.run(code + ONCE)  # the index is written, bytecode compiled
    for _ in range(args.rounds):
        for case, (side, code) in cases.items():
            elapsed, out = side.run(code + ONCE)
            whole[case].append(elapsed)
            alone[case].append(float(side.run(code + TIMED)[1]))
    print(f"\n{PLUGINS} plugins; medians of {args.rounds} rounds, interleaved")
    print(f"{'case':<24}{'process ms':>12}{'one pass µs':>14}")
    for case in cases:
        process, one_pass = statistics.median(whole[case]), statistics.median(alone[case])
        print(f"{case:<24}{process:>12.1f}{one_pass:>14.1f}")
    ratio = statistics.median(alone["call_all (ours)"]) / statistics.median(
        alone["hand loop (ours)"]
    )
    whole_ratio = statistics.median(whole["call_all (ours)"]) / statistics.median(
        whole["hand loop (ours)"]
    )
    verdict = "met" if whole_ratio <= TARGET else "MISSED"
    print(
        f"\ncall_all / hand loop: {whole_ratio:.2f} of the whole process (target <= {TARGET}: "
        f"{verdict}); {ratio:.2f} of one pass over the loaded plugins"
    )


if __name__ == "__main__":
    main()
