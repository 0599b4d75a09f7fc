"""Every example in docs/ and README.md runs, and prints what the page says it prints.

How a page is read (the conventions a writer follows):

- Each page is walked top to bottom in a working directory of its own, with a fresh, empty site
  directory (``site_builder``) and a private plux cache. Blocks run in page order.
- A fenced ``python`` block runs. All python blocks of one page run in one fresh interpreter,
  in order, sharing their globals (a later block may use what an earlier one defined). The
  interpreter sees the Python standard library, plux, and the page's site directory, nothing else.
- A fenced ``text`` block that follows a python block with only blank lines between is that
  block's output: what it prints must equal the text (trailing spaces ignored).
- A fenced ``console`` block is a shell session: each ``$ COMMAND`` line runs in one bash shell
  kept for the whole page (``cd`` and variables carry over), with ``plux`` and ``python`` bound
  to an interpreter that sees plux and the page's site directory. The lines after a command, up
  to the next ``$``, are its output (stdout and stderr together); a command with no lines after
  it must succeed, and what it prints is not checked.
- Fenced blocks of other kinds (``toml``, ``yaml``, ``sh``, ``text`` not following a python
  block) are shown, not run: ``sh`` is for commands too slow for the suite (``make bench``).
- HTML comments right before a block (invisible when the page is rendered) set things up:

  ``<!-- file: PATH -->``
      The next fenced block is not run: its text is written to PATH (relative to the page's
      working directory) at that point of the page.
  ``<!-- install: DIR ... -->``
      Install each project DIR (in the page's working directory, else in the repository, e.g.
      ``examples/app``) into the site directory, as ``pip install`` would with plux's
      build hook: its packages are copied and its entry points are what ``plux discover``
      finds in it, plus the ones its ``pyproject.toml`` declares. No pip runs, so this is fast.
      A DIR without ``pyproject.toml`` holds an installed distribution as it is (packages and
      a ``*.dist-info`` folder), and is copied into the site directory unchanged.
      The python blocks after an install run in a new interpreter, as an application started
      after the install would.
  ``<!-- not-run: REASON -->``
      The next block is a fragment that cannot run on its own; it is skipped. Keep these rare.

- A page with ``<!-- integration -->`` needs real builds (pip, setuptools, hatchling): it is
  walked by :func:`test_integration_page` in a fresh virtual environment instead, where
  ``plux``, ``pip`` and ``python`` are that environment's, and ``$PLUX`` names this checkout.

Shown output may differ from the real output only where it cannot be the same on two machines:
a path ending in ``site-packages`` is written as ``.../site-packages``; the page's working
directory as ``~/work``; times (``12.5 ms``) and object addresses (``0x7f...``) may be any;
runs of spaces inside a line count as one, so that table columns may be aligned differently.

To add an example, write the block with a placeholder output (a line ``X``) and run the page's
test with ``PLUX_DOCS_RECORD=1``: the real output replaces the placeholder (review the diff).

Also checked here: relative links between pages and their ``#anchors`` resolve, and the sources
the shipping guide builds are exactly ``examples/app`` and ``examples/addon``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
README = ROOT / "README.md"

FENCE = re.compile(
    r"^(?P<fence>```+)(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S
)
MARKER = re.compile(r"<!--\s*(?P<kind>file|install|not-run|integration)\s*:?\s*(?P<arg>.*?)\s*-->")


# --- reading a page ------------------------------------------------------------------------------


@dataclass
class Block:
    """One fenced block, with the markers written right before it."""

    info: str
    body: str
    line: int
    markers: list[tuple[str, str]] = field(default_factory=list)
    output: Block | None = None
    span: tuple[int, int] = (0, 0)
    """Where the body is in the page's text."""

    def marker(self, kind: str) -> str | None:
        for found, arg in self.markers:
            if found == kind:
                return arg
        return None


def read_page(path: Path) -> list[Block]:
    """The page's fenced blocks in order; each python block knows the text block it prints."""
    text = path.read_text()
    blocks: list[Block] = []
    previous_end = 0
    for match in FENCE.finditer(text):
        between = text[previous_end : match.start()]
        markers = [
            (m["kind"], m["arg"]) for m in MARKER.finditer(between) if m["kind"] != "integration"
        ]
        # markers count only when nothing but blank lines follows them
        tail = MARKER.sub("", between.rsplit("-->", 1)[-1]) if markers else ""
        if tail.strip():
            markers = []
        block = Block(
            info=match["info"].strip().split(" ")[0] if match["info"].strip() else "",
            body=match["body"],
            line=text.count("\n", 0, match.start()) + 1,
            markers=markers,
            span=(match.start("body"), match.end("body")),
        )
        if (
            block.info == "text"
            and blocks
            and blocks[-1].info == "python"
            and not between.strip()
            and not blocks[-1].marker("file")
        ):
            blocks[-1].output = block
            block.info = "output"
        blocks.append(block)
        previous_end = match.end()
    return blocks


def is_integration(path: Path) -> bool:
    return "<!-- integration -->" in path.read_text()


