"""Reading and parsing unvetted source: bytes or OSError, a tree or SyntaxError, nothing else."""

from __future__ import annotations

import ast
import os
import warnings
from pathlib import Path

import pytest

from plux.core import _parsing
from plux.core._parsing import parse_source, read_source


def test_parse_source_returns_the_module_tree() -> None:
    """Ordinary source parses to its module tree."""
    assert [type(node).__name__ for node in parse_source("x = 1\ndef f(): pass\n").body] == [
        "Assign",
        "FunctionDef",
    ]


def test_parse_source_keeps_the_code_s_own_warnings_quiet() -> None:
    """Warnings about the code (an invalid escape) are not plux's to give: none escapes."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parse_source("namespace = 'abstract\\.ns'\n")


@pytest.mark.parametrize(
    "source", ["def broken(:\n", "x = " + "-" * 100_000 + "1\n"], ids=["syntax", "too-deep"]
)
def test_parse_source_raises_syntax_error_naming_the_file(source: str) -> None:
    """Bad or too-deep source is a SyntaxError that names the file."""
    with pytest.raises(SyntaxError) as caught:
        parse_source(source, "pkg/mod.py")
    assert "pkg/mod.py" in str(caught.value) or caught.value.filename == "pkg/mod.py"


def test_read_source_reads_a_regular_file(tmp_path: Path) -> None:
    """A regular file's bytes come back as they are."""
    (tmp_path / "mod.py").write_bytes(b"x = 1\n")
    assert read_source(tmp_path / "mod.py") == b"x = 1\n"


def test_read_source_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    """A FIFO is refused at once (reading it would wait for a writer forever)."""
    os.mkfifo(tmp_path / "pipe.py")
    with pytest.raises(OSError, match="not a regular file"):
        read_source(tmp_path / "pipe.py")


def test_read_source_refuses_a_folder(tmp_path: Path) -> None:
    """A folder named like a module is an OSError, as for any unreadable file."""
    (tmp_path / "odd.py").mkdir()
    with pytest.raises(OSError):
        read_source(tmp_path / "odd.py")


class TestWherePythonsParserMayCrash:
    """Python 3.10's parser: large sources are parsed on a big-stack thread, huge ones refused
    (exercised on every version by saying the parser may crash)."""

    @pytest.fixture(autouse=True)
    def parser_may_crash(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(_parsing, "PARSER_MAY_CRASH", True)

    def test_large_source_parses_to_the_same_tree(self) -> None:
        """A source past the safe size parses on the parser's own thread, to the same tree."""
        source = "x = [" + "1, " * (_parsing.SMALL_310 // 3) + "]\n"
        assert len(source) > _parsing.SMALL_310
        tree = parse_source(source, "big.py")
        assert ast.dump(tree) == ast.dump(ast.parse(source))

    def test_error_on_the_parser_thread_reaches_the_caller(self) -> None:
        """A syntax error found on the parser's thread is raised to the caller, naming the file."""
        source = "x = 1\n" * (_parsing.SMALL_310 // 6 + 1) + "def broken(:\n"
        with pytest.raises(SyntaxError) as caught:
            parse_source(source, "big.py")
        assert caught.value.filename == "big.py"

    def test_huge_source_is_refused_as_a_syntax_error(self) -> None:
        """A source too large to parse safely is a SyntaxError naming the file, never a crash."""
        with pytest.raises(SyntaxError, match="huge.py: too large to parse safely"):
            parse_source("#" * (_parsing.MAX_310 + 1), "huge.py")
