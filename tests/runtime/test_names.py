"""Declared names of lower-cased entry points, read from source without importing it."""

from __future__ import annotations

import os

import pytest

from plux.runtime._names import find_module_source, read_declared_name

GROUP = "aws.plugins"

CLASS = """
from plux import Plugin

class SQSQueue(Plugin):
    namespace = "aws.plugins"
    name = "AWS::SQS::Queue"
"""


@pytest.mark.parametrize(
    ("source", "attr"),
    [
        (CLASS, "SQSQueue"),
        ("class SQSQueue(Plugin):\n    name: str = 'AWS::SQS::Queue'\n", "SQSQueue"),
        ("queue = PluginSpec('aws.plugins', 'AWS::SQS::Queue', factory)\n", "queue"),
        ("queue = plux.PluginSpec('aws.plugins', name='AWS::SQS::Queue', factory=f)\n", "queue"),
        ("@plugin(namespace='aws.plugins', name='AWS::SQS::Queue')\ndef queue(): ...\n", "queue"),
        ("@plux.plugin('aws.plugins', 'AWS::SQS::Queue')\nasync def queue(): ...\n", "queue"),
    ],
    ids=["class", "annotated-class", "spec", "spec-keyword", "plugin-function", "plugin-async"],
)
def test_declared_name_read_from_each_plugin_form(source, attr):
    """Classes, module-level PluginSpecs and @plugin functions give their literal names."""
    assert read_declared_name(source, attr, "aws::sqs::queue") == "AWS::SQS::Queue"


def test_exact_literal_means_no_declared_name():
    """When the entry point name itself is written in the source, it is the declared name."""
    source = CLASS.replace("AWS::SQS::Queue", "aws::sqs::queue")
    assert read_declared_name(source, "SQSQueue", "aws::sqs::queue") is None


def test_other_attribute_is_not_taken():
    """Only the attribute the entry point names counts, not another plugin in the module."""
    source = CLASS + "\nclass Other(Plugin):\n    name = 'Other'\n"
    assert read_declared_name(source, "Other", "aws::sqs::queue") is None


def test_name_differing_beyond_case_is_not_taken():
    """A declared name that is not the entry point name in another case is not recorded."""
    assert read_declared_name(CLASS, "SQSQueue", "aws::sqs::topic") is None


def test_inherited_name_is_not_read():
    """A class that inherits its name from a base gives no declared name."""
    source = CLASS + "\nclass Child(SQSQueue):\n    pass\n"
    assert read_declared_name(source, "Child", "aws::sqs::queue") is None


def test_unparseable_source_gives_none():
    """Source that does not parse gives no declared name (the manager falls back to import)."""
    source = "class SQSQueue(:\n    name = 'AWS::SQS::Queue'\n"
    assert read_declared_name(source, "SQSQueue", "aws::sqs::queue") is None


def test_finds_module_package_and_namespace_portions(tmp_path):
    """Modules, package __init__ files and namespace-package modules are found without import."""
    first, second = tmp_path / "a", tmp_path / "b"
    (first / "pkg").mkdir(parents=True)
    (first / "pkg" / "__init__.py").write_text("")
    (first / "pkg" / "mod.py").write_text("")
    (second / "ns" / "inner").mkdir(parents=True)
    (second / "ns" / "inner" / "leaf.py").write_text("")
    path = [str(first), str(second)]
    assert find_module_source("pkg", path) == str(first / "pkg" / "__init__.py")
    assert find_module_source("pkg.mod", path) == str(first / "pkg" / "mod.py")
    assert find_module_source("ns.inner.leaf", path) == str(second / "ns" / "inner" / "leaf.py")
    assert find_module_source("pkg.missing", path) is None


def test_first_path_entry_wins(tmp_path):
    """A module found earlier on the path shadows one further down."""
    for site in ("a", "b"):
        (tmp_path / site).mkdir()
        (tmp_path / site / "mod.py").write_text("")
    path = [str(tmp_path / "a"), str(tmp_path / "b")]
    assert find_module_source("mod", path) == str(tmp_path / "a" / "mod.py")


