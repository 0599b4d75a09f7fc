"""What names mean across a project's modules, worked out from source alone (no imports).

The static finder asks this module what a name or expression stands for: a literal, a class or
function defined somewhere, plux's own ``PluginSpec``/``plugin``/``Plugin``, a
``functools.partial`` of something, or something it cannot know. It also decides which callables
are *plugin makers*: functions that call ``PluginSpec`` or ``plugin`` inside, directly or through
``functools.partial``, aliases or other makers.
"""

from __future__ import annotations

import ast
import builtins
import sys
from dataclasses import dataclass, field
from typing import Union

from ._sources import ModuleTable, NameBinding, SourceLocator

# plux's names as a project imports them; `plux` and `plugin` re-export them lazily, so the
# source cannot show it and the table says it instead.
_PLUX_NAMES = {
    "PluginSpec": "PluginSpec",
    "plugin": "plugin",
    "Plugin": "Plugin",
    "FunctionPlugin": "Plugin",
}
ROOTS: dict[tuple[str, str], str] = {
    (module, name): root
    for module in ("plux", "plugin", "plux.core.plugin")
    for name, root in _PLUX_NAMES.items()
}
ROOTS[("functools", "partial")] = "partial"
ROOTS[("builtins", "type")] = "type"

# Modules whose names never make plugins, so their source is not read.
_SAFE_TOP_LEVEL = frozenset(sys.stdlib_module_names) | {"plux", "plugin", "builtins"}


@dataclass(frozen=True)
class Const:
    """A literal value (or one computed from literals)."""

    value: object


@dataclass(frozen=True)
class ModuleRef:
    """A module, by dotted name."""

    name: str


@dataclass(frozen=True)
class Def:
    """A ``class`` or ``def`` (module-level, or a method) found in source."""

    module: str
    qualname: str
    node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef = field(compare=False)

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)


@dataclass(frozen=True)
class Instance:
    """The result of calling a class found in source."""

    cls: Def


@dataclass(frozen=True)
class Root:
    """One of the names everything else is decided against (``PluginSpec``, ``plugin``, ...)."""

    what: str


@dataclass(frozen=True)
class Partial:
    """``functools.partial(func, ...)``."""

    func: Value
    site: CallSite | None = field(default=None, compare=False)
    """Where the partial is made, for reading its arguments too."""


@dataclass(frozen=True)
class MakerResult:
    """What calling a plugin maker returned (a decorator, a spec, a partial...)."""

    maker: Value
    site: CallSite | None = field(default=None, compare=False)
    """The call that returned it, for following the maker through (``_makers``)."""


@dataclass(frozen=True)
class CallSite:
    """A call written at module level in ``module``."""

    module: str
    call: ast.Call


@dataclass(frozen=True)
class External:
    """A name from a module whose source was not read; ``safe`` if that module makes no plugins
    (the standard library, plux itself), else the module is not installed here."""

    qualname: str
    safe: bool


@dataclass(frozen=True)
class Opaque:
    """Something the source does not tell (a call's result, a name bound twice, ...)."""

    why: str
    inert: bool = False
    """Made only by code that calls no plugin maker (what a plain function returns, its
    attributes): it cannot make a plugin, though its value is unknown."""


NOT_FOUND = Opaque("not found")

Value = Union[  # noqa: UP007 (a runtime alias; ``X | Y`` of these classes needs 3.10 anyway)
    Const, ModuleRef, Def, Instance, Root, Partial, MakerResult, External, Opaque
]


