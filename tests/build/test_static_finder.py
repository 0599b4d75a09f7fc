"""The static (AST) finder: what it reads from source, and what it hands to the import finder."""

from __future__ import annotations

from pathlib import Path

import pytest

from plux.build._static import ModuleVerdict, StaticPlugin, StaticPluginFinder
from plux.build.discovery import DiscoveryError, SimplePackageFinder

from .conftest import ProjectFactory


def analyze(root: Path, search_path: list[str] | None = None) -> dict[str, ModuleVerdict]:
    finder = StaticPluginFinder(
        SimplePackageFinder(str(root)), fallback=False, search_path=search_path or []
    )
    return {verdict.module.name: verdict for verdict in finder.analyze()}


def plugins(verdict: ModuleVerdict) -> set[tuple[str, str, str]]:
    return {(p.namespace, p.name, f"{p.module}:{p.attr}") for p in verdict.plugins}


def test_class_plugin_with_literals(make_project: ProjectFactory) -> None:
    """A Plugin subclass with literal namespace and name is read from source."""
    root = make_project(
        {
            "app/__init__.py": "",
            "app/cli.py": """
                from plux import Plugin

                class Hello(Plugin):
                    namespace = "demo.cli"
                    name = "Hello"
            """,
        }
    )
    verdict = analyze(root)["app.cli"]
    assert not verdict.needs_import
    assert verdict.plugins == [StaticPlugin("demo.cli", "Hello", "app.cli", "Hello", 4)]


def test_abstract_plugin_is_not_a_plugin(make_project: ProjectFactory) -> None:
    """A Plugin subclass without a name (or with an empty one) is an abstract base."""
    root = make_project(
        {
            "app/__init__.py": """
                from plux.core.plugin import Plugin

                class Base(Plugin):
                    namespace = "demo"

                class Empty(Base):
                    name = None
            """,
        }
    )
    verdict = analyze(root)["app"]
    assert verdict.plugins == [] and not verdict.needs_import


def test_namespace_inherited_from_base_in_other_module_via_constant(
    make_project: ProjectFactory,
) -> None:
    """The namespace comes from a base class in another module, set from a module constant."""
    root = make_project(
        {
            "app/__init__.py": "",
            "app/names.py": 'NS = "demo." + "services"\n',
            "app/base.py": """
                import plux
                from app import names

                class Service(plux.Plugin):
                    namespace = names.NS
            """,
            "app/impl/__init__.py": "",
            "app/impl/s3.py": """
                from ..base import Service as S

                class S3(S):
                    name = "s3"
            """,
        }
    )
    assert plugins(analyze(root)["app.impl.s3"]) == {("demo.services", "s3", "app.impl.s3:S3")}


def test_spec_and_decorated_function(make_project: ProjectFactory) -> None:
    """``x = PluginSpec(...)`` and ``@plugin(...)`` with literal (or constant) arguments."""
    root = make_project(
        {
            "app/__init__.py": """
                from plugin import PluginSpec, plugin

                NS = "demo.hooks"

                def factory(name):
                    return lambda: None

                s3 = PluginSpec("demo.services", "s3", factory("s3"))
                alias = s3

                @plugin(namespace=NS)
                def on_start():
                    pass

                @plugin(NS, "Renamed")
                def other():
                    pass
            """,
        }
    )
    assert plugins(analyze(root)["app"]) == {
        ("demo.services", "s3", "app:s3"),
        ("demo.hooks", "on_start", "app:on_start"),
        ("demo.hooks", "Renamed", "app:other"),
    }


