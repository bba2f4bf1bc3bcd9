"""Pure rules of the counter: no Qt, no database session. Reused by the server and the tests."""