class SymbolResolver:
    """Tells what a name or expression in a module stands for, following imports across modules."""

    def __init__(self, locator: SourceLocator) -> None:
        self.locator = locator
        self._tables: dict[str, ModuleTable | None] = {}
        self._lookups: dict[tuple[str, str], Value] = {}
        self._active: set[tuple[str, str]] = set()
        self._makers: dict[tuple[str, str], bool] = {}

    def table(self, module: str) -> ModuleTable | None:
        if module not in self._tables:
            source = self.locator.find(module)
            try:
                self._tables[module] = ModuleTable(source) if source else None
            except (OSError, SyntaxError, ValueError):
                self._tables[module] = None
        return self._tables[module]

    def lookup(self, module: str, name: str) -> Value:
        """What the module-level ``name`` of ``module`` stands for."""
        key = (module, name)
        if key in ROOTS:
            return Root(ROOTS[key])
        if module.partition(".")[0] in _SAFE_TOP_LEVEL:
            return External(f"{module}.{name}", safe=True)
        if key in self._lookups:
            return self._lookups[key]
        if key in self._active:
            # ``from pkg import sub`` in pkg/__init__.py binds the submodule itself
            if self.locator.find(f"{module}.{name}") is not None:
                return ModuleRef(f"{module}.{name}")
            return Opaque(f"{module}.{name} refers to itself")
        self._active.add(key)
        try:
            value = self._lookup(module, name)
        finally:
            self._active.discard(key)
        self._lookups[key] = value
        return value

    def _lookup(self, module: str, name: str) -> Value:
        table = self.table(module)
        if table is None:
            if self.locator.find(module) is None:
                return External(f"{module}.{name}", safe=False)
            return Opaque(f"{module} could not be read")
        bindings = table.bindings.get(name, [])
        if len({(b.kind, b.target, b.attr) for b in bindings if b.kind in ("import", "from")}) == 1:
            # ``import a.b`` then ``import a.c`` bind ``a`` twice, to the same module
            bindings = (
                bindings[:1] if all(b.kind in ("import", "from") for b in bindings) else bindings
            )
        if len(bindings) > 1:
            return Opaque(f"{module}.{name} is bound more than once")
        if bindings:
            return self._follow(module, bindings[0])
        for star in table.star_imports:
            value = self.lookup(star, name)
            if value != NOT_FOUND:
                return value
        if self.locator.find(f"{module}.{name}") is not None:
            return ModuleRef(f"{module}.{name}")
        return NOT_FOUND

    def _follow(self, module: str, binding: NameBinding) -> Value:
        node = binding.statement
        if binding.kind == "def":
            assert isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            return Def(module, node.name, node)
        if binding.kind == "import":
            return ModuleRef(binding.target)
        if binding.kind == "from":
            return self.attribute(ModuleRef(binding.target), binding.attr)
        if binding.kind == "unknown":
            line = binding.lineno
            return Opaque(f"{module} binds a name by unpacking, a loop or del (line {line})")
        assert binding.value is not None
        return self.evaluate(module, binding.value)

    def attribute(self, base: Value, attr: str) -> Value:
        """What ``base.attr`` stands for."""
        if isinstance(base, ModuleRef):
            value = self.lookup(base.name, attr)
            if value == NOT_FOUND and self.locator.find(f"{base.name}.{attr}") is not None:
                return ModuleRef(f"{base.name}.{attr}")
            return value
        if isinstance(base, Def) and base.is_class:
            return self.class_member(base, attr)
        if isinstance(base, Instance):
            return self.class_member(base.cls, attr)
        if isinstance(base, External):
            return External(f"{base.qualname}.{attr}", base.safe)
        if isinstance(base, MakerResult):
            return base
        inert = isinstance(base, Opaque) and base.inert or self._plain_function(base)
        return Opaque(f"attribute {attr} of {_describe(base)}", inert)

    def evaluate(self, module: str, expr: ast.expr) -> Value:
        """What the expression ``expr``, written at module level in ``module``, stands for."""
        if isinstance(expr, ast.Constant):
            return Const(expr.value)
        if isinstance(expr, ast.Name):
            value = self.lookup(module, expr.id)
            if value == NOT_FOUND and hasattr(builtins, expr.id):
                return self.lookup("builtins", expr.id)
            return value
        if isinstance(expr, ast.Attribute):
            return self.attribute(self.evaluate(module, expr.value), expr.attr)
        if isinstance(expr, ast.Call):
            return self._call(module, expr)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left, right = self.evaluate(module, expr.left), self.evaluate(module, expr.right)
            if isinstance(left, Const) and isinstance(right, Const):
                if isinstance(left.value, str) and isinstance(right.value, str):
                    return Const(left.value + right.value)
        if isinstance(expr, ast.JoinedStr):
            return self._fstring(module, expr)
        return Opaque(f"{type(expr).__name__} expression")

    def _call(self, module: str, call: ast.Call) -> Value:
        callee = self.evaluate(module, call.func)
        if callee == Root("partial") and call.args:
            return Partial(self.evaluate(module, call.args[0]), CallSite(module, call))
        if self.is_maker(callee):
            return MakerResult(callee, CallSite(module, call))
        if isinstance(callee, Def) and callee.is_class:
            return Instance(callee)
        if isinstance(callee, External):
            return External(f"{callee.qualname}()", callee.safe)
        if self._plain_function(callee) and not any(
            self.is_maker(self.evaluate(module, arg))
            for arg in [*call.args, *(k.value for k in call.keywords)]
            if isinstance(arg, (ast.Name, ast.Attribute))
        ):
            return Opaque(f"result of {_describe(callee)}()", inert=True)
        inert = isinstance(callee, Opaque) and callee.inert
        return Opaque("result of a call", inert)

    def _fstring(self, module: str, expr: ast.JoinedStr) -> Value:
        parts: list[str] = []
        for part in expr.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(part.value)
                continue
            if not isinstance(part, ast.FormattedValue) or part.format_spec or part.conversion > 0:
                return Opaque("formatted string")
            value = self.evaluate(module, part.value)
            if not isinstance(value, Const) or not isinstance(value.value, str):
                return Opaque("formatted string")
            parts.append(value.value)
        return Const("".join(parts))

    def class_member(self, cls: Def, attr: str) -> Value:
        """``cls.attr``: the class body's binding, else the bases' (simple left-first order)."""
        for owner in self.linearize(cls):
            if isinstance(owner, Def):
                found = self._class_body_binding(owner, attr)
                if found is not None:
                    return found
            elif isinstance(owner, External) and not owner.safe:
                return Opaque(f"{cls.qualname}.{attr} may come from {owner.qualname}")
            elif isinstance(owner, Opaque):
                return Opaque(f"{cls.qualname}.{attr} may come from a base: {owner.why}")
        return NOT_FOUND

    def _class_body_binding(self, cls: Def, attr: str) -> Value | None:
        found: list[Value] = []
        assert isinstance(cls.node, ast.ClassDef)
        for stmt in cls.node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if stmt.name == attr:
                    found.append(Def(cls.module, f"{cls.qualname}.{stmt.name}", stmt))
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if isinstance(target, ast.Name) and target.id == attr:
                        found.append(
                            self.evaluate(cls.module, stmt.value)
                            if stmt.value is not None
                            else NOT_FOUND
                        )
                    elif isinstance(target, (ast.Tuple, ast.List)):
                        found.extend(self._unpacked(cls, target, stmt.value, attr))
            else:
                # bound under if/try/for or by other means: the value is not decidable
                for node in ast.walk(stmt):
                    if isinstance(node, ast.Name) and node.id == attr:
                        if not isinstance(node.ctx, ast.Load):
                            return Opaque(f"{cls.qualname}.{attr} is bound conditionally")
        found = [v for v in found if v != NOT_FOUND]  # a bare annotation binds nothing
        if len(found) > 1:
            return Opaque(f"{cls.qualname}.{attr} is bound more than once")
        return found[0] if found else None

    def _unpacked(
        self, cls: Def, target: ast.Tuple | ast.List, value: ast.expr | None, attr: str
    ) -> list[Value]:
        """``a, attr = x, y`` in a class body: the value ``attr`` gets, if the source tells."""
        names = [e.id if isinstance(e, ast.Name) else None for e in target.elts]
        if attr not in names:
            if any(
                attr in {n.id for n in ast.walk(e) if isinstance(n, ast.Name)} for e in target.elts
            ):
                return [Opaque(f"{cls.qualname}.{attr} is bound by nested unpacking")]
            return []
        if (
            isinstance(value, (ast.Tuple, ast.List))
            and len(value.elts) == len(names)
            and not any(isinstance(e, ast.Starred) for e in (*value.elts, *target.elts))
        ):
            return [self.evaluate(cls.module, value.elts[names.index(attr)])]
        return [Opaque(f"{cls.qualname}.{attr} is bound by unpacking")]

    def bases(self, cls: Def) -> list[Value]:
        """The values of a class's bases (``object`` when it names none)."""
        assert isinstance(cls.node, ast.ClassDef)
        return [self.evaluate(cls.module, base) for base in cls.node.bases]

    def linearize(self, cls: Def) -> list[Value]:
        """``cls`` and its ancestors, depth-first left to right without repeats (MRO-like)."""
        order: list[Value] = []
        seen: set[Value] = set()

        def visit(value: Value, depth: int) -> None:
            if value in seen or depth > 50:
                return
            seen.add(value)
            order.append(value)
            if isinstance(value, Def) and value.is_class:
                for base in self.bases(value):
                    visit(base, depth + 1)

        visit(cls, 0)
        return order

    def plugin_class(self, cls: Def) -> bool | None:
        """Whether ``cls`` subclasses plux's ``Plugin``: True, False, or None if unknowable."""
        verdict: bool | None = False
        for ancestor in self.linearize(cls)[1:]:
            if ancestor == Root("Plugin"):
                return True
            if isinstance(ancestor, Opaque) or (
                isinstance(ancestor, External) and not ancestor.safe
            ):
                verdict = None
        return verdict

    def is_maker(self, value: Value) -> bool:
        """Whether calling ``value`` may make a plugin (``PluginSpec``, ``plugin``, or a maker)."""
        if isinstance(value, Root):
            return value.what in ("PluginSpec", "plugin")
        if isinstance(value, Partial):
            return self.is_maker(value.func)
        if isinstance(value, MakerResult):
            return True
        if isinstance(value, Instance):
            return self.is_maker(self.class_member(value.cls, "__call__"))
        if not isinstance(value, Def):
            return False
        if value.is_class:
            members = ("__init__", "__new__", "__call__")
            return any(self.is_maker(self.class_member(value, m)) for m in members)
        key = (value.module, value.qualname)
        if key not in self._makers:
            self._makers[key] = False  # a recursive maker is decided by its other references
            self._makers[key] = self._body_uses_maker(value)
        return self._makers[key]

    def _body_uses_maker(self, fn: Def) -> bool:
        node = fn.node
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        local = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and not isinstance(sub.ctx, ast.Load):
                local.add(sub.id)
            elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if sub is not node:
                    local.add(sub.name)
        for stmt in node.body:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load):
                    if sub.id not in local and self._refers_to_maker(fn.module, sub):
                        return True
                elif isinstance(sub, ast.Attribute) and isinstance(sub.ctx, ast.Load):
                    head: ast.expr = sub
                    while isinstance(head, ast.Attribute):
                        head = head.value
                    if isinstance(head, ast.Name) and head.id not in local:
                        if self._refers_to_maker(fn.module, sub):
                            return True
        return False

    def _plain_function(self, value: Value) -> bool:
        """Whether ``value`` is a function of the project's source that is no plugin maker."""
        return isinstance(value, Def) and not value.is_class and not self.is_maker(value)

    def _refers_to_maker(self, module: str, expr: ast.expr) -> bool:
        value = self.evaluate(module, expr)
        return self.is_maker(value)


def _describe(value: Value) -> str:
    if isinstance(value, Def):
        return f"{value.module}.{value.qualname}"
    if isinstance(value, Opaque):
        return value.why
    return repr(value)
