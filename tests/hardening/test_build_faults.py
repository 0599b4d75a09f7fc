"""Build-time discovery of broken projects: each fault reported with file and line, nothing run.

"Goes on or fails as configured": ``StaticPluginFinder.analyze()`` always goes on (one verdict per
module, the broken ones saying why); ``find_plugins()`` fails with a DiscoveryError naming the
file when a module cannot be decided from source, after trying to import it (``fallback=True``,
the build's setting) or at once (``fallback=False``).
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from plux.build._static import ModuleVerdict, StaticPluginFinder
from plux.build.discovery import DiscoveryError, PluginFromPackageFinder, SimplePackageFinder
from plux.build.index import PluginIndexBuilder

GOOD = """\
from plux import Plugin

class Good(Plugin):
    namespace = "hard.build"
    name = "good"
"""


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """A project folder with a package ``hardpkg`` holding one good plugin module; the package
    is forgotten by ``sys.modules`` afterwards (tests that import it must not leak)."""
    root = tmp_path / "project"
    (root / "hardpkg").mkdir(parents=True)
    (root / "hardpkg" / "__init__.py").write_text("")
    (root / "hardpkg" / "good.py").write_text(GOOD)
    yield root
    for name in [m for m in sys.modules if m == "hardpkg" or m.startswith("hardpkg.")]:
        del sys.modules[name]


def add(root: Path, files: Mapping[str, str]) -> None:
    for relpath, text in files.items():
        (root / relpath).write_text(textwrap.dedent(text))


def finder(root: Path, fallback: bool) -> StaticPluginFinder:
    return StaticPluginFinder(
        SimplePackageFinder(str(root)), fallback=fallback, search_path=[], root=root
    )


def verdicts(root: Path) -> dict[str, ModuleVerdict]:
    return {v.module.name: v for v in finder(root, fallback=False).analyze()}


def discover(root: Path, fallback: bool) -> dict[str, list[str]]:
    return PluginIndexBuilder(finder(root, fallback)).find_entry_points()


BROKEN = """\
from plux import Plugin

class Broken(Plugin):
    namespace = "hard.build"
    name = "broken"
      oops = 1
"""


def test_syntax_error_is_reported_with_file_and_line(project: Path) -> None:
    """A module that does not parse fails discovery with its file:line, the error, and to fix it
    (not advice to install dependencies)."""
    add(project, {"hardpkg/broken.py": BROKEN})
    with pytest.raises(DiscoveryError) as caught:
        discover(project, fallback=False)
    assert str(caught.value) == (
        "hardpkg/broken.py:6: syntax error: unexpected indent; fix the module"
    )


def test_syntax_error_fails_the_build_without_importing(project: Path) -> None:
    """With the import fallback the build fails the same way: importing cannot help."""
    add(project, {"hardpkg/broken.py": BROKEN})
    with pytest.raises(DiscoveryError) as caught:
        discover(project, fallback=True)
    assert "hardpkg/broken.py:6: syntax error" in str(caught.value)
    assert "install" not in str(caught.value) and "hardpkg.broken" not in sys.modules


def test_syntax_error_spares_the_other_modules_verdicts(project: Path) -> None:
    """Analysis goes on past a broken module: the good module's plugin is still read."""
    add(project, {"hardpkg/broken.py": BROKEN})
    found = verdicts(project)
    assert [p.name for p in found["hardpkg.good"].plugins] == ["good"]
    assert found["hardpkg.broken"].errors


RAISES = """\
from plux import Plugin

open({marker!r}, "w").close()
raise RuntimeError("this module cannot be imported")

class Raises(Plugin):
    namespace = "hard.build"
    name = "raises"
"""


def test_module_raising_on_import_is_read_without_running_it(project: Path) -> None:
    """A module that raises when imported is read from source; its code never runs."""
    marker = project.parent / "ran"
    add(project, {"hardpkg/raises.py": RAISES.format(marker=str(marker))})
    assert discover(project, fallback=True) == {
        "hard.build": ["good = hardpkg.good:Good", "raises = hardpkg.raises:Raises"]
    }
    assert not marker.exists() and "hardpkg.raises" not in sys.modules


