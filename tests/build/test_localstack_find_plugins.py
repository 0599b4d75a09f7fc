"""LocalStack's developer tool: ``find_plugins(where=<site folder>, include=..., exclude=...)``
lists the plugins of a distribution pip installed there, in the forms LocalStack writes them."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from integration_support import run, write

from plux.core._entry_points_text import parse_entry_points_text

pytestmark = pytest.mark.integration

# LocalStack's forms: namespace packages (no __init__.py), a provider decorator that makes a
# PluginSpec, hooks made with functools.partial, namespaces inherited or taken from constants.
SOURCES = {
    "pyproject.toml": """
        [build-system]
        requires = ["setuptools>=77"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "lsdemo"
        version = "1.0"

        [tool.setuptools.packages.find]
        include = ["localstack*", "otherlib*"]
    """,
    "localstack/services/plugins.py": """
        from plux import Plugin, PluginSpec

        class ServiceProvider(Plugin):
            namespace = "lsdemo.aws.provider"

        def aws_provider(api, name="default"):
            def wrapper(factory):
                return PluginSpec(ServiceProvider.namespace, f"{api}:{name}", factory)
            return wrapper
    """,
    "localstack/services/providers.py": """
        from localstack.services.plugins import aws_provider

        @aws_provider(api="sqs")
        def sqs():
            return None

        @aws_provider(api="sns")
        def sns():
            return None
    """,
    "localstack/runtime/hooks.py": """
        import functools
        from plux import plugin

        def hook(namespace, name=None):
            return plugin(namespace=namespace, name=name)

        on_start = functools.partial(hook, namespace="lsdemo.hooks.on_start")

        @on_start()
        def banner():
            pass
    """,
    "localstack/packages/__init__.py": "",
    "localstack/packages/api.py": """
        from plux import Plugin

        class PackagesPlugin(Plugin):
            namespace = "lsdemo.packages"
    """,
    "localstack/packages/java.py": """
        from localstack.packages.api import PackagesPlugin

        class JavaPackagePlugin(PackagesPlugin):
            name = "java"
    """,
    "localstack/pro/core/constants.py": 'PRO_NAMESPACE = "lsdemo.pro"\n',
    "localstack/pro/core/plugins.py": """
        from plux import Plugin
        from localstack.pro.core.constants import PRO_NAMESPACE

        class ProPlugin(Plugin):
            namespace = PRO_NAMESPACE
            name = "Pro"
    """,
    "localstack_cli/__init__.py": "",
    "localstack_cli/plugins.py": """
        from plux import Plugin

        class CliPlugin(Plugin):
            namespace = "lsdemo.cli"
            name = "cli"
    """,
    "otherlib/__init__.py": "",
    "otherlib/plugins.py": """
        from plux import Plugin

        class Other(Plugin):
            namespace = "lsdemo.other"
            name = "other"
    """,
}

FIND = """
    import json, sys
    from plux.build.setuptools import find_plugins
    found = find_plugins(
        where=sys.argv[1],
        include=("localstack", "localstack.*"),
        exclude=("localstack_cli", "localstack_cli.*"),
    )
    print(json.dumps(found))
"""


def test_find_plugins_lists_an_installed_distributions_plugins(tmp_path: Path, venv: Any) -> None:
    """Every plugin of the installed ``localstack`` namespace package, none of the excluded or
    not included packages beside it."""
    project = write(tmp_path / "lsdemo", SOURCES)
    site = tmp_path / "site-packages"
    venv.pip("install", "--no-deps", "--target", str(site), str(project))
    assert (site / "localstack").is_dir() and not (site / "localstack" / "__init__.py").exists()

    result = venv.run("-c", textwrap.dedent(FIND), str(site), cwd=tmp_path)

    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "lsdemo.aws.provider": [
            "sns:default = localstack.services.providers:sns",
            "sqs:default = localstack.services.providers:sqs",
        ],
        "lsdemo.hooks.on_start": ["banner = localstack.runtime.hooks:banner"],
        "lsdemo.packages": ["java = localstack.packages.java:JavaPackagePlugin"],
        "lsdemo.pro": ["Pro = localstack.pro.core.plugins:ProPlugin"],
    }


# The form LocalStack's CLI distribution ships (minified), in tests/build/minified_site: a hook
# maker made with functools.partial through locals, forwarding **kwargs to plugin(), reached
# through a package whose __init__ imports the hooks module from itself.
MINIFIED_SITE = Path(__file__).parent / "minified_site"


def test_minified_hooks_through_a_self_importing_package_are_found(
    tmp_path: Path, venv: Any
) -> None:
    """Hooks made by a maker reached as ``pkg.sub`` (imported by ``pkg`` itself) are found."""
    code = "import json, sys\nfrom plux.build.setuptools import find_plugins\n"
    code += "print(json.dumps(find_plugins(where=sys.argv[1])))\n"

    result = venv.run("-c", code, str(MINIFIED_SITE), cwd=tmp_path)

    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "lscli.hooks.prepare_host": [
            "activate_key = lscli.pro.plugins:activate_key",
            "patch_detection = lscli.pro.plugins:patch_detection",
        ]
    }


@pytest.mark.network
def test_discovery_over_localstacks_cli_equals_its_entry_points(tmp_path: Path, venv: Any) -> None:
    """LocalStack's CLI distribution, installed from the package index: discovery over its
    package gives exactly the plugin entry points it ships."""
    site = tmp_path / "site-packages"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_NO_INDEX", "PYTHON"))}
    run(
        [sys.executable, "-m", "pip", "install", "-q", "--target", str(site), "localstack"], env=env
    )
    (dist_info,) = site.glob("localstack-*.dist-info")
    shipped: dict[str, list[str]] = {}
    for ep in parse_entry_points_text((dist_info / "entry_points.txt").read_text()):
        if ep.group != "console_scripts":
            shipped.setdefault(ep.group, []).append(f"{ep.name} = {ep.value}")
    # the venv's plux comes first; the CLI's dependencies (its plux 1.x too) only after it
    code = "import json, sys\nsys.path.append(sys.argv[1])\n"
    code += "from plux.build.setuptools import find_plugins\n"
    code += "print(json.dumps(find_plugins(where=sys.argv[1], include=('localstack_cli*',))))\n"

    result = venv.run("-c", code, str(site), cwd=tmp_path)

    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert {group: sorted(eps) for group, eps in found.items()} == {
        group: sorted(eps) for group, eps in shipped.items()
    }
