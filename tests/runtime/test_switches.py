"""PLUX_ENABLE/PLUX_DISABLE and a manager's enable=/disable=: operators switch plugins off."""

from __future__ import annotations

import json

import pytest

NS = "switch.res"
OTHER = "switch.hooks"

NOISY = """
import os
open(os.environ["IMPORT_LOG"], "a").write(__name__ + "\\n")
from plux import Plugin

class P(Plugin):
    namespace = "{namespace}"
    name = "{name}"
"""

# every plugin's load outcome, as one JSON line
OUTCOMES = """
import json
from plux import PluginManager, PluginDisabled

def outcomes(namespace, **kwargs):
    manager = PluginManager(namespace, **kwargs)
    seen = {}
    for name in manager.list_names():
        try:
            manager.load(name)
            seen[name] = "loaded"
        except PluginDisabled as e:
            seen[name] = str(e)
    return seen
"""


@pytest.fixture
def site(site_builder, import_log):
    """Plugins whose names carry colons (CloudFormation's, and ``sqs:default``), in two
    namespaces; each module logs its import."""
    plugins = {
        NS: ["AWS::SQS::Queue", "AWS::SQS::QueuePolicy", "AWS::S3::Bucket", "sqs:default"],
        OTHER: ["on_start", "on_stop"],
    }
    entry_points: dict[str, dict[str, str]] = {}
    modules = {}
    for namespace, names in plugins.items():
        for i, name in enumerate(names):
            module = f"switched.{namespace.replace('.', '_')}_{i}"
            entry_points.setdefault(namespace, {})[name] = f"{module}:P"
            modules[f"{module.replace('.', '/')}.py"] = NOISY.format(namespace=namespace, name=name)
    site_builder.add_distribution("switched", entry_points=entry_points, modules=modules)
    return site_builder


def run(python, *calls: str, **env: str):
    python.env.update(env)
    code = OUTCOMES + f"\nprint(json.dumps([{', '.join(calls)}]))"
    return python.json(code)


def imported(import_log) -> set[str]:
    return set(import_log.read_text().split())


def test_disable_pattern_with_colons_and_globs(site, python, import_log) -> None:
    """``NS:AWS::SQS::*`` splits at the first colon and globs over names with colons; the
    reason names the variable and the pattern; the disabled plugins' modules are not imported."""
    (seen,) = run(python, f"outcomes({NS!r})", PLUX_DISABLE=f"{NS}:AWS::SQS::*")
    reason = f"disabled by PLUX_DISABLE pattern '{NS}:AWS::SQS::*'"
    assert seen == {
        "AWS::SQS::Queue": f"plugin {NS}:AWS::SQS::Queue is disabled, reason: {reason}",
        "AWS::SQS::QueuePolicy": f"plugin {NS}:AWS::SQS::QueuePolicy is disabled, reason: {reason}",
        "AWS::S3::Bucket": "loaded",
        "sqs:default": "loaded",
    }
    assert imported(import_log) == {"switched.switch_res_2", "switched.switch_res_3"}


def test_name_with_a_colon_is_matched_whole(site, python) -> None:
    """``NS:sqs:default`` names the plugin ``sqs:default``; case matters, as in filters."""
    (seen,) = run(python, f"outcomes({NS!r})", PLUX_DISABLE=f"{NS}:sqs:default,{NS}:aws::s3::*")
    assert [name for name, outcome in seen.items() if outcome != "loaded"] == ["sqs:default"]


def test_disable_wins_over_enable_and_enable_restricts_only_its_namespaces(site, python) -> None:
    """A plugin both enabled and disabled is disabled; an enable list leaves the plugins of
    namespaces it does not name alone, and says which patterns it has for a namespace."""
    ns_seen, other_seen = run(
        python,
        f"outcomes({NS!r})",
        f"outcomes({OTHER!r})",
        PLUX_ENABLE=f"{NS}:AWS::SQS::*  {NS}:sqs:default",
        PLUX_DISABLE=f"{NS}:sqs:default",
    )
    assert ns_seen["AWS::SQS::Queue"] == "loaded"
    assert ns_seen["sqs:default"].endswith(
        f"reason: disabled by PLUX_DISABLE pattern '{NS}:sqs:default'"
    )
    assert ns_seen["AWS::S3::Bucket"].endswith(
        f"reason: not enabled by PLUX_ENABLE (its patterns for {NS}: "
        f"'{NS}:AWS::SQS::*', '{NS}:sqs:default')"
    )
    assert other_seen == {"on_start": "loaded", "on_stop": "loaded"}


def test_a_namespace_pattern_switches_a_whole_namespace(site, python) -> None:
    """A pattern without ``:NAME`` means every plugin of the namespaces it matches."""
    ns_seen, other_seen = run(
        python, f"outcomes({NS!r})", f"outcomes({OTHER!r})", PLUX_DISABLE="switch.h*"
    )
    assert set(ns_seen.values()) == {"loaded"}
    assert all("PLUX_DISABLE pattern 'switch.h*'" in v for v in other_seen.values())