MAKER_RAISES = """\
from plux import Plugin, PluginSpec

def make(name):  # a branch: the source does not tell what it makes
    return PluginSpec("hard.build", name, Plugin) if name else None

raise RuntimeError("cannot import me")

made = make("made")
"""


def test_module_that_must_be_imported_and_raises_fails_naming_module_and_cause(
    project: Path,
) -> None:
    """When a module needs importing (a plugin maker) and raises, the error names the module,
    the exception, and the file and line that made the import necessary."""
    add(project, {"hardpkg/maker.py": MAKER_RAISES})
    with pytest.raises(DiscoveryError) as caught:
        discover(project, fallback=True)
    message = str(caught.value)
    assert "hardpkg.maker" in message and "RuntimeError: cannot import me" in message
    assert "hardpkg/maker.py:8" in message


def test_import_error_names_the_line_that_raised(project: Path) -> None:
    """The error for a module that raised on import names the file and line of the raise."""
    add(project, {"hardpkg/maker.py": MAKER_RAISES})
    with pytest.raises(DiscoveryError) as caught:
        discover(project, fallback=True)
    assert "hardpkg/maker.py:6" in str(caught.value)


# --- files that cannot be read --------------------------------------------------------------------


def test_unreadable_module_is_reported_with_its_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module whose file cannot be read (EACCES, injected: root reads anything) is named with
    the error; the other modules' plugins are still read."""
    unreadable = project / "hardpkg" / "secret.py"
    unreadable.write_text(GOOD.replace('"good"', '"secret"').replace("Good", "Secret"))
    real_open = os.open

    def deny_open(path: str | os.PathLike[str], flags: int, *args: int, **kwargs: int) -> int:
        if os.fspath(path).endswith("secret.py"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny_open)
    found = verdicts(project)
    assert found["hardpkg.secret"].import_reasons == [
        f"hardpkg/secret.py: cannot be read: [Errno 13] Permission denied: '{unreadable}'"
    ]
    assert [p.name for p in found["hardpkg.good"].plugins] == ["good"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="file modes do not stop root; the injected EACCES test above covers this as root",
)
def test_module_of_mode_000_is_reported_with_its_file(project: Path) -> None:
    """A module file of mode 000 is reported as unreadable, naming the file."""
    unreadable = project / "hardpkg" / "secret.py"
    unreadable.write_text(GOOD)
    unreadable.chmod(0)
    try:
        reasons = verdicts(project)["hardpkg.secret"].import_reasons
    finally:
        unreadable.chmod(0o600)
    assert len(reasons) == 1 and "hardpkg/secret.py: cannot be read" in reasons[0]


def test_fifo_named_like_a_module_is_reported_without_blocking(project: Path) -> None:
    """A FIFO called ``x.py`` is reported as a module that cannot be read; reading it would
    wait forever for a writer."""
    os.mkfifo(project / "hardpkg" / "pipe.py")
    reasons = verdicts(project)["hardpkg.pipe"].import_reasons
    assert reasons == [
        "hardpkg/pipe.py: cannot be read: [Errno 22] not a regular file: "
        + repr(str(project / "hardpkg" / "pipe.py"))
    ]


def test_directory_named_like_a_module_is_reported(project: Path) -> None:
    """A directory called ``x.py`` is reported as a module that cannot be read."""
    (project / "hardpkg" / "odd.py").mkdir()
    reasons = verdicts(project)["hardpkg.odd"].import_reasons
    assert len(reasons) == 1 and reasons[0].startswith("hardpkg/odd.py: cannot be read")


def test_dangling_symlink_module_is_reported_under_its_own_name(project: Path) -> None:
    """A module that is a dangling symbolic link is reported as the link found in the package."""
    os.symlink("nowhere.py", project / "hardpkg" / "dangling.py")
    reasons = verdicts(project)["hardpkg.dangling"].import_reasons
    assert len(reasons) == 1 and reasons[0].startswith("hardpkg/dangling.py: cannot be read")


