"""Screens of coptui, one per module with its CSS beside it."""
