"""Fixtures of the service tests: the centre with a login role per group (tests/roles.py)."""

from tests.roles import roles_world

__all__ = ["roles_world"]
