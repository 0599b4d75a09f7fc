"""The ``plux`` metadata hook run by hatchling in-process: layouts, both modes, clear failures."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("hatchling.metadata.core")

from hatchling.metadata.core import ProjectMetadata  # noqa: E402
from hatchling.plugin.manager import PluginManager  # noqa: E402

from plux.build import hatchling as hook  # noqa: E402
from plux.build.project import Project  # noqa: E402

PLUGINS = """
    import dependency_that_is_not_installed  # discovery must not import this module
    from plux import Plugin, PluginSpec, plugin

    class Hello(Plugin):
        namespace = "hk.cli"
        name = "Hello"

    @plugin(namespace="hk.cli")
    def greet():
        pass

    spec = PluginSpec("hk.other", "spec", Hello)
"""

EXPECTED = {
    "hk.cli": {"Hello": "{pkg}.plugins:Hello", "greet": "{pkg}.plugins:greet"},
    "hk.other": {"spec": "{pkg}.plugins:spec"},
}


def expected(package: str) -> dict[str, dict[str, str]]:
    return {g: {n: v.format(pkg=package) for n, v in e.items()} for g, e in EXPECTED.items()}


def pyproject(name: str = "hk-demo", extra: str = "", dynamic: str = '["entry-points"]') -> str:
    return textwrap.dedent(
        f"""
        [build-system]
        requires = ["hatchling", "plux"]
        build-backend = "hatchling.build"

        [project]
        name = "{name}"
        version = "0.1"
        dynamic = {dynamic}

        [tool.hatch.metadata.hooks.plux]
        """
    ) + textwrap.dedent(extra)


def make(root: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(textwrap.dedent(text))
    return root


def entry_points(root: Path) -> dict[str, Any]:
    """What hatchling makes of the project's entry points, with the plux hook registered."""
    plugins = PluginManager()
    plugins.initialize()
    plugins.initialized = True
    plugins.manager.register(hook)
    result: dict[str, Any] = ProjectMetadata(str(root), plugins).core.entry_points
    return result


@pytest.mark.parametrize(
    ("files", "package"),
    [
        ({"hk_demo/__init__.py": "", "hk_demo/plugins.py": PLUGINS}, "hk_demo"),
        ({"src/hk_demo/__init__.py": "", "src/hk_demo/plugins.py": PLUGINS}, "hk_demo"),
        ({"ns/hk_demo/__init__.py": "", "ns/hk_demo/plugins.py": PLUGINS}, "ns.hk_demo"),
    ],
    ids=["flat", "src", "namespace-package"],
)
def test_build_hook_mode_discovers_hatchlings_default_packages(
    tmp_path: Path, files: dict[str, str], package: str
) -> None:
    """The packages hatchling ships by default are read from source, importing nothing."""
    root = make(tmp_path, {"pyproject.toml": pyproject(), **files})
    assert entry_points(root) == expected(package)


def test_build_hook_mode_follows_configured_wheel_packages_and_plux_excludes(
    tmp_path: Path,
) -> None:
    """``[tool.hatch.build.targets.wheel] packages`` picks the packages; plux's exclude applies."""
    extra = """
        [tool.hatch.build.targets.wheel]
        packages = ["lib/shipped"]

        [tool.plux]
        exclude = ["shipped.internal*"]
    """
    root = make(
        tmp_path,
        {
            "pyproject.toml": pyproject(extra=extra),
            "lib/shipped/__init__.py": "",
            "lib/shipped/plugins.py": PLUGINS,
            "lib/shipped/internal/__init__.py": "",
            "lib/shipped/internal/more.py": PLUGINS.replace('"hk.', '"hk.internal.'),
            "lib/notshipped/__init__.py": "",
            "lib/notshipped/plugins.py": PLUGINS.replace('"hk.', '"hk.not.'),
        },
    )
    assert entry_points(root) == expected("shipped")


def test_plux_path_wins_over_hatchling_layout(tmp_path: Path) -> None:
    """An explicit ``[tool.plux] path`` scans every package below it."""
    root = make(
        tmp_path,
        {
            "pyproject.toml": pyproject(extra='[tool.plux]\npath = "code"\n'),
            "code/other/__init__.py": "",
            "code/other/plugins.py": PLUGINS,
        },
    )
    assert entry_points(root) == expected("other")


