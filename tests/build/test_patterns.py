"""Shell-style include/exclude patterns over dotted names and paths."""

from __future__ import annotations

import pytest

from plux.build._patterns import PackageSelection, PatternFilter, to_dotted


@pytest.mark.parametrize(
    ("pattern", "root", "dotted"),
    [
        ("pkg.sub", ".", "pkg.sub"),
        ("pkg/sub", ".", "pkg.sub"),
        ("./pkg/sub/*", ".", "pkg.sub.*"),
        ("src/pkg/tests", "src", "pkg.tests"),
        ("pkg/mod.py", ".", "pkg.mod"),
        ("pkg\\win", ".", "pkg.win"),
    ],
)
def test_to_dotted(pattern: str, root: str, dotted: str) -> None:
    """Path patterns become dotted names; the source root prefix is dropped."""
    assert to_dotted(pattern, root) == dotted


def test_star_suffix_matches_subpackages_not_the_package() -> None:
    """``foo.*`` matches foo's sub-packages at any depth, but not foo."""
    matches = PatternFilter(["foo.*"])
    assert matches("foo.bar")
    assert matches("foo.bar.baz")
    assert not matches("foo")
    assert not matches("foobar")


def test_exact_pattern_matches_only_that_package() -> None:
    """A pattern without wildcards matches one package, as in setuptools' find_packages."""
    matches = PatternFilter(["tests"])
    assert matches("tests")
    assert not matches("tests.unit")


def test_selection_include_then_exclude() -> None:
    """Include selects packages; exclude removes packages and single modules."""
    selection = PackageSelection(include=["app", "app.*"], exclude=["app.slow", "app.tests.*"])
    assert selection.package("app")
    assert selection.package("app.core")
    assert not selection.package("other")
    assert not selection.package("app.slow")
    assert selection.package("app.tests")
    assert not selection.package("app.tests.unit")
    assert not selection.module("app.slow")
    assert selection.module("app.fast")


def test_empty_and_star_include_select_everything() -> None:
    """No include patterns (or ``*``) selects every package."""
    assert PackageSelection().package("anything.at.all")
    assert PackageSelection(include=["*"]).package("x.y")
