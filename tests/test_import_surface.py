"""The import paths users rely on keep working, and importing plux costs next to nothing."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from plux.runtime.manager import FILTERED

TOP_LEVEL = [
    "Plugin",
    "PluginSpec",
    "PluginFactory",
    "PluginType",
    "PluginFinder",
    "PluginSpecResolver",
    "PluginLifecycleListener",
    "CompositePluginLifecycleListener",
    "FunctionPlugin",
    "plugin",
    "PluginException",
    "PluginDisabled",
    "PluginManager",
    "PluginContainer",
    "__version__",
]

MODULE_NAMES = {
    "plux.core.plugin": [
        "Plugin",
        "PluginSpec",
        "plugin",
        "PluginSpecResolver",
        "CompositePluginLifecycleListener",
        "ConflictSide",
    ],
    "plux.core.entrypoint": [
        "EntryPoint",
        "EntryPointDict",
        "spec_to_entry_point",
        "to_entry_point_dict",
        "discover_entry_points",
    ],
    "plux.runtime.manager": ["PluginManager", "PluginContainer"],
    "plux.runtime.filter": ["MatchingPluginFilter", "global_plugin_filter"],
    "plux.runtime.resolve": ["MetadataPluginFinder"],
    "plux.version": ["__version__"],
}


@pytest.mark.parametrize("package", ["plux", "plugin"])
@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_name_is_importable(package: str, name: str) -> None:
    """Each name of the import surface comes from plux and from the legacy plugin package."""
    module = importlib.import_module(package)
    assert getattr(module, name) is getattr(importlib.import_module("plux"), name)


@pytest.mark.parametrize(
    ("module", "name"), [(m, n) for m, names in MODULE_NAMES.items() for n in names]
)
def test_module_name_is_importable(module: str, name: str) -> None:
    """The documented module paths hold their names."""
    assert hasattr(importlib.import_module(module), name)


@pytest.mark.parametrize("package", ["plux", "plugin"])
def test_package_names_itself_as_plux_1_16_did(package: str) -> None:
    """``plux.name`` and ``plugin.name`` are the package names, as in plux 1.16."""
    assert importlib.import_module(package).name == package


def test_version_module_holds_the_version() -> None:
    """``plux.version.__version__`` (where plux 1.16 kept it) is ``plux.__version__``."""
    assert (
        importlib.import_module("plux.version").__version__
        == importlib.import_module("plux").__version__
    )


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("CompositePluginLifecycleListener", "plux.runtime._listeners"),
        ("ConflictSide", "plux.runtime._conflicts"),
    ],
)
def test_vocabulary_defined_elsewhere_is_plux_core_plugin_s(name: str, home: str) -> None:
    """Names of ``plux.core.plugin`` defined beside the code that uses them are the same objects
    there, and present themselves as ``plux.core.plugin``'s (where plux 1.16 defined its
    composite listener)."""
    vocabulary = importlib.import_module("plux.core.plugin")
    value = getattr(vocabulary, name)
    assert value is getattr(importlib.import_module(home), name)
    assert value.__module__ == "plux.core.plugin"
    assert name in dir(vocabulary)
    with pytest.raises(AttributeError, match="'plux.core.plugin' has no attribute 'Nope'"):
        vocabulary.Nope  # noqa: B018


def test_unknown_top_level_name_raises_attribute_error() -> None:
    """A name plux does not have is an AttributeError, as for any module."""
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        importlib.import_module("plux").Nope  # noqa: B018


WARM_PATH_BUDGET = frozenset(
    {"__future__", "_collections", "_operator", "importlib", "os", "stat", "zlib"}
)
"""The standard-library modules (with what they import in turn) that a warm process may import:
``import plux``, listing a namespace from a warm index and loading one plugin. Everything else
(typing, inspect, importlib.metadata, logging, re, ast, email, json, ...) is imported only on
the paths that need it. Of plux, only ``plux.core`` and ``plux.runtime`` may be imported."""

WARM_PATH_PLUX_MODULES = frozenset(
    {
        "plux",
        "plux.core",
        "plux.core._typing",  # Generic and the index's records, without typing
        "plux.core.plugin",
        "plux.runtime",
        "plux.runtime.manager",
        "plux.runtime._lifecycle",  # each plugin's state, container and load lock
        "plux.runtime.cache",
        "plux.runtime._index",  # the index and its check
        "plux.runtime._index_file",
        "plux.runtime._stamps",  # the check's stat pass
    }
)
"""The plux modules a warm process may import to list a namespace whose plugins are installed
normally, load one and load them all: each concept this run uses, in its own module. Importing a
module costs about 0.3 ms whatever its size, so what a run does not use (listeners, filters,
logging, run order, suggestions, metadata readers, other finders, the prebuilt index, building
and completing the index) is imported only by a run that does."""

PROBE = Path(__file__).with_name("warm_path_probe.py")


def test_warm_process_imports_only_the_budget(site_builder, python) -> None:
    """A warm process imports plux, lists a namespace, loads a plugin and then all of them within
    the budgets: of the standard library, and of plux's own modules."""
    site_builder.add_module("budget_plugin.py", PLUGIN_MODULE)
    site_builder.add_distribution(
        "budget_plugin", entry_points={"budget.plugins": {"hello": "budget_plugin:Hello"}}
    )
    site_builder.settle()  # else the next process reads again what the first read while it changed
    command = [sys.executable, "-S", str(PROBE), "budget.plugins", "hello", *WARM_PATH_BUDGET]
    for _ in ("cold", "warm"):
        run = subprocess.run(
            command, capture_output=True, text=True, check=True, env=python.environ()
        )
        probe = ast.literal_eval(run.stdout)
    assert probe["names"] == ["hello"]
    outside = [
        module
        for module in probe["imported"]
        if module not in ("plux", "plux.core", "plux.runtime", "budget_plugin")
        and not module.startswith(("plux.core.", "plux.runtime."))
    ]
    assert outside == []
    assert {m for m in probe["imported"] if m.split(".")[0] == "plux"} <= WARM_PATH_PLUX_MODULES


