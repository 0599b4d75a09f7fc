"""Reading and parsing Python source that nobody vetted (installed plugins, a project's modules).

Shared by the run-time index (declared names) and build-time discovery: whatever the file,
reading returns its bytes or raises :class:`OSError` (never blocks on a FIFO or device), and
parsing returns a tree or raises :class:`SyntaxError` (never ends the process).
"""

from __future__ import annotations

import _thread
import errno
import os
import stat
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast

# Python 3.10's parser overflows the C stack (a crash, not an exception) on one expression of
# about 150,000 terms, where later versions raise RecursionError. Below SMALL_310 characters no
# source holds that many; larger ones are parsed on a thread whose 256 MiB stack survives up to
# MAX_310 characters (2 million terms), and larger still are refused.
SMALL_310 = 100_000
MAX_310 = 4_000_000
STACK_310 = 256 * 1024 * 1024
PARSER_MAY_CRASH = sys.version_info < (3, 11)

# threading.stack_size is process-wide: it is set only around starting the parser's own thread.
_stack_size_lock = _thread.allocate_lock()


def read_source(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the regular file at ``path``.

    :raises OSError: if it cannot be read or is not a regular file (a folder, a FIFO, a device:
        opened without blocking and refused).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
        return file.read()


def parse_source(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """Parse module source into a syntax tree.

    :raises SyntaxError: if the source is not Python, is nested too deeply for the parser (its
        RecursionError or MemoryError), or on Python 3.10 is too large to parse safely; the
        message names ``filename``.
    """
    if PARSER_MAY_CRASH and len(source) > SMALL_310:
        if len(source) > MAX_310:
            raise SyntaxError(f"{filename}: too large to parse safely on Python 3.10")
        return _parse_on_big_stack(source, filename)
    return _parse(source, filename)


def _parse(source: str | bytes, filename: str) -> ast.Module:
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            # Warnings about the code (invalid escapes...) are the module's to give on import;
            # plux only reads it.
            warnings.simplefilter("ignore")
            return ast.parse(source, filename=filename)
    except (RecursionError, MemoryError) as e:
        raise SyntaxError(f"{filename}: nested too deeply to parse ({type(e).__name__})") from e


def _parse_on_big_stack(source: str | bytes, filename: str) -> ast.Module:
    import threading

    result: list[ast.Module] = []
    error: list[BaseException] = []

    def parse() -> None:
        try:
            result.append(_parse(source, filename))
        except BaseException as e:  # handed to the calling thread below
            error.append(e)

    with _stack_size_lock:
        previous = threading.stack_size(STACK_310)
        try:
            thread = threading.Thread(target=parse, name="plux-parse")
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    if error:
        raise error[0]
    return result[0]
