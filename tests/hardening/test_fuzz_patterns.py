"""Fuzzing include/exclude patterns: what they select, whatever their spelling."""

from __future__ import annotations

from hypothesis import assume, given, strategies as st
from property_support import examples

from plux.build._patterns import PackageSelection, PatternFilter, to_dotted

from .strategies import dotted_names, identifiers, patterns


@examples(300)
@given(st.lists(patterns, max_size=4), st.lists(patterns, max_size=4), st.text(max_size=20))
def test_any_patterns_and_name_never_raise(
    include: list[str], exclude: list[str], name: str
) -> None:
    """Any pattern text (unbalanced brackets, slashes, backslashes) and any name give a bool."""
    selection = PackageSelection(include, exclude, root="src")
    assert isinstance(selection.package(name), bool)
    assert isinstance(selection.module(name), bool)


@examples(300)
@given(dotted_names, dotted_names)
def test_star_suffix_selects_exactly_the_subpackages(package: str, name: str) -> None:
    """``pkg.*`` matches the packages below pkg at any depth, and neither pkg nor its siblings."""
    assert PatternFilter([package + ".*"])(name) == name.startswith(package + ".")
    assert PatternFilter([package + ".*"])(package + "." + name)
    assert not PatternFilter([package + ".*"])(package)


@examples(200)
@given(dotted_names, dotted_names)
def test_plain_name_matches_only_itself(pattern: str, name: str) -> None:
    """A pattern without wildcards matches exactly one package, case-sensitively."""
    assert PatternFilter([pattern])(name) == (name == pattern)
    assert PatternFilter([pattern])(pattern)
    if pattern != pattern.upper():
        assert not PatternFilter([pattern.upper()])(pattern)


@examples(300)
@given(
    st.lists(identifiers, min_size=1, max_size=4),
    st.sampled_from(["", "/*", ".py"]),
    dotted_names,
)
def test_path_and_dotted_spellings_select_the_same(
    parts: list[str], suffix: str, name: str
) -> None:
    """``a/b``, ``./a/b``, ``src/a/b`` (root src) and ``a.b`` select the same names; so do
    ``a/b/*`` and ``a.b.*``, and ``a/b.py`` and ``a.b``. (``a.py`` is the file ``a.py``, so a
    package called ``py`` is left out: its dotted spelling names that file.)"""
    assume(suffix or parts[-1] != "py")
    dotted = ".".join(parts) + (".*" if suffix == "/*" else "")
    path = "/".join(parts) + suffix
    expected = PatternFilter([dotted])(name)
    assert PatternFilter([path])(name) == expected
    assert PatternFilter(["./" + path])(name) == expected
    assert PatternFilter(["src/" + path], root="src")(name) == expected
    assert to_dotted(dotted) == dotted


@examples(300)
@given(st.lists(patterns, max_size=3), st.lists(patterns, max_size=3), dotted_names)
def test_selection_is_include_then_exclude(
    include: list[str], exclude: list[str], name: str
) -> None:
    """A package is scanned when no exclude pattern matches and an include pattern does (or
    there are none, ``*`` and blanks counting as none); a module only when not excluded."""
    selection = PackageSelection(include, exclude)
    included = [p for p in include if p.strip() not in ("", "*")]
    excluded = PatternFilter(exclude)(name)
    assert selection.package(name) == (
        not excluded and (not included or PatternFilter(included)(name))
    )
    assert selection.module(name) == (not excluded)


@examples(50)
@given(st.lists(identifiers, min_size=1, max_size=3), st.sampled_from(["./src", "src/."]))
def test_path_pattern_is_relative_to_the_root_however_the_root_is_spelled(
    parts: list[str], root: str
) -> None:
    """``src/a/b`` with the source root spelled ``./src`` or ``src/.`` means ``a.b``."""
    assert to_dotted("src/" + "/".join(parts), root=root) == ".".join(parts)
