"""Fuzzing entry_points.txt: parsing, serialising, and the index built from what was parsed."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, strategies as st
from property_support import examples

from plux.core._entry_points_text import read_entry_points_text
from plux.runtime._distributions import read_distribution_entry_points
from plux.runtime._index import EntryPointIndex, identity
from plux.runtime._index_build import index_environment
from plux.runtime._scan import scan_stamps
from plux.runtime.metadata import serialize_entry_points_text

from ..conftest import settle_tree
from .strategies import entry_points_bytes, entry_points_texts

_numbers = itertools.count()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the files of every example (each example takes a fresh sub-folder)."""
    return tmp_path_factory.mktemp("fuzz-entry-points")


def fresh_site(scratch: Path, data: bytes) -> tuple[Path, Path]:
    """A new site holding one distribution whose ``entry_points.txt`` is ``data``."""
    site = scratch / f"site{next(_numbers)}"
    dist = site / "fuzzed-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fuzzed\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_bytes(data)
    settle_tree(site)
    return site, dist


def grouped(entry_points: list) -> dict[str, list[tuple[str, str]]]:  # type: ignore[type-arg]
    result: dict[str, list[tuple[str, str]]] = {}
    for ep in entry_points:
        result.setdefault(ep.group, []).append((ep.name, ep.value))
    return result


@examples(400)
@given(entry_points_texts)
def test_serialized_parse_result_parses_to_the_same_entries(text: str) -> None:
    """What parse(x) gives and the writer accepts serialises to text that parses, without errors,
    to the same entries (the writer refuses what importlib reads but no tool should write, such
    as an empty name)."""
    entry_points, _ = read_entry_points_text(text)
    by_group: dict[str, list] = {}  # type: ignore[type-arg]
    for ep in entry_points:
        try:
            serialize_entry_points_text({ep.group: [ep]})
        except ValueError:
            continue
        by_group.setdefault(ep.group, []).append(ep)
    again, errors = read_entry_points_text(serialize_entry_points_text(by_group))
    assert errors == []
    assert grouped(again) == grouped([ep for eps in by_group.values() for ep in eps])


@examples(200)
@given(entry_points_texts)
def test_every_line_is_an_entry_a_header_ignorable_or_an_error(text: str) -> None:
    """No line is lost: each is a header, a comment or blank, an entry point, or an error."""
    entry_points, errors = read_entry_points_text(text, "f")
    lines = [line.strip() for line in text.splitlines()]
    headers = [line for line in lines if line[:1] == "[" and line[-1:] == "]"]
    ignorable = [
        line
        for line in lines
        if not line
        or line[0] == "#"
        or (line[0] == ";" and "=" not in line and line not in headers)
    ]
    assert len(entry_points) + len(errors) + len(headers) + len(ignorable) == len(lines)


@examples(150, suppress_health_check=[HealthCheck.too_slow])
@given(data=entry_points_bytes)
def test_entry_points_file_of_any_bytes_is_read_or_reported(scratch: Path, data: bytes) -> None:
    """Any bytes in entry_points.txt give entry points and errors naming the file, never a crash."""
    _, dist = fresh_site(scratch, data)
    entry_points, errors = read_distribution_entry_points(str(dist))
    assert all(error.startswith(str(dist / "entry_points.txt")) for error in errors)
    assert all(n == n.strip() and v == v.strip() for _, n, v in entry_points)


@examples(100, suppress_health_check=[HealthCheck.too_slow])
@given(data=entry_points_bytes)
def test_index_of_any_entry_points_file_survives_the_disk(scratch: Path, data: bytes) -> None:
    """The index built over any entry_points.txt is written and read back entry for entry."""
    site, dist = fresh_site(scratch, data)
    path = [str(site)]
    index = index_environment(path, scan_stamps(path))
    back = EntryPointIndex.from_bytes(b"".join(index.to_parts()), identity(path))
    assert back is not None and back.holds()
    assert sorted(back.groups) == sorted(index.groups)
    for group in index.groups:
        assert back.rows(group) == index.rows(group)
    entry_points, _ = read_distribution_entry_points(str(dist))
    assert sum(len(index.rows(group)) for group in index.groups) == len(entry_points)


@examples(100)
@given(st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=3))
def test_serializer_refuses_or_round_trips_any_entry(entries: dict[str, str]) -> None:
    """Any name and value either serialise to text that parses back to them, or raise
    ValueError: never text that parses to something else."""
    from plux.core.entrypoint import EntryPoint

    index = {"g": [EntryPoint(name, value, "g") for name, value in entries.items()]}
    try:
        text = serialize_entry_points_text(index)
    except ValueError:
        return
    again, errors = read_entry_points_text(text)
    assert errors == [] and grouped(again) == {
        g: [(ep.name, ep.value) for ep in eps] for g, eps in index.items() if eps
    }
