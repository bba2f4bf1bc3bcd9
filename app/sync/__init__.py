"""Sync with the provincial server: protocol, HTTP client, engine, credentials."""