def test_path_exclude_patterns_are_relative_to_the_project(tmp_path: Path) -> None:
    """``exclude = ["src/hk_demo/internal"]`` with ``path = "src"`` leaves that package out."""
    extra = '[tool.plux]\npath = "src"\nexclude = ["src/hk_demo/internal"]\n'
    root = make(
        tmp_path,
        {
            "pyproject.toml": pyproject(extra=extra),
            "src/hk_demo/__init__.py": "",
            "src/hk_demo/plugins.py": PLUGINS,
            "src/hk_demo/internal/__init__.py": "",
            "src/hk_demo/internal/more.py": PLUGINS.replace('"hk.', '"hk.internal.'),
        },
    )
    assert entry_points(root) == expected("hk_demo")


def test_packages_in_several_directories_need_a_plux_path(tmp_path: Path) -> None:
    """Two source directories: the error says to set [tool.plux] path."""
    extra = '[tool.hatch.build]\npackages = ["a/one", "b/two"]\n'
    root = make(tmp_path, {"pyproject.toml": pyproject(extra=extra)})
    with pytest.raises(hook.PluxHookError, match=r"set \[tool.plux\] path"):
        entry_points(root)


def test_manual_mode_reads_the_static_file_as_written(tmp_path: Path) -> None:
    """Manual mode takes plux.ini as it is (names kept exactly), not the code."""
    root = make(
        tmp_path,
        {
            "pyproject.toml": pyproject(extra='[tool.plux]\nentrypoint_build_mode = "manual"\n'),
            "plux.ini": "[hk.cli]\nAWS::SQS::Queue = hk_demo.res:Queue\n",
            "hk_demo/__init__.py": "",
            "hk_demo/plugins.py": PLUGINS,
        },
    )
    assert entry_points(root) == {"hk.cli": {"AWS::SQS::Queue": "hk_demo.res:Queue"}}


def test_manual_mode_honours_entrypoint_static_file(tmp_path: Path) -> None:
    """``entrypoint_static_file`` names another file (JSON by its suffix)."""
    extra = """
        [tool.plux]
        entrypoint_build_mode = "manual"
        entrypoint_static_file = "meta/plugins.json"
    """
    root = make(
        tmp_path,
        {
            "pyproject.toml": pyproject(extra=extra),
            "meta/plugins.json": '{"hk.cli": ["hello = hk_demo.x:Hello"]}',
            "hk_demo/__init__.py": "",
        },
    )
    assert entry_points(root) == {"hk.cli": {"hello": "hk_demo.x:Hello"}}


def test_manual_mode_without_the_file_fails_saying_what_to_run(tmp_path: Path) -> None:
    """A missing plux.ini fails the build rather than ship a release without entry points."""
    root = make(
        tmp_path,
        {
            "pyproject.toml": pyproject(extra='[tool.plux]\nentrypoint_build_mode = "manual"\n'),
            "hk_demo/__init__.py": "",
        },
    )
    with pytest.raises(hook.PluxHookError, match="run 'python -m plux entrypoints'"):
        entry_points(root)


def test_entry_points_must_be_listed_as_dynamic(tmp_path: Path) -> None:
    """The hook refuses to run unless ``entry-points`` is in ``[project] dynamic``."""
    root = make(
        tmp_path,
        {"pyproject.toml": pyproject(dynamic='["readme"]'), "hk_demo/__init__.py": ""},
    )
    with pytest.raises(hook.PluxHookError, match=r'add "entry-points" to \[project\] dynamic'):
        entry_points(root)


def test_a_project_without_a_dynamic_key_fails_naming_it(tmp_path: Path) -> None:
    """Without ``[project] dynamic`` hatchling would never call the hook: it fails as hatchling
    loads it, saying which key to add, instead of building without entry points."""
    text = pyproject().replace('dynamic = ["entry-points"]\n', "")
    root = make(tmp_path, {"pyproject.toml": text, "hk_demo/__init__.py": ""})
    with pytest.raises(hook.PluxHookError) as info:
        entry_points(root)
    assert str(info.value) == (
        'plux: add "entry-points" to [project] dynamic in pyproject.toml so that the plux '
        "metadata hook may fill it"
    )


def test_a_plux_path_that_names_no_folder_fails_naming_it(tmp_path: Path) -> None:
    """``[tool.plux] path = "srcc"`` fails naming the key and the missing folder."""
    extra = '[tool.plux]\npath = "srcc"\n'
    root = make(tmp_path, {"pyproject.toml": pyproject(extra=extra), "src/hk_demo/__init__.py": ""})
    with pytest.raises(
        hook.PluxHookError, match=r"\[tool.plux\] path = 'srcc': there is no folder"
    ):
        entry_points(root)