@pytest.mark.parametrize(
    "source",
    [
        'from plux import PluginSpec\nimport os\nx = PluginSpec("a", os.environ["N"], object)\n',
        'from plux import plugin\ndef f(): pass\nf = plugin(namespace="a")(f)\n',
        "from plux import Plugin\nif True:\n"
        '    class P(Plugin):\n        namespace, name = "a", "b"\n',
        'from plux import Plugin\nimport os\nclass P(Plugin):\n    namespace = "a"\n'
        "    name = os.environ['N']\n",
        'from plux import Plugin\nP = type("P", (Plugin,), {"namespace": "a", "name": "b"})\n',
        'from plux import Plugin\nclass P(Plugin):\n    namespace, name = "a", "b"\n'
        "class P(Plugin):\n    namespace, name = 'a', 'c'\n",
    ],
    ids=[
        "spec-env-name",
        "plugin-call",
        "conditional",
        "attr-env",
        "type",
        "rebound",
    ],
)
def test_undecidable_forms_need_import(make_project: ProjectFactory, source: str) -> None:
    """Forms the source cannot decide are handed to the import finder, never dropped."""
    root = make_project({"app/__init__.py": source})
    verdict = analyze(root)["app"]
    assert verdict.needs_import, verdict
    assert verdict.import_reasons[0].startswith("app/__init__.py:")


def test_plugin_makers_are_recognised(make_project: ProjectFactory) -> None:
    """Functions calling PluginSpec/plugin, partials, aliases and makers of makers are makers."""
    root = make_project(
        {
            "app/__init__.py": "",
            "app/makers.py": """
                import functools as ft
                from plux import PluginSpec, plugin as plux_plugin

                def provider(api):
                    def decorate(cls):
                        return PluginSpec("aws", api, cls)
                    return decorate

                hook = ft.partial(plux_plugin, namespace="hooks")
                alias = hook

                def via_maker(name):
                    return provider(name)

                def unrelated(x):
                    return x
            """,
            "app/a.py": "from .makers import provider\n@provider('sqs')\nclass Sqs: pass\n",
            "app/b.py": "from app.makers import alias\n@alias(name='x')\ndef x(): pass\n",
            "app/c.py": "from app import makers\nspec = makers.via_maker('y')(object)\n",
            "app/d.py": "from app.makers import unrelated\n@unrelated\ndef z(): pass\n",
            "app/e.py": "from app.makers import provider, hook\n",
        }
    )
    verdicts = analyze(root)
    # makers followed through from source: no import
    assert plugins(verdicts["app.a"]) == {("aws", "sqs", "app.a:Sqs")}
    assert plugins(verdicts["app.b"]) == {("hooks", "x", "app.b:x")}
    # a maker's result called again at module level: imported to tell
    assert verdicts["app.c"].needs_import
    # using no maker (or only importing one) never needs an import
    assert not verdicts["app.d"].needs_import
    assert not verdicts["app.e"].needs_import
    assert not verdicts["app.makers"].needs_import


def test_side_effect_module_without_maker_is_decided_from_source(
    make_project: ProjectFactory,
) -> None:
    """A module that does things on import but uses no maker is read, never imported."""
    root = make_project(
        {
            "app/__init__.py": """
                import os
                from plux import Plugin
                os.environ["IMPORTED"] = "yes"
                print("side effect")

                class P(Plugin):
                    namespace = "n"
                    name = "p"
            """,
        }
    )
    assert not analyze(root)["app"].needs_import


def test_main_and_type_checking_blocks_do_not_run_on_import(make_project: ProjectFactory) -> None:
    """Code under ``if __name__ == "__main__"`` or ``if TYPE_CHECKING`` is not an import reason."""
    root = make_project(
        {
            "app/__init__.py": """
                from typing import TYPE_CHECKING
                from plux import PluginSpec
                if TYPE_CHECKING:
                    x = [PluginSpec("a", "b", object)]
                if __name__ == "__main__":
                    y = [PluginSpec("a", "b", object)]
            """,
        }
    )
    assert not analyze(root)["app"].needs_import


