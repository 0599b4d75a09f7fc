"""Source too deep to parse never ends the process, whichever of plux's parsers meets it.

CPython 3.10's parser overflows the C stack (a crash no code can catch) on a very long
expression, where 3.11+ raises RecursionError. Each case runs in a fresh interpreter, so that a
crash fails the test instead of ending the test run.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..conftest import PythonRunner, SiteBuilder
from .conftest import GROUP

# 3.10 parses it on a thread with a stack big enough; later versions refuse it (RecursionError).
PARSED_ON_310 = sys.version_info < (3, 11)

TERMS = 200_000
LONG_OVER_MANY_LINES = "x = (\n" + " +\n".join(["a"] * TERMS) + "\n)\n"
"""One expression of 200,000 terms, none of its lines longer than a few characters."""


def survives(python: PythonRunner, code: str) -> str:
    """Run ``code`` in a fresh interpreter; its output, after checking it did not crash."""
    proc = python.run(code, check=False)
    assert proc.returncode == 0, f"the interpreter ended with {proc.returncode}: {proc.stderr}"
    return proc.stdout.strip()


def test_parse_source_refuses_long_expression_over_many_lines(
    python: PythonRunner, tmp_path: Path
) -> None:
    """The shared parser returns a tree (3.10) or raises SyntaxError (3.11+); never crashes."""
    source = tmp_path / "deep.py"
    source.write_text(LONG_OVER_MANY_LINES)
    code = f"""
        from plux.core._parsing import parse_source
        try:
            parse_source(open({str(source)!r}).read())
            print("parsed")
        except SyntaxError:
            print("refused")
        """
    assert survives(python, code) == ("parsed" if PARSED_ON_310 else "refused")


def test_index_survives_plugin_class_too_deep_to_parse(
    site_builder: SiteBuilder, python: PythonRunner
) -> None:
    """A plux 1.16 plugin whose own class holds the too-deep expression costs at most its
    declared name: the index is built and every entry point listed."""
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
    declared = "'AWS::Deep'" if PARSED_ON_310 else "None"
    assert survives(python, code) == f"[('aws::deep', {declared})]"


def test_build_discovery_survives_module_too_deep_to_parse(
    python: PythonRunner, tmp_path: Path
) -> None:
    """Static discovery reads the module (3.10) or reports it as one to import (3.11+)."""
    package = tmp_path / "project" / "deeppkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "deep.py").write_text(LONG_OVER_MANY_LINES)
    code = f"""
        from plux.build.discovery import SimplePackageFinder
        from plux.build._static import StaticPluginFinder
        finder = StaticPluginFinder(
            SimplePackageFinder({str(package.parent)!r}), fallback=False, search_path=[]
        )
        print([v.needs_import for v in finder.analyze() if v.module.name == "deeppkg.deep"])
        """
    assert survives(python, code) == f"[{not PARSED_ON_310}]"