def test_switches_apply_whatever_filters_the_application_passes(site, python) -> None:
    """Filters replace the global filter, never the operator's switches."""
    (seen,) = run(python, f"outcomes({OTHER!r}, filters=[])", PLUX_DISABLE=f"{OTHER}:on_stop")
    assert seen["on_start"] == "loaded"
    assert "PLUX_DISABLE" in seen["on_stop"]


def test_manager_takes_the_same_patterns(site, python) -> None:
    """``enable=``/``disable=`` take the variables' patterns (a string or several) and say so."""
    seen, listed = run(
        python,
        f"outcomes({NS!r}, enable=['{NS}:AWS::*'], disable='{NS}:AWS::SQS::QueuePolicy')",
        f"outcomes({OTHER!r}, enable='{NS}:nothing')",
    )
    assert seen["AWS::SQS::Queue"] == "loaded"
    assert seen["AWS::SQS::QueuePolicy"].endswith(
        f"reason: disabled by disable= pattern '{NS}:AWS::SQS::QueuePolicy'"
    )
    assert "not enabled by enable=" in seen["sqs:default"]
    assert listed == {"on_start": "loaded", "on_stop": "loaded"}


def test_manager_refuses_a_pattern_without_namespace(python) -> None:
    """A pattern ``:NAME`` is an error naming it, when the manager is made."""
    proc = python.run(
        "from plux import PluginManager; PluginManager('x', disable=':s3')", check=False
    )
    assert proc.returncode == 1
    assert "ValueError: disable=: pattern ':s3' has no namespace" in proc.stderr


def test_a_pattern_that_matches_nothing_is_warned_about_once(site, python) -> None:
    """A mistyped pattern (of a variable or a manager) gets one warning with close matches,
    however many managers list."""
    python.env["PLUX_DISABLE"] = f"{NS}:AWS::SQS::Queu {OTHER}x"
    proc = python.run(
        f"""
        import logging
        logging.basicConfig(format="%(levelname)s %(message)s")
        from plux import PluginManager
        PluginManager({NS!r}).list_names()
        PluginManager({NS!r}).list_names()
        PluginManager({OTHER!r}, enable="{OTHER}:on_strat").list_names()
        """
    )
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("WARNING")]
    assert [line.partition(" or ")[0] for line in warnings] == [
        f"WARNING PLUX_DISABLE pattern '{NS}:AWS::SQS::Queu' matches no installed plugin; "
        "did you mean AWS::SQS::Queue",
        f"WARNING PLUX_DISABLE pattern '{OTHER}x' matches no installed plugin namespace; "
        f"did you mean {OTHER}?",
        f"WARNING enable= pattern '{OTHER}:on_strat' matches no installed plugin; "
        "did you mean on_start",
    ]


def test_an_empty_variable_does_nothing_and_imports_nothing(site, python) -> None:
    """``PLUX_DISABLE=" , "`` switches nothing off, and the switches' module stays unloaded."""
    (seen, loaded) = run(
        python,
        f"outcomes({OTHER!r})",
        "'plux.runtime._switches' in __import__('sys').modules",
        PLUX_DISABLE=" , ",
        PLUX_ENABLE="",
    )
    assert (seen, loaded) == ({"on_start": "loaded", "on_stop": "loaded"}, False)


def test_list_and_doctor_show_switched_off_plugins_with_their_reason(site, python) -> None:
    """``plux list --json`` and ``plux doctor --json`` mark the plugins the variables switch
    off, with the reason a PluginDisabled gives; doctor does not import them."""
    python.env["PLUX_DISABLE"] = f"{OTHER}:on_stop"
    reason = f"disabled by PLUX_DISABLE pattern '{OTHER}:on_stop'"
    listing = python.run(f"from plux.__main__ import main; main(['list', {OTHER!r}, '--json'])")
    plugins = json.loads(listing.stdout)["namespaces"][0]["plugins"]
    assert [(p["name"], p["active"], p["disabled"]) for p in plugins] == [
        ("on_start", True, None),
        ("on_stop", False, reason),
    ]
    doctor = python.run(
        f"from plux.__main__ import main; main(['doctor', {OTHER!r}, '--json'])", check=False
    )
    checked = json.loads(doctor.stdout)["plugins"]
    assert [(p["name"], p["status"], p["disabled_reason"]) for p in checked] == [
        ("on_start", "ok", None),
        ("on_stop", "disabled", reason),
    ]


def test_a_variable_pattern_without_namespace_is_warned_about_and_ignored(site, python) -> None:
    """An operator's ``:NAME`` gets a warning naming it; the other patterns still apply."""
    python.env["PLUX_DISABLE"] = f":on_stop,{OTHER}:on_start"
    proc = python.run(
        OUTCOMES
        + f"""
import logging
logging.basicConfig(format="%(levelname)s %(message)s")
print(json.dumps(outcomes({OTHER!r})))
"""
    )
    seen = json.loads(proc.stdout.splitlines()[-1])
    assert seen["on_stop"] == "loaded"
    assert "PLUX_DISABLE" in seen["on_start"]
    assert "WARNING PLUX_DISABLE: pattern ':on_stop' has no namespace" in proc.stderr
