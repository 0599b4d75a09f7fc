"""The entry point index: deterministic files, names kept as written, loud duplicates."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from plux.build.discovery import DiscoveredSpec
from plux.build.index import (
    DuplicatePluginError,
    PluginIndexBuilder,
    index_of_specs,
    read_index,
    read_index_file,
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
    index = index_of_specs(
        [
            spec("b.ns", "zeta", "m:z"),
            spec("a.ns", "AWS::SQS::Queue", "m:Q"),
            spec("b.ns", "Alpha", "m:a"),
        ]
    )
    assert index == {"a.ns": {"AWS::SQS::Queue": "m:Q"}, "b.ns": {"Alpha": "m:a", "zeta": "m:z"}}
    assert list(index) == ["a.ns", "b.ns"]
    assert list(index["b.ns"]) == ["Alpha", "zeta"]


def test_duplicate_name_names_both_locations() -> None:
    """A name defined twice in one namespace fails, naming both places with file and line."""
    with pytest.raises(DuplicatePluginError) as info:
        index_of_specs([spec("ns", "x", "a:X", "a.py:3"), spec("ns", "x", "b:Y", "b.py:7")])
    assert "a:X (a.py:3)" in str(info.value)
    assert "b:Y (b.py:7)" in str(info.value)


def test_same_plugin_found_twice_is_one_entry() -> None:
    """The same location found twice is one entry point, not a conflict."""
    assert index_of_specs([spec("ns", "x", "a:X"), spec("ns", "x", "a:X")]) == {"ns": {"x": "a:X"}}


@pytest.mark.parametrize("fmt", ["json", "ini"])
def test_render_is_deterministic_and_round_trips(fmt: str) -> None:
    """Rendering does not depend on input order, and parsing gives the index back."""
    one = {"b": {"y": "m:y", "X": "m:X"}, "a": {"k": "m:k"}}
    two = {"a": {"k": "m:k"}, "b": {"X": "m:X", "y": "m:y"}}
    text = render_index(one, fmt)
    assert text == render_index(two, fmt)
    assert text.endswith("\n")
    table, errors = read_index(text, fmt)
    assert (table, errors) == (two, [])
    assert [list(entries) for entries in table.values()] == [["k"], ["X", "y"]]


def test_ini_format() -> None:
    """plux.ini is setuptools' entry point file format."""
    assert render_index({"ns": {"Name": "m:a"}, "a": {"x": "m:x"}, "empty": {}}, "ini") == (
        "[a]\nx = m:x\n\n[ns]\nName = m:a\n"
    )


def test_builder_writes_json() -> None:
    """The builder discovers with its finder and writes the index."""
    out = io.StringIO()
    index = PluginIndexBuilder(ListFinder([spec("ns", "x", "a:X")])).write(out)
    assert index == {"ns": ["x = a:X"]}
    assert out.getvalue() == '{\n  "ns": [\n    "x = a:X"\n  ]\n}\n'


def test_json_that_is_not_an_index_is_refused() -> None:
    """JSON of another shape is not an index at all: ValueError."""
    with pytest.raises(ValueError, match="not a plux index"):
        read_index('{"ns": "x"}')


def test_read_index_reports_each_bad_line_with_file_and_line() -> None:
    """The lenient reader keeps the good entries and names each bad line."""
    table, errors = read_index("[ns]\na = m:A\noops\n", "ini", "plux.ini")
    assert table == {"ns": {"a": "m:A"}}
    assert errors == ["plux.ini:3: expected 'name = value': 'oops'"]
    table, errors = read_index('{"ns": ["a = m:A", "b"]}', "json")
    assert (table, errors) == (
        {"ns": {"a": "m:A"}},
        ["plux.json[ns]:2: expected 'name = value': 'b'"],
    )


def test_reading_an_index_file_fails_naming_file_and_line(tmp_path: Path) -> None:
    """An index file (format by suffix) with a bad line fails naming the file and the line."""
    (tmp_path / "plux.ini").write_text("[ns]\na = m:A\noops\n")
    with pytest.raises(ValueError, match=r"plux\.ini:3: expected 'name = value': 'oops'"):
        read_index_file(tmp_path / "plux.ini")
    (tmp_path / "plux.json").write_text('{"ns": ["a = m:A"]}')
    assert read_index_file(tmp_path / "plux.json") == {"ns": {"a": "m:A"}}


def test_unknown_format_is_refused() -> None:
    """Only ``json`` and ``ini`` are index formats."""
    for call in (lambda: render_index({}, "yaml"), lambda: read_index("", "yaml")):
        with pytest.raises(ValueError, match="unknown index format"):
            call()
