"""The store as the faces (the window and the command line) see it: an opaque handle.

A face holds a :class:`Store` and hands it to service functions; it never opens a session or imports
the ORM itself. :class:`StoreError` is the environment's fault (unwritable folder, full disk, corrupt
file), explained to the operator.
"""

from app.models.db import Store, StoreError

__all__ = ["Store", "StoreError"]
