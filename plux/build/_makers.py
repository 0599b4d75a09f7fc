"""Following a project's plugin makers through from source: what a decorator made of one.

LocalStack's hooks are decorators made by ``hook_spec(namespace)``, a ``functools.partial`` of
a function that returns a closure calling ``plugin(namespace=namespace, **kwargs)(fn)``. This
module runs such makers symbolically: calls bind parameters (``**kwargs`` forwarded as they
are), a body is a straight line of assignments, nested ``def``s and one ``return``. Anything
else (a branch, a loop, a value it cannot tell where a namespace or name is needed) gives no
answer, and the module is imported instead, as before.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Union

from ._symbols import Const, Def, MakerResult, Partial, Root, SymbolResolver, Value

# How deep makers may call makers before the answer is "cannot tell".
_MAX_DEPTH = 12


@dataclass(frozen=True)
class Closure:
    """A function defined inside a maker, with the names it sees there."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    module: str
    scope: dict[str, Symbol] = field(compare=False)


@dataclass(frozen=True)
class Bound:
    """``functools.partial(func, *args, **kwargs)``."""

    func: Symbol
    args: tuple[Symbol, ...]
    kwargs: dict[str, Symbol] = field(compare=False)


@dataclass(frozen=True)
class Called:
    """``plugin(...)`` or ``PluginSpec(...)`` called with these arguments (and what
    ``plugin(...)`` returned, called in turn)."""

    func: Symbol
    args: tuple[Symbol, ...]
    kwargs: dict[str, Symbol] = field(compare=False)


@dataclass(frozen=True)
class Kwargs:
    """What a ``**kwargs`` parameter collected."""

    items: dict[str, Symbol] = field(compare=False)


@dataclass(frozen=True)
class Decorated:
    """The function or class a decorator is applied to."""

    name: str


Symbol = Union[Value, Closure, Bound, Called, Kwargs, Decorated]  # noqa: UP007 (a runtime alias)


@dataclass(frozen=True)
class MadePlugin:
    """A plugin a decorator makes: ``namespace`` and ``name``, held by the decorated name."""

    namespace: str
    name: str


class _CannotTell(Exception):
    pass


