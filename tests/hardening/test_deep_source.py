"""Source too deep to parse never ends the process, whichever of plux's parsers meets it.

CPython 3.10's parser overflows the C stack (a crash no code can catch) on a very long
expression, where 3.11+ raises RecursionError. Each case runs in a fresh interpreter, so that a
crash fails the test instead of ending the test run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ..conftest import PythonRunner, SiteBuilder
from .conftest import GROUP

ON_310 = pytest.mark.xfail(
    sys.version_info < (3, 11),
    strict=True,
    reason="plux/core/parsing.py parse_source guards 3.10 only against long lines; the same "
    "expression split over many short lines still crashes its parser (SIGSEGV); proposed: on "
    "3.10 parse in a thread with a large stack (threading.stack_size) and refuse sources "
    "above a size that stack survives",
)

TERMS = 200_000
LONG_OVER_MANY_LINES = "x = (\n" + " +\n".join(["a"] * TERMS) + "\n)\n"
"""One expression of 200,000 terms, none of its lines longer than a few characters."""


def survives(python: PythonRunner, code: str) -> str:
    """Run ``code`` in a fresh interpreter; its output, after checking it did not crash."""
    proc = python.run(code, check=False)
    assert proc.returncode == 0, f"the interpreter ended with {proc.returncode}: {proc.stderr}"
    return proc.stdout.strip()


@ON_310
def test_parse_source_refuses_long_expression_over_many_lines(
    python: PythonRunner, tmp_path: Path
) -> None:
    """The shared parser turns a too-deep expression into a SyntaxError, on every version."""
    source = tmp_path / "deep.py"
    source.write_text(LONG_OVER_MANY_LINES)
    code = f"""
        from plux.core.parsing import parse_source
        try:
            parse_source(open({str(source)!r}).read())
        except SyntaxError:
            print("refused")
        """
    assert survives(python, code) == "refused"


@ON_310
def test_index_survives_plugin_class_too_deep_to_parse(
    site_builder: SiteBuilder, python: PythonRunner
) -> None:
    """A plux 1.16 plugin whose own class holds the too-deep expression costs only its declared
    name: the index is built and every entry point listed."""
    body = LONG_OVER_MANY_LINES.replace("\n", "\n    ")
    site_builder.add_distribution(
        "deep",
        entry_points={GROUP: {"aws::deep": "deep_mod:Deep"}},
        modules={"deep_mod.py": f'class Deep:\n    name = "AWS::Deep"\n    {body}\n'},
    )
    code = f"""
        from plux.runtime.cache import EntryPointsCache
        rows = EntryPointsCache.instance().entry_points_of("{GROUP}")
        print([(e.name, e.declared_name) for e in rows])
        """
    assert survives(python, code) == "[('aws::deep', None)]"


@ON_310
def test_build_discovery_survives_module_too_deep_to_parse(
    python: PythonRunner, tmp_path: Path
) -> None:
    """Static discovery reports a too-deep module as one to import instead of crashing."""
    package = tmp_path / "project" / "deeppkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "deep.py").write_text(LONG_OVER_MANY_LINES)
    code = f"""
        from plux.build.discovery import SimplePackageFinder
        from plux.build.static import StaticPluginFinder
        finder = StaticPluginFinder(
            SimplePackageFinder({str(package.parent)!r}), fallback=False, search_path=[]
        )
        print([v.needs_import for v in finder.analyze() if v.module.name == "deeppkg.deep"])
        """
    assert survives(python, code) == "[True]"
