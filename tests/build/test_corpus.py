"""Static discovery (with its import fallback) and import discovery agree on a project corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
PROJECT_ROOT = HERE.parent.parent


def discover(mode: str, tmp_path: Path, *options: str) -> dict[str, object]:
    """Run one discovery of the corpus project in a fresh interpreter."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join([str(CORPUS / "site"), str(PROJECT_ROOT)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["CORPUS_MARKER"] = str(tmp_path / f"{mode}-imported-side-effect")
    proc = subprocess.run(
        [sys.executable, str(HERE / "discover_in_subprocess.py"), mode, "project", *options],
        cwd=CORPUS,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout)
    return result


EXPECTED = {
    "corpus.aws": ["sqs:default = pkg.providers:SqsProvider"],
    "corpus.cli": [
        "One = pkg.plugins.one:One",
        "conditional = pkg.dynamic:Conditional",
        "deep = pkg.nested.deep.mod:Deep",
        "three = pkg.plugins.two:Three",
        "two = pkg.plugins.two:Two",
    ],
    "corpus.cli.other": ["four = pkg.plugins.two:Four"],
    "corpus.excluded": ["inner = pkg.excluded.inner:Inner", "top = pkg.excluded:Top"],
    "corpus.ext": ["e1 = pkg.ext_users:e1"],
    "corpus.ext.classes": ["e2 = pkg.ext_users:FromExternalBase"],
    "corpus.hooks": [
        "Named::Hook = pkg.functions:named",
        "on_start = pkg.functions:on_start",
    ],
    "corpus.hooks.partial": ["h1 = pkg.providers:h1", "h2 = pkg.providers:h2"],
    "corpus.packages": ["pkg-x = pkg.providers:px"],
    "corpus.quiet": ["quiet = pkg.sideeffect:Quiet"],
    "corpus.services": [
        "lambda = pkg.dynamic:lambda",
        "s3 = pkg.services:s3",
        "sns = pkg.dynamic:sns",
        "svc-dynamodb = pkg.services:dynamodb",
    ],
}


def test_static_and_import_discovery_agree_on_the_corpus(tmp_path: Path) -> None:
    """Both finders give the same entry points: every plugin kind, once, at its home."""
    static = discover("static", tmp_path)
    imported = discover("import", tmp_path)
    assert static["index"] == imported["index"] == EXPECTED


def test_static_discovery_imports_only_modules_using_makers(tmp_path: Path) -> None:
    """Only modules with forms the source cannot decide (and their imports) are run; makers the
    source follows through (pkg.providers', extlib's) need no import."""
    static = discover("static", tmp_path)
    assert static["imported"] == [
        "pkg",  # parent package of every imported module
        "pkg.consts",  # imported by pkg/__init__ via services
        "pkg.dynamic",  # specs made in a loop, a conditional class
        "pkg.services",  # imported by pkg/__init__
    ]
    assert not (tmp_path / "static-imported-side-effect").exists()
    discover("import", tmp_path)
    assert (tmp_path / "import-imported-side-effect").exists()


@pytest.mark.parametrize(
    "options",
    [
        ("--exclude", "pkg.excluded.*"),
        ("--exclude", "pkg.excluded", "--exclude", "pkg/nested/*"),
        ("--include", "pkg", "--include", "pkg.plugins"),
        ("--exclude", "pkg.providers", "--exclude", "pkg.dynamic"),
    ],
    ids=["subpackages", "package-and-path", "include", "modules"],
)
def test_include_exclude_agree(tmp_path: Path, options: tuple[str, ...]) -> None:
    """Include/exclude patterns select the same modules for both finders."""
    static = discover("static", tmp_path, *options)
    imported = discover("import", tmp_path, *options)
    assert static["index"] == imported["index"]
    assert static["index"] != EXPECTED


def test_exclude_star_keeps_the_package_itself(tmp_path: Path) -> None:
    """``pkg.excluded.*`` drops the sub-modules of pkg.excluded but keeps pkg.excluded."""
    index = discover("static", tmp_path, "--exclude", "pkg.excluded.*")["index"]
    assert isinstance(index, dict)
    assert index["corpus.excluded"] == ["top = pkg.excluded:Top"]
