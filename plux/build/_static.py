"""The static plugin finder: reads a project's source (AST), imports only what it cannot decide."""

from __future__ import annotations

import ast
import importlib
import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plux.core.plugin import Plugin, PluginFinder, PluginSpec, PluginSpecResolver

from ._makers import MakerReader
from ._mistakes import (
    bare_plugin_decorator,
    misspelt_name,
    nameless_plugin_class,
    namespaceless_plugin_class,
    spec_in_container,
)
from ._sources import (
    ModuleSource,
    SourceLocator,
    call_arguments,
    calls_in,
    evaluated_expressions,
    executed_statements,
    relative_path,
    simple_assignment,
)
from ._symbols import NOT_FOUND, Const, Def, External, Opaque, Root, SymbolResolver, Value
from .discovery import (
    DiscoveredSpec,
    DiscoveryError,
    ModuleScanningPluginFinder,
    PackageFinder,
    on_sys_path,
)

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaticPlugin:
    """A plugin read from source: ``name`` in ``namespace``, held by ``module:attr``."""

    namespace: str
    name: str
    module: str
    attr: str
    lineno: int


@dataclass
class ModuleVerdict:
    """What the source of one module says: its plugins, or why it must be imported to tell."""

    module: ModuleSource
    plugins: list[StaticPlugin] = field(default_factory=list)
    import_reasons: list[str] = field(default_factory=list)
    """Why the module is imported (each ``file:line: what``); empty if the source decided."""
    notes: list[str] = field(default_factory=list)
    """Names the source could not follow and that were taken to make no plugin."""
    errors: list[str] = field(default_factory=list)
    """Mistakes the source shows (``file:line: what``) that fail the build."""
    incomplete: list[tuple[Def, str]] = field(default_factory=list)
    """Plugin classes with a namespace or a name but not both, and no use in their module, with
    the warning (given unless a class of the project derives from them)."""
    warnings: list[str] = field(default_factory=list)
    """Mistakes the source shows (``file:line: what``) that lose a plugin but fail no build."""

    @property
    def needs_import(self) -> bool:
        return bool(self.import_reasons)


class StaticFactory:
    """The factory of a statically found plugin: imports ``module:attr`` when first called."""

    def __init__(self, location: str) -> None:
        self.location = location

    def __call__(self) -> Plugin:
        module_name, _, attr = self.location.partition(":")
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return PluginSpecResolver().resolve(obj).factory()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StaticFactory) and other.location == self.location

    def __hash__(self) -> int:
        return hash(self.location)

    def __repr__(self) -> str:
        return f"StaticFactory({self.location!r})"


