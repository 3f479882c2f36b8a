"""Pure rules of the domain (stdlib and dateutil only; no database, no Textual)."""