def test_a_project_without_plugins_gets_empty_entry_points(tmp_path: Path) -> None:
    """No plugins is not an error; the dynamic field is still filled."""
    root = make(tmp_path, {"pyproject.toml": pyproject(), "hk_demo/__init__.py": ""})
    assert entry_points(root) == {}


def test_hook_options_are_refused(tmp_path: Path) -> None:
    """Settings belong in [tool.plux]; a typo in the hook table is not silently ignored."""
    root = make(tmp_path, {"pyproject.toml": pyproject(extra=""), "hk_demo/__init__.py": ""})
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        text.replace("[tool.hatch.metadata.hooks.plux]", "[tool.hatch.metadata.hooks.plux]\nx=1")
    )
    with pytest.raises(hook.PluxHookError, match="takes no options"):
        entry_points(root)


def test_duplicate_names_fail_naming_both_places(tmp_path: Path) -> None:
    """Two plugins of one name in one namespace fail the build, naming both files."""
    twin = (
        'from plux import Plugin\n\nclass Twin(Plugin):\n    namespace = "hk.cli"\n    name = "x"\n'
    )
    root = make(
        tmp_path,
        {
            "pyproject.toml": pyproject(),
            "hk_demo/__init__.py": "",
            "hk_demo/one.py": twin,
            "hk_demo/two.py": twin,
        },
    )
    with pytest.raises(hook.PluxHookError, match=r"one\.py.*two\.py"):
        entry_points(root)


def test_package_finder_is_computed_without_hatchlings_builder(tmp_path: Path) -> None:
    """The finder comes from pyproject.toml alone (asking hatchling would re-run the hook)."""
    root = make(tmp_path, {"pyproject.toml": pyproject(), "src/hk_demo/__init__.py": ""})
    finder = Project(root, backend="hatchling").package_finder()
    assert (Path(finder.path), list(finder.find_packages())) == (root / "src", ["hk_demo"])


def test_sources_that_rename_packages_are_refused(tmp_path: Path) -> None:
    """Entry points must name installed modules: a hatchling rename fails loudly."""
    extra = '[tool.hatch.build.targets.wheel.sources]\n"lib" = "renamed"\n'
    root = make(tmp_path, {"pyproject.toml": pyproject(extra=extra), "lib/x/__init__.py": ""})
    with pytest.raises(hook.PluxHookError, match="rename"):
        entry_points(root)


def test_sources_that_strip_a_prefix_are_followed(tmp_path: Path) -> None:
    """``sources = ["lib"]`` with ``packages = ["lib/shipped"]`` installs ``shipped``."""
    extra = '[tool.hatch.build.targets.wheel]\nsources = ["lib"]\npackages = ["lib/shipped"]\n'
    root = make(
        tmp_path,
        {
            "pyproject.toml": pyproject(extra=extra),
            "lib/shipped/__init__.py": "",
            "lib/shipped/plugins.py": PLUGINS,
        },
    )
    assert entry_points(root) == expected("shipped")


def test_manual_mode_plux_ini_holds_what_the_build_hook_scans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``plux entrypoints`` in manual mode scans the wheel's packages only, as the hook does:
    a package hatchling leaves out of the wheel gives no entry point in ``plux.ini``."""
    from plux.__main__ import main

    wheel = '[tool.hatch.build.targets.wheel]\npackages = ["src/foo"]\n'
    plugin = "from plux import Plugin\nclass {0}(Plugin):\n    namespace, name = 'ns', '{1}'\n"
    root = make(
        tmp_path,
        {
            "pyproject.toml": pyproject(extra=wheel),
            "src/foo/__init__.py": plugin.format("A", "a"),
            "src/bar/__init__.py": plugin.format("B", "b"),
        },
    )
    assert hook.discover_entry_points(root, "hk-demo") == {"ns": {"a": "foo:A"}}
    with (root / "pyproject.toml").open("a") as fh:
        fh.write('[tool.plux]\nentrypoint_build_mode = "manual"\n')
    monkeypatch.chdir(root)
    assert main(["entrypoints"]) == 0
    assert (root / "plux.ini").read_text() == "[ns]\na = foo:A\n"
    assert entry_points(root) == {"ns": {"a": "foo:A"}}
