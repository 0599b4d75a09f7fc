"""Real installers rewriting an installed distribution in place: the next process sees it.

A distribution is installed into a real virtual environment, a process indexes it, and a wheel
of the same name and version, rebuilt with one more namespace, is installed over it the way each
tool does (``pip install -I``, ``--force-reinstall``, ``installer --overwrite-existing``, uv in
each link mode, a wheel unpacked over the old files). plux and importlib.metadata must then
answer alike in a fresh process.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from prebuilt_support import Environment, make_environment  # loaded by conftest.py

from ..conftest import settle_tree

pytestmark = pytest.mark.integration

GROUP = "installed.plugins"

ASK = f"""
import json
import importlib.metadata as md
from plux import PluginManager

theirs = sorted(ep.name for ep in md.entry_points(group={GROUP!r}))
print(json.dumps([sorted(PluginManager({GROUP!r}).list_names()), theirs]))
"""


def make_wheel(folder: Path, entry_points: str) -> Path:
    """A wheel of ``demo-fresh`` 1.0 (the same name and version each time) in ``folder``."""
    folder.mkdir(parents=True)
    info = "demo_fresh-1.0.dist-info"
    files = {
        "demo_fresh.py": "class Plugin:\n    pass\n",
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: demo-fresh\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
        f"{info}/entry_points.txt": entry_points,
    }
    records = []
    for name, text in files.items():
        digest = hashlib.sha256(text.encode()).digest()
        encoded = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        records.append(f"{name},sha256={encoded},{len(text.encode())}")
    records.append(f"{info}/RECORD,,")
    wheel = folder / "demo_fresh-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
        zf.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    return wheel


def site_packages(env: Environment) -> Path:
    scheme = {"base": str(env.prefix), "platbase": str(env.prefix)}
    return Path(sysconfig.get_path("purelib", vars=scheme))


def uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not os.path.exists(found):
        pytest.fail("uv is not installed: `pip install -e '.[test]'` installs it")
    return found


Installer = Callable[[Environment, Path], list[str] | None]


def pip(*options: str) -> Installer:
    return lambda env, wheel: [
        sys.executable, "-m", "pip", "--python", str(env.python), "install", "-q", "--no-deps",
        "--no-index", *options, str(wheel),
    ]  # fmt: skip


def installer(env: Environment, wheel: Path) -> list[str]:
    return [
        sys.executable, "-m", "installer", "--overwrite-existing", "--no-compile-bytecode",
        "--prefix", str(env.prefix), str(wheel),
    ]  # fmt: skip


def uv_pip(link_mode: str) -> Installer:
    return lambda env, wheel: [
        uv(), "pip", "install", "--python", str(env.python), "--reinstall", "--no-deps",
        "--no-index", "--link-mode", link_mode, "--cache-dir", str(env.prefix.parent / "uv"),
        str(wheel),
    ]  # fmt: skip


def unpacked_over(env: Environment, wheel: Path) -> None:
    """The wheel's files written over the installed ones (``unzip -o`` into site-packages)."""
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site_packages(env))


INSTALLERS: dict[str, Installer] = {
    "pip -I": pip("-I"),
    "pip --force-reinstall": pip("--force-reinstall"),
    "installer --overwrite-existing": installer,
    "uv copy": uv_pip("copy"),
    "uv hardlink": uv_pip("hardlink"),
    "uv symlink": uv_pip("symlink"),
    "wheel unpacked over": unpacked_over,
}


def run_installer(tool: str, env: Environment, wheel: Path) -> None:
    command = INSTALLERS[tool](env, wheel)
    if command is not None:
        subprocess.run(command, check=True, capture_output=True, env=env.environ())


OTHER = "[other.group]\nx = demo_fresh:Plugin\n"


@pytest.mark.parametrize("tool", list(INSTALLERS))
def test_reinstall_gaining_a_namespace_is_seen(tool, tmp_path, site_builder, cache_dir):
    """A rebuilt wheel of the same version, with one more namespace, installed over the old
    one: the next process lists the new namespace's plugin, as importlib.metadata does."""
    env = make_environment(tmp_path, site_builder, cache_dir)
    old = make_wheel(tmp_path / "old", OTHER)
    new = make_wheel(tmp_path / "new", f"{OTHER}\n[{GROUP}]\nb = demo_fresh:Plugin\n")
    run_installer(tool, env, old)
    settle_tree(site_packages(env))  # installed a while ago: nothing is read twice
    for _ in ("cold", "warm"):
        assert env.json(ASK) == [[], []]
    run_installer(tool, env, new)
    assert env.json(ASK) == [["b"], ["b"]]
