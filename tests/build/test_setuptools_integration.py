"""Real setuptools builds of plugin projects, each installed into its own fresh virtual environment.

Every test writes a project to a temporary directory, builds and installs it with pip or
``python -m build``, then reads the installed distribution's entry points with
``importlib.metadata`` and loads its plugins with a ``PluginManager``, both inside the venv.
The plux wheel is built once per session; setuptools and build come from a session wheelhouse,
so every install after the first is offline.
"""

from __future__ import annotations

import sys
import tarfile
import textwrap
from pathlib import Path

import pytest
from integration_support import PLUX_REQUIREMENT, Venv, fresh_venv, run, write

pytestmark = pytest.mark.integration


@pytest.fixture
def own_venv(tmp_path: Path, wheelhouse: Path) -> Venv:
    """A fresh venv with setuptools and the plux wheel (no project dependencies)."""
    return fresh_venv(tmp_path / "venv", wheelhouse, "setuptools>=77", PLUX_REQUIREMENT)


PYPROJECT = """
    [build-system]
    requires = ["setuptools>=77", "{plux}"]
    build-backend = "setuptools.build_meta"

    [project]
    name = "{name}"
    version = "1.0"
    dependencies = {dependencies}
    {extra}
"""


def pyproject(name: str, dependencies: str = "[]", extra: str = "") -> str:
    return PYPROJECT.format(
        plux=PLUX_REQUIREMENT, name=name, dependencies=dependencies, extra=extra
    )


# A project with every plugin form: classes (namespace from a base in another module), specs
# from a factory, @plugin functions, and a project maker (which makes discovery import a module).
SHOWCASE = {
    "src/show/__init__.py": "",
    "src/show/base.py": """
        from plux import Plugin

        NAMESPACE = "show.cli"

        class CliPlugin(Plugin):
            namespace = NAMESPACE

            def load(self, *args, **kwargs):
                return self.name
    """,
    "src/show/cli.py": """
        from .base import CliPlugin

        class Hello(CliPlugin):
            name = "Hello"
    """,
    "src/show/services.py": """
        from plux import Plugin, PluginSpec

        class ServicePlugin(Plugin):
            def __init__(self, name):
                self.name = name

        def service_plugin_factory(name):
            def create():
                return ServicePlugin(name)
            return create

        s3 = PluginSpec("show.services", "s3", service_plugin_factory("s3"))
    """,
    "src/show/hooks.py": """
        import functools
        from plux import plugin

        hook = functools.partial(plugin, namespace="show.hooks")

        @hook(name="on_start")
        def start():
            return "started"

        @plugin(namespace="show.hooks")
        def on_stop():
            return "stopped"
    """,
}
SHOWCASE_ENTRY_POINTS = {
    "show.cli": {"Hello": "show.cli:Hello"},
    "show.services": {"s3": "show.services:s3"},
    "show.hooks": {"on_start": "show.hooks:start", "on_stop": "show.hooks:on_stop"},
    "show.declared": {"static": "show.cli:Hello"},
}
SHOWCASE_LOADED = {
    "show.cli": ["Hello"],
    "show.services": ["s3"],
    "show.hooks": ["on_start", "on_stop"],
}
DECLARED = '[project.entry-points."show.declared"]\nstatic = "show.cli:Hello"'


def test_pip_install(tmp_path: Path, own_venv: Venv) -> None:
    """``pip install .`` discovers every plugin form during the build; declared ones are kept."""
    project = write(
        tmp_path / "show", {**SHOWCASE, "pyproject.toml": pyproject("show", extra=DECLARED)}
    )
    own_venv.pip("install", "-q", "--no-build-isolation", str(project))
    installed = own_venv.installed("show", list(SHOWCASE_LOADED))
    assert installed.entry_points == SHOWCASE_ENTRY_POINTS
    assert installed.loaded == SHOWCASE_LOADED


