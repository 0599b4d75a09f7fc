"""Hypothesis strategies for the fuzzing tests, all in one place.

- names made of given characters (``words``, cheaper than ``st.from_regex``);
- ``entry_points.txt`` texts and bytes (``entry_points_texts``, ``entry_points_bytes``);
- ``[tool.plux]`` tables and ``pyproject.toml`` documents (``plux_tables``, ``valid_plux_tables``,
  ``pyproject_documents``);
- package names and include/exclude patterns (``dotted_names``, ``patterns``);
- plugin modules: a description of what a module declares (``plugin_modules``) rendered to
  source by :func:`render_module`, and garbled sources (``garbled_sources``).
"""

from __future__ import annotations

import json
import keyword
import string
from dataclasses import dataclass

from hypothesis import strategies as st

# --- names --------------------------------------------------------------------------------------

LOWER = string.ascii_lowercase
LETTERS = string.ascii_letters
DIGITS = string.digits


def words(first: str, rest: str, max_rest: int) -> st.SearchStrategy[str]:
    """One character of ``first``, then up to ``max_rest`` of ``rest``: the strings of the regex
    ``[first][rest]{0,max_rest}``, drawn many times faster than ``st.from_regex`` draws them (the
    fuzzing tests draw thousands)."""
    return st.tuples(st.sampled_from(first), st.text(rest, max_size=max_rest)).map("".join)


# --- entry_points.txt ----------------------------------------------------------------------------

_LINES = [
    "[g]",
    "[other.group]",
    "[]",
    "[ x ]",
    "[#hash]",
    "[;semi]",
    "[ [nested]",
    "[[double]]",
    "[a]b]",
    "a = b:c",
    "a=b",
    " k =  pkg.mod:Cls [extra, other] ",
    "x = y = z",
    "[a = b",
    "a = b]",
    "=",
    "a =",
    "= b",
    "junk",
    "# comment",
    "; comment",
    "",
    "\t",
]
entry_points_lines = st.sampled_from(_LINES) | st.text(max_size=30)
line_breaks = st.sampled_from(["\n", "\r\n", "\r", "\x0b", "\x1c", "\u2028"])
entry_points_texts = st.text(max_size=300) | st.lists(
    st.tuples(entry_points_lines, line_breaks), max_size=20
).map(lambda pairs: "".join(line + brk for line, brk in pairs))
"""Any text, and texts made of header-, entry- and comment-like lines with every line break."""

entry_points_bytes = (
    st.binary(max_size=300)
    | entry_points_texts.map(lambda text: text.encode("utf-8", "surrogatepass"))
    | entry_points_texts.map(lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"))
    | entry_points_texts.map(lambda text: text.encode("utf-16"))
)
"""What an ``entry_points.txt`` on disk may hold: UTF-8 (with a BOM or not), UTF-16, noise."""

# --- [tool.plux] ---------------------------------------------------------------------------------

PLUX_KEYS = ("path", "include", "exclude", "entrypoint_build_mode", "entrypoint_static_file")

toml_scalars = (
    st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["", " ", "*", "src", "/abs", "manual", "build-hook", "auto"])
)
toml_values = st.recursive(
    toml_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children)
    ),
    max_leaves=8,
)
"""Any value a TOML document can hold (no dates)."""

plux_tables = st.dictionaries(
    st.sampled_from([*PLUX_KEYS, "build_backend"]) | st.text(max_size=12), toml_values, max_size=6
)
"""Any table under ``[tool.plux]``: known and unknown keys, values of any type."""

# printable and without quotes or backslashes, so the values render as TOML basic strings as is
_safe_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E, blacklist_characters='"\\'),
    min_size=1,
    max_size=12,
).filter(lambda text: text.strip() != "")
_relative_file = st.lists(
    st.text(LETTERS + DIGITS + "_.-", min_size=1, max_size=8), min_size=1, max_size=3
).map("/".join)
valid_plux_tables = st.fixed_dictionaries(
    {},
    optional={
        "path": _safe_text,
        "include": st.lists(_safe_text, max_size=4),
        "exclude": st.lists(_safe_text, max_size=4) | _safe_text,
        "entrypoint_build_mode": st.sampled_from(["build-hook", "manual"]),
        "entrypoint_static_file": _relative_file,
        "build_backend": st.sampled_from(["auto", "setuptools", "hatchling"]),
    },
)
"""Tables that plux must accept."""


