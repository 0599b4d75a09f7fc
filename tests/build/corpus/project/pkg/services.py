from plux import Plugin, PluginSpec

from .consts import PREFIX, SERVICES


class ServicePlugin(Plugin):
    def __init__(self, service_name):
        self.service_name = service_name

    def load(self, *args, **kwargs):
        return self.service_name


def service_plugin_factory(name):
    def create():
        return ServicePlugin(name)

    return create


s3 = PluginSpec(SERVICES, "s3", service_plugin_factory("s3"))
dynamodb = PluginSpec(
    namespace=SERVICES, name=f"{PREFIX}-dynamodb", factory=service_plugin_factory("dynamodb")
)
s3_alias = s3
