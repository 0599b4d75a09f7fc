"""The default manager is lazy, knows plugins by their declared names, and reports conflicts."""

from __future__ import annotations

import json

import pytest

NS = "lazy.plugins"

NOISY = """
import os
open(os.environ["IMPORT_LOG"], "a").write(__name__ + "\\n")
from plux import Plugin

class {cls}(Plugin):
    namespace = "lazy.plugins"
    name = "{name}"
"""


def imported(import_log):
    return sorted(set(import_log.read_text().split()))


@pytest.fixture
def noisy_site(site_builder):
    """Two plugins whose modules log their import."""
    site_builder.add_distribution(
        "noisy",
        entry_points={NS: {"one": "noisy.one:One", "two": "noisy.two:Two"}},
        modules={
            "noisy/one.py": NOISY.format(cls="One", name="one"),
            "noisy/two.py": NOISY.format(cls="Two", name="two"),
        },
    )
    return site_builder


def test_listing_imports_no_plugin_module(noisy_site, python, import_log):
    """list_names, exists and the names of the specs (list_plugin_specs, a container's
    plugin_spec) import no plugin module."""
    result = python.json(
        """
        import json
        from plux import PluginManager
        m = PluginManager("lazy.plugins")
        specs = [s.name for s in m.list_plugin_specs()]
        spec = PluginManager("lazy.plugins").get_container("two").plugin_spec
        print(json.dumps([m.list_names(), m.exists("two"), specs, [spec.namespace, spec.name]]))
        """
    )
    assert result == [["one", "two"], True, ["one", "two"], ["lazy.plugins", "two"]]
    assert imported(import_log) == []


def test_loading_one_plugin_imports_only_its_module(noisy_site, python, import_log):
    """load(name) imports that plugin's module and no other."""
    python.run('from plux import PluginManager; PluginManager("lazy.plugins").load("two")')
    assert imported(import_log) == ["noisy.two"]


@pytest.fixture
def lowercased_site(site_builder):
    """A distribution built by plux 1.16, which lower-cased entry point names."""
    site_builder.add_distribution(
        "old-provider",
        entry_points={
            NS: {
                "aws::sqs::queue": "providers.sqs:SQSQueueProvider",
                "aws::s3::bucket": "providers.s3:S3BucketProvider",
            }
        },
        modules={
            "providers/sqs.py": NOISY.format(cls="SQSQueueProvider", name="AWS::SQS::Queue"),
            "providers/s3.py": NOISY.format(cls="S3BucketProvider", name="AWS::S3::Bucket"),
        },
    )
    return site_builder


def test_lowercased_entry_points_are_listed_by_declared_name(lowercased_site, python, import_log):
    """list_names gives the names the plugins declare, without importing them (cold and warm)."""
    probe = """
        import json
        from plux import PluginManager
        m = PluginManager("lazy.plugins")
        exists = [m.exists("AWS::SQS::Queue"), m.exists("aws::sqs::queue")]
        print(json.dumps([m.list_names(), *exists]))
    """
    cold = python.json(probe)
    warm = python.json(probe)
    expected = [["AWS::SQS::Queue", "AWS::S3::Bucket"], True, True]
    assert cold == expected
    assert warm == expected
    assert imported(import_log) == []


@pytest.mark.parametrize("requested", ["AWS::SQS::Queue", "aws::sqs::queue"])
def test_lowercased_entry_points_load_by_either_name(
    lowercased_site, python, import_log, requested
):
    """load() takes the declared name and the entry point name, importing only that plugin."""
    result = python.json(
        f"""
        import json
        from plux import PluginManager
        m = PluginManager("lazy.plugins")
        plugin = m.load({requested!r})
        print(json.dumps([plugin.name, m.get_container("AWS::SQS::Queue").is_loaded]))
        """
    )
    assert result == ["AWS::SQS::Queue", True]
    assert imported(import_log) == ["providers.sqs"]


def test_declared_name_unknown_statically_is_matched_after_import(site_builder, python):
    """A declared name the index cannot read from source is found by a confirmed case-insensitive
    match, and the plugin is known by it from then on."""
    site_builder.add_distribution(
        "dynamic",
        entry_points={NS: {"my::plugin": "dyn_mod:Dyn"}},
        modules={
            "dyn_mod.py": """
                from plux import Plugin
                class Dyn(Plugin):
                    namespace = "lazy.plugins"
                    name = "My" + "::Plugin"
                """
        },
    )
    result = python.json(
        """
        import json
        from plux import PluginManager
        m = PluginManager("lazy.plugins")
        plugin = m.load("My::Plugin")
        print(json.dumps([plugin.name, m.list_names(), m.exists("my::plugin")]))
        """
    )
    assert result == ["My::Plugin", ["My::Plugin"], True]


@pytest.fixture
def two_sites(tmp_path, site_builder, python):
    second = type(site_builder)(tmp_path / "second-site")
    second.path.mkdir()
    python.sites.append(second.path)
    return site_builder, second


CONFLICT = """
from plux import Plugin

class Thing(Plugin):
    namespace = "lazy.plugins"
    name = "thing"
    origin = "{origin}"
"""


def test_name_conflict_is_deterministic_and_loud(two_sites, python):
    """The distribution earlier on sys.path wins; a warning names both; listeners hear of it."""
    first, second = two_sites
    first.add_distribution(
        "alpha",
        entry_points={NS: {"thing": "alpha_mod:Thing"}},
        modules={"alpha_mod.py": CONFLICT.format(origin="alpha")},
    )
    second.add_distribution(
        "beta",
        entry_points={NS: {"thing": "beta_mod:Thing"}},
        modules={"beta_mod.py": CONFLICT.format(origin="beta")},
    )
    proc = python.run(
        """
        import json, logging
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
        from plux import PluginManager, PluginLifecycleListener
        heard = []
        class L(PluginLifecycleListener):
            def on_conflict(self, namespace, name, chosen, ignored):
                heard.append([namespace, name, chosen.distribution, ignored.distribution])
        m = PluginManager("lazy.plugins", listener=L())
        print(json.dumps([m.list_names(), m.load("thing").origin, heard]))
        """
    )
    assert json.loads(proc.stdout.splitlines()[-1]) == [
        ["thing"],
        "alpha",
        [["lazy.plugins", "thing", "alpha", "beta"]],
    ]
    assert "WARNING plugin name conflict in namespace lazy.plugins: thing" in proc.stderr
    assert "alpha" in proc.stderr and "beta" in proc.stderr