def test_maker_and_base_from_installed_module_are_followed(
    make_project: ProjectFactory, tmp_path: Path
) -> None:
    """Names imported from an installed library are followed through its source, not imported."""
    site = tmp_path / "site"
    (site / "lib").mkdir(parents=True)
    (site / "lib" / "__init__.py").write_text(
        "from plux import Plugin, plugin\n"
        "class Base(Plugin):\n    namespace = 'lib.ns'\n"
        "def lib_hook(name):\n    return plugin(namespace='lib.hooks', name=name)\n"
    )
    root = make_project(
        {
            "app/__init__.py": "from lib import Base\nclass Mine(Base):\n    name = 'mine'\n",
            "app/hooks.py": "from lib import lib_hook\n@lib_hook('h')\ndef h(): pass\n",
        }
    )
    verdicts = analyze(root, search_path=[str(site)])
    assert plugins(verdicts["app"]) == {("lib.ns", "mine", "app:Mine")}
    assert plugins(verdicts["app.hooks"]) == {("lib.hooks", "h", "app.hooks:h")}
    assert not verdicts["app.hooks"].needs_import


def test_uninstalled_names_are_noted_not_imported(make_project: ProjectFactory) -> None:
    """A decorator from a library that is not installed is noted and taken to make no plugin."""
    root = make_project(
        {"app/__init__.py": "import notinstalled\n@notinstalled.route('/')\ndef index(): pass\n"}
    )
    verdict = analyze(root)["app"]
    assert not verdict.needs_import
    assert "notinstalled.route" in verdict.notes[0]


def test_class_with_unreadable_base_and_own_name_needs_import(make_project: ProjectFactory) -> None:
    """A class naming itself but deriving from an unreadable base is imported to decide."""
    root = make_project(
        {"app/__init__.py": "from notinstalled import Base\nclass P(Base):\n    name = 'p'\n"}
    )
    assert analyze(root)["app"].needs_import


def test_without_fallback_undecidable_modules_raise(make_project: ProjectFactory) -> None:
    """With ``fallback=False`` a module that needs importing is an error naming file and line."""
    root = make_project(
        {"app/__init__.py": "from plux import PluginSpec\nx = PluginSpec('a', f(), object)\n"}
    )
    finder = StaticPluginFinder(SimplePackageFinder(str(root)), fallback=False, search_path=[])
    with pytest.raises(DiscoveryError, match=r"app/__init__.py:2"):
        finder.find_plugins()


def test_static_specs_carry_location_and_lazy_factory(make_project: ProjectFactory) -> None:
    """Specs found statically record ``module:attr`` and a factory that imports on call."""
    root = make_project(
        {
            "app/__init__.py": "from plux import Plugin\n"
            "class P(Plugin):\n    namespace, name = 'n', 'p'\n"
        }
    )
    finder = StaticPluginFinder(SimplePackageFinder(str(root)), search_path=[])
    (spec,) = finder.find_plugins()
    assert (spec.namespace, spec.name, spec.location) == ("n", "p", "app:P")
    assert "StaticFactory('app:P')" == repr(spec.factory)


def test_decorator_the_source_cannot_tell_sends_its_module_to_import(
    make_project: ProjectFactory,
) -> None:
    """A decorator bound to two things is never taken to make no plugin: import decides."""
    root = make_project(
        {
            "app/__init__.py": """
                from plux import plugin
                try:
                    from fast import hook
                except ImportError:
                    def hook(**kw):
                        return plugin(namespace="hooks", **kw)

                @hook(name="h")
                def h(): pass
            """,
        }
    )
    verdict = analyze(root)["app"]
    assert verdict.needs_import
    assert (
        "app/__init__.py:9: cannot tell from source what this decorator makes"
        in (verdict.import_reasons[0])
    )


def test_plain_functions_and_overloads_need_no_import(make_project: ProjectFactory) -> None:
    """What a function that calls no maker returns (and ``@overload``ed names) decide no plugin."""
    root = make_project(
        {
            "app/__init__.py": """
                from typing import overload

                @overload
                def group(name: str) -> object: ...
                @overload
                def group() -> object: ...
                def group(name=None):
                    return lambda f: f

                @group()
                def cli(): pass

                @cli.command()
                def sub(): pass

                option = group("o")

                @option
                def other(): pass
            """,
        }
    )
    assert not analyze(root)["app"].needs_import


