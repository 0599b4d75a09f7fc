"""Plugin names declared in source, read without importing (for lower-cased entry points).

plux 1.16 wrote entry point names lower-cased (``aws::sqs::queue = pkg.mod:SQSQueue`` for a
plugin class that declares ``name = "AWS::SQS::Queue"``). The index records the declared name of
such entry points, so that the manager can list and load plugins by it without importing them.
"""

from __future__ import annotations

from plux.core._module_source import find_module_source
from plux.runtime._stamps import MISSING, file_stamp

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ast
    from collections.abc import Sequence

    from plux.runtime._stamps import Stamp

__all__ = ["DeclaredNameReader", "find_module_source", "read_declared_name"]

SourceResults = dict[str, tuple["Stamp", dict[tuple[str, str], "str | None"]]]
"""Per source file: its stamp and the declared names read from it, keyed on (attribute, entry
point name). Kept in the index so that an unchanged file is not read again."""


def may_be_lower_cased(entry_point_name: str) -> bool:
    """Whether ``entry_point_name`` could be a lower-cased declared name (only those are read)."""
    return (
        entry_point_name == entry_point_name.lower()
        and entry_point_name != entry_point_name.upper()
    )


def _string(node: ast.expr | None) -> str | None:
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _called_name(node: ast.expr) -> str | None:
    import ast

    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _class_name(node: ast.ClassDef) -> str | None:
    import ast

    declared = None
    for statement in node.body:
        if isinstance(statement, ast.Assign):
            if any(isinstance(t, ast.Name) and t.id == "name" for t in statement.targets):
                declared = _string(statement.value)
        elif isinstance(statement, ast.AnnAssign):
            if isinstance(statement.target, ast.Name) and statement.target.id == "name":
                declared = _string(statement.value)
    return declared


def _call_name(call: ast.Call, callee: str) -> str | None:
    """The ``name`` argument of ``PluginSpec(namespace, name, ...)`` or ``plugin(ns, name)``."""
    if _called_name(call.func) != callee:
        return None
    for keyword in call.keywords:
        if keyword.arg == "name":
            return _string(keyword.value)
    return _string(call.args[1]) if len(call.args) > 1 else None


def _function_name(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    import ast

    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            declared = _call_name(decorator, "plugin")
            if declared is not None:
                return declared
    return None


def _binding_source(source: str, attr: str) -> str | None:
    """The top-level statements of ``source`` that bind ``attr`` (with their decorators), or None.

    Parsing only these keeps a huge or pathological module elsewhere from costing time or a
    name. A statement cut wrongly fails to parse and so yields no name.
    """
    lines = source.splitlines()
    starts = ("class " + attr, "def " + attr, "async def " + attr, attr)
    chunks = []
    for i, line in enumerate(lines):
        if not line.startswith(starts):
            continue
        rest = line[len(attr) :].lstrip() if line.startswith(attr) else ""
        if line.startswith(attr) and not (rest[:1] in (":", "=") and rest[:2] != "=="):
            continue
        first = i
        for j in range(i - 1, -1, -1):  # take in the decorators right above
            if lines[j].startswith("@"):
                first = j
            elif lines[j][:1] not in (" ", "\t", ")", "]", "}") and lines[j].strip():
                break
        last = i + 1
        while last < len(lines) and (
            not lines[last].strip() or lines[last][:1] in (" ", "\t", "#", ")", "]", "}")
        ):
            last += 1
        chunks.append("\n".join(lines[first:last]))
    return "\n".join(chunks) or None


def declared_name_in_source(source: str, attr: str) -> str | None:
    """The plugin name that the module-level ``attr`` in ``source`` declares literally, or None.

    Understood: a class with ``name = "..."`` in its body, ``attr = PluginSpec(ns, "...")``
    (positional or ``name=``), and a function decorated with ``@plugin(..., name="...")``. A name
    inherited from a base class or computed is not read (None).
    """
    import ast

    from plux.core._parsing import parse_source

    snippet = _binding_source(source, attr)
    if snippet is None:
        return None
    try:
        tree = parse_source(snippet)
    except (SyntaxError, ValueError):
        # Not Python, or too deep to parse: an installed file never breaks the index, so no name.
        return None
    declared: str | None = None
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == attr:
            declared = _class_name(node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == attr:
            declared = _function_name(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == attr for t in targets):
                value = node.value
                declared = _call_name(value, "PluginSpec") if isinstance(value, ast.Call) else None
    return declared


def read_declared_name(source: str, attr: str, entry_point_name: str) -> str | None:
    """The name declared for ``attr`` in ``source`` when it differs from ``entry_point_name`` only
    in case (the entry point was lower-cased), else None."""
    lowered = source.lower()
    if entry_point_name not in lowered:
        return None  # no literal of this name in any case: nothing to find
    if f'"{entry_point_name}"' in source or f"'{entry_point_name}'" in source:
        return None  # the exact name is written there: it is the declared one
    declared = declared_name_in_source(source, attr)
    if (
        declared is not None
        and declared != entry_point_name
        and declared.lower() == entry_point_name
    ):
        return declared
    return None


class DeclaredNameReader:
    """Reads declared names for one index build, re-reading a source file only when its stamp
    changed since ``previous`` results were recorded."""

    def __init__(self, path: Sequence[str], previous: SourceResults | None = None) -> None:
        self.path = list(path)
        self.previous = previous or {}
        self.results: SourceResults = {}
        self._listings: dict[str, frozenset[str] | None] = {}
        self._sources: dict[str, str | None] = {}
        self._texts: dict[str, str | None] = {}

    def _source_of(self, module: str) -> str | None:
        try:
            return self._sources[module]
        except KeyError:
            source = find_module_source(module, self.path, self._listings)
            self._sources[module] = source
            return source

    def read(self, entry_point_name: str, value: str) -> tuple[str | None, str | None, Stamp]:
        """``(declared name or None, source file read or None, its stamp)`` for one entry
        point."""
        if not may_be_lower_cased(entry_point_name):
            return None, None, MISSING
        module, _, attr = value.partition(":")
        attr = attr.partition("[")[0].strip()
        module = module.strip()
        if not attr or "." in attr:
            return None, None, MISSING
        file = self._source_of(module)
        if file is None:
            return None, None, MISSING
        stamp = file_stamp(file)
        if stamp == MISSING:
            return None, None, MISSING
        if file in self.results:
            _, names = self.results[file]
        else:
            read_stamp, read_names = self.previous.get(file, (MISSING, {}))
            names = dict(read_names) if read_stamp == stamp else {}
            self.results[file] = (stamp, names)
        key = (attr, entry_point_name)
        if key not in names:
            text = self._text(file)
            names[key] = None if text is None else read_declared_name(text, attr, entry_point_name)
        return names[key], file, stamp

    def _text(self, file: str) -> str | None:
        if file not in self._texts:
            from plux.core._parsing import read_source

            try:
                self._texts[file] = read_source(file).decode("utf-8", errors="replace")
            except OSError:
                self._texts[file] = None
        return self._texts[file]
