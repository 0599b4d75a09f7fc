from plux import PluginSpec

from .services import service_plugin_factory

for _name in ("lambda", "sns"):
    globals()[_name] = PluginSpec("corpus.services", _name, service_plugin_factory(_name))

if True:
    from plux import Plugin

    class Conditional(Plugin):
        namespace = "corpus.cli"
        name = "conditional"
