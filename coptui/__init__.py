"""coptui: a terminal scheduler for Bulgarian community support centres (ЦОП)."""

__version__ = "0.1.0"
