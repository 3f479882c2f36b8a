"""Extract marked strings, update the bg/en catalogs, and compile them (needs babel).

Usage: python .ci/catalogs.py [--check]
  --check  exit 1 when a catalog lacks a translation or a .mo is out of date.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "coptui" / "locale"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def _complete(string: object) -> bool:
    """A translation is there: a non-empty string, or every plural form non-empty."""
    if isinstance(string, (tuple, list)):
        return bool(string) and all(string)
    return bool(string)


def extract() -> Catalog:
    template = Catalog(project="coptui", msgid_bugs_address="", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / "coptui", method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def update(lang: str, template: Catalog) -> tuple[Catalog, list[str]]:
    po_path = LOCALE / lang / "LC_MESSAGES" / "coptui.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    if po_path.exists():
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=lang)
    else:
        catalog = Catalog(locale=lang, project="coptui", fuzzy=False)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    missing = []
    for message in catalog:
        if not message.id:
            continue
        if lang == "en" and not _complete(message.string):
            message.string = message.id  # English msgids are the English text
        if message.fuzzy or not _complete(message.string):
            missing.append(str(message.id))
    return catalog, missing


def main(check: bool) -> int:
    template = extract()
    failed = False
    for lang in ("bg", "en"):
        po_path = LOCALE / lang / "LC_MESSAGES" / "coptui.po"
        mo_path = po_path.with_suffix(".mo")
        if check:
            # Compare meaning, not bytes: every marked string translated, .mo built from .po.
            with po_path.open("rb") as f:
                current = read_po(f, locale=lang)
            translated = {
                str(m.id) for m in current if m.id and _complete(m.string) and not m.fuzzy
            }
            missing = sorted({str(m.id) for m in template if m.id} - translated)
            mo_buf = io.BytesIO()
            write_mo(mo_buf, current)
            stale_mo = not mo_path.exists() or mo_path.read_bytes() != mo_buf.getvalue()
        else:
            catalog, missing = update(lang, template)
            po_buf, mo_buf = io.BytesIO(), io.BytesIO()
            write_po(po_buf, catalog, width=100, sort_output=True, include_lineno=False)
            write_mo(mo_buf, catalog)
            po_path.write_bytes(po_buf.getvalue())
            mo_path.write_bytes(mo_buf.getvalue())
            stale_mo = False
        for message in missing:
            print(f"{lang}: untranslated: {message!r}")
        if stale_mo:
            print(f"{lang}: {mo_path.name} is out of date; run python .ci/catalogs.py")
        failed = failed or bool(missing) or stale_mo
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv))
