"""Fill Bulgarian translations into the catalog, then rebuild both catalogs.

Usage: python .ci/translate.py FILE.json
  FILE.json maps each English msgid to its Bulgarian text (a list for plural forms).
  Run `python .ci/catalogs.py` first so that the new msgids are in the catalog.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "coptui" / "locale" / "bg" / "LC_MESSAGES" / "coptui.po"


def main(path: str) -> int:
    wanted = json.loads(Path(path).read_text(encoding="utf-8"))
    with PO.open("rb") as f:
        catalog = read_po(f, locale="bg")
    unknown = []
    for msgid, text in wanted.items():
        message = catalog.get(msgid)
        if message is None:
            unknown.append(msgid)
            continue
        message.string = tuple(text) if isinstance(text, list) else text
        message.flags.discard("fuzzy")
    with PO.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=True, include_lineno=False)
    for msgid in unknown:
        print(f"not in the catalog (run .ci/catalogs.py first?): {msgid!r}")
    subprocess.run([sys.executable, str(ROOT / ".ci" / "catalogs.py")], check=False)
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
