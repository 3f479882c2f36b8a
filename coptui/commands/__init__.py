"""The subcommands of ``coptui`` (``book``, ``agenda``, ``db upgrade``, …), one module per group.

How a command group is added (``coptui/cli.py`` builds the parser from :data:`MODULES`):

1. Write ``coptui/commands/<group>.py`` with ``register(commands)``: it calls
   ``commands.add_parser(name, help=_(…), description=_(…))`` for each command, gives every
   option a ``help=_(…)`` text, and ends with ``set_defaults(handler=run_<name>)``.
2. A handler is ``run_<name>(args, settings) -> int`` (an exit code from
   :mod:`coptui.commands.common`). It imports services inside the function, so that plain
   ``coptui`` starts without the database stack; it raises ``coptui.errors`` classes, which
   ``cli._guarded`` turns into one line and the exit code.
3. It writes through ``transact`` and prints only after the transaction committed, with
   :func:`coptui.commands.common.say_done`; stored text goes to the terminal only through
   ``say``/``say_done`` (they clean every line), CSV cells through ``csv_cell``.
4. Add ``"<group>"`` to :data:`MODULES`.
"""

from __future__ import annotations

# The order is the order of the commands in ``coptui --help``.
MODULES = (
    "admin",
    "setup",
    "imports",
    "events",
    "programmes",
    "rosters",
    "attendance",
    "printing",
    "reports",
    "calendars",
    "users",
)
