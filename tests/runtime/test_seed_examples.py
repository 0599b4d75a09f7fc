"""Every example of the README users know plux by runs as written and does what it says.

The examples' placeholders (``config``, ``cli``, the services, the runtime) are filled in by the
distribution each test installs.
"""

from __future__ import annotations

import pytest

CLI_PLUGINS = """
from plux import Plugin

# abstract case (not discovered at build time, missing name)
class CliPlugin(Plugin):
    namespace = "my.plugins.cli"

    def load(self, cli):
        self.attach(cli)

    def attach(self, cli):
        raise NotImplementedError

# discovered at build time (has a namespace, name, and is a Plugin)
class MyCliPlugin(CliPlugin):
    name = "my"

    def attach(self, cli):
        cli.commands.append("my")
"""


def test_one_class_per_plugin(site_builder, python):
    """load_all() with load_args=(cli,) attaches every CLI plugin to the cli object."""
    site_builder.add_distribution(
        "my-cli",
        entry_points={"my.plugins.cli": {"my": "my_cli.plugins:MyCliPlugin"}},
        modules={"my_cli/plugins.py": CLI_PLUGINS},
    )
    result = python.json(
        """
        import json
        from typing import List
        from plux import PluginManager
        from my_cli.plugins import CliPlugin

        class Cli:
            commands = []

        cli = Cli()
        manager: PluginManager[CliPlugin] = PluginManager("my.plugins.cli", load_args=(cli,))
        plugins: List[CliPlugin] = manager.load_all()
        print(json.dumps([[type(p).__name__ for p in plugins], cli.commands]))
        """
    )
    assert result == [["MyCliPlugin"], ["my"]]


SERVICES = """
import importlib
from plux import Plugin, PluginFactory, PluginSpec
from localstack import config

class ServicePlugin(Plugin):

    def __init__(self, service_name):
        self.service_name = service_name
        self.service = None

    def should_load(self):
        return self.service_name in config.SERVICES

    def load(self):
        module = importlib.import_module("localstack.services.%s" % self.service_name)
        # suppose we define a convention that each service module has a Service class
        self.service = module.Service()

def service_plugin_factory(name) -> PluginFactory:
    def create():
        return ServicePlugin(name)

    return create

# discoverable
s3 = PluginSpec("localstack.plugins.services", "s3", service_plugin_factory("s3"))

# discoverable
dynamodb = PluginSpec("localstack.plugins.services", "dynamodb", service_plugin_factory("dynamodb"))
"""

SERVICE = """
STARTED = []

class Service:
    def start(self):
        STARTED.append(__name__.rsplit(".", 1)[-1])
"""


@pytest.fixture
def services_site(site_builder):
    site_builder.add_distribution(
        "localstack",
        entry_points={
            "localstack.plugins.services": {
                "s3": "localstack.services.plugins:s3",
                "dynamodb": "localstack.services.plugins:dynamodb",
            }
        },
        modules={
            "localstack/config.py": "SERVICES = ['s3']\n",
            "localstack/services/plugins.py": SERVICES,
            "localstack/services/s3.py": SERVICE,
            "localstack/services/dynamodb.py": SERVICE,
        },
    )
    return site_builder


def test_reusable_plugins_from_a_factory(services_site, python):
    """Specs made by a factory load as ServicePlugins; the Supervisor starts the loaded service."""
    result = python.json(
        """
        import json
        from plux import PluginManager, PluginDisabled
        from localstack.services.plugins import ServicePlugin
        from localstack.services import s3

        class Supervisor:
            manager: PluginManager[ServicePlugin]

            def __init__(self):
                self.manager = PluginManager("localstack.plugins.services")

            def start(self, service_name):
                plugin = self.manager.load(service_name)
                service = plugin.service
                service.start()

        supervisor = Supervisor()
        supervisor.start("s3")
        try:
            supervisor.start("dynamodb")
        except PluginDisabled as e:
            disabled = str(e)
        print(json.dumps([s3.STARTED, disabled]))
        """
    )
    assert result == [
        ["s3"],
        "plugin localstack.plugins.services:dynamodb is disabled, "
        "reason: Load condition for plugin was false",
    ]


CONFIGURATORS = """
import logging
from plugin import plugin


@plugin(namespace="localstack.configurators")
def configure_logging(runtime):
    logging.basicConfig(level=runtime.config.loglevel)


@plugin(namespace="localstack.configurators")
def configure_somethingelse(runtime):
    # do other stuff with the runtime object
    runtime.configured.append("somethingelse")
"""


def test_functions_as_plugins(site_builder, python):
    """load_all() returns FunctionPlugins that are called like the decorated functions."""
    site_builder.add_distribution(
        "configurators",
        entry_points={
            "localstack.configurators": {
                "configure_logging": "conf_pkg:configure_logging",
                "configure_somethingelse": "conf_pkg:configure_somethingelse",
            }
        },
        modules={"conf_pkg/__init__.py": CONFIGURATORS},
    )
    result = python.json(
        """
        import json, logging
        from plux import PluginManager, FunctionPlugin

        class Config:
            loglevel = logging.WARNING

        class LocalstackRuntime:
            config = Config()
            configured = []

        runtime = LocalstackRuntime()

        plugins = PluginManager("localstack.configurators").load_all()
        for configurator in plugins:
            configurator(runtime)
        print(json.dumps([
            [type(p).__name__ for p in plugins],
            [p.name for p in plugins],
            runtime.configured,
            logging.getLogger().level,
        ]))
        """
    )
    assert result == [
        ["FunctionPlugin", "FunctionPlugin"],
        ["configure_logging", "configure_somethingelse"],
        ["somethingelse"],
        30,
    ]
