"""The index answers what importlib.metadata.entry_points() answers, whatever sys.path holds.

Each test makes an environment for real and asks, in fresh processes (a cold one that builds
the index, then a warm one that reads it), importlib.metadata and plux the same question.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, strategies as st
from property_support import examples

from plux.core._entry_points_text import read_entry_points_text

GROUP = "parity.plugins"

ASK = """
import json, sys
{prelude}
import importlib.metadata as md
from plux import PluginManager
from plux.runtime.cache import EntryPointsCache
from plux.runtime.metadata import build_entry_point_index

group = {group!r}
theirs = [[ep.name, ep.value, ep.dist.name] for ep in md.entry_points(group=group)]
cache = EntryPointsCache.instance()
ours = [[ep.name, ep.value, ep.distribution] for ep in cache.entry_points_of(group)]
bound = [[ep.name, ep.value, ep.dist.name] for ep in cache.get_entry_points().get(group, [])]
rebuilt = [[ep.name, ep.value, ep.dist.name] for ep in build_entry_point_index().get(group, [])]
print(json.dumps({{
    "theirs": theirs, "ours": ours, "bound": bound, "rebuilt": rebuilt,
    "names": PluginManager(group).list_names(),
}}))
"""


def ask(python, group: str = GROUP, prelude: str = "") -> list[list[str]]:
    """importlib.metadata's entries of ``group`` (name, value, distribution), after checking in
    a cold and then a warm process that plux answers the same in every way it answers."""
    for _ in ("cold", "warm"):
        answer = python.json(ASK.format(group=group, prelude=prelude))
        theirs = answer["theirs"]
        assert answer["ours"] == theirs
        assert answer["bound"] == theirs
        assert answer["rebuilt"] == theirs
        assert answer["names"] == list(dict.fromkeys(name for name, _, _ in theirs))
    return theirs  # type: ignore[no-any-return]


def write_distribution(folder: Path, name: str, version: str, entry_points: str) -> Path:
    """A metadata folder ``folder`` for ``name`` with the text of its entry_points.txt."""
    folder.mkdir(parents=True)
    (folder / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (folder / "entry_points.txt").write_text(entry_points)
    return folder


ORDERS = pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["in-order", "reversed"])


@ORDERS
def test_two_copies_in_one_folder_first_listed_wins(site_builder, python, order):
    """Two copies of one distribution in one folder (pip --ignore-installed): the copy the
    folder lists first wins, as in importlib.metadata, not the alphabetically first."""
    copies = [("1.0", "old = dup:Old"), ("2.0", "new = dup:New")]
    for position in order:
        version, line = copies[position]
        folder = site_builder.path / f"dup-{version}.dist-info"
        write_distribution(folder, "dup", version, f"[{GROUP}]\n{line}\n")
    first = next(n for n in os.listdir(site_builder.path) if n.startswith("dup-"))
    expected = "old" if first == "dup-1.0.dist-info" else "new"
    assert [name for name, _, _ in ask(python)] == [expected]


@ORDERS
def test_one_name_from_two_distributions_in_one_folder(site_builder, python, order):
    """Two distributions in one folder registering one name: the first listed is the first
    entry, as in importlib.metadata; both are listed."""
    for position in order:
        name = ("alpha", "beta")[position]
        site_builder.add_distribution(name, entry_points={GROUP: {"x": f"{name}:X"}})
    first = next(n for n in os.listdir(site_builder.path) if n.endswith(".dist-info"))
    entries = ask(python)
    assert [dist for _, _, dist in entries][0] == first.partition("-")[0]
    assert sorted(dist for _, _, dist in entries) == ["alpha", "beta"]


def test_zip_file_on_the_path_is_read(site_builder, tmp_path, python):
    """A zip file on sys.path (a zipapp, bundled dependencies) contributes its distributions."""
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
        zf.writestr("zipped-1.0.dist-info/entry_points.txt", f"[{GROUP}]\nz = zipped:Z\n")
        zf.writestr("zipped.py", "Z = 1\n")
    site_builder.add_distribution("plain", entry_points={GROUP: {"p": "plain:P"}})
    python.sites.insert(0, archive)
    assert ask(python) == [["z", "zipped:Z", "zipped"], ["p", "plain:P", "plain"]]


def test_zip_file_changed_is_read_again(site_builder, tmp_path, python):
    """A zip file rewritten on the path is read again by the next process."""
    archive = tmp_path / "bundle.zip"
    python.sites.insert(0, archive)
    for entry in ("first", "second"):
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("zipped-1.0.dist-info/METADATA", "Name: zipped\nVersion: 1.0\n")
            zf.writestr("zipped-1.0.dist-info/entry_points.txt", f"[{GROUP}]\n{entry} = z:Z\n")
        assert [name for name, _, _ in ask(python)] == [entry]


def test_egg_directory_on_the_path_is_read(site_builder, python):
    """An .egg directory on sys.path contributes the distribution in its EGG-INFO."""
    egg = site_builder.path / "eggy-1.0-py3.egg"
    info = write_distribution(egg / "EGG-INFO", "eggy", "1.0", f"[{GROUP}]\ne = eggy:E\n")
    (info / "METADATA").rename(info / "PKG-INFO")
    python.sites.append(egg)
    assert ask(python) == [["e", "eggy:E", "eggy"]]


def test_egg_info_file_shadows_later_copy(site_builder, second_site, python):
    """An egg-info file (a distutils install) earlier on the path is the first copy: a later
    copy's entry points do not count, as in importlib.metadata."""
    (site_builder.path / "shadow-1.0-py3.11.egg-info").write_text(
        "Metadata-Version: 1.1\nName: shadow\nVersion: 1.0\n"
    )
    second_site.add_distribution("shadow", "2.0", entry_points={GROUP: {"s": "shadow:S"}})
    second_site.add_distribution("other", entry_points={GROUP: {"o": "other:O"}})
    python.sites.append(second_site.path)
    assert ask(python) == [["o", "other:O", "other"]]