@pytest.mark.parametrize(
    "holder",
    [
        '[PluginSpec("a", "b", object)]',
        '(PluginSpec("a", "b", object),)',
        '{"b": PluginSpec("a", "b", object)}',
    ],
    ids=["list", "tuple", "dict"],
)
def test_spec_kept_in_a_container_is_named_in_a_warning(
    make_project: ProjectFactory, holder: str
) -> None:
    """A PluginSpec in a module-level list, tuple or dict has no attribute of its own for an
    entry point: a warning names its file and line (importing would not find it either)."""
    root = make_project({"app/__init__.py": f"from plux import PluginSpec\n\nspecs = {holder}\n"})
    verdict = analyze(root)["app"]
    assert not verdict.needs_import and verdict.plugins == []
    (warning,) = verdict.warnings
    assert warning.startswith("app/__init__.py:3: a PluginSpec kept in a ")
    assert "bind it to a module-level name, NAME = PluginSpec(...)" in warning


def test_plugin_class_with_a_name_but_no_namespace_is_warned_about(
    make_project: ProjectFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A Plugin subclass with a name and no namespace (none inherited, no subclass setting one)
    gets a warning naming file and line; a base that a plugin completes does not."""
    root = make_project(
        {
            "app/__init__.py": """
                from plux import Plugin

                class Named(Plugin):
                    name = "forgot-namespace"

                class NamedBase(Plugin):
                    name = "base"

                class Completed(NamedBase):
                    namespace = "app.plugins"
            """,
        }
    )
    finder = StaticPluginFinder(SimplePackageFinder(str(root)), fallback=False, search_path=[])
    assert [(s.namespace, s.name) for s in finder.find_plugins()] == [("app.plugins", "base")]
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "plux: app/__init__.py:4: plugin class Named sets a name but no namespace, and no class "
        "derives from it: it is not a plugin; set namespace = ... (or ignore this for a base "
        "meant for others)"
    ]


HOOKS = """
    import functools
    from plux import plugin

    def hook(namespace, priority=0, **kwargs):
        def wrapper(fn):
            fn.hook_priority = priority
            return plugin(namespace=namespace, **kwargs)(fn)
        return wrapper

    def hook_spec(namespace):
        ns = namespace
        made = functools.partial(hook, namespace=ns)
        made.manager = object()
        return made

    on_start = hook_spec("app.hooks.on_start")

    def branching(name):
        if name:
            return plugin(namespace="app.branching", name=name)
        return plugin(namespace="app.branching")
"""


def test_makers_are_followed_through_locals_partials_and_forwarded_kwargs(
    make_project: ProjectFactory,
) -> None:
    """LocalStack's hook makers are read from source: a partial made through locals, a closure
    calling ``plugin(namespace=..., **kwargs)``, a name forwarded in ``kwargs``."""
    root = make_project(
        {
            "app/__init__.py": "",
            "app/hooks.py": HOOKS,
            "app/uses.py": """
                from app import hooks

                @hooks.on_start(priority=10, should_load=False)
                def banner(): pass

                @hooks.on_start(name="Renamed")
                def other(): pass
            """,
            "app/branches.py": "from app.hooks import branching\n@branching('b')\ndef b(): pass\n",
        }
    )
    verdicts = analyze(root)
    assert not verdicts["app.uses"].needs_import and not verdicts["app.hooks"].needs_import
    assert plugins(verdicts["app.uses"]) == {
        ("app.hooks.on_start", "banner", "app.uses:banner"),
        ("app.hooks.on_start", "Renamed", "app.uses:other"),
    }
    # a maker with a branch is not followed: its users are imported
    assert verdicts["app.branches"].needs_import
