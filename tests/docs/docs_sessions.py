"""Running a page: one interpreter and one shell per page, projects installed into its site.

The conventions are described in ``test_examples.py``.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from docs_pages import ROOT, Block, as_shown, console_steps, normalise, page_id, read_page, rewrite

# --- running python blocks -----------------------------------------------------------------------

DRIVER = r"""
import contextlib, io, json, sys, traceback
namespace = {"__name__": "__main__"}
for line in sys.stdin:
    request = json.loads(line)
    out = io.StringIO()
    error = None
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(request["code"], request["name"], "exec"), namespace)
    except BaseException:
        error = traceback.format_exc()
    sys.__stdout__.write(json.dumps({"stdout": out.getvalue(), "error": error}) + "\n")
    sys.__stdout__.flush()
"""


class Interpreter:
    """One fresh interpreter for a page: runs blocks in order with shared globals."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-S", "-c", DRIVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
        )

    def run(self, code: str, name: str) -> tuple[str, str | None]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"code": code, "name": name}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            stderr = self.proc.stderr.read() if self.proc.stderr else ""
            raise AssertionError(f"{name}: the interpreter died:\n{stderr}")
        result = json.loads(line)
        return result["stdout"], result["error"]

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


# --- running console blocks ----------------------------------------------------------------------

END = "__plux_docs_end__"


class Shell:
    """One bash shell for a page; each command's output (stdout and stderr) and exit status."""

    def __init__(self, env: dict[str, str], cwd: Path, prelude: str = "") -> None:
        self.proc = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=cwd,
        )
        if prelude:
            self.run(prelude)

    def run(self, command: str) -> tuple[str, int]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(
            f"{{ {command}\n}} 2>&1 </dev/null; __rc=$?; printf '\\n{END} %d\\n' $__rc; "
            "(exit $__rc)\n"
        )
        self.proc.stdin.flush()
        lines = []
        for line in self.proc.stdout:
            if line.startswith(END):
                return "".join(lines), int(line.split()[1])
            lines.append(line)
        raise AssertionError(f"the shell exited while running: {command}")

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def check_console(shell: Shell, block: Block, where: str, workdir: Path) -> str:
    """Run the block's commands and check their output; return the block as it really ran."""
    real = []
    for command, shown in console_steps(block.body):
        output, status = shell.run(command)
        real.append(f"$ {command}")
        if shown is None:
            assert status == 0, f"{where}: `{command}` failed ({status}):\n{output}"
        else:
            real.append(as_shown(output, workdir))
            if not RECORD:
                assert normalise(output, workdir) == normalise(shown), (
                    f"{where}: `{command}` printed something else than the page shows:\n{output}"
                )
    return "\n".join(real) + "\n"


RECORD = os.environ.get("PLUX_DOCS_RECORD") == "1"
"""``PLUX_DOCS_RECORD=1``: instead of comparing, write the real output into the pages (for a
writer adding an example; review the diff before committing it)."""


# --- installing projects into the site -----------------------------------------------------------


