"""Allow ``python -m coptui``."""

from coptui.cli import main

raise SystemExit(main())