class MakerReader:
    """Tells what applying a decorator (written at module level) makes of what it decorates."""

    def __init__(self, resolver: SymbolResolver) -> None:
        self.resolver = resolver

    def apply(self, module: str, decorator: ast.expr, decorated: str) -> MadePlugin | None:
        """The plugin ``@decorator`` makes of ``decorated``, or None if the source cannot tell."""
        try:
            made = self._call(
                self._module_level(module, decorator, 0), (Decorated(decorated),), {}, 0
            )
            return _plugin_of(made, decorated)
        except (_CannotTell, RecursionError):
            return None

    def assigned(self, module: str, call: ast.Call, target: str) -> MadePlugin | bool:
        """What ``target = call`` (a maker's call at module level) binds: the plugin it makes,
        False if the source tells it makes none (a decorator, say), True if it cannot tell."""
        try:
            made = self._evaluate(call, module, {}, 0)
            if isinstance(made, Called) and made.func == Root("PluginSpec"):
                return _plugin_of(made, target) or True
            if isinstance(made, (Closure, Bound, Called)):  # a decorator, a partial: used later
                return False
        except (_CannotTell, RecursionError):
            pass
        return True

    def _module_level(self, module: str, expr: ast.expr, depth: int) -> Symbol:
        if isinstance(expr, ast.Call):
            return self._evaluate(expr, module, {}, depth)
        value = self.resolver.evaluate(module, expr)
        site = value.site if isinstance(value, (MakerResult, Partial)) else None
        if site is not None:  # made by a call: run the call itself, with its arguments
            return self._evaluate(site.call, site.module, {}, depth + 1)
        return value

    def _evaluate(
        self, expr: ast.expr, module: str, scope: dict[str, Symbol], depth: int
    ) -> Symbol:
        if depth > _MAX_DEPTH:
            raise _CannotTell
        if isinstance(expr, ast.Name) and expr.id in scope:
            return scope[expr.id]
        if isinstance(expr, ast.Call):
            func = self._evaluate(expr.func, module, scope, depth)
            args = []
            for arg in expr.args:
                if isinstance(arg, ast.Starred):
                    raise _CannotTell
                args.append(self._evaluate(arg, module, scope, depth))
            kwargs: dict[str, Symbol] = {}
            for keyword in expr.keywords:
                value = self._evaluate(keyword.value, module, scope, depth)
                if keyword.arg is not None:
                    kwargs[keyword.arg] = value
                elif isinstance(value, Kwargs):
                    kwargs.update(value.items)
                else:
                    raise _CannotTell
            return self._call(func, tuple(args), kwargs, depth + 1)
        if isinstance(expr, (ast.JoinedStr, ast.BinOp)) and _uses(expr, scope):
            return self._text(expr, module, scope, depth)
        if isinstance(expr, (ast.Name, ast.Attribute, ast.Constant, ast.JoinedStr, ast.BinOp)):
            if isinstance(expr, ast.Attribute) and _uses(expr, scope):
                return _UNKNOWN  # an attribute of a local: no plugin's namespace or name
            return self._module_level(module, expr, depth)
        return _UNKNOWN

    def _text(self, expr: ast.expr, module: str, scope: dict[str, Symbol], depth: int) -> Symbol:
        """An f-string or ``+`` of strings that uses parameters: its text, if every part tells."""
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            parts = [expr.left, expr.right]
        elif isinstance(expr, ast.JoinedStr):
            parts = list(expr.values)
        else:
            return _UNKNOWN
        text = ""
        for part in parts:
            if isinstance(part, ast.FormattedValue):
                if part.format_spec or part.conversion > 0:
                    return _UNKNOWN
                part = part.value
            value = self._evaluate(part, module, scope, depth)
            if not (isinstance(value, Const) and isinstance(value.value, str)):
                return _UNKNOWN
            text += value.value
        return Const(text)

    def _call(
        self, func: Symbol, args: tuple[Symbol, ...], kwargs: dict[str, Symbol], depth: int
    ) -> Symbol:
        if depth > _MAX_DEPTH:
            raise _CannotTell
        if func == Root("partial"):
            if not args:
                raise _CannotTell
            return Bound(args[0], args[1:], kwargs)
        if isinstance(func, Bound):
            return self._call(func.func, func.args + args, {**func.kwargs, **kwargs}, depth + 1)
        if func in (Root("plugin"), Root("PluginSpec")):
            return Called(func, args, kwargs)
        if isinstance(func, Called) and func.func == Root("plugin"):  # applied to a function
            return Called(func, args, kwargs)
        if isinstance(func, Def) and not func.is_class:
            node = func.node
            assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            return self._run(node, func.module, {}, args, kwargs, depth)
        if isinstance(func, Closure):
            return self._run(func.node, func.module, func.scope, args, kwargs, depth)
        raise _CannotTell

    def _run(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        module: str,
        outer: dict[str, Symbol],
        args: tuple[Symbol, ...],
        kwargs: dict[str, Symbol],
        depth: int,
    ) -> Symbol:
        scope = {**outer, **self._bind(node.args, module, args, kwargs, depth)}
        for statement in node.body:
            if isinstance(statement, ast.Return):
                if statement.value is None:
                    raise _CannotTell
                return self._evaluate(statement.value, module, scope, depth)
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if statement.decorator_list:
                    raise _CannotTell
                scope[statement.name] = Closure(statement, module, scope)
            elif isinstance(statement, ast.Assign):
                names = [t.id for t in statement.targets if isinstance(t, ast.Name)]
                if not all(isinstance(t, (ast.Name, ast.Attribute)) for t in statement.targets):
                    raise _CannotTell
                if names:  # fn.attr = ... binds no name: its value does not matter
                    value = self._evaluate(statement.value, module, scope, depth)
                    scope.update(dict.fromkeys(names, value))
            elif not (isinstance(statement, (ast.Expr, ast.Pass))):
                raise _CannotTell
        raise _CannotTell

    def _bind(
        self,
        arguments: ast.arguments,
        module: str,
        args: tuple[Symbol, ...],
        kwargs: dict[str, Symbol],
        depth: int,
    ) -> dict[str, Symbol]:
        """The parameters' values for a call with ``args`` and ``kwargs``."""
        positional = [*arguments.posonlyargs, *arguments.args]
        if len(args) > len(positional) and arguments.vararg is None:
            raise _CannotTell
        scope: dict[str, Symbol] = {}
        for parameter, value in zip(positional, args, strict=False):
            scope[parameter.arg] = value
        rest = dict(kwargs)
        defaults = dict(
            zip(
                [p.arg for p in positional[len(positional) - len(arguments.defaults) :]],
                arguments.defaults,
                strict=True,
            )
        )
        defaults.update(
            {
                p.arg: d
                for p, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
                if d
            }
        )
        for parameter in [*positional, *arguments.kwonlyargs]:
            name = parameter.arg
            if name in rest:
                if name in scope:
                    raise _CannotTell
                scope[name] = rest.pop(name)
            elif name not in scope:
                if name not in defaults:
                    raise _CannotTell
                scope[name] = self._module_level(module, defaults[name], depth)
        if arguments.vararg is not None:
            scope[arguments.vararg.arg] = _UNKNOWN
        if arguments.kwarg is not None:
            scope[arguments.kwarg.arg] = Kwargs(rest)
        elif rest:
            raise _CannotTell
        return scope


_UNKNOWN = Const(object())
"""A value the source does not tell, that is neither namespace nor name of a plugin."""


def _uses(expr: ast.expr, scope: dict[str, Symbol]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in scope for n in ast.walk(expr))


def _plugin_of(made: Symbol, decorated: str) -> MadePlugin | None:
    """The plugin in ``made``, what applying a decorator to ``decorated`` returned."""
    if not isinstance(made, Called):
        return None
    if made.func == Root("PluginSpec"):  # a spec made of what it decorates
        params = _params(made, ("namespace", "name", "factory"))
        namespace, name = params.get("namespace"), params.get("name")
    elif isinstance(made.func, Called) and made.func.func == Root("plugin"):
        if made.args != (Decorated(decorated),) or made.kwargs:
            return None
        params = _params(made.func, ("namespace", "name", "should_load", "load"))
        namespace, name = params.get("namespace"), params.get("name", Const(None))
        if name == Const(None):
            name = Const(decorated)  # plugin() names the plugin after the function
    else:
        return None
    if not (isinstance(namespace, Const) and isinstance(namespace.value, str) and namespace.value):
        return None
    if not (isinstance(name, Const) and isinstance(name.value, str) and name.value):
        return None
    return MadePlugin(namespace.value, name.value)


def _params(call: Called, names: tuple[str, ...]) -> dict[str, Symbol]:
    if len(call.args) > len(names):
        raise _CannotTell
    params = dict(zip(names, call.args, strict=False))
    for key, value in call.kwargs.items():
        if key in params:
            raise _CannotTell
        params[key] = value
    return params
