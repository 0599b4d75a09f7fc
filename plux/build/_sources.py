"""Python source files of a project: finding modules without importing them, and reading them."""

from __future__ import annotations

import ast
import enum
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from plux.core._module_source import find_module_source
from plux.core._parsing import parse_source, read_source


@dataclass
class ModuleSource:
    """One module's name, file and (parsed on first use) syntax tree."""

    name: str
    path: Path
    is_package: bool = False
    _tree: ast.Module | None = field(default=None, repr=False)

    @property
    def tree(self) -> ast.Module:
        """The module's syntax tree.

        :raises SyntaxError: if the file does not parse (the message names the file and line) or
            is too deeply nested to parse.
        """
        if self._tree is None:
            self._tree = parse_source(read_source(self.path), filename=str(self.path))
        return self._tree

    @property
    def package(self) -> str:
        """The package relative imports in this module are resolved against."""
        return self.name if self.is_package else self.name.rpartition(".")[0]


def relative_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form, or ``path`` itself when it lies elsewhere.

    Links are not followed first, so a module that is a symbolic link (even a dangling one) is
    named as it appears in its package; resolving is only the fallback for a root spelled
    through a link.
    """
    try:
        return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):  # 3.10 raises RuntimeError on a link loop
        return path.as_posix()


def iter_module_statements(body: Iterable[ast.stmt]) -> Iterable[ast.stmt]:
    """Every statement that runs at module level, descending into ``if``/``try``/``with``/loops."""
    for stmt in body:
        yield stmt
        for child in nested_bodies(stmt):
            yield from iter_module_statements(child)


def nested_bodies(stmt: ast.stmt) -> list[list[ast.stmt]]:
    """The statement blocks of a compound statement that run in the enclosing scope."""
    if isinstance(stmt, (ast.If, ast.For, ast.AsyncFor, ast.While)):
        return [stmt.body, stmt.orelse]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [stmt.body]
    if isinstance(stmt, _TRY_TYPES):
        handlers: list[ast.ExceptHandler] = getattr(stmt, "handlers", [])
        return [
            getattr(stmt, "body", []),
            *[handler.body for handler in handlers],
            getattr(stmt, "orelse", []),
            getattr(stmt, "finalbody", []),
        ]
    if isinstance(stmt, ast.Match):
        return [case.body for case in stmt.cases]
    return []


# ``try``/``except*`` (3.11+) has the same blocks as ``try``.
_TRY_TYPES: tuple[type[ast.stmt], ...] = tuple(
    t for t in (ast.Try, getattr(ast, "TryStar", None)) if isinstance(t, type)
)


class SourceLocator:
    """Finds the source file of a module by name, without importing anything.

    The project's own modules come first; other modules are looked up on ``sys.path`` (plain
    directories only) by the path finder's rules (a regular package wins over a namespace
    portion, an extension module has no source), so that names imported from installed
    distributions can be followed too.
    """

    def __init__(self, project: Iterable[ModuleSource], search_path: Iterable[str] | None = None):
        self.modules: dict[str, ModuleSource] = {m.name: m for m in project}
        self.search_path = [p for p in (sys.path if search_path is None else search_path)]
        self._misses: set[str] = set()
        self._listings: dict[str, frozenset[str] | None] = {}

    def find(self, name: str) -> ModuleSource | None:
        """Return the module ``name`` if its Python source can be found, else None."""
        found = self.modules.get(name)
        if found is not None or name in self._misses:
            return found
        found = self._search(name)
        if found is None:
            self._misses.add(name)
        else:
            self.modules[name] = found
        return found

    def _search(self, name: str) -> ModuleSource | None:
        if not all(part.isidentifier() for part in name.split(".")):
            return None
        found = find_module_source(name, self.search_path, self._listings)
        if found is None:
            return None
        return ModuleSource(name, Path(found), is_package=os.path.basename(found) == "__init__.py")


class BindingKind(enum.IntEnum):
    """How a module-level name got its value; lower sorts first when choosing a plugin's home."""

    CREATE = 0
    """``def``/``class``, or an assignment from an expression that makes a new object."""
    ALIAS = 1
    """An assignment from another name (``alias = original``, ``x = mod.attr``)."""
    IMPORT = 2
    """An ``import`` statement: the object lives elsewhere."""


@dataclass
class NameBinding:
    """One binding of a module-level name, as the source writes it."""

    kind: str  # "def", "assign", "import" (module), "from" (module attribute), "unknown"
    statement: ast.stmt
    target: str = ""  # module for "import"/"from"
    attr: str = ""  # attribute for "from"
    value: ast.expr | None = None  # the assigned expression for "assign"

    @property
    def lineno(self) -> int:
        return self.statement.lineno

    @property
    def home_rank(self) -> BindingKind:
        """How this binding ranks as the home of the object it binds."""
        if self.kind in ("import", "from"):
            return BindingKind.IMPORT
        if isinstance(self.value, (ast.Name, ast.Attribute)):
            return BindingKind.ALIAS
        return BindingKind.CREATE


