"""``plux list``: installed plugins by namespace, read from metadata without importing them."""

from __future__ import annotations

from pathlib import Path

# Importing this module would leave a file behind: proof that listing imported nothing.
TRIPWIRE = """
    import pathlib, os
    pathlib.Path(os.environ["PLUX_TEST_TRIPWIRE"]).write_text("imported")
    from plux import Plugin

    class Hello(Plugin):
        namespace = "demo.cli"
        name = "hello"
"""


def install_demo(site_builder, tmp_path: Path) -> Path:
    tripwire = tmp_path / "imported.txt"
    site_builder.add_distribution(
        "demo-addon",
        "1.0",
        {"demo.cli": {"hello": "demo_addon.cli:Hello"}, "console_scripts": {"demo": "x:main"}},
        modules={"demo_addon/cli.py": TRIPWIRE},
    )
    site_builder.add_distribution(
        "demo-app", "2.5", {"demo.cli": {"greet": "demo_app.cli:greet"}, "demo.hooks": {}}
    )
    return tripwire


def test_list_groups_plugins_by_namespace_with_distribution_and_version(
    plux_main, site_builder, python, tmp_path: Path
) -> None:
    """Text output names each plugin, its distribution and version, under its namespace, by
    plugin name (not in the file system's order of the site folder)."""
    install_demo(site_builder, tmp_path)
    result = plux_main("list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "demo.cli (2 plugins)"
    assert lines[1].split() == ["greet", "demo-app", "2.5", "demo_app.cli:greet"]
    assert lines[2].split() == ["hello", "demo-addon", "1.0", "demo_addon.cli:Hello"]


def test_list_imports_no_plugin_module(plux_cli, site_builder, python, tmp_path: Path) -> None:
    """Listing reads metadata only: the plugin module's import side effect never happens."""
    tripwire = install_demo(site_builder, tmp_path)
    python.env["PLUX_TEST_TRIPWIRE"] = str(tripwire)
    assert plux_cli("list", "--json").returncode == 0
    assert not tripwire.exists()
    plux_cli("resolve", "--namespace", "demo.cli")  # importing it does trip the wire
    assert tripwire.exists()


def test_list_json_has_the_documented_shape(
    plux_main, site_builder, python, tmp_path: Path
) -> None:
    """``--json`` gives namespaces, each with its plugins' name, value, origin and activity."""
    install_demo(site_builder, tmp_path)
    document = plux_main("list", "--json").json()
    assert document == {
        "namespaces": [
            {
                "namespace": "demo.cli",
                "plugins": [
                    {
                        "name": "greet",
                        "entry_point": "greet",
                        "value": "demo_app.cli:greet",
                        "distribution": "demo-app",
                        "version": "2.5",
                        "active": True,
                        "disabled": None,
                        "conflict": None,
                    },
                    {
                        "name": "hello",
                        "entry_point": "hello",
                        "value": "demo_addon.cli:Hello",
                        "distribution": "demo-addon",
                        "version": "1.0",
                        "active": True,
                        "disabled": None,
                        "conflict": None,
                    },
                ],
            }
        ]
    }


def test_list_hides_tool_groups_unless_named_or_all(
    plux_main, site_builder, python, tmp_path: Path
) -> None:
    """console_scripts is not a plugin namespace by default; ``--all`` or naming it shows it."""
    install_demo(site_builder, tmp_path)

    def groups(*args: str) -> list[str]:
        return [ns["namespace"] for ns in plux_main("list", "--json", *args).json()["namespaces"]]

    assert groups() == ["demo.cli"]
    # The checkout's own egg-info (on the path) adds plux's tool groups, such as hatch.
    assert {"console_scripts", "demo.cli", "hatch"} <= set(groups("--all"))
    assert groups("console_scripts") == ["console_scripts"]
    assert groups("demo.*") == ["demo.cli"]


def test_list_marks_the_shadowed_side_of_a_conflict(plux_main, site_builder, python) -> None:
    """Of two distributions of one folder registering one name, the one whose name sorts later
    is listed as not active, with the conflict in the manager's words."""
    site_builder.add_distribution("second", "1.0", {"ns": {"same": "second.mod:Same"}})
    site_builder.add_distribution("first", "1.0", {"ns": {"same": "first.mod:Same"}})
    plugins = plux_main("list", "ns", "--json").json()["namespaces"][0]["plugins"]
    assert [(p["distribution"], p["active"]) for p in plugins] == [
        ("first", True),
        ("second", False),
    ]
    assert plugins[0]["conflict"] == plugins[1]["conflict"]
    assert plugins[0]["conflict"].startswith("plugin name conflict in namespace ns: same is ")
    text = plux_main("list", "ns").stdout.splitlines()
    assert "shadowed" in text[2]
    assert text[3] == f"  {plugins[0]['conflict']}"


def test_list_shows_declared_names_of_lower_cased_entry_points(
    plux_main, site_builder, python
) -> None:
    """A plux 1.16 entry point ``aws::sqs::queue`` is listed by the name its plugin declares."""
    site_builder.add_distribution(
        "legacy",
        "1.0",
        {"cfn": {"aws::sqs::queue": "legacy.res:Queue"}},
        modules={
            "legacy/res.py": """
                from plux import Plugin

                class Queue(Plugin):
                    namespace = "cfn"
                    name = "AWS::SQS::Queue"
            """
        },
    )
    (plugin,) = plux_main("list", "cfn", "--json").json()["namespaces"][0]["plugins"]
    assert (plugin["name"], plugin["entry_point"]) == ("AWS::SQS::Queue", "aws::sqs::queue")


def test_list_of_a_namespace_nothing_matches_fails_with_close_matches(
    plux_main, site_builder, python, tmp_path: Path
) -> None:
    """A pattern matching no installed namespace: exit 2, one line with the close matches."""
    install_demo(site_builder, tmp_path)
    result = plux_main("list", "demo.cly")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "plux: error: no installed plugin namespace matches 'demo.cly'; did you mean demo.cli?\n"
    )
    document = plux_main("list", "demo.cly", "--json").json()
    assert document["error"]["kind"] == "no-namespace"
    assert (document["error"]["matches"], document["error"]["status"]) == (["demo.cli"], 2)


def test_list_sees_a_namespace_added_by_hand(plux_cli, site_builder) -> None:
    """A namespace added by hand to an installed distribution's entry_points.txt (one that had
    entry points of another namespace only) is listed: the commands check every distribution,
    also when their index was written before the edit."""
    folder = site_builder.add_distribution("one", entry_points={"other.plugins": {"x": "one:X"}})
    assert "no installed plugin namespace matches" in plux_cli("list", "demo.cli").stderr
    with (folder / "entry_points.txt").open("a") as fh:
        fh.write("\n[demo.cli]\nhello = one:Hello\n")
    listed = plux_cli("list", "demo.cli")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].split()[:2] == ["hello", "one"]
