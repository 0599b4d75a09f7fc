"""Real setuptools builds of plugin projects, each installed into its own fresh virtual environment.

Every test writes a project to a temporary directory, builds and installs it with pip or
``python -m build``, then reads the installed distribution's entry points with
``importlib.metadata`` and loads its plugins with a ``PluginManager``, both inside the venv.
The plux wheel is built once per session; setuptools and build come from a session wheelhouse,
so every install after the first is offline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PLUX_REQUIREMENT = "plux>=2.0.0.dev0"  # the specifier admits plux's own pre-release


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the plux wheel built from this checkout, setuptools and build."""
    house = tmp_path_factory.mktemp("wheelhouse")
    pip = [sys.executable, "-m", "pip"]
    run([*pip, "wheel", "--no-deps", "-q", "-w", str(house), str(PROJECT_ROOT)])
    run([*pip, "download", "-q", "-d", str(house), "setuptools>=77", "build"])
    return house


@dataclass
class Venv:
    """A virtual environment; packages go in with the test run's pip (``pip --python``)."""

    path: Path
    wheelhouse: Path
    cache_dir: Path

    @property
    def python(self) -> str:
        return str(self.path / "bin" / "python")

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PLUX_"))}
        env.update(
            PLUX_CACHE_DIR=str(self.cache_dir),
            PIP_NO_INDEX="1",
            PIP_FIND_LINKS=str(self.wheelhouse),
            PYTHONDONTWRITEBYTECODE="1",
        )
        env.update(extra)
        return env

    def pip(self, *args: str, cwd: Path | None = None, check: bool = True) -> Result:
        command = [sys.executable, "-m", "pip", "--python", self.python, *args]
        return run(command, cwd=cwd, env=self.env(), check=check)

    def run(self, *args: str, cwd: Path | None = None, check: bool = True) -> Result:
        return run([self.python, *args], cwd=cwd, env=self.env(), check=check)

    def installed(self, distribution: str, namespaces: list[str]) -> Installed:
        """The distribution's entry points, and the plugins a PluginManager loads per namespace."""
        code = f"""
            import json, importlib.metadata as md
            from plux import PluginManager
            eps = {{}}
            for ep in md.distribution({distribution!r}).entry_points:
                eps.setdefault(ep.group, {{}})[ep.name] = ep.value
            loaded = {{}}
            for ns in {namespaces!r}:
                plugins = PluginManager(ns).load_all(propagate_exceptions=True)
                loaded[ns] = sorted(p.name for p in plugins)
            print(json.dumps({{"entry_points": eps, "loaded": loaded}}))
        """
        out = self.run("-c", textwrap.dedent(code)).stdout.strip().splitlines()[-1]
        data = json.loads(out)
        return Installed(data["entry_points"], data["loaded"])


