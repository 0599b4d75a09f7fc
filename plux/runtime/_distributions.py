"""Installed distributions on a path entry, read from the file system without importlib.

What counts as a distribution's metadata (``*.dist-info``, ``*.egg-info``, an ``.egg``'s
``EGG-INFO``, a zip file's top-level folders), its name and version, its entry points (with
plux 1.x's editable link) and the file whose change changes them (:func:`watched_file`). Which
copy of a distribution counts is decided here, once, as ``importlib.metadata`` decides it
(:func:`importlib_order`, :func:`shadowing_key`, :func:`first_copies`). The index
(:mod:`plux.runtime._index`) reads through here on its cold path, and a warm process only when
a path entry changed; nothing here imports ``importlib.metadata``.
"""

from __future__ import annotations

import os

# Neither typing nor plux.core.entrypoint (which needs typing) is imported here: typing alone
# costs more than the rest of a warm start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from typing import TypeVar
    from zipfile import ZipFile

    T = TypeVar("T")

__all__ = [
    "DistributionInfo",
    "ZipEntry",
    "distribution_info",
    "entry_points_file",
    "first_copies",
    "importlib_order",
    "is_metadata_child",
    "lower_all",
    "metadata_children",
    "metadata_children_of",
    "metadata_name",
    "normalize_name",
    "read_distribution_entry_points",
    "read_bytes",
    "read_editable_link",
    "shadowing_key",
    "stem_name",
    "watched_file",
]

METADATA_SUFFIXES = (".dist-info", ".egg-info")
ENTRY_POINTS_FILE = "entry_points.txt"
_ENTRY_POINTS = os.sep + ENTRY_POINTS_FILE
EDITABLE_LINK_FILE = "entry_points_editable.txt"
"""Written by plux 1.x into an editable install's dist-info: the path of the real entry points."""


def normalize_name(name: str) -> str:
    """The PEP 503 form of a distribution name, used to decide which copy shadows which.

    >>> normalize_name("Foo.Bar__baz")
    'foo-bar-baz'
    """
    low = name.lower().replace("_", "-").replace(".", "-")
    while "--" in low:
        low = low.replace("--", "-")
    return low


def is_egg(entry: str) -> bool:
    """Whether path entry ``entry`` is an ``.egg`` (whose ``EGG-INFO`` holds its metadata)."""
    return os.path.basename(entry).lower().endswith(".egg")


def is_metadata_child(name: str, in_egg: bool) -> bool:
    """Whether ``importlib.metadata`` takes the child ``name`` of a path entry for a
    distribution's metadata: any ``*.dist-info``/``*.egg-info`` (folder, file or dangling link),
    and the ``EGG-INFO`` of an ``.egg``."""
    low = name.lower()
    return low.endswith(METADATA_SUFFIXES) or (in_egg and low == "egg-info")


def lower_all(names: Sequence[str]) -> list[str]:
    """Each of ``names`` lower-cased, in one call (no file name holds a NUL)."""
    return "\0".join(names).lower().split("\0") if names else []


def metadata_children_of(names: Sequence[str], in_egg: bool) -> tuple[str, ...]:
    """Those of a path entry's children ``names`` that :func:`is_metadata_child` takes (tested
    in C: a site folder may hold thousands)."""
    from itertools import compress, repeat  # not on the warm path

    if in_egg:
        return tuple(name for name in names if is_metadata_child(name, True))
    suffixes = repeat(METADATA_SUFFIXES)
    return tuple(compress(names, map(str.endswith, lower_all(names), suffixes)))


def stem_name(child: str) -> str | None:
    """The distribution name in a metadata folder name ``name-version.dist-info`` (or
    ``.egg-info``, suffix in exactly that case), or None (``EGG-INFO``)."""
    stem, dot, suffix = child.rpartition(".")
    return stem.partition("-")[0] if dot and "." + suffix in METADATA_SUFFIXES else None


def metadata_headers(text: str) -> dict[str, str]:
    """Name and Version from the text of a METADATA/PKG-INFO file (its header block)."""
    headers: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        if key in ("Name", "Version"):
            headers.setdefault(key, value.strip())
    return headers


def _metadata_headers(path: str) -> dict[str, str]:
    """Name and Version from a distribution's METADATA/PKG-INFO (read only when the folder
    name does not tell them); an ``*.egg-info`` that is a file is itself the PKG-INFO."""
    files = ("METADATA", "PKG-INFO") if os.path.isdir(path) else ("",)
    for file in files:
        try:
            with open(os.path.join(path, file), encoding="utf-8", errors="replace") as fh:
                return metadata_headers(fh.read(1 << 16))
        except OSError:
            continue
    return {}


