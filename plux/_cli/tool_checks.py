"""Checking the entry points of packaging and developer tools (console scripts, setuptools
hooks, pytest plugins...) for what they are: each must import and, when it names an attribute,
name something callable. They are not plugins: nothing makes a spec of them.

Each distribution's tool entry points are checked in a fresh interpreter. Tools change each other
on import (setuptools replaces ``distutils``, which pip may have imported first), so importing
them all in one process reports failures that no user of either tool meets.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

from plux.core.plugin import entry_point_reference, import_entry_point_value
from plux.runtime.cache import IndexedEntryPoint

from .resolution import Failure, plugin_output_to_stderr

# Runs in the fresh interpreter: the checking process's sys.path, then the check.
_CHILD = (
    "import json, sys; request = json.loads(sys.stdin.read()); sys.path[:] = request['path']; "
    "from plux._cli.tool_checks import answer; answer(request['values'])"
)


def check_tool_entry_point(value: str) -> tuple[Failure | None, float | None]:
    """Import what ``value`` names (timed) and, for ``module:attr``, check it is callable."""
    try:
        _, attrs = entry_point_reference(value)
    except ValueError as e:
        return Failure("malformed", str(e)), None
    started = time.perf_counter()
    try:
        obj = import_entry_point_value(value)
    except (Exception, SystemExit) as e:
        return Failure.of("import-error", e, value), time.perf_counter() - started
    seconds = time.perf_counter() - started
    if attrs and not callable(obj):
        message = f"{value.split('[', 1)[0].strip()} is a {type(obj).__name__}, not callable"
        return Failure("not-callable", message), seconds
    return None, seconds


def answer(values: Sequence[str]) -> None:
    """In the fresh interpreter: check each value, print the outcomes as one JSON list."""
    stdout = sys.stdout
    with plugin_output_to_stderr():
        outcomes = [check_tool_entry_point(value) for value in values]
    documents = [
        {"failure": None if failure is None else asdict(failure), "seconds": seconds}
        for failure, seconds in outcomes
    ]
    stdout.write(json.dumps(documents) + "\n")


def check_tools(
    rows: Sequence[IndexedEntryPoint],
) -> list[tuple[Failure | None, float | None]]:
    """The outcome of :func:`check_tool_entry_point` for each row, each distribution's rows
    checked together in a fresh interpreter (several at a time)."""
    by_distribution: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_distribution.setdefault(row.path, []).append(i)
    outcomes: list[tuple[Failure | None, float | None]] = [(None, None)] * len(rows)
    batches = list(by_distribution.values())
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        answers = pool.map(lambda batch: _check_batch([rows[i].value for i in batch]), batches)
        for batch, answered in zip(batches, answers, strict=True):
            for i, outcome in zip(batch, answered, strict=True):
                outcomes[i] = outcome
    return outcomes


def _check_batch(values: list[str]) -> list[tuple[Failure | None, float | None]]:
    # the interpreter's own options, so that it sees what this one sees
    options = {
        "-I": sys.flags.isolated,
        "-E": sys.flags.ignore_environment,
        "-S": sys.flags.no_site,
        "-s": sys.flags.no_user_site,
    }
    flags = [flag for flag, on in options.items() if on]
    proc = subprocess.run(
        [sys.executable, *flags, "-c", _CHILD],
        input=json.dumps({"path": sys.path, "values": values}),
        capture_output=True,
        text=True,
    )
    sys.stderr.write(proc.stderr)
    try:
        documents: list[dict[str, Any]] = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        # The interpreter died before answering (a module that ends the process on import).
        message = f"checking in a fresh interpreter failed (exit status {proc.returncode})"
        return [(Failure("import-error", message), None)] * len(values)
    return [
        (None if d["failure"] is None else Failure(**d["failure"]), d["seconds"]) for d in documents
    ]