def page_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- normalising shown and real output -----------------------------------------------------------

SITE_PATH = re.compile(r"(?:[A-Za-z]:)?[^\s'\"(]*site-packages")
TIMES = re.compile(r"\b\d+(?:\.\d+)? ms\b|(?<=_ms\": )\d+(?:\.\d+)?")
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]+\b")


def normalise(text: str, workdir: Path | None = None) -> str:
    if workdir is not None:
        text = text.replace(str(workdir.resolve()), "~/work").replace(str(workdir), "~/work")
    text = SITE_PATH.sub(".../site-packages", text)
    text = TIMES.sub("N ms", text)
    text = ADDRESS.sub("0x...", text)
    # columns of tables widen with the numbers in them: compare runs of spaces as one
    lines = [re.sub(r"(?<=\S)  +", " ", line.rstrip()) for line in text.strip("\n").splitlines()]
    return "\n".join(lines)


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


def console_steps(body: str) -> list[tuple[str, str | None]]:
    """``$ command`` lines and the output shown after each (None when none is shown)."""
    steps: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise AssertionError(f"console block must start with '$ ': {line!r}")
    return [(cmd, "\n".join(out) if any(s.strip() for s in out) else None) for cmd, out in steps]


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


def as_shown(output: str, workdir: Path) -> str:
    """Real output as a page shows it: machine-specific paths replaced, nothing else."""
    text = output.replace(str(workdir.resolve()), "~/work").replace(str(workdir), "~/work")
    text = SITE_PATH.sub(".../site-packages", text)
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def rewrite(page: Path, recorded: list[tuple[tuple[int, int], str]]) -> None:
    text = page.read_text()
    for (start, end), body in sorted(recorded, reverse=True):
        text = text[:start] + body + text[end:]
    page.write_text(text)


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


# --- the tests -----------------------------------------------------------------------------------


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


def environment(site: Path, cache: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PLUX_", "PYTHON", "VIRTUAL_ENV"))
    }
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(ROOT), *toml_reader_path(cache.parent)])
    env["PLUX_CACHE_DIR"] = str(cache)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["COLUMNS"] = "100"
    return env


def walk_page(page: Path, workdir: Path, site_builder, cache: Path) -> None:
    where = page_id(page)
    env = environment(site_builder.path, cache)
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
                        install_project(project, site_builder, env)
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


FAST_PAGES = [p for p in [*PAGES, README] if p.is_file() and not is_integration(p)]
SLOW_PAGES = [p for p in PAGES if is_integration(p)]


@pytest.mark.parametrize("page", FAST_PAGES, ids=page_id)
def test_page_examples_run_as_shown(page, tmp_path, site_builder, cache_dir):
    """Every python and console example of the page runs and prints what the page shows."""
    if page == README and "<!--" not in page.read_text():
        pytest.xfail("README.md predates the docs conventions (see tests/docs/test_examples.py)")
    workdir = tmp_path / "work"
    workdir.mkdir()
    walk_page(page, workdir, site_builder, cache_dir)


@pytest.mark.integration
@pytest.mark.parametrize("page", SLOW_PAGES, ids=page_id)
def test_integration_page(page, tmp_path):
    """A page that builds and installs real distributions works as written in a fresh venv."""
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


def test_ship_guide_files_are_the_examples():
    """The application and add-on the shipping guide builds first are examples/app and addon."""
    page = DOCS / "guides" / "ship-plugins.md"
    shown: dict[str, str] = {}
    for block in read_page(page):
        target = block.marker("file")
        if target and target.startswith(("app/", "addon/")):
            shown.setdefault(target, block.body)  # the first version; later ones change it
    assert shown, "the shipping guide shows no source file"
    for target, body in shown.items():
        assert body == (ROOT / "examples" / target).read_text(), f"{target} differs from examples/"


def test_conventions_are_followed():
    """Every page's markers are known and every python block is either run or a file."""
    for page in [*PAGES, README]:
        if not page.is_file():
            continue
        for match in re.finditer(r"<!--\s*([\w-]+)", page.read_text()):
            assert match[1] in ("file", "install", "not-run", "integration"), (
                f"{page_id(page)}: unknown marker {match[1]!r}"
            )


LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")


def anchors(page: Path) -> set[str]:
    """The heading anchors a code host makes for ``page`` (GitHub's rules)."""
    found: set[str] = set()
    text = FENCE.sub("", page.read_text())
    for heading in re.findall(r"^#{1,6}\s+(.*?)\s*#*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in found:
            n += 1
            candidate = f"{slug}-{n}"
        found.add(candidate)
    return found


@pytest.mark.parametrize("page", [*PAGES, README], ids=page_id)
def test_links_between_pages_resolve(page):
    """Every relative link names a file that exists, and a heading of it when it has #anchor."""
    text = FENCE.sub("", page.read_text())
    for match in LINK.finditer(text):
        target = match["target"]
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page_id(page)}: link to missing {target}"
        if anchor and linked.suffix == ".md":
            assert anchor in anchors(linked), f"{page_id(page)}: no heading for {target}"