class DistributionInfo:
    """An installed distribution's metadata folder, as found on a path entry."""

    __slots__ = ("name", "version", "path")

    def __init__(self, name: str, version: str, path: str) -> None:
        self.name = name
        """The name as the folder spells it (``foo_bar`` for ``foo_bar-1.0.dist-info``), or as
        its metadata does when read with ``exact_name``."""
        self.version = version
        self.path = path
        """The ``*.dist-info``/``*.egg-info`` folder."""

    def __repr__(self) -> str:
        return f"DistributionInfo({self.name!r}, {self.version!r}, {self.path!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DistributionInfo):
            return NotImplemented
        return (self.name, self.version, self.path) == (other.name, other.version, other.path)

    def __hash__(self) -> int:
        return hash((self.name, self.version, self.path))


def metadata_name(path: str) -> str | None:
    """The ``Name`` in the metadata of the distribution whose metadata folder is ``path``."""
    return _metadata_headers(path).get("Name") or None


def distribution_info(path: str, exact_name: bool = False) -> DistributionInfo:
    """Name and version of the distribution whose metadata folder is ``path``.

    Both come from the folder name (``name-version.dist-info``, ``name-version-py3.X.egg-info``);
    the metadata file is read when the name lacks one of them (``name.egg-info``), or with
    ``exact_name`` for the name as the project spells it (folder names escape ``-`` as ``_``).
    """
    name, version = _folder_name_and_version(path)
    if exact_name or not name or not version:
        headers = _metadata_headers(path)
        name = headers.get("Name") or name
        version = version or headers.get("Version", "")
    return DistributionInfo(name, version, path)


def _folder_name_and_version(path: str) -> tuple[str, str]:
    stem = os.path.basename(path).rpartition(".")[0]
    name, _, rest = stem.partition("-")
    return name, rest.partition("-")[0]


def read_editable_link(path: str) -> str | None:
    """The file that plux 1.x's editable link in the metadata folder ``path`` names (``""`` when
    it cannot be read), or None when there is no link."""
    file = os.path.join(path, EDITABLE_LINK_FILE)
    # os.access: a missing file, the common case, costs no exception
    if not os.access(file, os.F_OK):
        return None
    try:
        return read_bytes(file).decode("utf-8").strip()
    except (OSError, ValueError):
        return ""


def entry_points_file(path: str, link: str | None = "") -> str:
    """The file that holds the entry points of the distribution whose metadata folder is ``path``.

    That is its ``entry_points.txt``, unless plux 1.x left an ``entry_points_editable.txt`` link
    (an editable install) pointing at an existing file. ``link`` is what
    :func:`read_editable_link` gave, if the caller read it already.
    """
    target = read_editable_link(path) if link == "" else link
    if target and os.path.isfile(target):
        return target
    return os.path.join(path, ENTRY_POINTS_FILE)


