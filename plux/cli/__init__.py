"""The ``plux`` command line: one module per command, ``<command>_command.py``.

A command module defines ``add_command(subparsers, common)``: it adds its sub-command to
``subparsers`` (an ``argparse`` sub-parser action), passing ``parents=[common]`` so that it also
accepts ``--workdir`` and ``-v``, and sets ``handler`` (``args -> exit code``) with
``set_defaults``. :data:`COMMAND_MODULES` lists the modules, in help order. The other modules are
what the commands share: :mod:`~plux.cli.output` (JSON shapes, tables, errors),
:mod:`~plux.cli.namespaces`, :mod:`~plux.cli.resolution`, :mod:`~plux.cli.project_discovery`,
:mod:`~plux.cli.index_diff` and :mod:`~plux.cli.stale_editables`.
"""

COMMAND_MODULES = tuple(
    f"plux.cli.{command}_command"
    for command in ("entrypoints", "discover", "list", "resolve", "doctor", "show")
)
