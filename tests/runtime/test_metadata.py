"""plux.runtime.metadata: parsing entry_points.txt, naming distributions, shadowing."""

from __future__ import annotations

import logging
import sys
from importlib.metadata import EntryPoint

import pytest
from hypothesis import given, strategies as st
from property_support import examples

from plux.core._entry_points_text import read_entry_points_text
from plux.core.entrypoint import EntryPoint as CoreEntryPoint
from plux.runtime._distributions import distribution_info, normalize_name
from plux.runtime.metadata import (
    build_entry_point_index,
    iter_distributions,
    parse_entry_points_text,
    serialize_entry_points_text,
)

from ..hardening.strategies import DIGITS, LETTERS, LOWER, words

# --- strategies ----------------------------------------------------------------------------------

identifiers = words(LETTERS + "_", LETTERS + DIGITS + "_", 8)
dotted = st.lists(identifiers, min_size=1, max_size=3).map(".".join)
values = st.builds(
    lambda module, attr, extras: module + (f":{attr}" if attr else "") + extras,
    dotted,
    st.none() | dotted,
    st.sampled_from(["", " [a]", " [a,b]"]),
)
entry_names = (
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="=[#;"),
        min_size=1,
        max_size=12,
    )
    .map(str.strip)
    .filter(bool)
)
groups = words(LOWER, LOWER + DIGITS + "_.:-", 15)
indexes = st.dictionaries(  # up to 3 x 3 entries: each shape of a round trip, at a third the cost
    groups,
    st.lists(st.tuples(entry_names, values), min_size=1, max_size=3),
    max_size=3,
).map(lambda d: {g: [EntryPoint(n, v, g) for n, v in eps] for g, eps in d.items()})
line_soup = st.lists(
    st.sampled_from(["[g]", "[]", "[ x ]", "a = b:c", "=", "a =", "= b", "junk", "# c", "; c", ""])
    | st.text(max_size=30),
    max_size=20,
).map("\n".join)


# --- parsing -------------------------------------------------------------------------------------


def test_parses_sections_comments_blank_lines_and_whitespace():
    """Groups, #/; comments, blank lines and surrounding whitespace are understood."""
    text = """
    # a comment
    [console_scripts]
      tool   =   pkg.cli:main
    ; another comment

    [my.plugins]
    one=pkg.one:One
    """
    entry_points, errors = read_entry_points_text(text)
    assert entry_points == [
        CoreEntryPoint("tool", "pkg.cli:main", "console_scripts"),
        CoreEntryPoint("one", "pkg.one:One", "my.plugins"),
    ]
    assert errors == []


def test_keeps_extras_in_value():
    """Extras stay part of the value, as importlib.metadata keeps them."""
    entry_points, _ = read_entry_points_text("[g]\nx = pkg.mod:Cls [fast, small]\n")
    assert entry_points == [CoreEntryPoint("x", "pkg.mod:Cls [fast, small]", "g")]


def test_keeps_value_of_bad_syntax_for_the_manager_to_report():
    """A value that is no module:attr is kept (importlib.metadata does too); loading reports it."""
    entry_points, errors = read_entry_points_text("[g]\nx = not a module::path\n")
    assert entry_points == [CoreEntryPoint("x", "not a module::path", "g")]
    assert errors == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("no equals sign", "expected 'name = value'"),
        ("[unclosed", "expected 'name = value'"),
    ],
    ids=["no-equals", "unclosed-header"],
)
def test_malformed_line_reported_with_file_and_line(line, message):
    """A malformed line is an error naming the file and the line; the good lines are kept."""
    text = f"[g]\ngood = pkg:Good\n{line}\nlater = pkg:Later\n"
    entry_points, errors = read_entry_points_text(text, "/site/x.dist-info/entry_points.txt")
    assert [ep.name for ep in entry_points] == ["good", "later"]
    assert errors == [f"/site/x.dist-info/entry_points.txt:3: {message}: {line!r}"]


