"""Shell-style include/exclude patterns over dotted package names or paths."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from fnmatch import fnmatchcase


def to_dotted(pattern: str, root: str = ".") -> str:
    """Turn a path pattern (``src/pkg/sub``, ``pkg/mod.py``) into a dotted one (``pkg.sub``).

    Dotted patterns pass through unchanged. A leading ``root`` (the project's source path, e.g.
    ``src``) is dropped so that patterns may be written relative to the project or to the source
    root.

    >>> to_dotted("src/pkg/tests/*", root="src")
    'pkg.tests.*'
    >>> to_dotted("pkg.tests.*")
    'pkg.tests.*'
    """
    text = pattern.strip().replace("\\", "/")
    if "/" not in text and not text.endswith(".py"):
        return text
    while text.startswith("./"):
        text = text[2:]
    root_prefix = posixpath.normpath(root.strip().replace("\\", "/")).strip("/")
    if root_prefix not in ("", ".") and text.startswith(root_prefix + "/"):
        text = text[len(root_prefix) + 1 :]
    if text.endswith(".py"):
        text = text[:-3]
    return ".".join(part for part in text.split("/") if part)


class PatternFilter:
    """Matches dotted names against shell-style patterns, as setuptools' ``find_packages`` does.

    ``*`` matches across dots, so ``foo.*`` matches every sub-package of ``foo`` but not ``foo``.

    >>> PatternFilter(["foo.*"])("foo.bar.baz"), PatternFilter(["foo.*"])("foo")
    (True, False)
    """

    def __init__(self, patterns: Iterable[str], root: str = ".") -> None:
        self.patterns = tuple(to_dotted(p, root) for p in patterns)

    def __call__(self, name: str) -> bool:
        return any(fnmatchcase(name, pattern) for pattern in self.patterns)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __repr__(self) -> str:
        return f"PatternFilter({list(self.patterns)!r})"


class PackageSelection:
    """Decides which packages and modules a finder scans, from include and exclude patterns.

    ``include`` (when given) selects packages; ``exclude`` removes packages and single modules.
    """

    def __init__(
        self, include: Iterable[str] = (), exclude: Iterable[str] = (), root: str = "."
    ) -> None:
        self.include = PatternFilter((p for p in include if p.strip() not in ("", "*")), root)
        self.exclude = PatternFilter(exclude, root)

    def package(self, name: str) -> bool:
        """Whether the package ``name`` is scanned."""
        if self.exclude(name):
            return False
        return not self.include or self.include(name)

    def module(self, name: str) -> bool:
        """Whether the module ``name`` (inside a selected package) is scanned."""
        return not self.exclude(name)
