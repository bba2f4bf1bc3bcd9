"""The HTTP API (``/api/v1``): routes, request checks and error handlers."""