class ModuleAnalyzer:
    """Decides one module's plugins from its source, with a resolver shared across the project."""

    def __init__(self, resolver: SymbolResolver, root: Path) -> None:
        self.resolver = resolver
        self.makers = MakerReader(resolver)
        self.root = root
        self.derived: set[Value] = set()
        """Every class some plugin class of the project derives from."""

    def analyze(self, source: ModuleSource) -> ModuleVerdict:
        verdict = ModuleVerdict(source)
        try:
            tree = source.tree
        except (OSError, SyntaxError, ValueError) as e:
            if isinstance(e, SyntaxError) and e.lineno and not e.msg.startswith("too many"):
                where = source_location(source, self.root, e.lineno)
                verdict.errors.append(f"{where}: syntax error: {e.msg}; fix the module")
            else:  # unreadable, or beyond the parser's limits: importing may still work
                verdict.import_reasons.append(f"{self._where(source, None)}: cannot be read: {e}")
            return verdict
        table = self.resolver.table(source.name)
        self.bound_names = table.bindings if table else {}
        for stmt, conditional in executed_statements(tree.body):
            self._statement(verdict, stmt, conditional)
        if verdict.incomplete:  # a class the module uses (say as a factory) is meant as it is
            used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
            verdict.incomplete = [(c, w) for c, w in verdict.incomplete if c.qualname not in used]
        verdict.import_reasons = list(dict.fromkeys(verdict.import_reasons))
        verdict.notes = list(dict.fromkeys(verdict.notes))
        return verdict

    def _where(self, source: ModuleSource, node: ast.AST | None) -> str:
        return source_location(source, self.root, getattr(node, "lineno", None))

    def _statement(self, verdict: ModuleVerdict, stmt: ast.stmt, conditional: bool) -> None:
        module = verdict.module
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            handled = self._decorators(verdict, stmt, conditional)
            if isinstance(stmt, ast.ClassDef) and not handled:
                self._class(verdict, stmt, conditional)
            return
        simple = simple_assignment(stmt)
        expressions = evaluated_expressions(stmt)
        held = {
            id(element): node
            for expression in expressions
            for node in ast.walk(expression)
            if isinstance(node, (ast.List, ast.Tuple, ast.Set, ast.Dict))
            for element in (node.values if isinstance(node, ast.Dict) else node.elts)
        }
        for call in calls_in(expressions):
            callee = self.resolver.evaluate(module.name, call.func)
            if callee == Root("PluginSpec") and simple is not None and call is simple[1]:
                if not conditional and self._spec(verdict, simple[0], call):
                    continue
            if callee == Root("PluginSpec") and id(call) in held:
                where = self._where(module, call)
                verdict.warnings.append(spec_in_container(where, held[id(call)]))
                continue
            if (
                simple is not None
                and call is simple[1]
                and not conditional
                and self.resolver.is_maker(callee)
                and self._assigned_from_maker(verdict, simple[0], call)
            ):
                continue
            self._use(verdict, call, callee, "a call")

    def _use(self, verdict: ModuleVerdict, node: ast.expr, callee: Value, how: str) -> None:
        """Record why ``callee`` used at ``node`` needs an import, or a note if unknown."""
        where = self._where(verdict.module, node)
        text = ast.unparse(node)[:80]
        if isinstance(callee, Root) and callee.what in ("PluginSpec", "plugin"):
            verdict.import_reasons.append(
                f"{where}: {callee.what} used in a form read only by import: {text}"
            )
        elif callee == Root("type") and isinstance(node, ast.Call) and len(node.args) == 3:
            verdict.import_reasons.append(f"{where}: class made with type(): {text}")
        elif self.resolver.is_maker(callee):
            verdict.import_reasons.append(f"{where}: uses plugin maker in {how}: {text}")
        elif isinstance(callee, Opaque) and not callee.inert and how == "a decorator":
            # a decorator may turn what it decorates into a plugin: import to tell, never drop
            verdict.import_reasons.append(
                f"{where}: cannot tell from source what this decorator makes ({callee.why}): {text}"
            )
        elif isinstance(callee, External) and not callee.safe:
            verdict.notes.append(
                f"{where}: {callee.qualname} is not installed here; taken to make no plugin"
            )

    def _decorators(
        self,
        verdict: ModuleVerdict,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
        conditional: bool,
    ) -> bool:
        """Check a definition's decorators; True if they made the decision for it."""
        module = verdict.module.name
        needs_import = len(verdict.import_reasons)
        made_plugin = False
        for decorator in node.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            callee = self.resolver.evaluate(module, target)
            if callee == Root("plugin") and not isinstance(decorator, ast.Call):
                where = self._where(verdict.module, decorator)
                verdict.errors.append(bare_plugin_decorator(where, node.name))
                continue
            if (
                callee == Root("plugin")
                and isinstance(decorator, ast.Call)
                and len(node.decorator_list) == 1
                and not isinstance(node, ast.ClassDef)
                and not conditional
                and self._function_plugin(verdict, node, decorator)
            ):
                continue
            if (
                self.resolver.is_maker(callee)
                and len(node.decorator_list) == 1
                and not conditional
                and self._made_plugin(verdict, node, decorator)
            ):
                made_plugin = True
                continue
            self._use(verdict, decorator, callee, "a decorator")
            if isinstance(decorator, ast.Call):
                extra = [*decorator.args, *(k.value for k in decorator.keywords)]
                if isinstance(decorator.func, ast.Call):
                    extra.append(decorator.func)
                for call in calls_in(extra):
                    self._use(verdict, call, self.resolver.evaluate(module, call.func), "a call")
        defaults: list[ast.expr] = []
        if not isinstance(node, ast.ClassDef):
            defaults = [*node.args.defaults, *(d for d in node.args.kw_defaults if d)]
        else:
            defaults = [*node.bases, *(k.value for k in node.keywords)]
        for call in calls_in(defaults):
            self._use(verdict, call, self.resolver.evaluate(module, call.func), "a call")
        if isinstance(node, ast.ClassDef) and node.decorator_list:
            return made_plugin or len(verdict.import_reasons) > needs_import
        return False

    def _assigned_from_maker(self, verdict: ModuleVerdict, target: str, call: ast.Call) -> bool:
        """``target = maker(...)`` followed through; True if the source tells what it binds."""
        made = self.makers.assigned(verdict.module.name, call, target)
        if made is True:
            return False
        if made is not False and self._bound_once(verdict, target, call):
            verdict.plugins.append(
                StaticPlugin(made.namespace, made.name, verdict.module.name, target, call.lineno)
            )
        return True

    def _made_plugin(
        self,
        verdict: ModuleVerdict,
        node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
        decorator: ast.expr,
    ) -> bool:
        """A project maker's decorator followed through to ``plugin``/``PluginSpec``; True if
        the source tells the plugin it makes."""
        made = self.makers.apply(verdict.module.name, decorator, node.name)
        if made is None:
            return False
        if self._bound_once(verdict, node.name, node):
            verdict.plugins.append(
                StaticPlugin(made.namespace, made.name, verdict.module.name, node.name, node.lineno)
            )
        return True

    def _literal(self, module: str, expr: ast.expr | None) -> Value:
        return NOT_FOUND if expr is None else self.resolver.evaluate(module, expr)

    def _bound_once(self, verdict: ModuleVerdict, name: str, node: ast.AST) -> bool:
        if len(self.bound_names.get(name, [])) == 1:
            return True
        where = self._where(verdict.module, node)
        verdict.import_reasons.append(f"{where}: {name} is bound more than once in the module")
        return False

    def _spec(self, verdict: ModuleVerdict, target: str, call: ast.Call) -> bool:
        """``target = PluginSpec(namespace, name, factory)``; True if read from source."""
        module = verdict.module.name
        args = call_arguments(call, ("namespace", "name", "factory"))
        namespace = self._literal(module, args.get("namespace"))
        name = self._literal(module, args.get("name"))
        if not (_is_text(namespace) and _is_text(name)):
            return False
        if not self._bound_once(verdict, target, call):
            return True
        verdict.plugins.append(
            StaticPlugin(_text(namespace), _text(name), module, target, call.lineno)
        )
        return True

    def _function_plugin(
        self,
        verdict: ModuleVerdict,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        decorator: ast.Call,
    ) -> bool:
        """``@plugin(namespace, name=None, ...)``; True if read from source."""
        module = verdict.module.name
        args = call_arguments(decorator, ("namespace", "name", "should_load", "load"))
        namespace = self._literal(module, args.get("namespace"))
        name = self._literal(module, args.get("name"))
        if name == NOT_FOUND or name == Const(None) or name == Const(""):
            name = Const(node.name)  # plugin() names the plugin after the function
        if not (_is_text(namespace) and _is_text(name)):
            return False
        if self._bound_once(verdict, node.name, node):
            verdict.plugins.append(
                StaticPlugin(_text(namespace), _text(name), module, node.name, node.lineno)
            )
        return True

    def _class(self, verdict: ModuleVerdict, node: ast.ClassDef, conditional: bool) -> None:
        cls = Def(verdict.module.name, node.name, node)
        is_plugin = self.resolver.plugin_class(cls)
        if is_plugin is False:
            return
        if is_plugin:
            self.derived.update(self.resolver.linearize(cls)[1:])
        namespace = self.resolver.class_member(cls, "namespace")
        name = self.resolver.class_member(cls, "name")
        where = self._where(verdict.module, node)
        if is_plugin is None:
            if isinstance(namespace, Const) or isinstance(name, Const):
                verdict.import_reasons.append(
                    f"{where}: class {node.name} sets a plugin name or namespace but derives "
                    "from a base that cannot be read"
                )
            else:
                verdict.notes.append(
                    f"{where}: class {node.name} derives from a base that cannot be read and sets "
                    "no plugin name; taken not to be a plugin"
                )
            return
        if _is_text(namespace) and _is_abstract(name):
            typo = misspelt_name(where, node)
            if typo:
                verdict.errors.append(typo)
            else:
                verdict.incomplete.append((cls, nameless_plugin_class(where, node)))
        if _is_text(name) and _is_abstract(namespace):
            verdict.incomplete.append((cls, namespaceless_plugin_class(where, node)))
        if _is_abstract(namespace) or _is_abstract(name):
            return  # a Plugin without a namespace or a name is an abstract base
        if conditional or not (_is_text(namespace) and _is_text(name)):
            verdict.import_reasons.append(
                f"{where}: plugin class {node.name} has a namespace or name that is not a literal"
                if not conditional
                else f"{where}: plugin class {node.name} is defined conditionally"
            )
            return
        if self._bound_once(verdict, node.name, node):
            verdict.plugins.append(
                StaticPlugin(_text(namespace), _text(name), cls.module, node.name, node.lineno)
            )