def render_toml_table(name: str, table: dict[str, object]) -> str:
    """``[name]`` and its keys, for tables of strings and lists of strings (JSON spells those as
    TOML does)."""
    lines = [f"[{name}]"]
    lines += [f"{json.dumps(key)} = {json.dumps(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


pyproject_documents = (
    valid_plux_tables.map(lambda table: render_toml_table("tool.plux", table))
    | st.sampled_from(
        [
            "",
            "[project]\nname = 'x'\n",
            "[tool]\n",
            "[tool.plux]\n",
            "[tool.plux\n",
            "[tool]\nplux = 3\n",
            "[tool]\nplux = []\n",
            "[tool.plux]\npath = 1\n",
            "[tool.plux]\nexclude = [1, 2]\n",
            "\x00",
        ]
    )
    | st.text(max_size=80)
).map(lambda text: text.encode("utf-8", "surrogatepass")) | st.binary(max_size=80)
"""Bytes of a ``pyproject.toml`` whose ``tool`` key, if any, is a table: valid ``[tool.plux]``
tables, broken ones, broken TOML, noise."""

# --- patterns ------------------------------------------------------------------------------------

identifiers = words(LOWER + "_", LOWER + DIGITS + "_", 6).filter(
    lambda name: not keyword.iskeyword(name)
)
dotted_names = st.lists(identifiers, min_size=1, max_size=4).map(".".join)
"""Package and module names as a finder reports them."""

patterns = (
    st.text(max_size=20)
    | st.text(st.sampled_from("ab.*?[]!/\\-_"), max_size=12)
    | dotted_names.map(lambda name: name + ".*")
)
"""Any text, glob soup, and ``pkg.*`` forms."""

# --- plugin modules ------------------------------------------------------------------------------

KINDS = ("class", "inherited", "spec", "function", "function-default-name")
"""How a module declares a plugin: a Plugin subclass with literal namespace and name; one whose
namespace comes from a base class in the module; ``x = PluginSpec(...)``; ``@plugin(...)`` with a
name; ``@plugin(namespace=...)`` named after the function."""

plugin_namespaces = st.builds(
    lambda first, rest: ".".join([first, *rest]),
    words(LOWER, LOWER + DIGITS + "_", 5),
    st.lists(st.text(LOWER + DIGITS + "_", min_size=1, max_size=5), max_size=2),
)
"""The strings of ``[a-z][a-z0-9_]{0,5}(\\.[a-z0-9_]{1,5}){0,2}``."""
plugin_names = words(LETTERS + DIGITS + "_", LETTERS + DIGITS + "_:.-", 11) | st.text(
    st.characters(categories=("L", "N")), min_size=1, max_size=8
)


@dataclass(frozen=True)
class PluginDecl:
    """One plugin a generated module declares."""

    kind: str
    namespace: str
    name: str


@dataclass(frozen=True)
class PluginModule:
    """What a generated module holds: its plugins, plus abstract bases and inert statements."""

    plugins: tuple[PluginDecl, ...]
    abstract_bases: int
    noise: tuple[str, ...]

    def expected(self, module: str) -> dict[str, list[str]]:
        """The entry points every finder must report for this module, as PluginIndexBuilder
        gives them (``{namespace: sorted(["name = module:attr", ...])}``)."""
        result: dict[str, list[str]] = {}
        for number, plugin in enumerate(self.plugins):
            attr, name = _attr_and_name(number, plugin)
            result.setdefault(plugin.namespace, []).append(f"{name} = {module}:{attr}")
        return {namespace: sorted(lines) for namespace, lines in result.items()}


def _attr_and_name(number: int, plugin: PluginDecl) -> tuple[str, str]:
    if plugin.kind in ("class", "inherited"):
        return f"Plugin{number}", plugin.name
    if plugin.kind == "spec":
        return f"spec{number}", plugin.name
    if plugin.kind == "function":
        return f"function{number}", plugin.name
    return f"function{number}", f"function{number}"


_NOISE = [
    "VALUE = 42",
    "NAMES = ['a', 'b']",
    "def helper(x):\n    return x + 1",
    "class NotAPlugin:\n    namespace = 'not.a.plugin'\n    name = 'nope'",
    "if False:\n    SKIPPED = 1",
    "try:\n    import json\nexcept ImportError:\n    json = None",
    "from plux import PluginManager",
    "__all__ = []",
]


@st.composite
def plugin_modules(draw: st.DrawFn, max_plugins: int = 6) -> PluginModule:
    """A module's plugins (unique names within each namespace), abstract bases and noise."""
    plugins = draw(
        st.lists(
            st.builds(PluginDecl, st.sampled_from(KINDS), plugin_namespaces, plugin_names),
            max_size=max_plugins,
        )
    )
    seen: set[tuple[str, str]] = set()
    unique: list[PluginDecl] = []
    for number, plugin in enumerate(plugins):
        key = (plugin.namespace, _attr_and_name(number, plugin)[1])
        if key not in seen:
            seen.add(key)
            unique.append(plugin)
        else:  # keep the position (attribute names are numbered), give it a fresh name
            unique.append(PluginDecl(plugin.kind, plugin.namespace, f"dup{number}"))
    abstract = draw(st.integers(0, 2))
    noise = tuple(draw(st.lists(st.sampled_from(_NOISE), max_size=4)))
    return PluginModule(tuple(unique), abstract, noise)


def render_module(module: PluginModule, side_effects: str | None = None) -> str:
    """The source of ``module``. With ``side_effects`` (a file path), importing it creates that
    file first thing and ends in ``raise SystemExit``: a module that must never be imported."""
    parts = ["from plux import Plugin, PluginSpec, plugin"]
    if side_effects is not None:
        parts.append(f"open({side_effects!r}, 'w').close()")
    parts.extend(module.noise)
    for number in range(module.abstract_bases):
        parts.append(f"class Abstract{number}(Plugin):\n    namespace = 'abstract.ns'")
    for number, plugin in enumerate(module.plugins):
        ns, name = plugin.namespace, plugin.name
        if plugin.kind == "class":
            parts.append(
                f"class Plugin{number}(Plugin):\n    namespace = {ns!r}\n    name = {name!r}"
            )
        elif plugin.kind == "inherited":
            parts.append(f"class Base{number}(Plugin):\n    namespace = {ns!r}")
            parts.append(f"class Plugin{number}(Base{number}):\n    name = {name!r}")
        elif plugin.kind == "spec":
            parts.append(f"spec{number} = PluginSpec({ns!r}, {name!r}, Plugin)")
        elif plugin.kind == "function":
            parts.append(
                f"@plugin(namespace={ns!r}, name={name!r})\ndef function{number}():\n    pass"
            )
        else:
            parts.append(f"@plugin(namespace={ns!r})\ndef function{number}():\n    pass")
    if side_effects is not None:
        parts.append("raise SystemExit('this module must not be imported')")
    return "\n\n".join(parts) + "\n"


@st.composite
def garbled_sources(draw: st.DrawFn) -> str:
    """A generated plugin module cut short, with a span deleted or noise spliced in, or any text."""
    source = render_module(draw(plugin_modules()))
    how = draw(st.sampled_from(["cut", "delete", "insert", "text"]))
    if how == "text":
        return draw(st.text(max_size=200))
    start = draw(st.integers(0, len(source)))
    if how == "cut":
        return source[:start]
    end = draw(st.integers(start, len(source)))
    if how == "delete":
        return source[:start] + source[end:]
    noise = draw(st.sampled_from(["(", ")", ":", "\n    ", "\t", "'", '"""', "\\", "\x00", "é"]))
    return source[:start] + noise + source[start:]