def test_dangling_dist_info_link_shadows_later_copy(site_builder, second_site, tmp_path, python):
    """A dangling *.dist-info link earlier on the path hides a later copy, as in importlib."""
    (site_builder.path / "gone-1.0.dist-info").symlink_to(tmp_path / "nowhere")
    second_site.add_distribution("gone", "2.0", entry_points={GROUP: {"g": "gone:G"}})
    second_site.add_distribution("other", entry_points={GROUP: {"o": "other:O"}})
    python.sites.append(second_site.path)
    assert ask(python) == [["o", "other:O", "other"]]


def test_folder_named_otherwise_than_its_metadata(site_builder, python):
    """pip's temporary ~name folder (metadata Name: foo) is a distribution of its own beside
    foo, as importlib.metadata (which goes by the folder name) sees it."""
    write_distribution(
        site_builder.path / "~oo-1.0.dist-info", "foo", "1.0", f"[{GROUP}]\nt = f:T\n"
    )
    site_builder.add_distribution("foo", "2.0", entry_points={GROUP: {"n": "foo:N"}})
    assert sorted(name for name, _, _ in ask(python)) == ["n", "t"]


def test_spaced_group_header_keeps_its_spaces(site_builder, python):
    """A [ spaced ] header names the group ' spaced ', as importlib.metadata reads it."""
    site_builder.add_distribution("spaced", entry_points="[ spaced ]\ns = spaced:S\n")
    assert ask(python, " spaced ") == [["s", "spaced:S", "spaced"]]
    assert ask(python, "spaced") == []


FINDER = """
import pathlib
from importlib.metadata import DistributionFinder, PathDistribution

class HiddenFinder(DistributionFinder):
    def find_spec(self, *args, **kwargs):
        return None

    def find_distributions(self, context=DistributionFinder.Context()):
        return [PathDistribution(pathlib.Path({folder!r}))]

sys.meta_path.{where}
"""


@pytest.mark.parametrize(
    ("where", "expected"),
    [("append(HiddenFinder())", ["o", "p"]), ("insert(0, HiddenFinder())", ["h", "o"])],
    ids=["after", "before"],
)
def test_meta_path_finder_distributions_are_asked_for(
    site_builder, tmp_path, python, where, expected
):
    """A distribution that a finder on sys.meta_path provides counts, before or after the path
    finder's, and shadows or is shadowed as in importlib.metadata."""
    hidden = write_distribution(
        tmp_path / "hidden" / "shared-9.0.dist-info", "shared", "9.0", f"[{GROUP}]\nh = h:H\n"
    )
    site_builder.add_distribution("shared", "1.0", entry_points={GROUP: {"p": "s:P"}})
    site_builder.add_distribution("own", entry_points={GROUP: {"o": "own:O"}})
    prelude = FINDER.format(folder=str(hidden), where=where)
    entries = ask(python, prelude=prelude)
    assert sorted(name for name, _, _ in entries) == expected


lines = st.lists(
    st.sampled_from(["[g]", "[ g ]", "[]", "[[g]]", "a = b:c", "= b", "a =", "; a = b", "# c"])
    | st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
    max_size=12,
).map("\n".join)


def ini_comment(line: str) -> bool:
    """A ``;`` line without ``=``: an ini comment, which plux skips (docs/reference.md) and on
    which importlib.metadata raises."""
    line = line.strip()
    return line[:1] == ";" and "=" not in line


@examples(200)
@given(lines)
def test_entry_points_text_is_read_as_importlib_reads_it(tmp_path_factory, text):
    """plux reads any entry_points.txt as importlib.metadata reads it without its ini comments
    (the ``;`` lines plux documents as skipped); where importlib fails even then, plux reports
    the lines it skipped."""
    from importlib.metadata import Distribution

    folder = tmp_path_factory.mktemp("ep") / "x-1.0.dist-info"
    folder.mkdir()
    kept = "\n".join(line for line in text.splitlines() if not ini_comment(line))
    (folder / "entry_points.txt").write_text(kept, encoding="utf-8", newline="")
    ours, errors = read_entry_points_text(text)
    try:
        theirs = [(ep.name, ep.value, ep.group) for ep in Distribution.at(folder).entry_points]
    except (TypeError, ValueError):
        assert errors
        return
    assert [(ep.name, ep.value, ep.group) for ep in ours] == theirs