class StaticPluginFinder(PluginFinder):
    """Finds plugins by reading source; imports exactly the modules the source cannot decide.

    Modules that use a plugin maker (or a form the source does not tell) are handed to the
    import-based :class:`ModuleScanningPluginFinder`; with ``fallback=False`` they raise
    :class:`DiscoveryError` instead. Nothing else is imported, so modules with import side effects
    that use no plugin maker are never run.
    """

    def __init__(
        self,
        package_finder: PackageFinder,
        fallback: bool = True,
        search_path: Iterable[str] | None = None,
        root: str | Path | None = None,
    ) -> None:
        self.package_finder = package_finder
        self.fallback = fallback
        self.search_path = search_path
        self.root = Path(root) if root is not None else Path(package_finder.path)
        self.verdicts: list[ModuleVerdict] = []

    def analyze(self) -> list[ModuleVerdict]:
        """Read every module of the project and return what its source says."""
        modules = self.package_finder.find_modules()
        package_path = str(Path(self.package_finder.path).resolve())
        extra = self.search_path if self.search_path is not None else _sys_path()
        search_path = [package_path, *extra]
        resolver = SymbolResolver(SourceLocator(modules, search_path))
        analyzer = ModuleAnalyzer(resolver, self.root)
        self.verdicts = [analyzer.analyze(module) for module in modules]
        for verdict in self.verdicts:
            for note in verdict.notes:
                LOG.info("%s", note)
            for cls, warning in verdict.incomplete:
                if cls not in analyzer.derived:
                    LOG.warning("plux: %s", warning)
            for warning in verdict.warnings:
                LOG.warning("plux: %s", warning)
        return self.verdicts

    def find_plugins(self) -> list[PluginSpec]:
        verdicts = self.analyze()
        errors = [error for verdict in verdicts for error in verdict.errors]
        if errors:
            raise DiscoveryError("\n".join(errors))
        specs: list[PluginSpec] = []
        for verdict in verdicts:
            if verdict.needs_import:
                continue
            for found in verdict.plugins:
                location = f"{found.module}:{found.attr}"
                source = source_location(verdict.module, self.root, found.lineno)
                specs.append(
                    DiscoveredSpec(
                        found.namespace, found.name, StaticFactory(location), location, source
                    )
                )
        to_import = [v for v in verdicts if v.needs_import]
        if to_import:
            specs.extend(self._import(to_import, [v.module for v in verdicts]))
        return specs

    def _import(
        self, verdicts: list[ModuleVerdict], modules: list[ModuleSource]
    ) -> list[PluginSpec]:
        if not self.fallback:
            reasons = "\n  ".join(r for v in verdicts for r in v.import_reasons)
            raise DiscoveryError(f"these modules can only be read by importing them:\n  {reasons}")
        for verdict in verdicts:
            LOG.debug("importing %s: %s", verdict.module.name, "; ".join(verdict.import_reasons))
        with on_sys_path(self.package_finder.path):
            finder = ModuleScanningPluginFinder(
                [v.module.name for v in verdicts],
                scope=[m.name for m in modules],
                sources=modules,
                root=self.root,
                strict=True,
            )
            try:
                return finder.find_plugins()
            except DiscoveryError as e:
                failed = [v for v in verdicts if v.module.name == e.module] or verdicts
                reasons = "\n  ".join(r for v in failed for r in v.import_reasons)
                raise DiscoveryError(
                    f"{e}\nplux had to import it because:\n  {reasons}\n"
                    "install the project's dependencies in the build environment, or make "
                    "these plugins readable from source (literal namespace and name)"
                ) from e


def source_location(source: ModuleSource, root: Path, lineno: int | None = None) -> str:
    """``path:line`` of a module's file, relative to ``root`` when it lies below it."""
    path = relative_path(source.path, root)
    return f"{path}:{lineno}" if lineno else path


def _sys_path() -> list[str]:
    return list(sys.path)


def _is_text(value: Value) -> bool:
    return isinstance(value, Const) and isinstance(value.value, str) and bool(value.value)


def _text(value: Value) -> str:
    assert isinstance(value, Const) and isinstance(value.value, str)
    return value.value


def _is_abstract(value: Value) -> bool:
    """Whether a class attribute value makes a Plugin abstract (missing, None or empty)."""
    return value == NOT_FOUND or (isinstance(value, Const) and not value.value)