def read_distribution_entry_points(
    path: str, link: str | None = ""
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The entry points, ``(group, name, value)``, of the distribution whose metadata folder is
    ``path`` (``link`` as for :func:`entry_points_file`), and the errors found in its file (each
    naming the file and line). A distribution without one has none."""
    file = entry_points_file(path, link)
    try:
        data = read_bytes(file)
    except (FileNotFoundError, NotADirectoryError):
        return [], []  # none, or an egg-info file or dangling link (as importlib.metadata reads it)
    except OSError as e:
        return [], [f"{file}: cannot be read: {e}"]
    return entry_points_from_bytes(data, file)


def read_bytes(file: str) -> bytes:
    """The contents of ``file`` in the fewest system calls (a cold start reads thousands)."""
    fd = os.open(file, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = [os.read(fd, 1 << 16)]
        # a regular file read short has ended: no second read to learn it
        while len(chunks[-1]) == 1 << 16:
            chunks.append(os.read(fd, 1 << 16))
        return b"".join(chunks)
    finally:
        os.close(fd)


def entry_points_from_bytes(data: bytes, file: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The entry points, ``(group, name, value)``, in the bytes of an ``entry_points.txt`` (named
    ``file`` in errors)."""
    try:
        text = data.decode("utf-8")
        errors: list[str] = []
    except UnicodeDecodeError as e:
        text = data.decode("utf-8", errors="replace")
        errors = [f"{file}: not valid UTF-8 ({e.reason} at byte {e.start}), read with replacements"]
    from plux.core._entry_points_text import read_entry_point_lines  # not for a warm check

    entry_points, line_errors = read_entry_point_lines(text, file)
    return entry_points, errors + line_errors


class ZipEntry:
    """A zip file on the path, read as ``importlib.metadata`` reads it: its top-level names in
    archive order are the candidates, ``NAME/entry_points.txt`` and ``NAME/METADATA`` (or
    ``PKG-INFO``) their files. Use as a context manager."""

    def __init__(self, archive: str, zip_file: ZipFile) -> None:
        self.archive = archive
        self._zip = zip_file
        self.children = list(dict.fromkeys(n.split("/", 1)[0] for n in zip_file.namelist()))

    @classmethod
    def open(cls, archive: str) -> ZipEntry | None:
        """The zip file ``archive``, or None when it is none (as importlib.metadata, which then
        finds nothing there)."""
        import zipfile

        try:
            return cls(archive, zipfile.ZipFile(archive))
        except (OSError, ValueError, zipfile.BadZipFile):
            return None

    def __enter__(self) -> ZipEntry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._zip.close()

    def _read(self, child: str, file: str) -> bytes | None:
        try:
            return self._zip.read(f"{child}/{file}")
        except (KeyError, OSError, ValueError, RuntimeError):
            return None  # RuntimeError: an encrypted member

    def entry_points(self, child: str) -> tuple[list[tuple[str, str, str]], list[str]]:
        """The entry points, ``(group, name, value)``, of the distribution ``child`` and the
        errors in their file."""
        data = self._read(child, ENTRY_POINTS_FILE)
        source = os.path.join(self.archive, child, ENTRY_POINTS_FILE)
        return entry_points_from_bytes(data, source) if data is not None else ([], [])

    def info(self, child: str) -> DistributionInfo:
        """Name and version of the distribution ``child`` (its folder name, then its metadata)."""
        name, version = _folder_name_and_version(child)
        for file in ("METADATA", "PKG-INFO"):
            data = self._read(child, file)
            if data is not None:
                headers = metadata_headers(data.decode("utf-8", errors="replace"))
                name = headers.get("Name") or name
                version = version or headers.get("Version", "")
                break
        return DistributionInfo(name, version, os.path.join(self.archive, child))


def watched_file(dist_path: str, entry_points: bool) -> str:
    """The file whose change changes the answer of the metadata folder ``dist_path``, and whose
    stamp stands for it (``entry_points``: whether it has an ``entry_points.txt``): that file,
    else the folder itself, where one may appear."""
    return dist_path + _ENTRY_POINTS if entry_points else dist_path


def metadata_children(entry: str) -> tuple[str, ...]:
    """The names of the distribution metadata in path entry ``entry``, in listing order."""
    try:
        names = os.listdir(entry or ".")
    except OSError:
        return ()
    return metadata_children_of(names, is_egg(entry))


def importlib_order(children: Sequence[str], entry: str) -> list[str]:
    """The metadata children of path entry ``entry`` (listed in ``children``' order) in the
    order ``importlib.metadata`` takes them: by listing order of each name's first copy, the
    copies of one name together, then an ``.egg``'s ``EGG-INFO``."""
    from itertools import repeat  # not on the warm path

    if not children:
        return []
    lows = lower_all(children)
    # normalize_name keeps the NULs between the names: one call normalises them all
    stems = "\0".join([low.rpartition(".")[0].partition("-")[0] for low in lows])
    keys = normalize_name(stems).split("\0")
    in_egg = is_egg(entry)
    if (
        not in_egg
        and len(set(keys)) == len(keys)
        and all(map(str.endswith, lows, repeat(METADATA_SUFFIXES)))
    ):
        return list(children)  # no name twice: listing order
    by_name: dict[str, list[str]] = {}
    eggs: list[str] = []
    for child, low, key in zip(children, lows, keys, strict=True):
        if low.endswith(METADATA_SUFFIXES):
            by_name.setdefault(key, []).append(child)
        elif in_egg and low == "egg-info":
            eggs.append(child)
    return [child for copies in by_name.values() for child in copies] + eggs


def shadowing_key(child: str, metadata_name: str) -> str:
    """The name under which a distribution shadows later copies, as ``importlib.metadata``
    decides: its :func:`stem_name`, else the ``Name`` in its metadata; normalised."""
    return normalize_name(stem_name(child) or metadata_name)


def first_copies(keyed: Iterable[tuple[str, T]]) -> Iterator[T]:
    """The items of ``(key, item)`` pairs whose key was not seen before: the first copy of a
    distribution on the path wins, later ones are shadowed (the one place this rule lives)."""
    seen: set[str] = set()
    for key, item in keyed:
        if key not in seen:
            seen.add(key)
            yield item