def test_global_filter_applies_to_a_manager_made_before_the_filter_module(site_builder, python):
    """A warm manager does not import ``plux.runtime.filter``; an exclusion given to the global
    filter once it is imported still disables the manager's plugin, and the manager's filters
    are the global filter, as in plux 1.16."""
    site_builder.add_module("budget_plugin.py", PLUGIN_MODULE)
    site_builder.add_distribution(
        "budget_plugin", entry_points={"budget.plugins": {"hello": "budget_plugin:Hello"}}
    )
    result = python.json(
        """
        import json, sys
        import plux

        manager = plux.PluginManager("budget.plugins")
        listed = manager.list_names()
        imported = "plux.runtime.filter" in sys.modules
        from plux.runtime.filter import global_plugin_filter

        global_plugin_filter.add_exclusion(name="hello")
        try:
            manager.load("hello")
            outcome = "loaded"
        except plux.PluginDisabled as e:
            outcome = e.reason
        print(json.dumps([listed, imported, outcome, manager.filters == [global_plugin_filter]]))
        """
    )
    assert result == [["hello"], False, FILTERED, True]


PLUGIN_MODULE = """\
from plux import Plugin


class Hello(Plugin):
    namespace = "budget.plugins"
    name = "hello"
"""


def _import_graph() -> dict[str, set[str]]:
    """Which plux modules each plux module imports when run (imports under TYPE_CHECKING are
    never run and left out; imports inside functions are counted)."""
    root = Path(importlib.import_module("plux").__path__[0])
    files = {
        ".".join(f.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__"): f
        for f in root.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for module, file in files.items():
        package = module if file.name == "__init__.py" else module.rpartition(".")[0]
        imported: set[str] = set()
        for node in _run_time_nodes(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.level else [node.module or ""])
                source = source.strip(".")
                imported.add(source)
                imported.update(f"{source}.{alias.name}" for alias in node.names)
        graph[module] = {m for m in imported if m in files and m != module}
    return graph


def _run_time_nodes(node: ast.AST) -> list[ast.AST]:
    """The nodes below ``node``, except those of ``if TYPE_CHECKING:`` blocks."""
    nodes: list[ast.AST] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and ast.unparse(child.test).endswith("TYPE_CHECKING"):
            for statement in child.orelse:
                nodes += [statement, *_run_time_nodes(statement)]
            continue
        nodes += [child, *_run_time_nodes(child)]
    return nodes


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """A cycle of ``graph`` (modules in import order), or [] when there is none."""
    done: set[str] = set()
    trail: list[str] = []

    def visit(module: str) -> list[str]:
        if module in trail:
            return [*trail[trail.index(module) :], module]
        if module in done:
            return []
        trail.append(module)
        for imported in sorted(graph[module]):
            found = visit(imported)
            if found:
                return found
        trail.pop()
        done.add(module)
        return []

    for module in sorted(graph):
        found = visit(module)
        if found:
            return found
    return []


def test_plux_modules_import_each_other_without_cycles() -> None:
    """No plux module imports, directly or through others, a module that imports it back."""
    graph = _import_graph()
    assert "plux.runtime._index" in graph["plux.runtime.cache"]  # the graph sees imports
    assert _cycle(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    """The cycle check is not vacuous: a graph with a cycle yields that cycle."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


# The public module-level names of plux 1.16.0 (read from its sdist), by module.
PLUX_1_16_NAMES = {
    "plugin": "FunctionPlugin Plugin PluginDisabled PluginException PluginFinder "
    "PluginLifecycleListener PluginManager PluginSpec PluginSpecResolver PluginType name plugin",
    "plugin.core": "FunctionPlugin Plugin PluginDisabled PluginException PluginFactory "
    "PluginFinder PluginLifecycleListener PluginSpec PluginSpecResolver PluginType plugin",
    "plugin.discovery": "ModuleScanningPluginFinder PackagePathPluginFinder",
    "plugin.entrypoint": "EntryPoint EntryPointDict find_plugins spec_to_entry_point "
    "to_entry_point_dict",
    "plugin.metadata": "Distribution metadata_packages_distributions packages_distributions "
    "resolve_distribution_information",
    "plugin.setuptools": "entry_points_from_egg_info get_plux_json_path load_plux_entrypoints "
    "plugins update_entrypoints",
    "plux": "CompositePluginLifecycleListener FunctionPlugin Plugin PluginContainer PluginDisabled "
    "PluginException PluginFactory PluginFinder PluginLifecycleListener PluginManager PluginSpec "
    "PluginSpecResolver PluginType __version__ name plugin",
    "plux.__main__": "main",
    "plux.build.config": "BuildBackend EntrypointBuildMode PluxConfiguration "
    "determine_build_backend_from_config determine_build_backend_from_pyproject_config "
    "load_pyproject_toml parse_pyproject_toml read_plux_config_from_workdir",
    "plux.build.discovery": "Filter MatchAllFilter ModuleScanningPluginFinder PackageFinder "
    "PluginFromPackageFinder SimplePackageFinder",
    "plux.build.hatchling": "HatchlingPackageFinder HatchlingProject PluxMetadataHook "
    "hatch_register_metadata_hook",
    "plux.build.index": "PluginIndexBuilder",
    "plux.build.project": "Project",
    "plux.build.setuptools": "DistributionPackageFinder PackagePathPluginFinder "
    "SetuptoolsPackageFinder SetuptoolsProject create_plugin_index_builder "
    "entry_points_from_egg_info find_egg_info_dir find_plugins get_distribution_from_workdir "
    "get_plux_json_path load_entry_points load_plux_entrypoints patch_editable_wheel_command "
    "patch_egg_info_command plugins read_plux_configuration update_entrypoints",
    "plux.cli.cli": "discover entrypoints main resolve show",
    "plux.core.entrypoint": "EntryPoint EntryPointDict discover_entry_points spec_to_entry_point "
    "to_entry_point_dict",
    "plux.core.plugin": "CompositePluginLifecycleListener FunctionPlugin Plugin PluginDisabled "
    "PluginException PluginFactory PluginFinder PluginLifecycleListener PluginSpec "
    "PluginSpecResolver PluginType plugin",
    "plux.runtime.cache": "EntryPointsCache get_user_cache_dir",
    "plux.runtime.filter": "MatchingPluginFilter PluginFilter PluginSpecMatcher "
    "global_plugin_filter",
    "plux.runtime.manager": "PluginContainer PluginLifecycleNotifierMixin PluginManager",
    "plux.runtime.metadata": "Distribution EntryPointsResolver MetadataEntryPointsResolver "
    "build_entry_point_index entry_points_from_metadata_path metadata_packages_distributions "
    "packages_distributions parse_entry_points_text resolve_distribution_information "
    "resolve_entry_points serialize_entry_points_text",
    "plux.runtime.resolve": "MetadataPluginFinder",
    "plux.version": "__version__ commit_id version version_tuple",
}

# Names of plux 1.16 that are gone, each listed in docs/migrating.md with its reason.
GONE_SINCE_1_16 = {
    "plugin.setuptools": {
        "entry_points_from_egg_info", "get_plux_json_path", "load_plux_entrypoints",
        "update_entrypoints",
    },
    "plux.build.discovery": {"Filter", "MatchAllFilter"},
    "plux.build.hatchling": {"HatchlingProject"},
    "plux.build.setuptools": {
        "DistributionPackageFinder", "SetuptoolsPackageFinder", "SetuptoolsProject",
        "create_plugin_index_builder", "entry_points_from_egg_info", "find_egg_info_dir",
        "get_distribution_from_workdir", "get_plux_json_path", "load_plux_entrypoints",
        "patch_editable_wheel_command", "patch_egg_info_command", "read_plux_configuration",
        "update_entrypoints",
    },
    "plux.cli.cli": {"discover", "entrypoints", "resolve", "show"},
    "plux.runtime.cache": {"get_user_cache_dir"},
    "plux.runtime.manager": {"PluginLifecycleNotifierMixin"},
    "plux.runtime.metadata": {"entry_points_from_metadata_path", "resolve_entry_points"},
}  # fmt: skip


@pytest.mark.parametrize("module", sorted(PLUX_1_16_NAMES))
def test_plux_1_16_names_are_kept_unless_listed_as_gone(module: str) -> None:
    """Every public name of plux 1.16 imports from the same module, except the listed ones."""
    imported = importlib.import_module(module)
    gone = GONE_SINCE_1_16.get(module, set())
    missing = {n for n in PLUX_1_16_NAMES[module].split() if not hasattr(imported, n)}
    assert missing == gone


@pytest.mark.parametrize("command", [["--help"], ["list"], ["resolve", "budget.plugins"]])
def test_cli_commands_on_the_environment_import_no_build_side(site_builder, python, command):
    """Commands that read the installed environment start as the run time does: they import
    neither the build side (``plux.build``, which ``entrypoints``, ``discover``, ``show`` and
    ``doctor`` import when they run) nor ``importlib.metadata``."""
    site_builder.add_module("budget_plugin.py", PLUGIN_MODULE)
    site_builder.add_distribution(
        "budget_plugin", entry_points={"budget.plugins": {"hello": "budget_plugin:Hello"}}
    )
    imported = python.json(
        f"""
        import contextlib, io, json, sys
        from plux.__main__ import main

        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
            main({command!r})
        heavy = ("plux.build", "importlib.metadata")
        print(json.dumps(sorted(m for m in sys.modules if m.startswith(heavy))))
        """
    )
    assert imported == []
