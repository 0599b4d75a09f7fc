import plux
from plux import plugin

from .consts import HOOKS


@plugin(namespace=HOOKS)
def on_start():
    return "started"


@plux.plugin(namespace=HOOKS, name="Named::Hook")
def named():
    return "named"


def not_a_plugin():
    pass
