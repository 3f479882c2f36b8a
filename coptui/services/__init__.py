"""Use cases: one function is one transaction; each returns plain read models."""
