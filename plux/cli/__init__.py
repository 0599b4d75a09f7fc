"""The ``plux`` command line: one module per command group, each adding its sub-commands.

A command group module defines ``add_commands(subparsers, common)``: it adds its sub-commands to
``subparsers`` (an ``argparse`` sub-parser action), passing ``parents=[common]`` so that every
sub-command also accepts ``--workdir`` and ``-v``, and sets ``handler`` (``args -> exit code``)
with ``set_defaults``. :data:`COMMAND_GROUPS` lists the modules, in help order.
"""

COMMAND_GROUPS = ("plux.cli.build", "plux.cli.inspect", "plux.cli.doctor", "plux.cli.show")
