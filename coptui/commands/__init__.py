"""The subcommands of `coptui`, one module per group; each exposes ``register(commands)``."""