def install_project(project: Path, site_builder, env: dict[str, str]) -> None:
    """Install ``project`` as pip with plux's build hook would: packages plus entry points.

    A folder without ``pyproject.toml`` holds what is already built (packages and a
    ``*.dist-info``, e.g. a distribution an older plux built): it is copied as it is.
    """
    if not (project / "pyproject.toml").is_file():
        shutil.copytree(project, site_builder.path, dirs_exist_ok=True)
        return
    proc = subprocess.run(
        [sys.executable, "-S", "-m", "plux", "discover", "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=project,
        timeout=60,
    )
    assert proc.returncode == 0, f"plux discover failed in {project}:\n{proc.stderr}"
    discovered = json.loads(proc.stdout)
    from plux.build.config import read_pyproject

    pyproject = read_pyproject(project)
    meta = pyproject.get("project", {})
    entry_points: dict[str, dict[str, str]] = {}
    for group, entries in meta.get("entry-points", {}).items():
        entry_points.setdefault(group, {}).update(entries)
    if meta.get("scripts"):
        entry_points.setdefault("console_scripts", {}).update(meta["scripts"])
    for group, entries in discovered.items():
        for entry in entries:
            name, _, value = (part.strip() for part in entry.partition("="))
            entry_points.setdefault(group, {})[name] = value
    source = project / "src" if (project / "src").is_dir() else project
    modules = {}
    for file in sorted(source.rglob("*.py")):
        relative = file.relative_to(source)
        if relative.parts[0] in ("tests", "build") or ".egg-info" in str(relative):
            continue
        if not (source / relative.parts[0] / "__init__.py").is_file():
            continue
        modules[str(relative)] = file.read_text()
    site_builder.add_distribution(
        meta["name"], str(meta.get("version", "0")), entry_points=entry_points, modules=modules
    )


def toml_reader_path(tmp: Path) -> list[str]:
    """On Python 3.10 (no tomllib), a folder holding only ``tomli``, for plux's build side.

    The examples run with ``-S`` (no site-packages, so that nothing installed in the test's own
    environment shows up in their output); plux reads ``pyproject.toml`` with ``tomli`` there.
    """
    if sys.version_info >= (3, 11):
        return []
    import importlib.util

    spec = importlib.util.find_spec("tomli") or importlib.util.find_spec("pip._vendor.tomli")
    assert spec is not None and spec.origin is not None, "Python 3.10 needs tomli or pip"
    folder = tmp / "toml-reader"
    folder.mkdir(exist_ok=True)
    link = folder / "tomli"
    if not link.exists():
        link.symlink_to(Path(spec.origin).parent)
    return [str(folder)]


def environment(sites: list[Path], cache: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PLUX_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["PYTHONPATH"] = os.pathsep.join(
        [*map(str, sites), str(ROOT), *toml_reader_path(cache.parent)]
    )
    env["PLUX_CACHE_DIR"] = str(cache)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["COLUMNS"] = "100"
    return env


def walk_page(page: Path, workdir: Path, site_builder, cache: Path) -> None:
    where = page_id(page)
    sites: list[Path] = []
    env = environment(sites, cache)
    prelude = (
        f'plux() {{ "{sys.executable}" -S -m plux "$@"; }}\n'
        f'python() {{ "{sys.executable}" -S "$@"; }}\n'
        "export -f plux python"
    )
    interpreter: Interpreter | None = None
    shell: Shell | None = None
    recorded: list[tuple[tuple[int, int], str]] = []
    try:
        for block in read_page(page):
            here = f"{where}:{block.line}"
            if block.marker("not-run") is not None or block.info == "output":
                continue
            for kind, arg in block.markers:
                if kind == "install":
                    for name in arg.split():
                        project = workdir / name if (workdir / name).is_dir() else ROOT / name
                        # each project in a site folder of its own, in install order on the
                        # path: within one folder, which distribution comes first is the file
                        # system's listing order (as for importlib.metadata), not the page's
                        site = site_builder.path.parent / f"site-{len(sites)}" / "site-packages"
                        site.mkdir(parents=True)
                        install_project(project, replace(site_builder, path=site), env)
                        sites.append(site)
                        env = environment(sites, cache)
                    if shell is not None:
                        shell.run(f"export PYTHONPATH={shlex.quote(env['PYTHONPATH'])}")
                    if interpreter is not None:
                        # what follows runs as a newly started application would
                        interpreter.close()
                        interpreter = None
            target = block.marker("file")
            if target:
                path = workdir / target
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(block.body)
            elif block.info == "python":
                if interpreter is None:
                    interpreter = Interpreter(env, workdir)
                stdout, error = interpreter.run(block.body, here)
                assert error is None, f"{here}: the example raised:\n{error}"
                if block.output is not None and RECORD:
                    recorded.append((block.output.span, as_shown(stdout, workdir) + "\n"))
                elif block.output is not None:
                    assert normalise(stdout, workdir) == normalise(block.output.body), (
                        f"{here}: the example printed something else than the page shows:\n{stdout}"
                    )
            elif block.info == "console":
                if shell is None:
                    shell = Shell(env, workdir, prelude)
                recorded.append((block.span, check_console(shell, block, here, workdir)))
    finally:
        if interpreter is not None:
            interpreter.close()
        if shell is not None:
            shell.close()
    if RECORD:
        rewrite(page, recorded)


def walk_integration_page(page: Path, tmp_path: Path, wheelhouse: Path) -> None:
    """Walk ``page`` in a fresh virtual environment (see ``<!-- integration -->``); pip installs
    come from the session's ``wheelhouse`` only, so the walk needs no network."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PLUX_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["PLUX"] = str(ROOT)
    env["PLUX_CACHE_DIR"] = str(cache)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INDEX"] = "1"
    env["PIP_FIND_LINKS"] = str(wheelhouse)
    env["COLUMNS"] = "100"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
    shell = Shell(env, workdir)
    recorded: list[tuple[tuple[int, int], str]] = []
    try:
        for block in read_page(page):
            here = f"{page_id(page)}:{block.line}"
            target = block.marker("file")
            if target:
                path = workdir / target
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(block.body)
            elif block.info == "console" and block.marker("not-run") is None:
                recorded.append((block.span, check_console(shell, block, here, workdir)))
    finally:
        shell.close()
    if RECORD:
        rewrite(page, recorded)
