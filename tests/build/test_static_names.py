"""How the static finder follows names across a project: what it decides from the source, and
what it hands to the import-based finder, saying why."""

from __future__ import annotations

import pytest

from plux.build._static import ModuleVerdict, StaticPluginFinder
from plux.build.discovery import SimplePackageFinder

from .conftest import ProjectFactory

HEAD = "from plux import Plugin, PluginSpec\nimport app.consts\nfrom app import consts as c\n"
CONSTS = (
    'NS = "demo"\nPAIR = ("demo", "p")\nAGAIN = "a"\nAGAIN = "b"\nfor LOOPED in ["x"]:\n    pass\n'
)

DECIDED = {
    "f-string of constants": (
        'class P(Plugin):\n    namespace = f"{c.NS}.cli"\n    name = "f"\n',
        ("demo.cli", "f"),
    ),
    "concatenation": (
        'class P(Plugin):\n    namespace = c.NS + ".x"\n    name = "plus"\n',
        ("demo.x", "plus"),
    ),
    "unpacking a literal tuple": (
        'class P(Plugin):\n    namespace, name = "demo", "u"\n',
        ("demo", "u"),
    ),
    "a submodule's constant": (
        'class P(Plugin):\n    namespace = app.consts.NS\n    name = "m"\n',
        ("demo", "m"),
    ),
    "a star import": (
        'from app.consts import *\nclass P(Plugin):\n    namespace = NS\n    name = "s"\n',
        ("demo", "s"),
    ),
    "an annotated name": (
        'class P(Plugin):\n    namespace: str = "demo"\n    name: str\n    name = "ann"\n',
        ("demo", "ann"),
    ),
}

UNDECIDED = {
    "unpacking a variable": "class P(Plugin):\n    namespace, name = c.PAIR\n",
    "nested unpacking": 'class P(Plugin):\n    (namespace, x), name = ("demo", 1), "n"\n',
    "a conditional binding": (
        'class P(Plugin):\n    namespace = "demo"\n    if True:\n        name = "c"\n'
    ),
    "a class binding twice": (
        'class P(Plugin):\n    namespace = "demo"\n    name = "a"\n    name = "b"\n'
    ),
    "a module binding twice": 'class P(Plugin):\n    namespace = c.AGAIN\n    name = "t"\n',
    "a loop variable": 'class P(Plugin):\n    namespace = c.LOOPED\n    name = "l"\n',
    "a name bound to itself": 'A = B\nB = A\nclass P(Plugin):\n    namespace = A\n    name = "r"\n',
    "an unreadable module": (
        'from app.broken import NS\nclass P(Plugin):\n    namespace = NS\n    name = "u"\n'
    ),
    "a call": 'import os\nclass P(Plugin):\n    namespace = os.getenv("NS")\n    name = "g"\n',
    "a formatted value with a spec": (
        'class P(Plugin):\n    namespace = f"{c.NS!r}"\n    name = "fs"\n'
    ),
}


def verdict_of(make_project: ProjectFactory, source: str) -> ModuleVerdict:
    root = make_project(
        {
            "app/__init__.py": "",
            "app/consts.py": CONSTS,
            "app/broken.py": "def (:\n",
            "app/mod.py": HEAD + source,
        }
    )
    finder = StaticPluginFinder(SimplePackageFinder(str(root)), fallback=False, search_path=[])
    return {v.module.name: v for v in finder.analyze()}["app.mod"]


@pytest.mark.parametrize("source", [s for s, _ in DECIDED.values()], ids=list(DECIDED))
def test_names_the_source_decides(make_project: ProjectFactory, source: str) -> None:
    """Constants, f-strings, sums, literal unpacking, submodules and star imports are followed."""
    verdict = verdict_of(make_project, source)
    expected = next(e for s, e in DECIDED.values() if s == source)
    assert not verdict.needs_import, verdict.import_reasons
    assert [(p.namespace, p.name) for p in verdict.plugins] == [expected]


@pytest.mark.parametrize("source", list(UNDECIDED.values()), ids=list(UNDECIDED))
def test_names_the_source_cannot_decide_make_the_module_imported(
    make_project: ProjectFactory, source: str
) -> None:
    """A name the source cannot tell hands the module to the import finder, naming the class."""
    verdict = verdict_of(make_project, source)
    assert verdict.import_reasons == [
        f"app/mod.py:{source.count(chr(10), 0, source.index('class P')) + 4}: plugin class P "
        "has a namespace or name that is not a literal"
    ]