def test_pip_install_editable_and_rediscover(tmp_path: Path, own_venv: Venv) -> None:
    """After ``pip install -e .``, adding a plugin and re-running discovery updates what the
    installed program sees, without reinstalling."""
    project = write(
        tmp_path / "show", {**SHOWCASE, "pyproject.toml": pyproject("show", extra=DECLARED)}
    )
    own_venv.pip("install", "-q", "--no-build-isolation", "-e", str(project))
    assert own_venv.installed("show", ["show.cli"]).loaded == {"show.cli": ["Hello"]}

    write(
        project,
        {
            "src/show/more.py": "from .base import CliPlugin\n"
            "class Added(CliPlugin):\n    name = 'added'\n"
        },
    )
    own_venv.run("-m", "plux", "entrypoints", cwd=project)
    installed = own_venv.installed("show", ["show.cli"])
    assert installed.entry_points["show.cli"] == {
        "Hello": "show.cli:Hello",
        "added": "show.more:Added",
    }
    assert installed.entry_points["show.declared"] == {"static": "show.cli:Hello"}
    assert installed.loaded == {"show.cli": ["Hello", "added"]}

    # the setuptools command does the same (here: removing the plugin again)
    (project / "src/show/more.py").unlink()
    own_venv.run("-c", "from setuptools import setup; setup()", "plugins", cwd=project)
    assert own_venv.installed("show", ["show.cli"]).loaded == {"show.cli": ["Hello"]}