class ModuleTable:
    """A module's top-level names and what binds each (statements in ``if``/``try`` count), in
    the order the statements run."""

    def __init__(self, source: ModuleSource) -> None:
        self.bindings: dict[str, list[NameBinding]] = {}
        self.star_imports: list[str] = []
        for stmt in iter_module_statements(source.tree.body):
            self._add(source, stmt)

    def last(self, name: str) -> NameBinding | None:
        """The binding of ``name`` that runs last, if any."""
        bindings = self.bindings.get(name)
        return bindings[-1] if bindings else None

    def _bind(self, name: str, binding: NameBinding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def _add(self, source: ModuleSource, stmt: ast.stmt) -> None:
        if isinstance(stmt, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            if not is_overload(stmt):  # typing's overloads only describe the real definition
                self._bind(stmt.name, NameBinding("def", stmt))
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    self._bind(alias.asname, NameBinding("import", stmt, alias.name))
                else:
                    top = alias.name.partition(".")[0]
                    self._bind(top, NameBinding("import", stmt, top))
        elif isinstance(stmt, ast.ImportFrom):
            base = absolute_module(source, stmt.module, stmt.level)
            for alias in stmt.names:
                if alias.name == "*":
                    self.star_imports.append(base)
                else:
                    binding = NameBinding("from", stmt, base, alias.name)
                    self._bind(alias.asname or alias.name, binding)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    self._bind(target.id, NameBinding("assign", stmt, value=stmt.value))
                else:  # unpacking: the names are bound, but to what is not followed
                    self._bind_unknown(target, stmt)
        elif isinstance(stmt, (ast.AugAssign, ast.For, ast.AsyncFor)):
            self._bind_unknown(stmt.target, stmt)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                self._bind_unknown(target, stmt)

    def _bind_unknown(self, target: ast.expr, stmt: ast.stmt) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                self._bind(node.id, NameBinding("unknown", stmt))


def is_overload(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``node`` is decorated with ``@overload`` (``typing``'s, however imported)."""
    for decorator in node.decorator_list:
        name = decorator.attr if isinstance(decorator, ast.Attribute) else None
        if isinstance(decorator, ast.Name):
            name = decorator.id
        if name == "overload":
            return True
    return False


def absolute_module(source: ModuleSource, module: str | None, level: int) -> str:
    """The absolute name of ``from <level dots><module> import ...`` written in ``source``."""
    if level == 0:
        return module or ""
    parts = source.package.split(".") if source.package else []
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    if module:
        parts.append(module)
    return ".".join(parts)


def executed_statements(
    body: list[ast.stmt], conditional: bool = False
) -> Iterator[tuple[ast.stmt, bool]]:
    """Module-level statements that run on import, each with whether it runs conditionally.

    ``if TYPE_CHECKING:`` and ``if __name__ == "__main__":`` blocks do not run on import.
    """
    for stmt in body:
        if isinstance(stmt, ast.If) and never_on_import(stmt.test):
            yield from executed_statements(stmt.orelse, True)
            continue
        yield stmt, conditional
        for child in nested_bodies(stmt):
            yield from executed_statements(child, True)


def never_on_import(test: ast.expr) -> bool:
    text = ast.unparse(test).replace("'", '"')
    return text in ("TYPE_CHECKING", "typing.TYPE_CHECKING", '__name__ == "__main__"')


def evaluated_expressions(stmt: ast.stmt) -> list[ast.expr]:
    """The expressions a statement evaluates itself (not those of the blocks it contains)."""
    if isinstance(stmt, (ast.If, ast.While)):
        return [stmt.test]
    if isinstance(stmt, (ast.For, ast.AsyncFor)):
        return [stmt.iter]
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return [item.context_expr for item in stmt.items]
    if isinstance(stmt, ast.Match):
        return [stmt.subject]
    if nested_bodies(stmt):
        return []
    return [node for node in ast.iter_child_nodes(stmt) if isinstance(node, ast.expr)]


def calls_in(expressions: Iterable[ast.expr]) -> Iterator[ast.Call]:
    """Every call in ``expressions`` that runs when they are evaluated (not inside lambdas)."""
    stack = list(expressions)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Lambda):
            stack.extend(node.args.defaults)
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.keyword):
                stack.append(child.value)
            elif isinstance(child, ast.comprehension):
                stack.extend([child.iter, *child.ifs])


def simple_assignment(stmt: ast.stmt) -> tuple[str, ast.expr] | None:
    """``name = value`` (or ``name: T = value``) as ``(name, value)``; None for other forms."""
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        target = stmt.targets[0]
        if isinstance(target, ast.Name):
            return target.id, stmt.value
    if isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        if isinstance(stmt.target, ast.Name):
            return stmt.target.id, stmt.value
    return None


def call_arguments(call: ast.Call, names: tuple[str, ...]) -> dict[str, ast.expr]:
    """Map a call's arguments to parameter ``names`` (positional first, then keywords).

    ``*args``/``**kwargs`` or surplus arguments give ``{}``: such a call is not read from source.
    """
    if len(call.args) > len(names) or any(isinstance(a, ast.Starred) for a in call.args):
        return {}
    if any(keyword.arg is None for keyword in call.keywords):
        return {}
    result = {name: arg for name, arg in zip(names, call.args, strict=False)}
    for keyword in call.keywords:
        if keyword.arg is not None:
            result[keyword.arg] = keyword.value
    return result