def test_extension_module_has_no_source(tmp_path):
    """An extension module first on the path means there is no source to read."""
    from importlib.machinery import EXTENSION_SUFFIXES

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / f"fast{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "fast.py").write_text("")
    assert find_module_source("fast", [str(tmp_path / "a"), str(tmp_path / "b")]) is None


@pytest.fixture
def lower_cased(site_builder):
    """A distribution as plux 1.16 built it: lower-cased entry point names, mixed-case plugins."""
    return site_builder.add_distribution(
        "aws-providers",
        entry_points={
            GROUP: {
                "aws::sqs::queue": "aws_prov.sqs:SQSQueue",
                "aws::s3::bucket": "aws_prov.s3:bucket",
                "plain": "aws_prov.plain:Plain",
            }
        },
        modules={
            "aws_prov/sqs.py": CLASS,
            "aws_prov/s3.py": """
                from plux import PluginSpec, Plugin
                class Bucket(Plugin):
                    pass
                bucket = PluginSpec("aws.plugins", "AWS::S3::Bucket", Bucket)
                """,
            "aws_prov/plain.py": """
                from plux import Plugin
                class Plain(Plugin):
                    namespace, name = "aws.plugins", "plain"
                """,
        },
    )


def declared(cache):
    return {e.name: e.declared_name for e in cache.entry_points_of(GROUP)}


def test_index_records_declared_names(lower_cased, make_cache):
    """The index gives each lower-cased entry point the name its plugin declares."""
    assert declared(make_cache()) == {
        "aws::sqs::queue": "AWS::SQS::Queue",
        "aws::s3::bucket": "AWS::S3::Bucket",
        "plain": None,
    }


def test_warm_process_gives_declared_names_without_importing(lower_cased, python):
    """A warm process has the declared names from the index and imports no plugin module."""
    code = f"""
        import json, sys
        from plux.runtime.cache import EntryPointsCache
        eps = EntryPointsCache.instance().entry_points_of("{GROUP}")
        imported = [m for m in sys.modules if m.startswith("aws_prov")]
        print(json.dumps([[e.declared_name for e in eps], imported, "ast" in sys.modules]))
        """
    python.json(code)
    assert python.json(code) == [["AWS::SQS::Queue", "AWS::S3::Bucket", None], [], False]


def test_edited_source_is_read_again(lower_cased, site_builder, make_cache, same_second):
    """Editing a plugin's source (an editable install), mtime kept, updates its declared name."""
    assert declared(make_cache())["aws::sqs::queue"] == "AWS::SQS::Queue"
    source = site_builder.path / "aws_prov" / "sqs.py"
    restore = same_second(source)
    source.write_text(CLASS.replace("AWS::SQS::Queue", "Aws::Sqs::Queue") + "# renamed\n")
    restore()
    assert declared(make_cache())["aws::sqs::queue"] == "Aws::Sqs::Queue"


def test_unchanged_sources_are_not_read_again(lower_cased, make_cache, monkeypatch):
    """A warm cache does not open any plugin source."""
    from plux.runtime import _names as names

    assert declared(make_cache())["aws::sqs::queue"] == "AWS::SQS::Queue"
    monkeypatch.setattr(names, "read_declared_name", lambda *a: pytest.fail("source was read"))
    assert declared(make_cache())["aws::sqs::queue"] == "AWS::SQS::Queue"


def test_declared_names_survive_rebuild_without_rereading(
    lower_cased, site_builder, make_cache, monkeypatch
):
    """A rebuild after another distribution changed keeps declared names from unchanged files."""
    from plux.runtime import _names as names

    assert declared(make_cache())["aws::sqs::queue"] == "AWS::SQS::Queue"
    site_builder.add_distribution("other", entry_points={GROUP: {"x": "other:X"}})
    monkeypatch.setattr(names, "read_declared_name", lambda *a: pytest.fail("source was read"))
    assert declared(make_cache())["aws::sqs::queue"] == "AWS::SQS::Queue"


def test_unreadable_source_gives_none(lower_cased, site_builder, make_cache):
    """A plugin module that cannot be found or read leaves the declared name unknown."""
    os.unlink(site_builder.path / "aws_prov" / "sqs.py")
    assert declared(make_cache())["aws::sqs::queue"] is None
