"""A name that two distributions register: the same winner everywhere, settled by an operator."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

NS = "clash.cmds"

PLUGIN = """
from plux import Plugin

class Status(Plugin):
    namespace = "clash.cmds"
    name = "status"
    origin = "{origin}"
"""

PROBE = """
import json, logging
logging.basicConfig(format="%(levelname)s %(message)s")
from plux import PluginManager, PluginLifecycleListener
from plux.runtime.filter import global_plugin_filter
heard = []

class Heard(PluginLifecycleListener):
    def on_conflict(self, namespace, name, chosen, ignored):
        heard.append([str(chosen), str(ignored)])

{setup}
manager = PluginManager("clash.cmds", listener=Heard())
print(json.dumps([manager.load("status").origin, heard]))
"""


def install(site, *origins: str) -> None:
    """Install one distribution per origin, in this order, each registering ``status``."""
    for origin in origins:
        site.add_distribution(
            f"{origin}-commands",
            entry_points={NS: {"status": f"{origin}_cmds:Status"}},
            modules={f"{origin}_cmds.py": PLUGIN.format(origin=origin)},
        )


def probe(python, setup: str = "") -> tuple[list[object], list[str]]:
    proc = python.run(PROBE.format(setup=setup))
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("WARNING")]
    return json.loads(proc.stdout.splitlines()[-1]), warnings


@pytest.fixture
def tmpfs_sites():
    """Two empty site folders on a tmpfs, which lists a folder's entries in the reverse order of
    their creation (not by name, as ext4 does): two real listing orders."""
    if not Path("/dev/shm").is_dir():
        pytest.skip("needs a tmpfs at /dev/shm to make two listing orders")
    base = Path(tempfile.mkdtemp(dir="/dev/shm", prefix="plux-listing-"))
    try:
        sites = [base / "one", base / "two"]
        for site in sites:
            site.mkdir()
        yield sites
    finally:
        shutil.rmtree(base)


def test_same_winner_under_two_listing_orders(tmpfs_sites, site_builder, python) -> None:
    """In one folder the distribution whose name sorts first serves the name, whichever the
    folder lists first; importlib.metadata-style answers keep the folder's own order."""
    winners = []
    listings = []
    for site_path, order in zip(tmpfs_sites, [("zulu", "alpha"), ("alpha", "zulu")], strict=True):
        site = type(site_builder)(site_path)
        install(site, *order)
        listings.append(site.listing_order())
        runner = type(python)([site_path], python.cache_dir)
        (origin, heard), warnings = probe(runner)
        winners.append(origin)
        assert heard == [["distribution alpha-commands 1.0", "distribution zulu-commands 1.0"]]
        assert warnings == [
            f"WARNING plugin name conflict in namespace {NS}: status is registered by "
            "distribution alpha-commands 1.0 (alpha_cmds:Status) and by distribution "
            "zulu-commands 1.0 (zulu_cmds:Status); using distribution alpha-commands 1.0 "
            "(the first on sys.path; in one folder, the first by distribution name)"
        ]
        order_seen = runner.json(
            f"""
            import json
            from importlib.metadata import entry_points
            from plux.runtime.cache import EntryPointsCache
            theirs = [ep.dist.name for ep in entry_points(group={NS!r})]
            ours = [ep.dist.name for ep in EntryPointsCache.instance().get_entry_points()[{NS!r}]]
            print(json.dumps([theirs, ours]))
            """
        )
        assert order_seen[0] == order_seen[1]
    assert listings[0] != listings[1], "the two folders must list their entries differently"
    assert winners == ["alpha", "alpha"]


def test_filtering_out_one_provider_lets_the_other_serve_quietly(site_builder, python) -> None:
    """A filter on the winner's value makes the next provider serve the name; the conflict is
    settled, so neither the log nor listeners hear of it again."""
    install(site_builder, "alpha", "zulu")
    (origin, heard), warnings = probe(
        python, 'global_plugin_filter.add_exclusion(value="alpha_cmds:*")'
    )
    assert (origin, heard, warnings) == ("zulu", [], [])


def test_an_application_filter_settles_it_too(site_builder, python) -> None:
    """``filters=`` of the manager settle a conflict the same way."""
    install(site_builder, "alpha", "zulu")
    result = python.json(
        """
        import json
        from plux import PluginManager
        m = PluginManager("clash.cmds", filters=[lambda spec: spec.location.startswith("alpha")])
        print(json.dumps(m.load("status").origin))
        """
    )
    assert result == "zulu"


def test_the_earlier_folder_on_sys_path_wins_over_names(site_builder, second_site, python):
    """Across folders sys.path decides: a later folder's ``alpha`` loses to ``zulu``."""
    install(site_builder, "zulu")
    install(second_site, "alpha")
    python.sites.append(second_site.path)
    (origin, heard), _ = probe(python)
    assert (origin, heard) == (
        "zulu",
        [["distribution zulu-commands 1.0", "distribution alpha-commands 1.0"]],
    )
