"""Widgets of the planner."""
