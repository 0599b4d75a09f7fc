"""The index prebuilt into the environment: used by a fresh process while it holds, bypassed the
moment anything installed changes, trusted only when it is the environment owner's (or root's)
and writable by no one else, and never written by a process that merely loads plugins."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

import prebuilt_support as support  # loaded by conftest.py
import pytest

from plux.runtime._index_file import Header

from ..conftest import METADATA_READS, settle_tree

environment = support.environment
GROUP = support.GROUP
OTHER_UID = 54321

WITHOUT_READING = f"""
import json, runpy
runpy.run_path({METADATA_READS!r})["refuse"]("the process read distribution metadata")
from plux import PluginManager
print(json.dumps(sorted(PluginManager({GROUP!r}).list_names())))
"""
"""Lists the group's plugin names, failing if answering needs any metadata file read."""


@pytest.fixture
def built(environment, site_builder):
    """Two distributions installed a while ago (the build need not wait for them to settle; the
    tests that install more before building still do), then ``python -m plux index build`` run,
    user cache empty."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    site_builder.add_distribution("two", entry_points={GROUP: {"b": "two:B"}})
    site_builder.settle()
    settle_tree(environment.prefix)
    environment.build()
    return environment


def snapshot(path: Path) -> tuple[bytes, int, int]:
    """What must stay as it was: the bytes, the mtime (ns) and the inode of a file."""
    st = path.stat()
    return path.read_bytes(), st.st_mtime_ns, st.st_ino


def reads_metadata_and_answers(environment, expected: list[str]) -> None:
    names, reads = environment.json(support.COUNTING_READS)
    assert names == expected
    assert reads > 0, "the process answered from an index it must not trust"


# --- seen after being built ---------------------------------------------------------------------


def test_build_writes_the_index_into_the_prefix(built):
    """``plux index build`` writes one file, readable by all and writable by its owner only,
    into ``<prefix>/share/plux/``."""
    assert built.index_file.is_file()
    assert stat.S_IMODE(built.index_file.stat().st_mode) == 0o644
    assert stat.S_IMODE(built.index_file.parent.stat().st_mode) == 0o755
    assert os.listdir(built.index_file.parent) == [built.index_file.name]


def test_fresh_process_answers_from_the_prebuilt_index_without_reading(built):
    """After the build, a process with an empty user cache (a fresh container's first one)
    answers without reading any metadata file, and writes no index of its own."""
    assert built.json(WITHOUT_READING) == ["a", "b"]
    assert built.user_index_files() == []
    assert built.json(WITHOUT_READING) == ["a", "b"]
    assert built.user_index_files() == []


def test_answering_from_the_prebuilt_index_makes_no_cache_folder(built, tmp_path):
    """A fresh container's home may be read-only: a process that answers from the prebuilt
    index does not even make its user cache folder."""
    built.cache_dir = tmp_path / "home" / ".cache" / "plux"
    assert built.json(WITHOUT_READING) == ["a", "b"]
    assert not (tmp_path / "home").exists()


def test_a_script_in_any_folder_answers_from_the_prebuilt_index(built, tmp_path):
    """A script started from a folder of its own (its folder first on ``sys.path``, as for every
    application) answers from the prebuilt index too, without reading metadata."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "main.py").write_text(WITHOUT_READING)
    proc = built.run(str(app / "main.py"))
    assert (proc.returncode, proc.stdout) == (0, '["a", "b"]\n'), proc.stderr
    assert built.user_index_files() == []


def unpack_anew(root: Path) -> None:
    """Pack ``root`` as an image layer is packed (a tar keeping mtimes in whole seconds) and
    unpack it in its place: every file and folder gets a new inode and ctime, as in a container
    started from a pulled image."""
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        tar.add(root, arcname=root.name)
    shutil.rmtree(root)
    archive.seek(0)
    trusted = {"filter": "fully_trusted"} if hasattr(tarfile, "fully_trusted_filter") else {}
    with tarfile.open(fileobj=archive) as tar:
        tar.extractall(root.parent, **trusted)  # type: ignore[arg-type]


def built_an_hour_earlier(header: Header) -> Header:
    return header._replace(written_ns=header.written_ns - 3600 * 10**9)


def start_a_container(built, tmp_path: Path) -> None:
    """Pack the environment and its site into an image built an hour before, and unpack it where
    they were (whole second mtimes, new inodes and ctimes)."""
    data = built.index_file.read_bytes()
    built.index_file.write_bytes(support.reencode_header(data, built_an_hour_earlier))
    root = tmp_path / "image"
    root.mkdir()
    for part in (built.prefix, built.site.path):
        part.rename(root / part.name)
    unpack_anew(root)
    for part in (built.prefix, built.site.path):
        (root / part.name).rename(part)


def test_the_prebuilt_index_holds_in_a_container_of_the_image(built, tmp_path):
    """The environment and its site, packed into an image and unpacked where they were (whole
    second mtimes, new inodes and ctimes): the first process answers from the prebuilt index."""
    start_a_container(built, tmp_path)
    assert built.index_file.stat().st_mtime_ns % 1_000_000_000 == 0
    assert built.json(WITHOUT_READING) == ["a", "b"]
    assert built.user_index_files() == []


def test_change_right_after_the_build_is_seen_in_a_container_of_the_image(built, tmp_path):
    """An entry_points.txt rewritten right after ``plux index build`` (in the same second, same
    size) and then packed into an image: the container's processes see the change, the first
    one and every later one (no stale answer is copied into the user's index)."""
    file = built.site.path / "two-1.0.dist-info" / "entry_points.txt"
    file.write_text(file.read_text().replace("b = two:B", "y = two:B"))
    start_a_container(built, tmp_path)
    for _ in ("first", "second", "third"):
        assert built.json(support.NAMES) == ["a", "y"]
    proc = built.plux("list", GROUP, "--json")
    assert proc.returncode == 0 and '"y"' in proc.stdout and '"b"' not in proc.stdout


def test_status_says_in_use_after_the_build(built):
    """``plux index status`` reports the prebuilt index in use (exit 0) right after the build."""
    assert built.status() == {
        "in_use": True,
        "index": str(built.index_file),
        "reason": None,
        "exit": 0,
    }


# --- ignored when anything changes --------------------------------------------------------------


def install_three(site) -> list[str]:
    site.add_distribution("three", entry_points={GROUP: {"c": "three:C"}})
    return ["a", "b", "c"]


def remove_two(site) -> list[str]:
    shutil.rmtree(site.path / "two-1.0.dist-info")
    return ["a"]


def add_line(site) -> list[str]:
    with (site.path / "one-1.0.dist-info" / "entry_points.txt").open("a") as fh:
        fh.write("z = one:Z\n")
    return ["a", "b", "z"]


def add_line_keeping_times(site) -> list[str]:
    # An edit within the file system's timestamp granularity: the mtimes stay as they were.
    folder = site.path / "one-1.0.dist-info"
    file = folder / "entry_points.txt"
    times = {p: p.stat() for p in (file, folder)}
    with file.open("a") as fh:
        fh.write("z = one:Z\n")
    for p, st in times.items():
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    return ["a", "b", "z"]


def rename_entry_point_same_size(site) -> list[str]:
    file = site.path / "two-1.0.dist-info" / "entry_points.txt"
    st = file.stat()
    file.write_text(file.read_text().replace("b = two:B", "y = two:B"))
    os.utime(file, ns=(st.st_atime_ns, st.st_mtime_ns))
    return ["a", "y"]


CHANGES = [
    install_three,
    remove_two,
    add_line,
    add_line_keeping_times,
    rename_entry_point_same_size,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_any_change_bypasses_the_prebuilt_index(built, site_builder, change):
    """A distribution installed or removed, or an entry_points.txt edited (even keeping its size
    and mtime) after the build, is seen by the next process; the prebuilt file stays as built,
    and ``plux index status`` says it is not in use and what changed."""
    before = snapshot(built.index_file)
    expected = change(site_builder)
    assert built.json(support.NAMES) == expected
    assert snapshot(built.index_file) == before
    status = built.status()
    assert (status["in_use"], status["exit"]) == (False, 1)
    assert status["reason"].startswith(f"changed since {built.index_file} was built: ")
    assert str(site_builder.path) in status["reason"]


def test_another_path_does_not_use_the_prebuilt_index(built, second_site):
    """A process whose path differs from the build's (another site on ``PYTHONPATH``) does not
    take the prebuilt index for its own: it sees the other site's plugins as well."""
    second_site.add_distribution("four", entry_points={GROUP: {"d": "four:D"}})
    before = snapshot(built.index_file)
    built.extra_path.append(second_site.path)
    assert built.json(support.NAMES) == ["a", "b", "d"]
    assert snapshot(built.index_file) == before
    status = built.status()
    assert (status["in_use"], status["exit"]) == (False, 1)


def test_rebuilding_after_a_change_puts_it_back_in_use(built, site_builder):
    """After an install, running ``plux index build`` again makes the prebuilt index answer for
    the new set of distributions, with no metadata read."""
    install_three(site_builder)
    built.build()
    assert built.json(WITHOUT_READING) == ["a", "b", "c"]
    assert built.status()["in_use"] is True


# --- trusted only when the environment owner's and writable by no one else ----------------------


@pytest.mark.parametrize(
    "where, mode",
    [
        ("file", 0o664),
        ("file", 0o646),
        ("folder", 0o775),
        ("folder", 0o757),
    ],
    ids=["file-group", "file-others", "folder-group", "folder-others"],
)
def test_prebuilt_index_writable_by_others_is_ignored(built, where, mode):
    """A prebuilt file, or its folder, that group or others may write is not trusted: the
    process reads the metadata (and still answers right), the file is left as it is, and
    ``plux index status`` names the reason."""
    target = built.index_file if where == "file" else built.index_file.parent
    os.chmod(target, mode)
    before = snapshot(built.index_file)
    reads_metadata_and_answers(built, ["a", "b"])
    assert snapshot(built.index_file) == before
    assert stat.S_IMODE(target.stat().st_mode) == mode
    status = built.status()
    assert (status["in_use"], status["exit"]) == (False, 1)
    assert "writable by group or others" in status["reason"]
    assert str(target) in status["reason"]


@pytest.mark.parametrize("where", ["file", "folder"])
def test_prebuilt_index_owned_by_another_user_is_ignored(built, where):
    """A prebuilt file, or its folder, owned by a user who is neither root nor the owner of the
    environment is not trusted: the process reads the metadata, and status names the owner."""
    target = built.index_file if where == "file" else built.index_file.parent
    os.chown(target, OTHER_UID, OTHER_UID)
    before = snapshot(built.index_file)
    reads_metadata_and_answers(built, ["a", "b"])
    assert snapshot(built.index_file) == before
    assert target.stat().st_uid == OTHER_UID
    status = built.status()
    assert (status["in_use"], status["exit"]) == (False, 1)
    assert f"owned by uid {OTHER_UID}" in status["reason"]


def test_damaged_prebuilt_index_is_ignored(built):
    """A prebuilt file cut short is not trusted: the process reads the metadata instead."""
    data = built.index_file.read_bytes()
    built.index_file.write_bytes(data[: len(data) // 2])
    reads_metadata_and_answers(built, ["a", "b"])
    assert built.status()["in_use"] is False


# --- never written by a plain run ---------------------------------------------------------------


def test_plain_runs_never_create_the_prebuilt_index(environment, site_builder):
    """Processes that list plugins, cold and then warm, write only the user's own index: no
    ``share/plux`` folder appears in the environment."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    for _ in range(3):
        assert environment.json(support.NAMES) == ["a"]
    assert len(environment.user_index_files()) == 1
    assert not (environment.prefix / "share" / "plux").exists()
    status = environment.status()
    assert (status["in_use"], status["exit"]) == (False, 1)
    assert str(environment.index_file) in status["reason"]


def test_plain_runs_never_rewrite_a_stale_prebuilt_index(built, site_builder):
    """Once the environment changed, processes answer right but leave the stale prebuilt file
    exactly as it was (bytes, mtime, inode): only ``plux index build`` writes it."""
    before = snapshot(built.index_file)
    install_three(site_builder)
    for _ in range(3):
        assert built.json(support.NAMES) == ["a", "b", "c"]
    built.clear_user_cache()
    assert built.json(support.NAMES) == ["a", "b", "c"]
    assert snapshot(built.index_file) == before
    assert os.listdir(built.index_file.parent) == [built.index_file.name]


def test_one_index_file_per_interpreter_however_started(environment, site_builder):
    """The venv's interpreter started by a relative path, by its absolute path and by its other
    name (``python3``) uses one index file."""
    site_builder.add_distribution("one", entry_points={GROUP: {"a": "one:A"}})
    relative = os.path.relpath(environment.python, environment.workdir)
    for python in (str(environment.python), relative, str(environment.prefix / "bin" / "python3")):
        proc = subprocess.run(
            [python, "-c", support.NAMES],
            cwd=environment.workdir,
            env=environment.environ(),
            capture_output=True,
            text=True,
            check=True,
        )
        assert proc.stdout.strip() == '["a"]'
    assert len(environment.user_index_files()) == 1