def test_an_ini_comment_is_skipped_where_importlib_fails(tmp_path) -> None:
    """The example that once broke the property: ``[g]`` then ``;``. importlib.metadata raises on
    it; plux skips the comment without an error, as documented."""
    from importlib.metadata import Distribution

    folder = tmp_path / "x-1.0.dist-info"
    folder.mkdir()
    (folder / "entry_points.txt").write_text("[g]\n;")
    with pytest.raises((TypeError, ValueError)):  # which one depends on the Python version
        Distribution.at(folder).entry_points  # noqa: B018
    assert read_entry_points_text("[g]\n;") == ([], [])


RAISING_FINDER = """
import json, logging, sys
from importlib.metadata import DistributionFinder

records = []

class Keep(logging.Handler):
    def emit(self, record):
        records.append([record.name, record.levelname, record.getMessage()])

logging.getLogger().addHandler(Keep())

class RaisingFinder(DistributionFinder):
    def find_spec(self, *args, **kwargs):
        return None

    def find_distributions(self, context=DistributionFinder.Context()):
        raise RuntimeError("finder is broken")

    def __repr__(self):
        return "RaisingFinder()"

sys.meta_path.{where}

import importlib.metadata as md
from plux import PluginManager
from plux.runtime.cache import EntryPointsCache

try:
    md.entry_points(group={group!r})
    raised = None
except RuntimeError as e:
    raised = str(e)
cache = EntryPointsCache.instance()
ours = [[ep.name, ep.value, ep.distribution] for ep in cache.entry_points_of({group!r})]
print(json.dumps({{
    "raised": raised, "ours": ours, "names": PluginManager({group!r}).list_names(),
    "records": records,
}}))
"""


@pytest.mark.parametrize(
    "where", ["append(RaisingFinder())", "insert(0, RaisingFinder())"], ids=["after", "before"]
)
def test_meta_path_finder_that_raises_is_logged_and_left_out(site_builder, python, where):
    """A finder on sys.meta_path whose find_distributions raises makes importlib.metadata's
    entry_points() raise; plux logs a warning, leaves the finder out and answers from the rest."""
    site_builder.add_distribution("own", entry_points={GROUP: {"o": "own:O"}})
    for _ in ("cold", "warm"):
        answer = python.json(RAISING_FINDER.format(where=where, group=GROUP))
        assert answer["raised"] == "finder is broken"
        assert answer["ours"] == [["o", "own:O", "own"]]
        assert answer["names"] == ["o"]
        assert answer["records"] == [
            [
                "plux.runtime.metadata",
                "WARNING",
                "distribution finder RaisingFinder() failed; its distributions are left out",
            ]
        ]


EVERY_GROUP = """
import json
import importlib.metadata as md
from plux.runtime.cache import EntryPointsCache

cache = EntryPointsCache.instance()
answers = {{}}
for group in {groups!r}:
    theirs = [[ep.name, ep.value, ep.dist.name] for ep in md.entry_points(group=group)]
    ours = [[ep.name, ep.value, ep.distribution] for ep in cache.entry_points_of(group)]
    answers[group] = [theirs, ours]
print(json.dumps(answers))
"""


def test_each_rebuild_after_a_change_answers_as_importlib(site_builder, second_site, python):
    """After each change (an install into a folder of others, an install in a new group, a copy
    that shadows one further down the path, its removal, a removal, an edit in place), the next
    process rebuilds from the previous index, carrying over the groups of what did not change,
    and every group answers as importlib.metadata does."""
    groups = (GROUP, "parity.other", "parity.new")
    python.sites.append(second_site.path)
    for i in range(6):
        entry_points = {GROUP: {f"p{i}": f"d{i}:P"}, "parity.other": {f"o{i}": f"d{i}:O"}}
        site_builder.add_distribution(f"d{i}", entry_points=entry_points)
    second_site.add_distribution("shadow", "1.0", entry_points={GROUP: {"old": "shadow:Old"}})
    shadowing = site_builder.path / "shadow-2.0.dist-info"
    changes = [
        lambda: site_builder.add_distribution("late", entry_points={GROUP: {"l": "late:L"}}),
        lambda: site_builder.add_distribution("fresh", entry_points={"parity.new": {"n": "f:N"}}),
        lambda: site_builder.add_distribution("shadow", "2.0", {GROUP: {"new": "shadow:New"}}),
        lambda: shutil.rmtree(shadowing),
        lambda: shutil.rmtree(site_builder.path / "d3-1.0.dist-info"),
        lambda: (site_builder.path / "d1-1.0.dist-info" / "entry_points.txt").write_text(
            "[parity.new]\nmoved = d1:M\n"
        ),
    ]
    for change in [lambda: None, *changes]:
        change()
        answers = python.json(EVERY_GROUP.format(groups=groups))
        for group, (theirs, ours) in answers.items():
            assert ours == theirs, group