def test_module_too_deep_to_parse_is_reported_not_fatal(project: Path) -> None:
    """A module too deep to parse is reported and imported instead; the others still read."""
    add(project, {"hardpkg/deep.py": "x = " + "-" * 100_000 + "1\n"})
    found = verdicts(project)
    assert found["hardpkg.deep"].needs_import
    assert [p.name for p in found["hardpkg.good"].plugins] == ["good"]


# --- symlink loops --------------------------------------------------------------------------------


def test_symlink_loop_in_package_tree_terminates(project: Path) -> None:
    """A link from a package to itself does not make package discovery run forever."""
    os.symlink(".", project / "hardpkg" / "loop")
    packages = SimplePackageFinder(str(project)).find_packages()
    assert packages[0] == "hardpkg" and len(packages) < 100


def test_symlink_loop_in_package_tree_finds_each_plugin_once(project: Path) -> None:
    """With a link from a package to itself, each plugin is still found exactly once."""
    os.symlink(".", project / "hardpkg" / "loop")
    assert discover(project, fallback=False) == {"hard.build": ["good = hardpkg.good:Good"]}


# --- a huge module --------------------------------------------------------------------------------

PLUGINS = 10_000


@pytest.fixture
def huge(project: Path) -> Path:
    """``hardpkg/many.py``: ten thousand plugins, a third of each kind, and a marker on import."""
    lines = ["from plux import Plugin, PluginSpec, plugin", "open('/nonexistent/ran', 'w')"]
    for n in range(PLUGINS):
        if n % 3 == 0:
            lines += [f"class P{n}(Plugin):", "    namespace = 'hard.huge'", f"    name = 'p{n}'"]
        elif n % 3 == 1:
            lines.append(f"s{n} = PluginSpec('hard.huge', 'p{n}', Plugin)")
        else:
            lines += [f"@plugin(namespace='hard.huge', name='p{n}')", f"def f{n}():", "    pass"]
    (project / "hardpkg" / "many.py").write_text("\n".join(lines) + "\n")
    return project


def test_huge_module_is_read_completely_from_source_with_file_and_line(huge: Path) -> None:
    """All 10,000 plugins of one module are read from source, each knowing its file and line (for
    error messages), and the module is not run."""
    found = finder(huge, fallback=False).find_plugins()
    specs = {s.name: s for s in found if s.namespace == "hard.huge"}
    assert len(specs) == PLUGINS
    assert "hardpkg.many" not in sys.modules
    assert specs["p0"].source == "hardpkg/many.py:3"  # type: ignore[attr-defined]
    assert specs["p1"].source == "hardpkg/many.py:6"  # type: ignore[attr-defined]
    assert specs["p2"].source == "hardpkg/many.py:8"  # the def line  # type: ignore[attr-defined]


@pytest.mark.integration
def test_huge_module_static_and_import_discovery_agree(huge: Path) -> None:
    """Import discovery of the huge module (without its marker line) agrees with AST discovery."""
    many = huge / "hardpkg" / "many.py"
    many.write_text(many.read_text().replace("open('/nonexistent/ran', 'w')", "pass"))
    imported = PluginIndexBuilder(PluginFromPackageFinder(SimplePackageFinder(str(huge))))
    assert imported.find_entry_points() == discover(huge, fallback=False)


# --- path patterns in a src layout ----------------------------------------------------------------


def test_path_exclude_pattern_in_src_layout_excludes_the_package(tmp_path: Path) -> None:
    """``exclude = ["src/app/tests"]`` with ``path = "src"`` leaves app.tests out of the scan."""
    from plux.build.project import Project

    (tmp_path / "src" / "app" / "tests").mkdir(parents=True)
    (tmp_path / "src" / "app" / "__init__.py").write_text("")
    (tmp_path / "src" / "app" / "tests" / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.plux]\npath = "src"\nexclude = ["src/app/tests"]\n'
    )
    assert list(Project(tmp_path).package_finder().find_packages()) == ["app"]


# --- package folders that cannot be listed or entered (injected: root may do both) ----------------


