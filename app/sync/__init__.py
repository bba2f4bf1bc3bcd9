"""Sync with the provincial server: HTTP client, engine, credentials (the wire schemas: ``app.contract``)."""
