"""PySide6 only: the shell (start-up, main window), the screens, the dialogs and the background lanes.
Talks to services through the worker bridge (:mod:`app.ui.lanes`); holds the opaque store handle of
:mod:`app.services.store` and never opens a session, runs SQL or imports the ORM."""
