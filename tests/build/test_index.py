"""The entry point index: deterministic files, names kept as written, loud duplicates."""

from __future__ import annotations

import io

import pytest

from plux.build.discovery import DiscoveredSpec
from plux.build.index import (
    DuplicatePluginError,
    PluginIndexBuilder,
    build_index,
    parse_index,
    render_index,
)
from plux.core.plugin import PluginFinder, PluginSpec


def spec(namespace: str, name: str, location: str, source: str | None = None) -> DiscoveredSpec:
    return DiscoveredSpec(namespace, name, object, location, source)


class ListFinder(PluginFinder):
    def __init__(self, specs: list[PluginSpec]) -> None:
        self.specs = specs

    def find_plugins(self) -> list[PluginSpec]:
        return list(self.specs)


def test_index_is_sorted_and_keeps_case() -> None:
    """Groups and names are sorted; names are written exactly as declared."""
    index = build_index(
        [
            spec("b.ns", "zeta", "m:z"),
            spec("a.ns", "AWS::SQS::Queue", "m:Q"),
            spec("b.ns", "Alpha", "m:a"),
        ]
    )
    assert index == {
        "a.ns": ["AWS::SQS::Queue = m:Q"],
        "b.ns": ["Alpha = m:a", "zeta = m:z"],
    }
    assert list(index) == ["a.ns", "b.ns"]


def test_duplicate_name_names_both_locations() -> None:
    """A name defined twice in one namespace fails, naming both places with file and line."""
    with pytest.raises(DuplicatePluginError) as info:
        build_index([spec("ns", "x", "a:X", "a.py:3"), spec("ns", "x", "b:Y", "b.py:7")])
    assert "a:X (a.py:3)" in str(info.value)
    assert "b:Y (b.py:7)" in str(info.value)


def test_same_plugin_found_twice_is_one_entry() -> None:
    """The same location found twice is one entry point, not a conflict."""
    assert build_index([spec("ns", "x", "a:X"), spec("ns", "x", "a:X")]) == {"ns": ["x = a:X"]}


@pytest.mark.parametrize("fmt", ["json", "ini"])
def test_render_is_deterministic_and_round_trips(fmt: str) -> None:
    """Rendering does not depend on input order, and parsing gives the index back."""
    one = {"b": ["y = m:y", "X = m:X"], "a": ["k = m:k"]}
    two = {"a": ["k = m:k"], "b": ["X = m:X", "y = m:y"]}
    text = render_index(one, fmt)
    assert text == render_index(two, fmt)
    assert text.endswith("\n")
    assert parse_index(text, fmt) == {"a": ["k = m:k"], "b": ["X = m:X", "y = m:y"]}


def test_ini_format() -> None:
    """plux.ini is setuptools' entry point file format."""
    assert render_index({"ns": ["Name = m:a"], "a": ["x = m:x"]}, "ini") == (
        "[a]\nx = m:x\n\n[ns]\nName = m:a\n"
    )


def test_builder_writes_json() -> None:
    """The builder discovers with its finder and writes the index."""
    out = io.StringIO()
    index = PluginIndexBuilder(ListFinder([spec("ns", "x", "a:X")])).write(out)
    assert index == {"ns": ["x = a:X"]}
    assert out.getvalue() == '{\n  "ns": [\n    "x = a:X"\n  ]\n}\n'


def test_parse_rejects_garbage() -> None:
    """Text that is not an index raises ValueError."""
    with pytest.raises(ValueError):
        parse_index('{"ns": "x"}')
    with pytest.raises(ValueError):
        parse_index("not an entry\n", "ini")
