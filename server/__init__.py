"""The provincial sync server (FastAPI + SQLAlchemy; SQLite by default, PostgreSQL in production).

Workstations of the commune centres and provincial agencies enrol with a one-time code, log operators
in, push their outbox events, pull the changes visible to their centre and lease dossier numbers
(docs/design.md, Sync protocol and Numbering; the wire contract is ``app.contract``). ``server.cli``
is the admin command line (``motcua-server``); ``server.app.create_app`` builds the ASGI app.
"""

__version__ = "0.1.0"
