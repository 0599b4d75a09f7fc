"""The ``plux`` command line: one module per command, ``<command>_command.py``.

A command module defines ``add_command(subparsers, common)``: it adds its sub-command to
``subparsers`` (an ``argparse`` sub-parser action), passing ``parents=[common]`` so that it also
accepts ``--workdir`` and ``-v``, and sets ``handler`` (``args -> exit code``) with
``set_defaults`` (a command with actions of its own, ``index build`` and ``index status``, sets
one on each action). :data:`COMMAND_MODULES` lists the modules, in help order. The other
modules are what the commands share: :mod:`~plux._cli.output` (JSON shapes, tables, errors),
:mod:`~plux._cli.namespaces`, :mod:`~plux._cli.resolution`, :mod:`~plux._cli.project_discovery`,
:mod:`~plux._cli.index_diff`, :mod:`~plux._cli.stale_editables`,
:mod:`~plux._cli.project_installs` and :mod:`~plux._cli.tool_checks`.
"""

COMMAND_MODULES = tuple(
    f"plux._cli.{command}_command"
    for command in ("entrypoints", "discover", "list", "resolve", "doctor", "show", "index")
)
