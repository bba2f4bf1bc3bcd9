"""The command line of ``motcua-desk`` (for IT support and scripting), beside the window.

:mod:`app.cli.main` builds the parser, dispatches and turns errors into exit codes;
:mod:`app.cli.context` is what every command receives. Each other module registers one group of
commands, and a command only reads its arguments, calls a service with the opaque store and prints: no
session, no ORM, no SQL here (calibre's ``implementation``/``main`` split).
"""