def test_entry_before_any_section_is_reported():
    """An entry point line before the first [group] header is an error, not silently dropped."""
    entry_points, errors = read_entry_points_text("orphan = pkg:x\n[g]\na = pkg:a\n", "f")
    assert entry_points == [CoreEntryPoint("a", "pkg:a", "g")]
    assert errors == ["f:1: entry point outside a [group] section: 'orphan = pkg:x'"]


def test_empty_parts_are_read_as_importlib_metadata_reads_them():
    """An empty [] header, an empty name or value: entries as importlib.metadata has them."""
    entry_points, errors = read_entry_points_text("[]\na = pkg:a\n= pkg:x\nx =\n", "f")
    assert entry_points == [
        CoreEntryPoint("a", "pkg:a", ""),
        CoreEntryPoint("", "pkg:x", ""),
        CoreEntryPoint("x", "", ""),
    ]
    assert errors == []


def test_parse_entry_points_text_logs_malformed_lines(caplog):
    """parse_entry_points_text returns importlib entry points and logs each malformed line."""
    with caplog.at_level(logging.WARNING, logger="plux.runtime.metadata"):
        result = parse_entry_points_text("[g]\na = pkg:a\nbroken\n", "ep.txt")
    assert result == [EntryPoint("a", "pkg:a", "g")]
    assert "ep.txt:3: expected 'name = value': 'broken'" in caplog.text


@examples(300)
@given(st.text(max_size=300) | line_soup)
def test_any_text_yields_entries_or_clear_errors(text):
    """Whatever the text, parsing never raises: each line is an entry, ignorable, or an error."""
    entry_points, errors = read_entry_points_text(text, "src")
    lines = text.splitlines()
    assert len(entry_points) + len(errors) <= len(lines)
    for error in errors:
        where, number, _ = error.split(":", 2)
        assert where == "src" and 1 <= int(number) <= len(lines)
    for ep in entry_points:
        assert ep.name == ep.name.strip() and ep.value == ep.value.strip()


@examples(200)
@given(indexes)
def test_serialize_then_parse_round_trips(index):
    """Parsing the serialised text of an index gives that index back."""
    text = serialize_entry_points_text(index)
    assert build_entry_point_index(parse_entry_points_text(text)) == index


@pytest.mark.parametrize(
    ("name", "value"),
    [("a=b", "m:x"), (" a", "m:x"), ("a", ""), ("a\nb", "m:x"), ("#a", "m:x")],
    ids=["equals", "whitespace", "empty-value", "newline", "comment"],
)
def test_serialize_refuses_what_cannot_round_trip(name, value):
    """An entry point the text format cannot hold raises ValueError instead of being mangled."""
    with pytest.raises(ValueError):
        serialize_entry_points_text({"g": [CoreEntryPoint(name, value, "g")]})


# --- distributions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("foo_bar-1.2.3.dist-info", ("foo_bar", "1.2.3")),
        ("Foo-0.1-py3.11.egg-info", ("Foo", "0.1")),
    ],
    ids=["dist-info", "egg-info"],
)
def test_name_and_version_from_folder_name(tmp_path, folder, expected):
    """Name and version are read from the metadata folder's name, without opening a file."""
    (tmp_path / folder).mkdir()
    info = distribution_info(str(tmp_path / folder))
    assert (info.name, info.version) == expected


