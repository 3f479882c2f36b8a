"""A4 PDF documents set in a font that ships with an installed package.

No system font is assumed: the Cyrillic is set in Source Sans Pro, embedded from the
``font-source-sans-pro`` wheel, so a fresh machine prints the same page as ours.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import font_source_sans_pro
from fpdf import FPDF

#: The family name every coptui PDF uses; styles "" (regular) and "B" (bold).
FAMILY = "coptui-sans"

_FONTS = Path(font_source_sans_pro.font_directory)


def document(*, landscape: bool = False, title: str = "") -> FPDF:
    """A new A4 document with coptui's font registered and selected (no page added yet)."""
    orientation: Literal["portrait", "landscape"] = "landscape" if landscape else "portrait"
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FAMILY, "", str(_FONTS / "SourceSansPro-Regular.ttf"))
    pdf.add_font(FAMILY, "B", str(_FONTS / "SourceSansPro-Semibold.ttf"))
    pdf.set_font(FAMILY, size=10)
    pdf.set_auto_page_break(auto=True, margin=12)
    if title:
        pdf.set_title(title)
    pdf.set_creator("coptui")
    return pdf