ISOLATED = {
    "pyproject.toml": pyproject("isolated", dependencies='["runtime-dep"]'),
    "isolated/__init__.py": "",
    "isolated/plugins.py": """
        import runtime_dep  # installed at run time only, not in the build environment

        from plux import Plugin, PluginSpec, plugin

        class Greeter(Plugin):
            namespace = "isolated.cli"
            name = "Greeter"

        class Instance(Plugin):
            def __init__(self):
                self.name = "from-spec"

        def factory():
            return Instance()

        spec = PluginSpec("isolated.cli", "from-spec", factory)

        @plugin(namespace="isolated.hooks")
        def ready():
            return runtime_dep.VALUE
    """,
}
RUNTIME_DEP = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=77"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "runtime-dep"
        version = "1.0"
    """,
    "runtime_dep.py": "VALUE = 42\n",
}


def test_build_isolation_without_project_dependencies(tmp_path: Path, own_venv: Venv) -> None:
    """``python -m build`` in fresh PEP 517 environments (setuptools and plux, not the project's
    dependencies) gives correct entry points: sdist, then a wheel from the sdist."""
    project = write(tmp_path / "isolated", ISOLATED)
    dist = tmp_path / "dist"
    env = own_venv.env(PIP_FIND_LINKS=str(own_venv.wheelhouse))
    run([sys.executable, "-m", "build", "-o", str(dist), str(project)], env=env)
    (wheel,) = dist.glob("*.whl")
    dep = write(tmp_path / "dep", RUNTIME_DEP)
    own_venv.pip("install", "-q", "--no-build-isolation", str(dep))
    own_venv.pip("install", "-q", "--no-deps", str(wheel))
    installed = own_venv.installed("isolated", ["isolated.cli", "isolated.hooks"])
    assert installed.entry_points == {
        "isolated.cli": {
            "Greeter": "isolated.plugins:Greeter",
            "from-spec": "isolated.plugins:spec",
        },
        "isolated.hooks": {"ready": "isolated.plugins:ready"},
    }
    assert installed.loaded == {
        "isolated.cli": ["Greeter", "from-spec"],
        "isolated.hooks": ["ready"],
    }


def test_wheel_from_sdist_uses_the_index_it_carries(tmp_path: Path, own_venv: Venv) -> None:
    """A wheel built (isolated) from the sdist has the plugins of modules that only import
    could read, though those modules cannot be imported where the wheel is built."""
    files = dict(ISOLATED)
    files["isolated/made.py"] = """
        import runtime_dep
        from plux import plugin

        def make(name):
            return plugin(namespace="isolated.made", name=name)

        @make("by-maker")
        def made():
            return runtime_dep.VALUE
    """
    project = write(tmp_path / "isolated", files)
    dep = write(tmp_path / "dep", RUNTIME_DEP)
    own_venv.pip("install", "-q", "--no-build-isolation", str(dep))
    own_venv.pip("install", "-q", "build")
    dist = tmp_path / "dist"
    own_venv.run("-m", "build", "--sdist", "--no-isolation", "-o", str(dist), str(project))
    (sdist,) = dist.glob("*.tar.gz")
    env = own_venv.env(PIP_FIND_LINKS=str(own_venv.wheelhouse))
    run([sys.executable, "-m", "build", "--wheel", "-o", str(dist), str(sdist)], env=env)
    (wheel,) = dist.glob("*.whl")
    own_venv.pip("install", "-q", "--no-deps", str(wheel))
    installed = own_venv.installed("isolated", ["isolated.made"])
    assert installed.entry_points["isolated.made"] == {"by-maker": "isolated.made:made"}
    assert installed.loaded == {"isolated.made": ["by-maker"]}


def test_setup_py_with_load_entry_points(tmp_path: Path, own_venv: Venv) -> None:
    """A ``setup.py`` using the legacy ``plugin.setuptools.load_entry_points`` (as in the seed)."""
    project = write(
        tmp_path / "legacy",
        {
            "setup.py": """
                from setuptools import setup
                from plugin.setuptools import load_entry_points

                setup(
                    name="legacy",
                    version="1.0",
                    packages=["legacy", "legacy.sub"],
                    entry_points=load_entry_points(
                        exclude=("tests", "tests.*"),
                        merge={"console_scripts": ["legacy-cli = legacy:main"]},
                    ),
                )
            """,
            "legacy/__init__.py": "def main():\n    pass\n",
            "legacy/sub/__init__.py": """
                from plugin import Plugin

                class Sub(Plugin):
                    namespace = "legacy.plugins"
                    name = "sub"
            """,
            "tests/__init__.py": "",
            "tests/test_x.py": """
                from plugin import Plugin

                class NotShipped(Plugin):
                    namespace = "legacy.plugins"
                    name = "test-only"
            """,
        },
    )
    own_venv.pip("install", "-q", "--no-build-isolation", str(project))
    installed = own_venv.installed("legacy", ["legacy.plugins"])
    assert installed.entry_points == {
        "legacy.plugins": {"sub": "legacy.sub:Sub"},
        "console_scripts": {"legacy-cli": "legacy:main"},
    }
    assert installed.loaded == {"legacy.plugins": ["sub"]}


# The seed's setup.py recipe: plugins found below the project folder, tests left out.
TWICE = {
    "setup.py": """
        from setuptools import find_packages, setup
        from plugin.setuptools import load_entry_points

        setup(
            name="twice",
            version="1.0",
            packages=find_packages(exclude=("tests", "tests.*")),
            entry_points=load_entry_points(exclude=("tests", "tests.*")),
        )
    """,
    "toyplugins/__init__.py": """
        from plugin import Plugin

        class Alpha(Plugin):
            namespace = "twice.plugins"
            name = "alpha"
    """,
}


def test_setup_py_recipe_built_twice_in_one_tree(tmp_path: Path, venv: Venv) -> None:
    """The copy a first build leaves in ``build/lib`` is no plugin of the project: an sdist
    built after ``pip install .`` in the same tree has the same single plugin."""
    project = write(tmp_path / "twice", TWICE)
    venv.pip("install", "--no-build-isolation", str(project))
    assert (project / "build" / "lib" / "toyplugins" / "__init__.py").is_file()

    venv.run("-m", "build", "--sdist", "--no-isolation", str(project), cwd=project)

    assert venv.entry_points("twice") == {"twice.plugins": {"alpha": "toyplugins:Alpha"}}
    (sdist,) = (project / "dist").glob("twice-1.0.tar.gz")
    with tarfile.open(sdist) as archive:
        shipped = archive.extractfile("twice-1.0/twice.egg-info/entry_points.txt")
        assert shipped is not None
        assert shipped.read().decode().split() == [
            "[twice.plugins]",
            "alpha",
            "=",
            "toyplugins:Alpha",
        ]


def test_project_not_using_plux_is_untouched(tmp_path: Path, own_venv: Venv) -> None:
    """A project without plux in build-system.requires, [tool.plux] or plux.json keeps exactly
    its declared entry points, though plux is installed and its code has plugin classes."""
    project = write(
        tmp_path / "plain",
        {
            "pyproject.toml": """
                [build-system]
                requires = ["setuptools>=77"]
                build-backend = "setuptools.build_meta"

                [project]
                name = "plain"
                version = "1.0"

                [project.entry-points."plain.group"]
                only = "plain:Only"
            """,
            "plain/__init__.py": """
                from plux import Plugin

                class Only(Plugin):
                    namespace = "plain.group"
                    name = "only"

                class Undeclared(Plugin):
                    namespace = "plain.group"
                    name = "undeclared"
            """,
        },
    )
    own_venv.pip("install", "-q", "--no-build-isolation", str(project))
    installed = own_venv.installed("plain", ["plain.group"])
    assert installed.entry_points == {"plain.group": {"only": "plain:Only"}}
    site = Path(
        own_venv.run(
            "-c", "import plain, os; print(os.path.dirname(plain.__file__))"
        ).stdout.strip()
    )
    assert not list(site.parent.glob("plain-1.0.dist-info/plux.json"))


def test_manual_mode_static_file(tmp_path: Path, own_venv: Venv) -> None:
    """Manual mode: ``plux entrypoints`` writes plux.ini, which setuptools reads as dynamic
    entry points; the build hook stays out of it."""
    extra = """
        dynamic = ["entry-points"]

        [tool.setuptools.dynamic]
        entry-points = {file = ["plux.ini"]}

        [tool.plux]
        entrypoint_build_mode = "manual"
    """
    project = write(
        tmp_path / "manual",
        {
            "pyproject.toml": pyproject("manual", extra=textwrap.dedent(extra)),
            "manual/__init__.py": """
                from plux import Plugin

                class Upper(Plugin):
                    namespace = "manual.plugins"
                    name = "AWS::SQS::Queue"
            """,
        },
    )
    own_venv.run("-m", "plux", "entrypoints", cwd=project)
    assert (
        project / "plux.ini"
    ).read_text() == "[manual.plugins]\nAWS::SQS::Queue = manual:Upper\n"
    assert own_venv.run("-m", "plux", "entrypoints", "--check", cwd=project).returncode == 0
    own_venv.pip("install", "-q", "--no-build-isolation", str(project))
    installed = own_venv.installed("manual", ["manual.plugins"])
    assert installed.entry_points == {"manual.plugins": {"AWS::SQS::Queue": "manual:Upper"}}
    assert installed.loaded == {"manual.plugins": ["AWS::SQS::Queue"]}
    write(project, {"manual/more.py": "from . import Upper\nclass B(Upper):\n    name = 'b'\n"})
    check = own_venv.run("-m", "plux", "entrypoints", "--check", cwd=project, check=False)
    assert check.returncode == 1 and "b = manual.more:B" in check.stdout


def test_duplicate_name_fails_the_build_naming_both(tmp_path: Path, own_venv: Venv) -> None:
    """Two plugins with one name in one namespace fail the build, both locations named."""
    same_name = "from plux import Plugin\nclass {}(Plugin):\n    namespace, name = 'n', 'x'\n"
    project = write(
        tmp_path / "dup",
        {
            "pyproject.toml": pyproject("dup"),
            "dup/__init__.py": "",
            "dup/a.py": same_name.format("A"),
            "dup/b.py": same_name.format("B"),
        },
    )
    result = own_venv.pip("install", "--no-build-isolation", str(project), check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "dup.a:A (dup/a.py:2)" in output and "dup.b:B (dup/b.py:2)" in output
