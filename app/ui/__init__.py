"""PySide6 widgets and windows. Talks to services through the worker bridge; never writes SQL."""
