"""Parsing Python source that nobody vetted (installed plugins, a project's modules) safely.

Shared by the run-time index (declared names) and build-time discovery: whatever the source,
parsing either returns a tree or raises :class:`SyntaxError`; it never ends the process.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast

# Python 3.10's parser can crash the interpreter (not raise) on one very long expression, such
# as a sum of 200,000 terms; a line shorter than this is parsed safely there.
MAX_LINE_310 = 100_000


def parse_source(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """Parse module source into a syntax tree.

    :raises SyntaxError: if the source is not Python, is nested too deeply for the parser (its
        RecursionError or MemoryError), or on Python 3.10 has a line too long to parse safely;
        the message names ``filename``.
    """
    import ast

    if sys.version_info < (3, 11):
        longest = max(map(len, source.splitlines()), default=0)
        if longest > MAX_LINE_310:
            raise SyntaxError(
                f"{filename}: a line of {longest} characters is too long to parse safely on "
                "Python 3.10"
            )
    try:
        return ast.parse(source, filename=filename)
    except (RecursionError, MemoryError) as e:
        raise SyntaxError(f"{filename}: nested too deeply to parse ({type(e).__name__})") from e