@dataclass
class Installed:
    entry_points: dict[str, dict[str, str]]
    loaded: dict[str, list[str]]


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run(
    command: list[str],
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> Result:
    proc = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{proc.stdout}\n{proc.stderr}")
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def venv(tmp_path: Path, wheelhouse: Path) -> Venv:
    """A fresh venv with setuptools and the plux wheel (no project dependencies)."""
    cache = tmp_path / "plux-cache"
    cache.mkdir(mode=0o700)
    env = Venv(tmp_path / "venv", wheelhouse, cache)
    run([sys.executable, "-m", "venv", "--without-pip", str(env.path)])
    env.pip("install", "-q", "setuptools>=77", PLUX_REQUIREMENT)
    return env


def write(root: Path, files: Mapping[str, str]) -> Path:
    for relpath, text in files.items():
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return root


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


def test_pip_install(tmp_path: Path, venv: Venv) -> None:
    """``pip install .`` discovers every plugin form during the build; declared ones are kept."""
    project = write(
        tmp_path / "show", {**SHOWCASE, "pyproject.toml": pyproject("show", extra=DECLARED)}
    )
    venv.pip("install", "-q", "--no-build-isolation", str(project))
    installed = venv.installed("show", list(SHOWCASE_LOADED))
    assert installed.entry_points == SHOWCASE_ENTRY_POINTS
    assert installed.loaded == SHOWCASE_LOADED


def test_pip_install_editable_and_rediscover(tmp_path: Path, venv: Venv) -> None:
    """After ``pip install -e .``, adding a plugin and re-running discovery updates what the
    installed program sees, without reinstalling."""
    project = write(
        tmp_path / "show", {**SHOWCASE, "pyproject.toml": pyproject("show", extra=DECLARED)}
    )
    venv.pip("install", "-q", "--no-build-isolation", "-e", str(project))
    assert venv.installed("show", ["show.cli"]).loaded == {"show.cli": ["Hello"]}

    write(
        project,
        {
            "src/show/more.py": "from .base import CliPlugin\n"
            "class Added(CliPlugin):\n    name = 'added'\n"
        },
    )
    venv.run("-m", "plux", "entrypoints", cwd=project)
    installed = venv.installed("show", ["show.cli"])
    assert installed.entry_points["show.cli"] == {
        "Hello": "show.cli:Hello",
        "added": "show.more:Added",
    }
    assert installed.entry_points["show.declared"] == {"static": "show.cli:Hello"}
    assert installed.loaded == {"show.cli": ["Hello", "added"]}

    # the setuptools command does the same (here: removing the plugin again)
    (project / "src/show/more.py").unlink()
    venv.run("-c", "from setuptools import setup; setup()", "plugins", cwd=project)
    assert venv.installed("show", ["show.cli"]).loaded == {"show.cli": ["Hello"]}


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


def test_build_isolation_without_project_dependencies(tmp_path: Path, venv: Venv) -> None:
    """``python -m build`` in fresh PEP 517 environments (setuptools and plux, not the project's
    dependencies) gives correct entry points: sdist, then a wheel from the sdist."""
    project = write(tmp_path / "isolated", ISOLATED)
    dist = tmp_path / "dist"
    env = venv.env(PIP_FIND_LINKS=str(venv.wheelhouse))
    run([sys.executable, "-m", "build", "-o", str(dist), str(project)], env=env)
    (wheel,) = dist.glob("*.whl")
    dep = write(tmp_path / "dep", RUNTIME_DEP)
    venv.pip("install", "-q", "--no-build-isolation", str(dep))
    venv.pip("install", "-q", "--no-deps", str(wheel))
    installed = venv.installed("isolated", ["isolated.cli", "isolated.hooks"])
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


def test_wheel_from_sdist_uses_the_index_it_carries(tmp_path: Path, venv: Venv) -> None:
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
    venv.pip("install", "-q", "--no-build-isolation", str(dep))
    venv.pip("install", "-q", "build")
    dist = tmp_path / "dist"
    venv.run("-m", "build", "--sdist", "--no-isolation", "-o", str(dist), str(project))
    (sdist,) = dist.glob("*.tar.gz")
    env = venv.env(PIP_FIND_LINKS=str(venv.wheelhouse))
    run([sys.executable, "-m", "build", "--wheel", "-o", str(dist), str(sdist)], env=env)
    (wheel,) = dist.glob("*.whl")
    venv.pip("install", "-q", "--no-deps", str(wheel))
    installed = venv.installed("isolated", ["isolated.made"])
    assert installed.entry_points["isolated.made"] == {"by-maker": "isolated.made:made"}
    assert installed.loaded == {"isolated.made": ["by-maker"]}


def test_setup_py_with_load_entry_points(tmp_path: Path, venv: Venv) -> None:
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
    venv.pip("install", "-q", "--no-build-isolation", str(project))
    installed = venv.installed("legacy", ["legacy.plugins"])
    assert installed.entry_points == {
        "legacy.plugins": {"sub": "legacy.sub:Sub"},
        "console_scripts": {"legacy-cli": "legacy:main"},
    }
    assert installed.loaded == {"legacy.plugins": ["sub"]}


def test_project_not_using_plux_is_untouched(tmp_path: Path, venv: Venv) -> None:
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
    venv.pip("install", "-q", "--no-build-isolation", str(project))
    installed = venv.installed("plain", ["plain.group"])
    assert installed.entry_points == {"plain.group": {"only": "plain:Only"}}
    site = Path(
        venv.run("-c", "import plain, os; print(os.path.dirname(plain.__file__))").stdout.strip()
    )
    assert not list(site.parent.glob("plain-1.0.dist-info/plux.json"))


def test_manual_mode_static_file(tmp_path: Path, venv: Venv) -> None:
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
    venv.run("-m", "plux", "entrypoints", cwd=project)
    assert (
        project / "plux.ini"
    ).read_text() == "[manual.plugins]\nAWS::SQS::Queue = manual:Upper\n"
    assert venv.run("-m", "plux", "entrypoints", "--check", cwd=project).returncode == 0
    venv.pip("install", "-q", "--no-build-isolation", str(project))
    installed = venv.installed("manual", ["manual.plugins"])
    assert installed.entry_points == {"manual.plugins": {"AWS::SQS::Queue": "manual:Upper"}}
    assert installed.loaded == {"manual.plugins": ["AWS::SQS::Queue"]}
    write(project, {"manual/more.py": "from . import Upper\nclass B(Upper):\n    name = 'b'\n"})
    check = venv.run("-m", "plux", "entrypoints", "--check", cwd=project, check=False)
    assert check.returncode == 1 and "b = manual.more:B" in check.stderr


def test_duplicate_name_fails_the_build_naming_both(tmp_path: Path, venv: Venv) -> None:
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
    result = venv.pip("install", "--no-build-isolation", str(project), check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "dup.a:A (dup/a.py:2)" in output and "dup.b:B (dup/b.py:2)" in output
