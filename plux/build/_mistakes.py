"""Plugin declarations the source shows to be mistakes: the messages that fail or warn a build."""

from __future__ import annotations

import ast
import difflib

__all__ = [
    "bare_plugin_decorator",
    "misspelt_name",
    "nameless_plugin_class",
    "namespaceless_plugin_class",
    "spec_in_container",
]

# Below this, a string attribute is taken to be something else than a misspelt ``name``.
_TYPO_CUTOFF = 0.75


def bare_plugin_decorator(where: str, function: str) -> str:
    """The error for ``@plugin`` applied without arguments (it would replace the function)."""
    return f"{where}: @plugin applied directly to {function}: write @plugin(namespace=...)"


def misspelt_name(where: str, node: ast.ClassDef) -> str | None:
    """The error for a plugin class that sets no ``name`` but a string attribute close to it
    (``nmae = "hello"``), or None if it has no such attribute."""
    attributes = [
        target.id
        for stmt in node.body
        if isinstance(stmt, ast.Assign)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
        for target in stmt.targets
        if isinstance(target, ast.Name) and target.id not in ("name", "namespace")
    ]
    close = difflib.get_close_matches("name", attributes, n=1, cutoff=_TYPO_CUTOFF)
    if not close:
        return None
    return (
        f"{where}: plugin class {node.name} sets a namespace and {close[0]!r} but no 'name'; "
        f"did you mean name = ...?"
    )


def nameless_plugin_class(where: str, node: ast.ClassDef) -> str:
    """The warning for a class with a namespace, no name, and no subclass in the project."""
    return (
        f"{where}: plugin class {node.name} sets a namespace but no name, and no class derives "
        "from it: it is not a plugin; set name = ... (or ignore this for a base meant for others)"
    )


def namespaceless_plugin_class(where: str, node: ast.ClassDef) -> str:
    """The warning for a class with a name, no namespace, and no subclass in the project."""
    return (
        f"{where}: plugin class {node.name} sets a name but no namespace, and no class derives "
        "from it: it is not a plugin; set namespace = ... (or ignore this for a base meant for "
        "others)"
    )


def spec_in_container(where: str, container: ast.expr) -> str:
    """The warning for a ``PluginSpec`` kept in a module-level list, tuple, set or dict."""
    kind = type(container).__name__.lower()
    return (
        f"{where}: a PluginSpec kept in a {kind} is not discovered (an entry point names a "
        "module attribute): bind it to a module-level name, NAME = PluginSpec(...)"
    )
