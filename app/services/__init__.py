"""Use cases: each runs in one transaction and writes its rows, audit entry and outbox entry together."""