def test_version_from_pkg_info_when_folder_has_none(tmp_path):
    """A name-only *.egg-info (develop install) takes its version from PKG-INFO."""
    folder = tmp_path / "proj.egg-info"
    folder.mkdir()
    (folder / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: proj\nVersion: 4.5\n\nbody\n")
    info = distribution_info(str(folder))
    assert (info.name, info.version) == ("proj", "4.5")


def test_exact_name_from_metadata(site_builder):
    """With exact_name the project's spelling of the name comes from METADATA."""
    folder = site_builder.add_distribution("my-Dist", "1.0")
    assert distribution_info(str(folder), exact_name=True).name == "my-Dist"


def test_normalize_name_follows_pep_503():
    """Runs of -, _ and . become one dash, and case is folded."""
    assert normalize_name("Foo__Bar.-baz") == "foo-bar-baz"


def test_first_distribution_of_a_name_shadows_later_ones(site_builder, second_site):
    """iter_distributions yields only the first copy of a normalised name on the path."""
    site_builder.add_distribution("Foo.Bar", "2.0")
    second_site.add_distribution("foo_bar", "1.0")
    second_site.add_distribution("other", "1.0")
    found = iter_distributions([str(site_builder.path), str(second_site.path)])
    assert [(d.name, d.version) for d in found] == [("Foo.Bar", "2.0"), ("other", "1.0")]


def test_build_entry_point_index_over_environment(site_builder, second_site, monkeypatch):
    """Without arguments, the index covers sys.path, binds each entry to its dist, skips shadows."""
    site_builder.add_distribution("foo", "2.0", entry_points={"g": {"new": "foo:New"}})
    second_site.add_distribution("foo", "1.0", entry_points={"g": {"old": "foo:Old"}})
    monkeypatch.setattr("sys.path", [str(site_builder.path), str(second_site.path), *sys.path])
    index = build_entry_point_index()
    assert index["g"] == [EntryPoint("new", "foo:New", "g")]
    assert index["g"][0].dist is not None and index["g"][0].dist.version == "2.0"


def test_importing_metadata_module_does_not_import_importlib_metadata(python):
    """plux.runtime.metadata imports importlib.metadata only when Distribution is asked for."""
    result = python.json(
        """
        import json, sys
        import plux.runtime.metadata as m
        before = "importlib.metadata" in sys.modules
        import importlib.metadata
        print(json.dumps([before, m.Distribution is importlib.metadata.Distribution]))
        """
    )
    assert result == [False, True]


def test_resolve_distribution_information_finds_the_plugins_distribution(site_builder, python):
    """The distribution whose entry points name the plugin's module is the plugin's."""
    site_builder.add_distribution(
        "hello-dist",
        "3.2",
        entry_points={"greet.plugins": {"hello": "hello_pkg.mod:Hello"}},
        modules={
            "hello_pkg/mod.py": """
                from plux import Plugin
                class Hello(Plugin):
                    namespace, name = "greet.plugins", "hello"
                """
        },
    )
    result = python.json(
        """
        import json
        from plux import PluginSpec
        from plux.runtime.metadata import resolve_distribution_information
        from hello_pkg.mod import Hello
        dist = resolve_distribution_information(PluginSpec("greet.plugins", "hello", Hello))
        print(json.dumps([dist.metadata["Name"], dist.version]))
        """
    )
    assert result == ["hello-dist", "3.2"]


def test_resolve_distribution_information_of_unknown_module_is_none(python):
    """A spec whose module belongs to no installed distribution has no distribution."""
    result = python.json(
        """
        import json
        from plux import Plugin, PluginSpec
        from plux.runtime.metadata import resolve_distribution_information
        class Local(Plugin):
            namespace, name = "x", "local"
        print(json.dumps(resolve_distribution_information(PluginSpec("x", "local", Local))))
        """
    )
    assert result is None


def test_metadata_entry_points_resolver_reads_the_environment_each_time(site_builder, monkeypatch):
    """plux 1.16's MetadataEntryPointsResolver answers from the installed distributions on each
    call: a distribution installed after the first call is in the second answer."""
    from plux.runtime.metadata import EntryPointsResolver, MetadataEntryPointsResolver

    monkeypatch.setattr("sys.path", [str(site_builder.path)])
    site_builder.add_distribution("one", entry_points={"g": {"a": "one:A"}})
    resolver = MetadataEntryPointsResolver()
    assert isinstance(resolver, EntryPointsResolver)
    assert [ep.name for ep in resolver.get_entry_points()["g"]] == ["a"]
    site_builder.add_distribution("two", entry_points={"g": {"b": "two:B"}})
    assert sorted(ep.name for ep in resolver.get_entry_points()["g"]) == ["a", "b"]