@pytest.fixture
def secret_package(project: Path) -> Path:
    """``hardpkg/secret``: a sub-package with one plugin module."""
    secret = project / "hardpkg" / "secret"
    secret.mkdir()
    (secret / "__init__.py").write_text("")
    (secret / "mod.py").write_text(GOOD.replace('"good"', '"secret"').replace("Good", "Secret"))
    return secret


def deny(monkeypatch: pytest.MonkeyPatch, folder: Path, enter: bool) -> None:
    """Fail listing ``folder`` (mode -r) and, with ``enter``, reaching anything in it (mode -x),
    with EACCES as the kernel would for a user other than root."""
    real_scandir, real_listdir, real_stat = os.scandir, os.listdir, os.stat
    inside = str(folder) + os.sep

    def check(path: object, listing: bool) -> None:
        text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else ""
        if (listing and text == str(folder)) or (enter and text.startswith(inside)):
            raise PermissionError(13, "Permission denied", text)

    def scandir(path: object = ".") -> object:
        check(path, True)
        return real_scandir(path)  # type: ignore[call-overload]

    def listdir(path: object = ".") -> list[str]:
        check(path, True)
        return real_listdir(path)  # type: ignore[call-overload,no-any-return]

    def stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        check(path, False)
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr(os, "stat", stat)


def test_package_folder_that_cannot_be_listed_is_reported(
    project: Path, secret_package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package folder that cannot be listed fails discovery naming the folder, instead of
    silently losing its plugins."""
    deny(monkeypatch, secret_package, enter=False)
    with pytest.raises(DiscoveryError, match="hardpkg/secret"):
        discover(project, fallback=True)


@pytest.mark.skipif(
    sys.version_info < (3, 11),
    reason="3.10's pathlib holds its own reference to os.stat: the fault cannot be injected",
)
def test_package_folder_that_cannot_be_entered_is_reported(
    project: Path, secret_package: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package folder that cannot be entered fails discovery with a DiscoveryError naming it."""
    deny(monkeypatch, secret_package, enter=True)
    with pytest.raises(DiscoveryError, match="hardpkg/secret"):
        discover(project, fallback=True)


BARE_PLUGIN = """\
from plux import plugin

@plugin
def hello():
    pass
"""


def test_bare_plugin_decorator_fails_discovery_with_file_and_line(project: Path) -> None:
    """``@plugin`` without arguments fails the build at its line, saying what to write."""
    add(project, {"hardpkg/bare.py": BARE_PLUGIN})
    with pytest.raises(DiscoveryError) as caught:
        discover(project, fallback=True)
    assert str(caught.value) == (
        "hardpkg/bare.py:3: @plugin applied directly to hello: write @plugin(namespace=...)"
    )


MISSPELT_NAME = """\
from plux import Plugin

class Hello(Plugin):
    namespace = "hard.build"
    nmae = "hello"
"""


def test_misspelt_plugin_name_fails_discovery_naming_the_typo(project: Path) -> None:
    """A plugin class with a namespace and ``nmae`` instead of ``name`` fails the build."""
    add(project, {"hardpkg/typo.py": MISSPELT_NAME})
    with pytest.raises(DiscoveryError) as caught:
        discover(project, fallback=True)
    assert str(caught.value) == (
        "hardpkg/typo.py:3: plugin class Hello sets a namespace and 'nmae' but no 'name'; "
        "did you mean name = ...?"
    )


NAMELESS = """\
from plux import Plugin

class Base(Plugin):
    namespace = "hard.build"

class Child(Base):
    name = "child"

class Forgotten(Plugin):
    namespace = "hard.build"
    description = "a plugin whose name was forgotten"
"""


def test_nameless_plugin_class_without_subclasses_gets_a_warning(
    project: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A class with a namespace, no name and no subclass is warned about with file:line; an
    abstract base that a plugin derives from is not."""
    add(project, {"hardpkg/nameless.py": NAMELESS})
    found = discover(project, fallback=True)
    assert found["hard.build"] == ["child = hardpkg.nameless:Child", "good = hardpkg.good:Good"]
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "plux: hardpkg/nameless.py:9: plugin class Forgotten sets a namespace but no name, and no "
        "class derives from it: it is not a plugin; set name = ... (or ignore this for a base "
        "meant for others)"
    ]
