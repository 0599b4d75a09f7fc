"""Project plugin makers: functions that call PluginSpec/plugin inside, partials and aliases."""

import functools

from plux import PluginSpec, plugin


def aws_provider(api, name="default"):
    def decorate(cls):
        return PluginSpec("corpus.aws", f"{api}:{name}", cls)

    return decorate


hook = functools.partial(plugin, namespace="corpus.hooks.partial")
on_infra_start = hook


def package(name):
    return plugin(namespace="corpus.packages", name=name)


def wrapped_package(name):
    return package(name)
