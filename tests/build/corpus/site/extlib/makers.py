"""An installed library (outside the project) with a plugin maker and an abstract base."""

from plux import Plugin, plugin


class ExtBase(Plugin):
    namespace = "corpus.ext.classes"


def ext_plugin(name):
    return plugin(namespace="corpus.ext", name=name)
